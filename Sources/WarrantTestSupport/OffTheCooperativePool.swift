import Dispatch

/// A task executor with a thread of its own: jobs run one at a time on a serial Dispatch queue,
/// which is not part of Swift concurrency's cooperative pool.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Runs `body`, and every child task it starts, on a thread of its own instead of the
/// cooperative pool (which has one thread per core: two on the CI machine). For tests whose work
/// is seconds of synchronous computation (deploying tens of thousands of objects in process):
/// on the cooperative pool it would starve the tests that run at the same time and keep time
/// (Lease renewals, webhook latencies), which then fail for no fault of their own.
public func offTheCooperativePool<T: Sendable>(_ label: String = "warrant-test", _ body: () async throws -> T) async throws -> T {
    try await withTaskExecutorPreference(DedicatedThreadExecutor(label: label)) { try await body() }
}
