import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import RBAC
import Testing

/// The client against the API test server: real TLS on loopback, real HTTP.
@Suite(.timeLimit(.minutes(2))) struct ClientServerTests {
    static func connection(_ server: KubeTestServer, token: String = KubeTestServer.adminToken) -> ClusterConnection {
        ClusterConnection(
            server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), insecureSkipTLSVerify: false, tlsServerName: nil,
            namespace: "shop", credentials: .token(token), contextName: "test", origin: "test kubeconfig", warnings: [])
    }

    static func withServer(_ body: (KubeTestServer, KubeClient) async throws -> Void) async throws {
        let server = try await KubeTestServer.start()
        do {
            let connection = connection(server)
            try await KubeClient.with(
                connection, credentials: CredentialSource(connection.credentials),
                configuration: .init(userAgent: "warrant/test", retry: RetryPolicy(initialBackoff: .milliseconds(5), maximumBackoff: .milliseconds(50)))
            ) { client in
                try await body(server, client)
            }
            try await server.shutdown()
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, labels: {app: web}}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        """

    static func object(_ yaml: String) throws -> KubeObject {
        try #require(try ManifestLoader().load(bytes: Array(yaml.utf8), file: "test.yaml").first)
    }

    @Test func applyCreatesThenConflictsWithAnotherManagerUnlessForced() async throws {
        try await Self.withServer { server, client in
            _ = try await client.create(try Self.object("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"))
            let created = try await client.apply(try Self.object(Self.deployment), fieldManager: "warrant")
            #expect(created.content[path: ["metadata", "uid"]] != nil)
            #expect(created.content[path: ["spec", "replicas"]] == 2)
            var scaled = try Self.object(Self.deployment)
            scaled.content.setValue(5, at: ["spec", "replicas"])
            let conflict = await #expect(throws: KubeAPIError.self) { _ = try await client.apply(scaled, fieldManager: "kubectl") }
            #expect(conflict?.isConflict == true)
            #expect(conflict?.causes.contains { $0.field == ".spec.replicas" && $0.message.contains("warrant") } == true)
            let forced = try await client.apply(scaled, fieldManager: "kubectl", force: true)
            #expect(forced.content[path: ["spec", "replicas"]] == 5)
            // Dry run: validated and authorized, not stored.
            scaled.content.setValue(7, at: ["spec", "replicas"])
            let dry = try await client.apply(scaled, fieldManager: "kubectl", dryRun: true)
            #expect(dry.content[path: ["spec", "replicas"]] == 7)
            let stored = try await client.get(GroupKind(group: "apps", kind: "Deployment"), namespace: "shop", name: "web")
            #expect(stored?.content[path: ["spec", "replicas"]] == 5)
            _ = server
        }
    }

    @Test func listPagesSelectsAndWatches() async throws {
        try await Self.withServer { _, client in
            _ = try await client.create(try Self.object("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"))
            for index in 0..<7 {
                _ = try await client.create(
                    try Self.object(
                        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\(index), namespace: shop, labels: {tier: \(index % 2 == 0 ? "even" : "odd")}}\n"))
            }
            let kind = GroupKind(group: "", kind: "ConfigMap")
            let all = try await client.list(kind, namespace: "shop", options: ListOptions(pageSize: 2))
            #expect(all.objects.map(\.name) == (0..<7).map { "c\($0)" })
            let even = try await client.list(kind, namespace: "shop", options: ListOptions(labelSelector: "tier=even"))
            #expect(even.objects.count == 4)
            var events: [String] = []
            let watch = client.watch(kind, namespace: "shop", resourceVersion: all.resourceVersion)
            let change = Task {
                try await Task.sleep(for: .milliseconds(100))
                _ = try await client.delete(kind, namespace: "shop", name: "c1")
            }
            for try await event in watch {
                events.append("\(event.type) \(event.object.name)")
                if events.contains("DELETED c1") { break }
            }
            try await change.value
            #expect(events.last == "DELETED c1")
            #expect(try await client.delete(kind, namespace: "shop", name: "c1") == false)
        }
    }

    @Test func reviewsAndTokenRequestsWork() async throws {
        try await Self.withServer { server, client in
            _ = try await client.create(try Self.object("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"))
            _ = try await client.create(try Self.object("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci, namespace: shop}\n"))
            let token = try await client.requestToken(namespace: "shop", serviceAccount: "ci", expirationSeconds: 600)
            let asCI = Self.connection(server, token: token.token)
            let answers = try await KubeClient.with(asCI, credentials: CredentialSource(asCI.credentials)) { ci in
                let review = try await ci.selfSubjectAccess(AccessAttributes(verb: "list", resource: "pods", namespace: "shop"))
                let rules = try await ci.selfSubjectRules(namespace: "shop")
                return (review.allowed, rules.rules.contains { $0.resources.contains("pods") })
            }
            #expect(answers.0 == false)
            #expect(answers.1 == false)
            let admin = try await client.subjectAccess(
                AccessAttributes(verb: "get", resource: "pods", namespace: "shop"), user: "system:serviceaccount:shop:ci", groups: [])
            #expect(admin.allowed == false)
            let forbidden = await #expect(throws: KubeAPIError.self) {
                try await KubeClient.with(asCI, credentials: CredentialSource(asCI.credentials)) { ci in
                    _ = try await ci.list(GroupKind(group: "", kind: "Pod"), namespace: "shop")
                }
            }
            #expect(forbidden?.isForbidden == true)
            #expect(forbidden?.message.contains("cannot list resource \"pods\" in API group \"\" in the namespace \"shop\"") == true)
        }
    }

    @Test func transientFailuresAreRetriedToCompletion() async throws {
        try await Self.withServer { server, client in
            _ = try await client.create(try Self.object("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"))
            server.inject(Fault.status(429, retryAfter: 0).rate(0.2))
            server.inject(Fault.status(503).rate(0.1))
            server.inject(Fault.dropConnection.rate(0.1))
            for index in 0..<30 {
                _ = try await client.apply(
                    try Self.object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: r\(index), namespace: shop}\ndata: {k: v}\n"), fieldManager: "warrant")
            }
            server.clearFaults()
            #expect(try await client.list(GroupKind(group: "", kind: "ConfigMap"), namespace: "shop").objects.count == 30)
            #expect(server.requests.contains { $0.statusCode == 429 })
        }
    }
}
