/// Why a range was not trusted: the commit, its author and the reason.
public struct Refusal: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The reasons, stable for records and status output.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// The commit carries no signature.
        case unsigned
        /// The signature does not verify (the commit was changed after signing, or the signature is damaged).
        case badSignature = "bad-signature"
        /// The key is not in the allowed-signers file or the keyring.
        case unknownSigner = "unknown-signer"
        /// The key was not valid at the commit's time (`valid-before`, `valid-after`, an expired OpenPGP key or signature).
        case keyNotValid = "key-not-valid"
        /// The OpenPGP key is revoked.
        case keyRevoked = "key-revoked"
        /// A signature of a kind the agent does not check (X.509, or OpenPGP without a keyring).
        case unsupportedSignature = "unsupported-signature"
        /// More than one signature header.
        case multipleSignatures = "multiple-signatures"
        /// The commit object lacks an author or committer the agent can read.
        case malformedCommit = "malformed-commit"
        /// The committer time lies further in the future than the allowed clock skew.
        case commitTimeInFuture = "commit-time-in-future"
        /// The new tip does not descend from the last applied commit (the branch was rewritten or rolled back).
        case notDescendant = "not-descendant"
        /// The range holds more commits than the policy allows.
        case rangeTooLarge = "range-too-large"
    }

    /// The commit refused (the tip, for reasons about the whole range).
    public var commit: CommitID
    /// Its author, when the commit could be read.
    public var author: GitIdentity?
    /// Its committer, when the commit could be read.
    public var committer: GitIdentity?
    /// The first line of its message.
    public var subject: String
    /// Why.
    public var reason: Reason
    /// The details: what `ssh-keygen` or `gpg` said, the commits involved.
    public var detail: String

    /// Creates a refusal.
    public init(commit: CommitID, author: GitIdentity?, committer: GitIdentity?, subject: String, reason: Reason, detail: String) {
        self.commit = commit
        self.author = author
        self.committer = committer
        self.subject = subject
        self.reason = reason
        self.detail = detail
    }

    /// Creates a refusal for a commit object.
    init(_ commit: CommitObject, _ reason: Reason, _ detail: String) {
        self.init(commit: commit.id, author: commit.author, committer: commit.committer, subject: commit.subject, reason: reason, detail: detail)
    }

    /// `commit 1a2b3c4d5e6f by Alice <alice@example.com>: unsigned (detail)`.
    public var description: String {
        var text = "commit \(commit.short)"
        if let author { text += " by \(author)" }
        text += ": \(reason.rawValue)"
        if !detail.isEmpty { text += " (\(detail))" }
        return text
    }
}
