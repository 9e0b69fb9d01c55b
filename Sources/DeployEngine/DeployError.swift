import KubeAPI

/// Why a deploy stopped: what went wrong, the items involved, what to do next, and the error
/// underneath where there is one.
///
/// ``description`` is the explanation a person reads (the message, each detail on an indented
/// `  - ` line, then the hint); ``summary`` is the one line the deploy record keeps. Callers map
/// ``code`` to their own exit statuses or retries.
public struct DeployError: ExplainedError, Sendable {
    /// What kind of problem this is; stable, for tests and callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case invalidManifests = "invalid-manifests"
            case missingPermissions = "missing-permissions"
            case broadCredential = "broad-credential"
            case invalidApplySet = "invalid-applyset"
            case foreignApplySet = "foreign-applyset"
            case locked
            case conflicts
            case pruneLimit = "prune-limit"
            case rolloutFailed = "rollout-failed"
            case timedOut = "timed-out"
            case interrupted
            case api
            case recordNotWritten = "record-not-written"
            case recordTooLarge = "record-too-large"
            case unexpected
        }

        fileprivate let value: Value

        /// The manifests cannot be deployed as they are (wrong namespace, cluster-scoped, unknown kind, …).
        public static let invalidManifests = Code(value: .invalidManifests)
        /// Pre-flight: the credential lacks permissions the deploy needs. Nothing changed.
        public static let missingPermissions = Code(value: .missingPermissions)
        /// Pre-flight: the credential holds more than the deploy needs. Nothing changed.
        public static let broadCredential = Code(value: .broadCredential)
        /// The objects cannot join the ApplySet (e.g. already labelled for another set).
        public static let invalidApplySet = Code(value: .invalidApplySet)
        /// The ApplySet parent belongs to another tool or another set; nothing was pruned.
        public static let foreignApplySet = Code(value: .foreignApplySet)
        /// Another deploy of the same ApplySet holds its Lease and did not finish within
        /// ``DeployConfiguration/lockTimeout``, or this deploy lost the Lease while it ran.
        public static let locked = Code(value: .locked)
        /// Fields another field manager owns; see ``DeployConfiguration/forceConflicts``.
        public static let conflicts = Code(value: .conflicts)
        /// Pruning would delete more than ``DeployConfiguration/maxPrune`` allows; nothing was deleted.
        public static let pruneLimit = Code(value: .pruneLimit)
        /// An object or a pod failed while waiting (CrashLoopBackOff, a failed Job, …).
        public static let rolloutFailed = Code(value: .rolloutFailed)
        /// Waiting took longer than ``DeployConfiguration/waitTimeout``.
        public static let timedOut = Code(value: .timedOut)
        /// The deploy was cancelled.
        public static let interrupted = Code(value: .interrupted)
        /// The API server answered with an error or could not be reached (``apiError``).
        public static let api = Code(value: .api)
        /// The record could not be written (to the history, the record file or as an Event).
        public static let recordNotWritten = Code(value: .recordNotWritten)
        /// Pre-flight: the deploy's record would not fit the history ConfigMap even compressed,
        /// were every object applied. Nothing changed.
        public static let recordTooLarge = Code(value: .recordTooLarge)
        /// Any other error (``underlying``).
        public static let unexpected = Code(value: .unexpected)

        /// The stable name of the code (`prune-limit`).
        public var description: String { value.rawValue }
    }

    /// What kind of problem this is.
    public var code: Code
    /// What went wrong; may end with a colon when ``details`` follow.
    public var message: String
    /// The items involved: missing rules, conflicting fields, prune candidates, pending objects.
    public var details: [String]
    /// What to do next, one line.
    public var hint: String?
    /// The one line the record keeps as its message.
    public var summary: String
    /// The error underneath, where there is one (a ``KubeAPIError``, ManifestErrors, …).
    public var underlying: (any Error)?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, details: [String] = [], hint: String? = nil, summary: String? = nil, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.hint = hint
        self.summary = summary ?? message
        self.underlying = underlying
    }

    /// Whether this is the API server's error (``Code/api``).
    public var isAPIFailure: Bool { code == .api }

    /// `error` as a deploy error: itself, an API error, an interruption, or unexpected.
    static func from(_ error: any Error) -> DeployError {
        switch error {
        case let error as DeployError: return error
        case let error as KubeAPIError: return DeployError(.api, "\(error)", underlying: error)
        case let error as LeaseError:
            return DeployError(
                .locked, "\(error.message); the deploy stopped", hint: "the record says what was done; deploy again",
                summary: error.message, underlying: error)
        case is CancellationError: return DeployError(.interrupted, "interrupted", underlying: error)
        default: return DeployError(.unexpected, "\(error)", underlying: error)
        }
    }
}
