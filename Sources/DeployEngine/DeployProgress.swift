import Delivery
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
    }

    let state = Mutex(State())

    var snapshot: State { state.withLock { $0 } }
}
