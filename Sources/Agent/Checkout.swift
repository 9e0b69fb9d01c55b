/// A commit checked out in the agent's working folder.
///
/// The folder holds exactly the commit's files; symbolic links are written as plain files that
/// hold the link's target, so that nothing outside the checkout is ever read through one.
public struct Checkout: Sendable, Hashable {
    /// The commit.
    public var commit: CommitID
    /// The absolute path of the folder.
    public var directory: String

    /// Creates a checkout value.
    public init(commit: CommitID, directory: String) {
        self.commit = commit
        self.directory = directory
    }
}
