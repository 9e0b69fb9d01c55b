import KubeAPI

/// Why installing or verifying a credential stopped: what went wrong, the items involved, what
/// to do next, and the error underneath where there is one.
public struct CredentialError: ExplainedError, Sendable {
    /// What kind of problem this is; stable, for tests and callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case missingRights = "missing-rights"
            case tokenNotIssued = "token-not-issued"
            case verificationFailed = "verification-failed"
            case api
            case interrupted
            case unexpected
        }

        fileprivate let value: Value

        /// The caller may not create the credential (Kubernetes' escalation prevention); nothing changed.
        public static let missingRights = Code(value: .missingRights)
        /// The token controller did not fill the token Secret in time.
        public static let tokenNotIssued = Code(value: .tokenNotIssued)
        /// The new credential holds other rules than its Role grants, or holds them elsewhere too.
        public static let verificationFailed = Code(value: .verificationFailed)
        /// The API server answered with an error or could not be reached (``apiError``).
        public static let api = Code(value: .api)
        /// The installation was cancelled.
        public static let interrupted = Code(value: .interrupted)
        /// Any other error (``underlying``).
        public static let unexpected = Code(value: .unexpected)

        /// The stable name of the code (`missing-rights`).
        public var description: String { value.rawValue }
    }

    /// What kind of problem this is.
    public var code: Code
    /// What went wrong; ends with a colon when ``details`` follow.
    public var message: String
    /// The items involved: missing rules, verification problems.
    public var details: [String]
    /// What to do next, one line.
    public var hint: String?
    /// The error underneath, where there is one.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, details: [String] = [], hint: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.hint = hint
        self.underlying = underlying
    }

    /// Whether this is the API server's error (``Code/api``).
    public var isAPIFailure: Bool { code == .api }

    /// `error` as a credential error: itself, an API error, an interruption, or unexpected.
    static func from(_ error: any Error) -> CredentialError {
        switch error {
        case let error as CredentialError: return error
        case let error as KubeAPIError: return CredentialError(.api, "\(error)", underlying: error)
        case is CancellationError: return CredentialError(.interrupted, "interrupted", underlying: error)
        default: return CredentialError(.unexpected, "\(error)", underlying: error)
        }
    }
}
