public import KubeModel

/// A problem `warrant deploy` finds in the manifests before changing anything: an error (exit
/// status 2) or a platform safeguard's warning.
public struct DeployIssue: Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier of the check, e.g. `namespace-mismatch`, `image-latest`.
    public var id: String
    /// The object's display name (`Deployment team-a/web`).
    public var object: String
    /// Where the object was loaded from.
    public var source: SourceLocation?
    /// What is wrong.
    public var message: String
    /// What to do about it.
    public var hint: String
    /// Whether ``message`` names the object itself (an issue made of a ``ManifestError``), so
    /// that ``description`` does not name it twice.
    private var messageNamesObject = false

    /// Creates an issue.
    public init(id: String, object: String, source: SourceLocation?, message: String, hint: String) {
        self.id = id
        self.object = object
        self.source = source
        self.message = message
        self.hint = hint
    }

    /// The issue about `object`.
    init(_ id: String, _ object: KubeObject, _ message: String, hint: String) {
        self.init(id: id, object: object.displayName, source: object.source, message: message, hint: hint)
    }

    /// The issue `error` (of ``NamespaceCheck``) describes about `object`: its code is the ID.
    public init(_ error: ManifestError, object: KubeObject) {
        self.init(id: error.code.description, object: object.displayName, source: error.location, message: error.message, hint: error.hint ?? "")
        messageNamesObject = true
    }

    /// `file:line: object: message [id]`, then the hint.
    public var description: String {
        let location = source.map { "\($0): " } ?? ""
        return "\(location)\(messageNamesObject ? "" : "\(object): ")\(message) [\(id)]\n  hint: \(hint)"
    }
}
