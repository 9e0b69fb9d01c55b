public import KubeModel

/// Why `restrict` cannot run: what kind of problem, where when one object is to blame, a message
/// and what to do.
public struct RestrictError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem this is; stable, for tests and callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case invalidNamespace = "invalid-namespace"
            case noTargetNamespaces = "no-target-namespaces"
            case noObjects = "no-objects"
            case unservedAPIs = "unserved-apis"
            case unknownKinds = "unknown-kinds"
        }

        fileprivate let value: Value

        /// A tool, target or source namespace that is not a valid namespace name.
        public static let invalidNamespace = Code(value: .invalidNamespace)
        /// No namespace for the tool to deploy to.
        public static let noTargetNamespaces = Code(value: .noTargetNamespaces)
        /// The input holds no objects.
        public static let noObjects = Code(value: .noObjects)
        /// Every object is in an API version Kubernetes no longer serves.
        public static let unservedAPIs = Code(value: .unservedAPIs)
        /// Objects of kinds neither the built-in table, the input's CRDs nor a resource map describes.
        public static let unknownKinds = Code(value: .unknownKinds)

        /// The stable name of the code (`unknown-kinds`).
        public var description: String { value.rawValue }
    }

    /// What kind of problem this is.
    public var code: Code
    /// The file and line of the (first) object to blame, when one is.
    public var location: SourceLocation?
    /// What went wrong; for unknown kinds, one line per object (at most five), each with its file and line.
    public var message: String
    /// What to do about it.
    public var hint: String

    init(_ code: Code, at location: SourceLocation? = nil, _ message: String, hint: String) {
        self.code = code
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// The message, then the hint on its own line.
    public var description: String { "\(message)\n  hint: \(hint)" }
}
