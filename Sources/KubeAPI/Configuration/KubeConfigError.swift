/// Why a cluster connection could not be configured or a credential obtained, where, and what to do.
///
/// The text names the file, the line when known, and the field (`users[ci].user.client-key`); it
/// never contains a token, a key, certificate data or anything an exec plugin printed, so it is
/// safe to show in CI logs.
public struct KubeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; stable, for tests and machine-readable output.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case fileNotFound = "file-not-found"
            case unreadable
            case syntax
            case invalidField = "invalid-field"
            case missingField = "missing-field"
            case unknownReference = "unknown-reference"
            case unknownContext = "unknown-context"
            case noContext = "no-context"
            case conflictingFields = "conflicting-fields"
            case unsupportedAuthentication = "unsupported-authentication"
            case notInCluster = "not-in-cluster"
            case emptyToken = "empty-token"
            case execNotFound = "exec-not-found"
            case execFailed = "exec-failed"
            case execTimedOut = "exec-timed-out"
            case execInvalidOutput = "exec-invalid-output"
        }

        fileprivate let value: Value

        /// A kubeconfig, token, key or certificate file does not exist.
        public static let fileNotFound = Code(value: .fileNotFound)
        /// The file exists but could not be read.
        public static let unreadable = Code(value: .unreadable)
        /// The kubeconfig is not valid YAML or JSON.
        public static let syntax = Code(value: .syntax)
        /// A field has the wrong type or an unusable value.
        public static let invalidField = Code(value: .invalidField)
        /// A required field is missing.
        public static let missingField = Code(value: .missingField)
        /// A context names a cluster or user that no kubeconfig file defines.
        public static let unknownReference = Code(value: .unknownReference)
        /// `--context` or `current-context` names a context that does not exist.
        public static let unknownContext = Code(value: .unknownContext)
        /// Neither `--context` nor `current-context` chooses a context.
        public static let noContext = Code(value: .noContext)
        /// Two fields that exclude each other are both set.
        public static let conflictingFields = Code(value: .conflictingFields)
        /// An authentication method Warrant does not support (basic auth, `auth-provider`).
        public static let unsupportedAuthentication = Code(value: .unsupportedAuthentication)
        /// In-cluster configuration was asked for outside a pod.
        public static let notInCluster = Code(value: .notInCluster)
        /// A token or token file is empty.
        public static let emptyToken = Code(value: .emptyToken)
        /// An exec plugin's command cannot be found.
        public static let execNotFound = Code(value: .execNotFound)
        /// An exec plugin could not be started or exited with an error.
        public static let execFailed = Code(value: .execFailed)
        /// An exec plugin did not finish in time.
        public static let execTimedOut = Code(value: .execTimedOut)
        /// An exec plugin printed something other than a usable `ExecCredential`.
        public static let execInvalidOutput = Code(value: .execInvalidOutput)

        /// The stable name of the code (`unknown-context`).
        public var description: String { value.rawValue }
    }

    /// What kind of problem this is.
    public var code: Code
    /// The kubeconfig (or token, certificate, service-account) file concerned, when there is one.
    public var file: String?
    /// The 1-based line in ``file``, when known.
    public var line: Int?
    /// The field concerned, as a path (`users[ci].user.client-key`), when there is one.
    public var field: String?
    /// What is wrong, in one sentence. Never contains secret material.
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// Creates an error. `message` and `hint` must not contain secret material.
    public init(_ code: Code, file: String? = nil, line: Int? = nil, field: String? = nil, _ message: String, hint: String? = nil) {
        self.code = code
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        self.hint = hint
    }

    /// `file:line: field: message` followed by the hint on its own line.
    public var description: String {
        var prefix: [String] = []
        if let file {
            prefix.append(line.map { $0 > 0 ? "\(file):\($0)" : file } ?? file)
        }
        if let field { prefix.append(field) }
        var text = prefix.isEmpty ? message : prefix.joined(separator: ": ") + ": " + message
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}
