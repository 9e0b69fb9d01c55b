import Foundation

/// Why a Git operation failed: what, where, whether waiting and trying again can help, and what
/// to do.
///
/// Messages quote what `git` printed, with any user information in addresses masked. They never
/// contain a credential: the agent does not hold any (see ``GitCredentials``).
public struct GitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; stable, for status output and tests.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate let value: String

        /// The server could not be reached (name resolution, connection refused, network down).
        public static let unreachable = Code(value: "unreachable")
        /// The server answered with an error of its own (HTTP 5xx, a dropped connection).
        public static let serverError = Code(value: "server-error")
        /// The server refused the credentials, or asked for some and none were given.
        public static let authenticationFailed = Code(value: "authentication-failed")
        /// The SSH host key is not in the known_hosts file, or differs from it.
        public static let hostKeyRejected = Code(value: "host-key-rejected")
        /// The HTTPS server's certificate was not trusted.
        public static let certificateRejected = Code(value: "certificate-rejected")
        /// The repository does not exist (or the credentials may not see it).
        public static let repositoryNotFound = Code(value: "repository-not-found")
        /// The branch does not exist in the repository.
        public static let branchNotFound = Code(value: "branch-not-found")
        /// A Git command ran longer than its timeout and was stopped.
        public static let timedOut = Code(value: "timed-out")
        /// `git` (or `ssh`) is not installed.
        public static let programMissing = Code(value: "program-missing")
        /// The agent's working folder could not be used.
        public static let workingFolder = Code(value: "working-folder")
        /// A commit the agent needs is not in its copy of the repository.
        public static let objectMissing = Code(value: "object-missing")
        /// Any other failure of a Git command.
        public static let commandFailed = Code(value: "command-failed")
        /// The agent is shutting down.
        public static let cancelled = Code(value: "cancelled")

        /// The stable name (`host-key-rejected`).
        public var description: String { value }
    }

    /// What kind of failure.
    public var code: Code
    /// The operation: `ls-remote`, `fetch`, `checkout`, ….
    public var operation: String
    /// The repository address (it holds no credential).
    public var repository: String
    /// What went wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// Creates an error; user information in addresses inside `message` is masked.
    public init(_ code: Code, operation: String, repository: String, _ message: String, hint: String? = nil) {
        self.code = code
        self.operation = operation
        self.repository = repository
        self.message = Self.maskingUserInformation(message)
        self.hint = hint
    }

    /// Whether trying again later, with nothing changed, may succeed: true for an unreachable or
    /// failing server and timeouts; false where a person must change something (credentials, the
    /// host key, the address, the branch).
    public var isRetryable: Bool {
        [Code.unreachable, .serverError, .timedOut, .workingFolder, .commandFailed].contains(code)
    }

    /// `git fetch https://…: message` and the hint on its own line.
    public var description: String {
        var text = "git \(operation) \(repository): \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }

    /// `scheme://user:password@host` becomes `scheme://***@host` wherever it appears.
    static func maskingUserInformation(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            result += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == " " || $0 == "'" || $0 == "\"" || $0 == "\n" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                result += "***"
                rest = rest[at...]
            }
        }
        return result + rest
    }
}
