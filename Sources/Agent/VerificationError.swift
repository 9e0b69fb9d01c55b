/// Why a range could not be verified at all (as opposed to being refused): a program or the Git
/// history failed. Nothing is applied; the loop tries again.
public struct VerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public enum Code: String, Sendable, Hashable {
        /// Reading the commits failed.
        case history
        /// `ssh-keygen` or `gpg` is missing, timed out or failed in an unexpected way.
        case program
        /// The allowed-signers file or the keyring cannot be used.
        case trustFile = "trust-file"
        /// The verifier's scratch folder cannot be used.
        case workingFolder = "working-folder"
    }

    /// What failed.
    public var code: Code
    /// What went wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?
    /// The Git failure, for ``Code/history``.
    public var gitError: GitError?

    /// Creates an error.
    public init(_ code: Code, _ message: String, hint: String? = nil, gitError: GitError? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.gitError = gitError
    }

    /// Wraps a Git failure.
    public init(_ gitError: GitError) {
        self.init(.history, gitError.description, gitError: gitError)
    }

    /// The message and the hint on its own line.
    public var description: String {
        var text = "cannot verify: \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}
