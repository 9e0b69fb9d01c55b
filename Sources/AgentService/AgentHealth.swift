public import Agent
public import Foundation
import Synchronization

/// What `/healthz` and `/readyz` answer from: when the loop last showed life, whether its first
/// poll and verification completed, whether the API server answered lately.
///
/// The loop (``ReconcileService``) writes it after every pass; the HTTP server only reads it.
public final class AgentHealth: Sendable {
    private struct State {
        var lastBeat: Date?
        var firstPassDone = false
        var standingBy = false
        var lastAPICheck: (at: Date, problem: String?)?
    }

    private let state = Mutex(State())
    /// How old the last sign of life may be before `/healthz` fails.
    public let maxAge: TimeInterval
    private let now: @Sendable () -> Date

    /// Creates the health state.
    ///
    /// - Parameter maxAge: four poll intervals, at least 15 minutes (a deploy that waits for its
    ///   objects may take that long; the same age as `warrant agent probe` in the installed pod).
    public init(maxAge: TimeInterval, now: @escaping @Sendable () -> Date = { Date() }) {
        self.maxAge = maxAge
        self.now = now
    }

    /// The `maxAge` for a poll interval: four intervals, at least 15 minutes.
    public static func maxAge(interval: Duration) -> TimeInterval {
        max(TimeInterval(interval.components.seconds) * 4, 900)
    }

    /// The loop is running (called when it starts, after each pass, and while a follower waits).
    public func beat() {
        let now = now()
        state.withLock { $0.lastBeat = now }
    }

    /// A pass ended: the first one that polled the branch and verified what it found makes the
    /// agent ready (one that failed at Git or at verification does not).
    public func passEnded(_ step: ReconcileStep) {
        let now = now()
        state.withLock { state in
            state.lastBeat = now
            state.standingBy = false
            if case .failed(let failure) = step, failure.stage == .git || failure.stage == .verification { return }
            state.firstPassDone = true
        }
    }

    /// This replica waits while another one leads: it is alive, and ready while the API server
    /// answers (it will not poll before it leads).
    public func standBy() {
        let now = now()
        state.withLock {
            $0.lastBeat = now
            $0.standingBy = true
        }
    }

    /// Whether the loop showed life within ``maxAge``, and if not, why.
    public var liveness: (alive: Bool, detail: String) {
        let now = now()
        return state.withLock { state in
            guard let beat = state.lastBeat else { return (false, "the loop has not started") }
            let age = now.timeIntervalSince(beat)
            if age > maxAge { return (false, "the loop last showed life \(Int(age)) s ago (more than \(Int(maxAge)) s)") }
            return (true, "the loop showed life \(Int(age)) s ago")
        }
    }

    /// Whether the first poll and verification completed and the API server answers; `check`
    /// asks the API server (a read of the status ConfigMap), at most once per `cacheFor`.
    public func readiness(cacheFor: TimeInterval = 5, check: @Sendable () async -> String?) async -> (ready: Bool, detail: String) {
        let now = now()
        let (firstPassDone, cached) = state.withLock { ($0.firstPassDone || $0.standingBy, $0.lastAPICheck) }
        guard firstPassDone else { return (false, "the first poll and verification have not completed") }
        let problem: String?
        if let cached, now.timeIntervalSince(cached.at) < cacheFor {
            problem = cached.problem
        } else {
            problem = await check()
            state.withLock { $0.lastAPICheck = (now, problem) }
        }
        if let problem { return (false, "the API server is unreachable: \(problem)") }
        return (true, "ready")
    }
}
