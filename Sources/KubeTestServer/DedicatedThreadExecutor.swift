import Dispatch

/// A task executor with a thread of its own: jobs run one at a time on a serial Dispatch queue,
/// which is not part of Swift concurrency's cooperative pool.
///
/// The API test server serves on one, so that a test computing for seconds on the cooperative
/// pool (two threads on the CI machine) cannot delay its answers: Lease renewals through it
/// would lapse. Tests use it through `.ownThread` (WarrantTestSupport).
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    /// An executor whose jobs run on a queue named `label`.
    public init(label: String) { queue = DispatchQueue(label: label) }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
