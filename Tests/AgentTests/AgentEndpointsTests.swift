import Agent
import AgentService
import AsyncHTTPClient
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing
import WarrantTestSupport

/// `/healthz`, `/readyz` and `/metrics` of a running agent (the loop and the Hummingbird server
/// in one service group, as `warrant agent run` has them), against the API test server.
@Suite(.timeLimit(.minutes(3)))
struct AgentEndpointsTests {
    final class Port: Sendable {
        let value = Mutex<Int?>(nil)
    }

    struct Answer {
        var status: Int
        var contentType: String
        var body: String
    }

    static func get(_ port: Int, _ path: String) async throws -> Answer {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), contentType: response.headers.first(name: "content-type") ?? "", body: String(buffer: body))
    }

    /// The value of a sample line `name{labels} value` in a Prometheus exposition.
    static func sample(_ exposition: String, _ series: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// Git down at first: alive, not ready. Git back: ready, and the metrics count the failed
    /// and the applied pass, the Git errors and the last applied time. An unsigned commit: the
    /// refusal is counted by reason. The API server gone: not ready.
    @Test func healthReadinessAndMetricsFollowTheLoop() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await ReconcilerTests.World.make(in: folder)
            let moved = world.fixture.remote + ".away"
            try FileManager.default.moveItem(atPath: world.fixture.remote, toPath: moved)
            let health = AgentHealth(maxAge: 60)
            let metrics = AgentMetrics()
            let port = Port()
            let logger = Logger(label: "endpoints-test") { _ in SwiftLogNoOpLogHandler() }
            let steps = StepLog()
            try await KubeClient.with(world.agentConnection, credentials: CredentialSource(connection: world.agentConnection)) { client in
                let reconciler = try makeReconciler(world.configuration, client: client)
                let server = AgentHTTPServer.application(
                    host: "127.0.0.1", port: 0, health: health, metrics: metrics, readinessCache: 0,
                    apiCheck: AgentHTTPServer.statusCheck(client: client, namespace: "shop", name: reconciler.statusStore.name), logger: logger,
                    onRunning: { bound in port.value.withLock { $0 = bound } })
                let loop = ReconcileService(reconciler: reconciler, gracePeriod: .seconds(5), health: health, metrics: metrics, onStep: { steps.append($0) })
                let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: server), .init(service: loop)], logger: logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    try await waitUntil("the server listens") { port.value.withLock { $0 } != nil }
                    let bound = try #require(port.value.withLock { $0 })
                    try await waitUntil("a pass failed at Git") { steps.all.contains { $0.isFailure } }

                    let alive = try await Self.get(bound, "/healthz")
                    #expect(alive.status == 200, "\(alive.body)")
                    let notReady = try await Self.get(bound, "/readyz")
                    #expect(notReady.status == 503)
                    #expect(notReady.body.contains("first poll"), "\(notReady.body)")

                    try FileManager.default.moveItem(atPath: moved, toPath: world.fixture.remote)
                    try await waitUntil("v1 applied") { steps.all.contains { if case .deployed = $0 { return true } else { return false } } }
                    let ready = try await Self.get(bound, "/readyz")
                    #expect(ready.status == 200, "\(ready.body)")

                    try await world.fixture.commit("unsigned", files: ["deploy/app.yaml": appManifests("v2")], signer: nil, author: "Mallory <m@example.com>")
                    try await world.fixture.push()
                    try await waitUntil("refused") { steps.all.contains { if case .refused = $0 { return true } else { return false } } }
                    // A poll after the refusal finds the same tip: a pass without change.
                    let before = steps.all.count
                    try await waitUntil("a poll without change") {
                        steps.all.dropFirst(before).contains { if case .unchanged = $0 { return true } else { return false } }
                    }

                    let scrape = try await Self.get(bound, "/metrics")
                    #expect(scrape.status == 200)
                    #expect(scrape.contentType.hasPrefix("text/plain; version=0.0.4"))
                    let text = scrape.body
                    #expect(Self.sample(text, #"warrant_agent_reconciles_total{result="applied"}"#) == 1, "\(text)")
                    #expect((Self.sample(text, #"warrant_agent_reconciles_total{result="failed"}"#) ?? 0) >= 1)
                    #expect(Self.sample(text, #"warrant_agent_reconciles_total{result="refused"}"#) == 1)
                    #expect((Self.sample(text, #"warrant_agent_reconciles_total{result="no-change"}"#) ?? -1) >= 0)
                    #expect((Self.sample(text, "warrant_agent_git_errors_total") ?? 0) >= 1)
                    #expect(Self.sample(text, #"warrant_agent_verification_failures_total{reason="unsigned"}"#) == 1)
                    let appliedAt = try #require(Self.sample(text, "warrant_agent_last_applied_timestamp_seconds"))
                    #expect(abs(appliedAt - Date().timeIntervalSince1970) < 120)
                    #expect(text.contains("# TYPE warrant_agent_reconcile_duration_seconds histogram"))
                    #expect(text.contains("# TYPE warrant_agent_poll_duration_seconds histogram"))
                    #expect(Self.sample(text, "warrant_agent_leader") == 1, "without an election the only replica leads")

                    // The API server gone: not ready (the loop itself still lives).
                    try await world.server.shutdown()
                    let unreachable = try await Self.get(bound, "/readyz")
                    #expect(unreachable.status == 503)
                    #expect(unreachable.body.contains("unreachable"), "\(unreachable.body)")
                    #expect(!unreachable.body.contains(ReconcilerTests.World.token))
                    #expect(try await Self.get(bound, "/healthz").status == 200)
                    let missing = try await Self.get(bound, "/nothing-here")
                    #expect(missing.status == 404)

                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
        }
    }
}
