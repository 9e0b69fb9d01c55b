public import DeployEngine
public import Foundation

/// What the reconcile loop remembers between polls.
///
/// At start it comes from the status ConfigMap (``Reconciler/resume()``), so that a restarted
/// agent carries on from the commit it applied last without writing anything.
public struct ReconcileState: Sendable {
    /// The commit the branch pointed to at the last fetch.
    public var lastFetched: CommitID?
    /// The commit applied last; the base of the next range.
    public var lastApplied: CommitID?
    /// When it was applied (or re-applied to correct drift).
    public var lastAppliedAt: Date?
    /// Who signed the commits that led to ``lastApplied`` (named again in drift records).
    public var lastSigners: [Signer]
    /// A tip refused for its signatures: recorded once, tried again when the branch moves.
    public var refusedTip: CommitID?
    /// A verified tip whose manifests cannot be deployed (invalid files): tried again when the branch moves.
    public var brokenTip: CommitID?
    /// The last applied commit's manifests, rendered and validated: a re-apply to correct drift
    /// needs no checkout.
    public var lastManifests: DeployManifests?
    /// Failed attempts in a row, for the backoff.
    public var consecutiveFailures: Int
    /// What the status should say now; written when it differs from ``written``.
    public var status: AgentStatus?
    /// What the status ConfigMap says (as the agent last wrote or read it).
    public var written: AgentStatus?

    /// An empty state: nothing applied yet.
    public init() {
        lastSigners = []
        consecutiveFailures = 0
    }
}
