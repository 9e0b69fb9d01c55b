public import Agent
import Foundation
import Logging
public import ServiceLifecycle

/// The reconcile loop as a service (swift-service-lifecycle): it runs ``Reconciler`` passes until
/// a graceful shutdown (SIGTERM) or cancellation.
///
/// A graceful shutdown stops polling at once: no pass starts after it. A pass under way (a deploy
/// applying or waiting) gets ``gracePeriod`` to finish; after that it is cancelled, and the
/// deploy engine records it as `interrupted` with what it had done. Then ``run()`` returns, so
/// that the services after it in the group (leader election, the HTTP server) stop in turn.
public struct ReconcileService: Service {
    /// The loop.
    public let reconciler: Reconciler
    /// How long a pass under way may continue after a graceful shutdown began.
    public let gracePeriod: Duration
    /// What the HTTP endpoints read: alive, ready.
    public let health: AgentHealth
    /// Where the loop's passes are counted and timed.
    public let metrics: AgentMetrics?
    /// Whether this replica may poll and apply now; `nil` when it always may (no leader election).
    public let mayReconcile: (@Sendable () -> Bool)?
    /// Called after each pass, for tests.
    let onStep: @Sendable (ReconcileStep) -> Void

    /// Creates the service.
    public init(
        reconciler: Reconciler, gracePeriod: Duration, health: AgentHealth? = nil, metrics: AgentMetrics? = nil, mayReconcile: (@Sendable () -> Bool)? = nil, onStep: @escaping @Sendable (ReconcileStep) -> Void = { _ in }
    ) {
        self.reconciler = reconciler
        self.gracePeriod = gracePeriod
        self.health = health ?? AgentHealth(maxAge: AgentHealth.maxAge(interval: reconciler.configuration.interval))
        self.metrics = metrics
        self.mayReconcile = mayReconcile
        self.onStep = onStep
    }

    /// Runs passes until a graceful shutdown or cancellation; see ``ReconcileService``.
    public func run() async throws {
        let logger = reconciler.logger
        var state: ReconcileState
        do {
            state = try await reconciler.resume()
        } catch {
            logger.warning("cannot read the status ConfigMap; starting without it", metadata: ["error": "\(error)"])
            state = ReconcileState()
        }
        health.beat()
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            if mayReconcile?() ?? true {
                let started = ContinuousClock.now
                let (step, next) = await pass(state)
                state = next
                metrics?.record(step, duration: ContinuousClock.now - started)
                health.passEnded(step)
                onStep(step)
            } else {
                health.beat()
            }
            reconciler.writeHeartbeat()
            if Task.isShuttingDownGracefully { break }
            // The wait ends early on a graceful shutdown; polling stops there.
            let delay = reconciler.delay(after: state)
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            } catch {
                break
            }
        }
        logger.info("the loop stopped", metadata: ["applied": "\(state.lastApplied?.short ?? "nothing")"])
    }

    /// One pass in a child task: on a graceful shutdown it has ``gracePeriod`` to end, then it is
    /// cancelled (and so recorded as interrupted by the engine).
    private func pass(_ state: ReconcileState) async -> (ReconcileStep, ReconcileState) {
        let reconciler = reconciler
        let gracePeriod = gracePeriod
        let logger = reconciler.logger
        return await withTaskGroup(of: (ReconcileStep, ReconcileState)?.self) { group in
            group.addTask {
                var state = state
                let step = await reconciler.step(&state)
                return (step, state)
            }
            group.addTask {
                // Returns at a graceful shutdown; throws when the pass ended first and cancelled this.
                do { try await gracefulShutdown() } catch { return nil }
                logger.notice("shutting down: the pass under way may finish", metadata: ["grace": "\(gracePeriod)"])
                do { try await Task.sleep(for: gracePeriod) } catch { return nil }
                logger.warning("the grace period ended: interrupting the pass under way")
                return nil
            }
            var result: (ReconcileStep, ReconcileState)?
            while let next = await group.next() {
                if let next {
                    result = next
                    group.cancelAll()
                } else if result == nil {
                    // The grace ran out (or the shutdown watcher was cancelled): interrupt the pass.
                    group.cancelAll()
                }
            }
            // The pass child always returns a value, so the result is set here.
            return result ?? (.failed(ReconcileFailure(.interrupted, "interrupted", retrying: false)), state)
        }
    }
}
