import AsyncHTTPClient
import Foundation
import KubeModel
import KubeTestServer
import NIOHTTP1
import Testing

@Suite("Test server: faults, hooks and recorded requests", .timeLimit(.minutes(2)))
struct TestServerFaultTests {
    @Test func statusFaultsWithRetryAfter() async throws {
        try await withTestServer { server, admin in
            server.inject(.status(429, retryAfter: 2).count(2))
            let first = try await admin.get("/api/v1/namespaces")
            #expect(first.status == 429)
            #expect(first.headers.first(name: "Retry-After") == "2")
            #expect(first.json["reason"] == "TooManyRequests")
            #expect(first.json[path: ["details", "retryAfterSeconds"]] == 2)
            #expect(try await admin.get("/api/v1/namespaces").status == 429)
            #expect(try await admin.get("/api/v1/namespaces").status == 200)
            server.inject(.status(503).paths(prefix: "/apis"))
            #expect(try await admin.get("/apis").status == 503)
            #expect(try await admin.get("/api").status == 200)
            server.clearFaults()
            #expect(try await admin.get("/apis").status == 200)
        }
    }

    @Test func rateIsDeterministicForASeed() async throws {
        func run() async throws -> [Int] {
            var codes: [Int] = []
            try await withTestServer { server, admin in
                server.inject(.status(500).rate(0.3))
                for _ in 0..<20 { codes.append(try await admin.get("/version").status) }
            }
            return codes
        }
        let first = try await run()
        #expect(first == (try await run()))
        #expect(first.contains(500) && first.contains(200))
    }

    @Test func droppedConnectionsAndLatency() async throws {
        try await withTestServer { server, admin in
            server.inject(.dropConnection.count(1))
            await #expect(throws: (any Error).self) { _ = try await admin.get("/version") }
            #expect(try await admin.get("/version").status == 200)
            server.inject(.latency(.milliseconds(300)).count(1))
            let clock = ContinuousClock()
            let elapsed = try await clock.measure { _ = try await admin.get("/version") }
            #expect(elapsed >= .milliseconds(300))
            #expect(server.requests.first?.statusCode == 0)
        }
    }

    @Test func hooksSimulateControllers() async throws {
        try await withTestServer { server, admin in
            server.onChange { object, event in
                guard event.group == "apps", event.resource == "deployments", event.kind != .deleted else { return }
                let replicas = object.content[path: ["spec", "replicas"]] ?? 1
                object.content["status"] = [
                    "observedGeneration": object.content[path: ["metadata", "generation"]] ?? 1, "replicas": replicas, "readyReplicas": replicas,
                    "availableReplicas": replicas,
                ]
                // Hooks may create objects through the server.
                try? server.seed([
                    KubeObject(["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web-1", "namespace": "shop"], "status": ["phase": "Running"]])
                ])
            }
            #expect(try await admin.post("/api/v1/namespaces", shopNamespace).status == 201)
            let created = try await admin.apply(TestServerApplyTests.path, deploymentYAML)
            #expect(created.status == 201)
            let stored = try await admin.get("/apis/apps/v1/namespaces/shop/deployments/web").json
            #expect(stored[path: ["status", "availableReplicas"]] == 2)
            #expect(stored[path: ["metadata", "resourceVersion"]] != created.json[path: ["metadata", "resourceVersion"]])
            #expect(server.object(group: "", kind: "Pod", namespace: "shop", name: "web-1") != nil)
        }
    }

    @Test func requestsAreRecorded() async throws {
        try await withTestServer { _, admin in
            _ = try await admin.get("/api/v1/namespaces/default/configmaps")
            _ = try await admin.post("/api/v1/namespaces/default/configmaps?dryRun=All", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}"#)
            let requests = admin.server.requests
            #expect(requests.map(\.verb) == ["list", "create"])
            #expect(requests.map(\.user) == ["admin", "admin"])
            #expect(requests[1].isDryRun && requests[1].isWrite)
            #expect(requests[1].statusCode == 200)
        }
    }
}
