import Agent
import AgentService
import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Logging
import ServiceLifecycle
import Testing
import WarrantTestSupport

/// The loop as a swift-service-lifecycle service, shut down gracefully as SIGTERM does in
/// `warrant agent run`: polling stops at once, a deploy under way may finish within the grace
/// period, and is interrupted (and recorded so) after it.
@Suite(.timeLimit(.minutes(3)))
struct ReconcileServiceTests {
    static let deployment = webDeployment()

    /// Runs `service` in a service group until `body` returns, then shuts the group down
    /// gracefully; returns how long the group took to end after that.
    static func shutDown(_ service: ReconcileService, after body: () async throws -> Void) async throws -> Duration {
        let logger = Logger(label: "service-test") { _ in SwiftLogNoOpLogHandler() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: service)], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            let start = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return ContinuousClock.now - start
        }
    }

    static func configuration(_ world: ReconcilerTests.World, interval: String = "1s", grace: String, wait: Bool = false) throws -> AgentConfiguration {
        var extra: [AgentSetting: String] = [.shutdownGrace: grace]
        if wait { extra[.wait] = "true" }
        return try agentConfiguration(
            world.fixture, namespace: "shop", allowedSigners: world.configuration.allowedSignersFile, interval: interval, extra: extra)
    }

    /// Idle between polls (30 s interval): the shutdown ends the wait at once, no pass starts.
    @Test func aShutdownBetweenPollsStopsAtOnceWithoutAnotherPass() async throws {
        try await withTemporaryDirectory { folder in
            try await ReconcilerTests.World.with(in: folder) { world in
                let configuration = try Self.configuration(world, interval: "30s", grace: "20s")
                let steps = StepLog()
                let elapsed = try await KubeClient.with(world.agentConnection, credentials: CredentialSource(connection: world.agentConnection)) { client in
                    let service = ReconcileService(
                        reconciler: try makeReconciler(configuration, client: client), gracePeriod: configuration.shutdownGrace, onStep: { steps.append($0) })
                    return try await Self.shutDown(service) {
                        try await waitUntil("the first pass") { !steps.all.isEmpty }
                    }
                }
                #expect(elapsed < .seconds(3), "the 30 s wait ended at the shutdown (\(elapsed))")
                #expect(steps.all.count == 1, "no pass after the shutdown")
                guard case .deployed(_, let outcome)? = steps.all.first else {
                    Issue.record("not deployed: \(steps.all)")
                    return
                }
                #expect(outcome.result == .succeeded)
            }
        }
    }

    /// A deploy waiting for its Deployment when the shutdown comes: the Deployment becomes
    /// available within the grace period, so the deploy finishes and is recorded as succeeded.
    @Test func aDeployUnderWayFinishesWithinTheGracePeriod() async throws {
        try await withTemporaryDirectory { folder in
            try await ReconcilerTests.World.with(in: folder, manifests: appManifests("v1", extra: Self.deployment), wait: true) { world in
                let steps = StepLog()
                let elapsed = try await Self.shutDownWhileDeploying(world, grace: "60s", steps: steps) {
                    // The shutdown comes while the deploy waits; the Deployment becomes available a moment later.
                    Task {
                        try await Task.sleep(for: .milliseconds(700))
                        #expect(steps.all.isEmpty, "the deploy is still under way after the shutdown began")
                        try Self.makeAvailable(world.server)
                    }
                }
                #expect(elapsed < .seconds(30), "\(elapsed)")
                #expect(elapsed >= .milliseconds(600), "the group waited for the deploy (\(elapsed))")
                #expect(steps.all.count == 1)
                guard case .deployed(_, let outcome)? = steps.all.first else {
                    Issue.record("not deployed: \(steps.all)")
                    return
                }
                #expect(outcome.result == .succeeded, "\(String(describing: outcome.failure))")
                try await world.admin { client in
                    let results = try await historyRecords(client, namespace: "shop").map(\.result)
                    #expect(results == [.succeeded])
                }
            }
        }
    }

    /// The Deployment never becomes available: after the grace period (1 s) the deploy is
    /// cancelled and recorded as interrupted, and the group ends.
    @Test func aDeployPastTheGracePeriodIsInterruptedAndRecorded() async throws {
        try await withTemporaryDirectory { folder in
            try await ReconcilerTests.World.with(in: folder, manifests: appManifests("v1", extra: Self.deployment), wait: true) { world in
                let steps = StepLog()
                let elapsed = try await Self.shutDownWhileDeploying(world, grace: "1s", steps: steps) {}
                #expect(elapsed >= .seconds(1), "the deploy had its grace period (\(elapsed))")
                #expect(elapsed < .seconds(15), "and no more (\(elapsed))")
                guard case .deployed(_, let outcome)? = steps.all.first else {
                    Issue.record("no deploy step: \(steps.all)")
                    return
                }
                #expect(outcome.result == .interrupted)
                try await world.admin { client in
                    let records = try await historyRecords(client, namespace: "shop")
                    #expect(records.map(\.result) == [.interrupted])
                    #expect(records.first?.identity.actor == "alice@example.com", "the interrupted record names the signer")
                }
            }
        }
    }

    /// What the Deployment controller would write: one replica, updated, ready and available.
    /// Runs the agent's service with `--wait` and shuts it down once the deploy has created the
    /// Deployment `web` (then runs `meanwhile`); returns how long the shutdown took.
    static func shutDownWhileDeploying(
        _ world: ReconcilerTests.World, grace: String, steps: StepLog, meanwhile: () async throws -> Void
    ) async throws -> Duration {
        let configuration = try Self.configuration(world, grace: grace, wait: true)
        return try await KubeClient.with(world.agentConnection, credentials: CredentialSource(connection: world.agentConnection)) { client in
            let service = ReconcileService(
                reconciler: try makeReconciler(configuration, client: client), gracePeriod: configuration.shutdownGrace, onStep: { steps.append($0) })
            return try await Self.shutDown(service) {
                try await waitUntil("the Deployment is applied") {
                    world.server.object(group: "apps", kind: "Deployment", namespace: "shop", name: "web") != nil
                }
                try await meanwhile()
            }
        }
    }

    static func makeAvailable(_ server: KubeTestServer) throws {
        guard var object = server.object(group: "apps", kind: "Deployment", namespace: "shop", name: "web") else { return }
        let generation = object.content[path: ["metadata", "generation"]] ?? 1
        object.content["status"] = [
            "observedGeneration": generation, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
            "conditions": [
                ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"],
                ["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"],
            ],
        ]
        try server.seed([object])
    }
}
