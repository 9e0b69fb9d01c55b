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
        /// Objects whose apply got no answer: written or not, ``DeployEngine/settleUncertain(progress:deployID:client:reporter:)`` finds out.
        var uncertain: [Uncertain] = []
    }

    /// An object whose write may have reached the server without an answer.
    struct Uncertain: Sendable {
        /// What was sent.
        enum Change: Sendable {
            /// An apply of the object named `displayName`, whose content has the record's
            /// `digest`; `existed`: whether it was live before (configured, not created).
            case apply(String, digest: String?, existed: Bool)
            /// A delete.
            case prune
        }

        var reference: ObjectReference
        var change: Change
    }

    let state = Mutex(State())

    var snapshot: State { state.withLock { $0 } }
}
