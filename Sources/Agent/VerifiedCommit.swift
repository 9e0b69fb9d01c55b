/// A commit whose signature was verified: what the record keeps of it.
public struct VerifiedCommit: Sendable, Hashable, Codable {
    /// The commit.
    public var id: CommitID
    /// The author, as the commit names it.
    public var author: GitIdentity
    /// The committer, as the commit names it.
    public var committer: GitIdentity
    /// The first line of the message.
    public var subject: String
    /// Whose key signed it.
    public var signer: Signer
    /// The parents (two or more for a merge).
    public var parents: [CommitID]

    /// Creates a value.
    public init(id: CommitID, author: GitIdentity, committer: GitIdentity, subject: String, signer: Signer, parents: [CommitID]) {
        self.id = id
        self.author = author
        self.committer = committer
        self.subject = subject
        self.signer = signer
        self.parents = parents
    }
}
