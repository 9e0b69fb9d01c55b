import Synchronization

/// Wakes the reconcile loop between polls (a webhook announced a push), coalescing wake-ups.
///
/// At most one wake-up is pending at a time: while the loop waits, a wake-up ends the wait at
/// once; while a pass is under way, any number of wake-ups leave one pending, which ends the next
/// wait at once. A pass that starts serves every wake-up before it (``ReconcileService`` calls
/// ``consume()`` when a pass starts). So N webhooks cost at most the pass they start and one more
/// for those that arrived while it ran (its `git ls-remote` may have run before their push).
public final class PollWakeUp: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var generation: UInt64 = 0
        var cancelled: UInt64?
        var requests = 0
    }

    private let state = Mutex(State())

    /// Creates a wake-up with nothing pending.
    public init() {}

    /// Ends the loop's wait now, or the next one if it is not waiting.
    public func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.requests += 1
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Clears a pending wake-up: a pass starts and serves it. Returns whether one was pending.
    @discardableResult
    public func consume() -> Bool {
        state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
    }

    /// How many wake-ups were asked for so far (for tests and logs).
    package var requests: Int { state.withLock { $0.requests } }

    /// Waits until `duration` has passed or a wake-up comes (a pending one ends it at once).
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled.
    public func wait(upTo duration: Duration) async throws {
        if consume() { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(for: duration) }
            group.addTask { try await self.nextWakeUp() }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func nextWakeUp() async throws {
        let id = state.withLock { state in
            state.generation += 1
            return state.generation
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.cancelled == id { return true }
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiter = (id, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.cancelled = id
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter.continuation
            }
            waiter?.resume()
        }
        try Task.checkCancellation()
    }
}
