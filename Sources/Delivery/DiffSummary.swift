/// How much a deploy changed, for the record: objects, fields and diff lines.
public struct DiffSummary: Sendable, Hashable, CustomStringConvertible {
    /// Objects whose live state differed from the manifests (created ones included).
    public var objectsChanged: Int
    /// Lines added across the objects' diffs.
    public var linesAdded: Int
    /// Lines removed across the objects' diffs.
    public var linesRemoved: Int
    /// Fields added, removed or changed across the objects (each value once, wherever it is);
    /// `nil` in records written before Warrant counted them.
    public var fieldsChanged: Int?

    /// Creates a summary.
    public init(objectsChanged: Int = 0, linesAdded: Int = 0, linesRemoved: Int = 0, fieldsChanged: Int? = 0) {
        self.objectsChanged = objectsChanged
        self.linesAdded = linesAdded
        self.linesRemoved = linesRemoved
        self.fieldsChanged = fieldsChanged
    }

    /// The sum of two summaries (fields counted when either counts them).
    public static func + (lhs: DiffSummary, rhs: DiffSummary) -> DiffSummary {
        let fields: Int? = lhs.fieldsChanged == nil && rhs.fieldsChanged == nil ? nil : (lhs.fieldsChanged ?? 0) + (rhs.fieldsChanged ?? 0)
        return DiffSummary(
            objectsChanged: lhs.objectsChanged + rhs.objectsChanged, linesAdded: lhs.linesAdded + rhs.linesAdded,
            linesRemoved: lhs.linesRemoved + rhs.linesRemoved, fieldsChanged: fields)
    }

    /// `2 objects changed, 7 fields, +10 -3` (without the fields where they were not counted).
    public var description: String {
        let fields = fieldsChanged.map { ", \($0) field\($0 == 1 ? "" : "s")" } ?? ""
        return "\(objectsChanged) object\(objectsChanged == 1 ? "" : "s") changed\(fields), +\(linesAdded) -\(linesRemoved)"
    }
}
