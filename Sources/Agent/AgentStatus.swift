import Foundation

/// What the agent last did, as it keeps it in its status ConfigMap so that `warrant agent status`
/// can read it from anywhere: the last applied commit and who signed it, the commit refused, the
/// last error, the next poll.
///
/// The agent writes it when something changes (a commit applied or refused, an error that
/// appears or clears), not on every poll: a poll that finds nothing new costs one `git
/// ls-remote` and no API request.
public struct AgentStatus: Sendable, Hashable, Codable {
    /// The commit the cluster holds.
    public struct Applied: Sendable, Hashable, Codable {
        /// The commit.
        public var commit: CommitID
        /// The range verified to reach it (`base..tip`, or the tip alone where trust started).
        public var range: String
        /// Who signed the commits of the range (each signer once, in the order met).
        public var signers: [Signer]
        /// When it was applied (RFC 3339).
        public var appliedAt: String
        /// The deploy record's id in the history.
        public var recordID: String?
        /// Whether trust started at this commit (the agent's first run: only the tip was verified).
        public var trustStartedHere: Bool

        /// Creates a value.
        public init(commit: CommitID, range: String, signers: [Signer], appliedAt: String, recordID: String?, trustStartedHere: Bool) {
            self.commit = commit
            self.range = range
            self.signers = signers
            self.appliedAt = appliedAt
            self.recordID = recordID
            self.trustStartedHere = trustStartedHere
        }
    }

    /// The tip the agent refused to apply, and why.
    public struct Pending: Sendable, Hashable, Codable {
        /// The refused tip.
        public var commit: CommitID
        /// The range that was refused.
        public var range: String
        /// Every commit refused, with its author and reason.
        public var refusals: [Refusal]
        /// When it was refused (RFC 3339).
        public var refusedAt: String
        /// The `refused` record's id in the history.
        public var recordID: String?

        /// Creates a value.
        public init(commit: CommitID, range: String, refusals: [Refusal], refusedAt: String, recordID: String?) {
            self.commit = commit
            self.range = range
            self.refusals = refusals
            self.refusedAt = refusedAt
            self.recordID = recordID
        }
    }

    /// An error that keeps the agent from applying (the Git server down, a missing permission).
    public struct Problem: Sendable, Hashable, Codable {
        /// What went wrong, with the hint.
        public var message: String
        /// Whether the agent retries by itself (with backoff) or a person must act.
        public var retrying: Bool
        /// When it first happened (RFC 3339).
        public var since: String

        /// Creates a value.
        public init(message: String, retrying: Bool, since: String) {
            self.message = message
            self.retrying = retrying
            self.since = since
        }
    }

    /// The repository (without credentials).
    public var repository: String
    /// The branch followed.
    public var branch: String
    /// The manifests folder.
    public var path: String
    /// Seconds between polls.
    public var intervalSeconds: Int64
    /// The commit applied last; `nil` before the first apply.
    public var lastApplied: Applied?
    /// The tip refused; `nil` when the branch's tip is applied or not yet seen.
    public var pending: Pending?
    /// The current error; `nil` when the last attempt worked.
    public var lastError: Problem?
    /// When the agent polls next (RFC 3339), as planned when this status was written.
    public var nextPoll: String?
    /// When this status was written (RFC 3339).
    public var updated: String

    /// Creates a status.
    public init(
        repository: String, branch: String, path: String, intervalSeconds: Int64, lastApplied: Applied? = nil, pending: Pending? = nil,
        lastError: Problem? = nil, nextPoll: String? = nil, updated: String
    ) {
        self.repository = repository
        self.branch = branch
        self.path = path
        self.intervalSeconds = intervalSeconds
        self.lastApplied = lastApplied
        self.pending = pending
        self.lastError = lastError
        self.nextPoll = nextPoll
        self.updated = updated
    }

    /// The status as the ConfigMap holds it: JSON with sorted keys.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding plain values cannot fail.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Reads a status written by ``encoded()``.
    public init(decoding text: String) throws {
        self = try JSONDecoder().decode(AgentStatus.self, from: Data(text.utf8))
    }

    /// Whether two statuses say the same thing, apart from when they were written.
    func sameState(as other: AgentStatus) -> Bool {
        var mine = self
        var theirs = other
        mine.updated = ""
        theirs.updated = ""
        mine.nextPoll = nil
        theirs.nextPoll = nil
        return mine == theirs
    }
}
