public import Agent
import Foundation
import KubeAPI
import Logging
public import ServiceLifecycle

/// The reconcile loop as a service (swift-service-lifecycle): it runs ``Reconciler`` passes until
/// a graceful shutdown (SIGTERM) or cancellation.
///
/// A graceful shutdown stops polling at once: no pass starts after it. A pass under way (a deploy
/// applying or waiting) gets ``gracePeriod`` to finish; after that it is cancelled, and the
/// deploy engine records it as `interrupted` with what it had done. Then, with an election, the
/// Lease is released, and ``run()`` returns, so that the services before it in the group (the
/// HTTP server) stop in turn.
///
/// With a ``LeaderElection`` the replica polls and applies only while it holds the Lease; while
/// another replica leads it waits (alive, and ready while the API server answers).
public struct ReconcileService: Service {
    /// The loop.
    public let reconciler: Reconciler
    /// How long a pass under way may continue after a graceful shutdown began.
    public let gracePeriod: Duration
    /// What the HTTP endpoints read: alive, ready.
    public let health: AgentHealth
    /// Where the loop's passes are counted and timed.
    public let metrics: AgentMetrics?
    /// The leader election; `nil` when this is the only replica.
    public let election: LeaderElection?
    /// Ends the wait between polls early (a webhook announced a push); `nil` without webhooks.
    public let wakeUp: PollWakeUp?
    /// Whether the loop gives memory back after its passes (``ProcessMemory``): freed heap after
    /// each pass, and the executable's pages after the first pass and after each pass that did
    /// more than poll. Off by default (it acts on the whole process); `warrant agent run` sets it.
    public var tidiesMemory = false
    /// Called after each pass, for tests.
    let onStep: @Sendable (ReconcileStep) -> Void

    /// Creates the service.
    public init(
        reconciler: Reconciler, gracePeriod: Duration, health: AgentHealth? = nil, metrics: AgentMetrics? = nil, election: LeaderElection? = nil,
        wakeUp: PollWakeUp? = nil, onStep: @escaping @Sendable (ReconcileStep) -> Void = { _ in }
    ) {
        self.reconciler = reconciler
        self.gracePeriod = gracePeriod
        self.health = health ?? AgentHealth(maxAge: AgentHealth.maxAge(interval: reconciler.configuration.interval))
        self.metrics = metrics
        self.election = election
        self.wakeUp = wakeUp
        self.onStep = onStep
    }

    /// Runs passes until a graceful shutdown or cancellation; see ``ReconcileService``.
    public func run() async throws {
        guard let election else {
            metrics?.setLeader(true)
            await runPasses()
            return
        }
        let logger = reconciler.logger
        let lock = election.lock
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            // Wait to lead; alive meanwhile. A graceful shutdown ends the wait.
            health.standBy()
            metrics?.setLeader(false)
            do {
                try await cancelWhenGracefulShutdown { [health, reconciler] in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            try await lock.acquire(timeout: nil) { holder in
                                logger.info(
                                    "another replica leads; waiting", metadata: ["lease": "\(lock.leaseName)", "holder": "\(LeaseError.describe(holder))"])
                            }
                        }
                        group.addTask {
                            while true {
                                health.beat()
                                reconciler.writeHeartbeat()
                                try await Task.sleep(for: reconciler.configuration.interval)
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                // An API error (unreachable, forbidden): try again after the retry period.
                logger.warning("cannot take part in the leader election", metadata: ["lease": "\(lock.leaseName)", "error": "\(error)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: lock.configuration.retryPeriod) }
                continue
            }
            if Task.isShuttingDownGracefully {
                await lock.release()
                break
            }
            logger.notice("leading", metadata: ["lease": "\(lock.leaseName)", "identity": "\(lock.configuration.identity)"])
            metrics?.setLeader(true)
            do {
                try await lock.holding { await self.runPasses() }
            } catch let error as LeaseError {
                logger.warning("lost the lease; stopped applying", metadata: ["lease": "\(lock.leaseName)", "reason": "\(error)"])
            } catch {
                logger.warning("the loop ended", metadata: ["error": "\(error)"])
            }
            metrics?.setLeader(false)
            await lock.release()
        }
    }

    /// Passes until a graceful shutdown or cancellation (with an election: while leading),
    /// resuming from the status ConfigMap first (another leader may have applied since).
    private func runPasses() async {
        let logger = reconciler.logger
        var state: ReconcileState
        do {
            state = try await reconciler.resume()
        } catch {
            logger.warning("cannot read the status ConfigMap; starting without it", metadata: ["error": "\(error)"])
            state = ReconcileState()
        }
        health.beat()
        var passes = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            // This pass serves every wake-up that came before it.
            wakeUp?.consume()
            let (step, next) = await pass(state)
            state = next
            metrics?.record(step, duration: ContinuousClock.now - started)
            health.passEnded(step)
            onStep(step)
            reconciler.writeHeartbeat()
            passes += 1
            if tidiesMemory { Self.tidyMemory(after: step, first: passes == 1) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            // The wait ends early on a graceful shutdown (polling stops there) or on a wake-up
            // (a webhook announced a push: the next pass starts at once).
            let delay = reconciler.delay(after: state)
            do {
                try await cancelWhenGracefulShutdown { [wakeUp] in
                    if let wakeUp { try await wakeUp.wait(upTo: delay) } else { try await Task.sleep(for: delay) }
                }
            } catch {
                break
            }
        }
        logger.info("the loop stopped", metadata: ["applied": "\(state.lastApplied?.short ?? "nothing")"])
    }

    /// Gives back what a pass left behind: the heap it freed, and after the first pass or one
    /// that did more than poll (deploy, drift correction, refusal, failure), the executable's
    /// pages that only such a pass touched; an idle poll touches a small part of them again.
    static func tidyMemory(after step: ReconcileStep, first: Bool) {
        ProcessMemory.returnFreedMemory()
        if releasesExecutablePages(after: step, first: first) { ProcessMemory.releaseExecutablePages() }
    }

    /// Whether the executable's pages are released after `step`: after the first pass, and after
    /// every pass but an idle poll (which touches only what the next poll touches again).
    package static func releasesExecutablePages(after step: ReconcileStep, first: Bool) -> Bool {
        if case .unchanged = step { return first }
        return true
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
