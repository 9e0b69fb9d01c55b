import Delivery
import Foundation
public import KubeAPI

extension DeployEngine {
    /// Records a change that was refused before any deploy began (result `refused`): the same
    /// hash-chained record, record file and Event as a deploy, with nothing applied. It is
    /// appended to the history by the same compare-and-swap, so it never loses a race with a
    /// deploy's record; it takes no Lease, since it changes nothing but the history.
    ///
    /// A pull-style agent calls this when a commit's signature does not verify, so that the
    /// history shows that the change never reached the cluster, and why.
    ///
    /// - Parameters:
    ///   - reason: the record's message: what was refused and why.
    ///   - identity: who the record names (the refused commits' authors, in ``DeployIdentity/recordFields``).
    ///   - client: the API client, authenticated as the caller's credential.
    /// - Returns: the outcome, result `refused`; ``DeployOutcome/recordProblems`` says what could not be written.
    public func recordRefusal(_ reason: String, identity: DeployIdentity, client: KubeClient, reporter: DeployReporter = .silent) async -> DeployOutcome {
        let started = Date()
        let deployID = Self.makeID(started: started)
        let progress = DeployProgress()
        let written = await record(
            .refused, message: reason, progress: progress, deployID: deployID, identity: identity, client: client, started: started,
            reporter: reporter)
        return DeployOutcome(
            result: .refused, deployID: deployID, record: written.record, applied: [], unchanged: 0, pruned: [], diff: progress.snapshot.diff,
            durations: written.record?.durations ?? [:], failure: nil, recordProblems: written.problems)
    }
}
