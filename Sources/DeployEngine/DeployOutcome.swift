public import Delivery

/// How a deploy that got past its pre-flight ended: the result, what it did, the record, and why
/// it failed.
///
/// A deploy that started always yields an outcome, also when it failed or was interrupted, so
/// that the caller can show or act on the record. ``failure`` says why it did not succeed;
/// ``recordProblems`` say what of the record could not be written.
public struct DeployOutcome: Sendable {
    /// `succeeded`, `dry-run`, `failed` or `interrupted`.
    public var result: DeployResult
    /// The deploy's id, also the record's id and the value of the objects' record annotation.
    public var deployID: String
    /// The record as written to the history; `nil` when it could not be written.
    public var record: DeployRecord?
    /// The objects applied (created or configured).
    public var applied: [RecordedObject]
    /// The objects left alone because they already matched.
    public var unchanged: Int
    /// The objects pruned.
    public var pruned: [RecordedObject]
    /// How much changed.
    public var diff: DiffSummary
    /// Milliseconds by phase (`apply`, `prune`, `wait`, `total`).
    public var durations: [String: Int64]
    /// Why the deploy failed or stopped; `nil` when it succeeded (or was a dry run).
    public var failure: DeployError?
    /// What of the record could not be written; each is an error of its own.
    public var recordProblems: [DeployError]

    /// Creates an outcome.
    public init(
        result: DeployResult, deployID: String, record: DeployRecord?, applied: [RecordedObject], unchanged: Int, pruned: [RecordedObject],
        diff: DiffSummary, durations: [String: Int64], failure: DeployError?, recordProblems: [DeployError]
    ) {
        self.result = result
        self.deployID = deployID
        self.record = record
        self.applied = applied
        self.unchanged = unchanged
        self.pruned = pruned
        self.diff = diff
        self.durations = durations
        self.failure = failure
        self.recordProblems = recordProblems
    }

    /// Whether the deploy did what was asked and the record was written in full.
    public var isSuccess: Bool { failure == nil && recordProblems.isEmpty }
}
