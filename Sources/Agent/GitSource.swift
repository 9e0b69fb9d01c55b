public import KubeModel

/// Where the agent's commits come from: poll the branch cheaply, fetch when it moved, check a
/// commit out and render its manifests.
///
/// The reconcile loop talks to Git only through this protocol (and ``CommitHistory``, which it
/// refines), so that it can be tested with a source that needs no `git`.
/// ``GitRepositorySource`` is the implementation over the real `git` program.
///
/// Calls are made one at a time, by one loop.
public protocol GitSource: CommitHistory {
    /// The repository address (it holds no credential).
    var repository: GitRepositoryURL { get }
    /// The branch followed.
    var branch: String { get }

    /// The commit the branch points to on the server, without fetching (`git ls-remote` of the one ref).
    ///
    /// - Throws: ``GitError``; ``GitError/Code/branchNotFound`` when the branch does not exist.
    func remoteTip() async throws(GitError) -> CommitID

    /// Fetches the branch into the agent's copy and returns the commit it points to now (which
    /// may be newer than the last ``remoteTip()``).
    func fetch() async throws(GitError) -> CommitID

    /// A clean checkout of `commit` (fetched before) in the agent's working folder.
    func checkout(_ commit: CommitID) async throws(GitError) -> Checkout

    /// The objects in `path` of a checkout: the folder's manifests, or its kustomization rendered
    /// when it has a `kustomization.yaml`; loaded as every Warrant command loads manifests.
    ///
    /// - Throws: ``ManifestErrors`` naming the files (relative to the repository) and lines.
    func manifests(in checkout: Checkout, path: String) async throws(ManifestErrors) -> RenderedManifests
}

/// The commit graph the agent verifies: ancestry and the commit objects of a range.
public protocol CommitHistory: Sendable {
    /// Whether the agent's copy has `commit`.
    func contains(_ commit: CommitID) async throws(GitError) -> Bool

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    func isAncestor(_ ancestor: CommitID, of descendant: CommitID) async throws(GitError) -> Bool

    /// The commit objects reachable from `range.tip` and not from `range.base` (only the tip when
    /// `base` is `nil`), parents before children; at most `limit + 1` of them, so that a caller
    /// can tell that there are more than `limit`.
    func commits(in range: CommitRange, limit: Int) async throws(GitError) -> [CommitObject]
}

/// What one poll found.
public enum SourceUpdate: Sendable, Hashable {
    /// The branch still points to the known commit; nothing was fetched.
    case unchanged(CommitID)
    /// The branch moved; it was fetched and now points to this commit.
    case moved(CommitID)

    /// The commit the branch points to.
    public var tip: CommitID {
        switch self {
        case .unchanged(let tip), .moved(let tip): tip
        }
    }
}

extension GitSource {
    /// One poll: `ls-remote`, and a fetch only when the branch no longer points to `known`.
    ///
    /// - Parameter known: the commit the agent last fetched, or `nil` at start.
    public func update(from known: CommitID?) async throws(GitError) -> SourceUpdate {
        let remote = try await remoteTip()
        if remote == known { return .unchanged(remote) }
        return .moved(try await fetch())
    }
}
