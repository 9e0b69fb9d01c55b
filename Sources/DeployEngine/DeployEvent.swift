public import Delivery
public import KubeAPI

/// Something a deploy did or is waiting for, in the order it happened.
public enum DeployEvent: Sendable {
    /// Another deploy of the same ApplySet holds its Lease (`namespace/name`); this one waits
    /// for it (reported again when the holder changes).
    case waitingForLock(lease: String, holder: LeaseRecord)
    /// An object was written: created or configured (with ``DeployConfiguration/dryRun``: would be).
    case applied(object: String, action: RecordedObject.Action, dryRun: Bool)
    /// The unified diff of every changed object (``DeployConfiguration/diff``), after the apply.
    case diff(String)
    /// A member of the ApplySet that left the manifests was deleted (or would be, in a dry run).
    case pruned(ObjectReference, dryRun: Bool)
    /// Nothing was applied or pruned: the objects already match the manifests.
    case noChanges(objectCount: Int)
    /// While waiting: an object's state changed (reported once per new state).
    case waiting(object: String, message: String)
    /// While waiting: one round of reads is done.
    case waitStatus(WaitStatus)
    /// Waiting ended, because every object is ready or one failed or time ran out. A terminal
    /// status line drawn from ``waitStatus(_:)`` can be cleared here.
    case waitEnded
    /// Every object is healthy.
    case ready(objectCount: Int)
    /// The record was written to the history (and the record file, and as an Event).
    case recorded(DeployRecord)

    /// One round of the wait.
    public struct WaitStatus: Sendable, Hashable {
        /// Objects that are healthy.
        public var ready: Int
        /// Objects waited for.
        public var total: Int
        /// Whole seconds since the wait began.
        public var elapsedSeconds: Int64
        /// `Kind namespace/name: why`, for each object not yet healthy.
        public var pending: [String]

        /// Creates a status.
        public init(ready: Int, total: Int, elapsedSeconds: Int64, pending: [String]) {
            self.ready = ready
            self.total = total
            self.elapsedSeconds = elapsedSeconds
            self.pending = pending
        }
    }
}
