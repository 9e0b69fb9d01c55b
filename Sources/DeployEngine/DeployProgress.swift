import Delivery
import KubeModel
import Synchronization

/// What a running deploy has done so far, for the record; filled as the deploy goes, so that a
/// failed or interrupted deploy still records what it did.
final class DeployProgress: Sendable {
    struct State: Sendable {
        var applied: [RecordedObject] = []
        var unchanged = 0
        var pruned: [RecordedObject] = []
        var diff = DiffSummary()
        var durations: [String: Int64] = [:]
        /// With prune: the ApplySet parent as it was before this deploy widened it (`nil` when
        /// there was none), whose members `--max-prune` counts.
        var parentBeforeWidening: KubeObject?
    }

    let state = Mutex(State())

    var snapshot: State { state.withLock { $0 } }
}
