import KubeAPI
import KubeModel

/// Why a command stopped: what went wrong, where, what to do next, and the exit status it means.
///
/// Commands throw these (or a library's error, which ``CommandErrors/init(_:)`` reads the same
/// way) instead of printing where the problem is found; ``WarrantMain`` renders every one once,
/// on standard error, as `error: LOCATION: MESSAGE` with the details and the hint on indented
/// lines of their own, and exits with the status of its ``code``.
struct CommandError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem this is, and so the exit status; stable, for tests.
    struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case invalidOption = "invalid-option"
            case missingInput = "missing-input"
            case invalidInput = "invalid-input"
            case invalidManifests = "invalid-manifests"
            case unwritableOutput = "unwritable-output"
            case unreachable
            case apiFailure = "api-failure"
            case failed
        }

        fileprivate let value: Value

        /// A flag's value the command cannot use (exit 2).
        static let invalidOption = Code(value: .invalidOption)
        /// Input the command needs was not given: manifests, an audit log, a kubeconfig (exit 2).
        static let missingInput = Code(value: .missingInput)
        /// A file given to the command cannot be read or used: a settings file, a record file, an
        /// audit log, a Role to compare (exit 2).
        static let invalidInput = Code(value: .invalidInput)
        /// Manifests the command cannot use as they are (exit 2).
        static let invalidManifests = Code(value: .invalidManifests)
        /// An output file or folder that cannot be written (exit 2, as before any change).
        static let unwritableOutput = Code(value: .unwritableOutput)
        /// The cluster could not be reached, refused the credentials or did not answer in time (exit 3).
        static let unreachable = Code(value: .unreachable)
        /// The API server answered a request with an error (exit 1).
        static let apiFailure = Code(value: .apiFailure)
        /// An operation failed or a check did not hold (exit 1).
        static let failed = Code(value: .failed)

        /// The exit status an error of this kind ends the command with.
        var status: ExitStatus {
            switch value {
            case .invalidOption, .missingInput, .invalidInput, .invalidManifests, .unwritableOutput: .invalidInput
            case .unreachable: .unreachable
            case .apiFailure, .failed: .failure
            }
        }

        /// The stable name of the code (`invalid-option`).
        var description: String { value.rawValue }
    }

    /// What kind of problem this is.
    var code: Code
    /// Where: a file (with its line), or the flag whose value is wrong; `nil` when the message says it.
    var location: String?
    /// What went wrong; may end with a colon when ``details`` follow.
    var message: String
    /// The items involved, one line each.
    var details: [String]
    /// What to do next.
    var hint: String?
    /// The error underneath, where there is one.
    var underlying: (any Error)?

    /// Creates an error.
    init(_ code: Code, at location: String? = nil, _ message: String, details: [String] = [], hint: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.location = location
        self.message = message
        self.details = details
        self.hint = hint
        self.underlying = underlying
    }

    /// `error` under `code`, in its own words, followed by `hint` when there is one.
    init(_ code: Code, wrapping error: any Error, hint: String? = nil) {
        self.init(code, "\(error)", hint: hint, underlying: error)
    }

    /// The exit status this error ends the command with.
    var status: ExitStatus { code.status }

    /// `location: message`, each detail as `  - detail` and the hint as `  hint: hint`, on lines of their own.
    var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += message
        for detail in details { text += "\n  - \(detail)" }
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

extension CommandError {
    /// A manifest error, with its file and line as the location.
    init(manifest error: ManifestError) {
        self.init(.invalidManifests, at: "\(error.location)", error.message, hint: error.hint, underlying: error)
    }

    /// An API error: exit 3 when the cluster could not be reached or refused the credentials
    /// (a transport failure or 401), 1 for any other answer.
    init(api error: KubeAPIError) {
        self.init(error.isUnreachable ? .unreachable : .apiFailure, wrapping: error)
    }
}
