public import KubeModel

/// A manifest that cannot join the ApplySet.
public struct ApplySetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The object's display name.
    public var object: String
    /// Where the object was loaded from.
    public var source: SourceLocation?
    /// What went wrong.
    public var message: String
    /// What to do about it.
    public var hint: String

    /// `file:line: object: message (hint)`.
    public var description: String {
        let location = source.map { "\($0): " } ?? ""
        return "\(location)\(object): \(message) (\(hint))"
    }
}
