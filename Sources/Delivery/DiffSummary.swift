/// How much a deploy changed, for the record: objects and diff lines.
public struct DiffSummary: Sendable, Hashable, CustomStringConvertible {
    /// Objects whose live state differed from the manifests (created ones included).
    public var objectsChanged: Int
    /// Lines added across the objects' diffs.
    public var linesAdded: Int
    /// Lines removed across the objects' diffs.
    public var linesRemoved: Int

    /// Creates a summary.
    public init(objectsChanged: Int = 0, linesAdded: Int = 0, linesRemoved: Int = 0) {
        self.objectsChanged = objectsChanged
        self.linesAdded = linesAdded
        self.linesRemoved = linesRemoved
    }

    /// The sum of two summaries.
    public static func + (lhs: DiffSummary, rhs: DiffSummary) -> DiffSummary {
        DiffSummary(
            objectsChanged: lhs.objectsChanged + rhs.objectsChanged, linesAdded: lhs.linesAdded + rhs.linesAdded,
            linesRemoved: lhs.linesRemoved + rhs.linesRemoved)
    }

    /// `2 objects changed, +10 -3`.
    public var description: String {
        "\(objectsChanged) object\(objectsChanged == 1 ? "" : "s") changed, +\(linesAdded) -\(linesRemoved)"
    }
}
