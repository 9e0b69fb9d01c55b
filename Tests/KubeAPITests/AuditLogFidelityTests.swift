import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import RBAC
import Testing
import WarrantTestSupport

/// A server to run the audit scenario against: where it is, its tokens, and its audit log file.
private struct AuditTarget {
    var server: String
    var caPEM: String
    var adminToken: String
    var aliceToken: String
    var auditLog: String

    func client<T: Sendable>(token: String, _ body: (KubeClient) async throws -> T) async throws -> T {
        let connection = ClusterConnection(
            server: server, certificateAuthorityPEM: Array(caPEM.utf8), namespace: "default", credentials: .token(token), origin: "audit test")
        // A user agent of our own tells this test's requests from the controller-manager's,
        // which on ../shared/kube authenticates as `admin` too.
        return try await KubeClient.with(
            connection, credentials: CredentialSource(connection.credentials),
            configuration: KubeClient.Configuration(userAgent: AuditLogScenario.userAgent, retry: RetryPolicy(maximumAttempts: 1)), body)
    }
}

/// The same requests against the test server and kube-apiserver: a server-side apply that creates,
/// a create, a ServiceAccount with a token Secret and an `edit` RoleBinding, a write with the
/// legacy token, a TokenRequest and a delete with its token, a read refused by RBAC, and a bad token.
private enum AuditLogScenario {
    static let userAgent = "warrant-audit-fidelity/1"

    static func run(_ target: AuditTarget, namespace: String) async throws {
        func load(_ yaml: String) throws -> KubeObject { try ManifestLoader().load(bytes: Array(yaml.utf8), file: "audit.yaml")[0] }
        try await target.client(token: target.adminToken) { admin in
            _ = try await admin.apply(
                load("{apiVersion: v1, kind: ConfigMap, metadata: {name: c1, namespace: \(namespace)}, data: {a: '1'}}"), fieldManager: "audit-test")
            _ = try await admin.create(load("{apiVersion: v1, kind: ConfigMap, metadata: {name: c2, namespace: \(namespace)}, data: {a: '1'}}"))
            _ = try await admin.apply(load("{apiVersion: v1, kind: ServiceAccount, metadata: {name: ci, namespace: \(namespace)}}"), fieldManager: "audit-test")
            _ = try await admin.apply(
                load(
                    "{apiVersion: v1, kind: Secret, type: kubernetes.io/service-account-token, metadata: {name: ci-token, namespace: \(namespace), annotations: {kubernetes.io/service-account.name: ci}}}"
                ),
                fieldManager: "audit-test")
            _ = try await admin.apply(
                load(
                    "{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: ci-edit, namespace: \(namespace)}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}, subjects: [{kind: ServiceAccount, name: ci, namespace: \(namespace)}]}"
                ),
                fieldManager: "audit-test")
        }
        let legacy = try await target.client(token: target.adminToken) { admin in
            for _ in 0..<200 {
                if let secret = try await admin.get(GroupKind(group: "", kind: "Secret"), namespace: namespace, name: "ci-token"),
                    let encoded = secret.content[path: ["data", "token"]]?.stringValue, let data = Data(base64Encoded: encoded)
                {
                    return String(decoding: data, as: UTF8.self)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw ScenarioError(message: "the token controller did not fill ci-token")
        }
        try await target.client(token: legacy) { ci in
            _ = try await ci.apply(
                load("{apiVersion: v1, kind: ConfigMap, metadata: {name: c1, namespace: \(namespace)}, data: {a: '2'}}"), fieldManager: "audit-test")
        }
        let bound = try await target.client(token: target.adminToken) { admin in
            try await admin.requestToken(namespace: namespace, serviceAccount: "ci", expirationSeconds: 3600).token
        }
        try await target.client(token: bound) { ci in
            _ = try await ci.delete(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "c2")
        }
        await #expect(throws: KubeAPIError.self) {
            try await target.client(token: target.aliceToken) { alice in
                _ = try await alice.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "c1")
            }
        }
        await #expect(throws: KubeAPIError.self) {
            try await target.client(token: "not-a-token") { nobody in
                _ = try await nobody.send(KubeRequest(method: "GET", path: "/api/v1/namespaces/\(namespace)/configmaps"))
            }
        }
    }

    /// The events of the scenario in `namespace`, each cut to what both servers must agree on.
    static func events(in path: String, namespace: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var events: [(received: String, line: String)] = []
        for line in text.split(separator: "\n") {
            let event = try JSONValue.parseJSON(Array(line.utf8), source: path)
            let ref = event["objectRef"]
            let inNamespace =
                ref?["namespace"]?.stringValue == namespace
                || (ref == nil && event["requestURI"]?.stringValue?.contains("/namespaces/\(namespace)/") == true)
                || (event["verb"]?.stringValue == "list" && event["requestURI"]?.stringValue?.contains("/namespaces/\(namespace)/") == true)
            guard inNamespace else { continue }
            let user = event[path: ["user", "username"]]?.stringValue ?? ""
            let ours = event["userAgent"]?.stringValue == userAgent
            // Ours, and the API server's own legacy-token tracking; not the controller-manager's.
            guard ours || user == "system:apiserver" else { continue }
            let verb = event["verb"]?.stringValue ?? ""
            // Polling the token Secret takes a different number of reads on each server.
            if verb == "get" && ref?["resource"]?.stringValue == "secrets" { continue }
            let annotations = event["annotations"]?.objectValue ?? JSONObject()
            var fields = [
                event["stage"]?.stringValue ?? "", verb, user.replacingOccurrences(of: namespace, with: "NS"),
                ["resource", "apiGroup", "name", "subresource"].map { ref?[$0]?.stringValue ?? "" }.joined(separator: "/"),
                String(event[path: ["responseStatus", "code"]]?.integerValue ?? 0),
                "decision=\(annotations["authorization.k8s.io/decision"]?.stringValue ?? "-")",
                "reason=\((annotations["authorization.k8s.io/reason"]?.stringValue ?? "-").replacingOccurrences(of: namespace, with: "NS"))",
            ]
            if let secret = annotations["authentication.k8s.io/legacy-token-manual-secret"]?.stringValue {
                fields.append(
                    "legacy-token=\(annotations["authentication.k8s.io/legacy-token"]?.stringValue?.replacingOccurrences(of: namespace, with: "NS") ?? "") secret=\(secret)"
                )
            }
            if event[path: ["user", "extra", "authentication.kubernetes.io/credential-id"]]?.arrayValue?.first?.stringValue?.hasPrefix("JTI=") == true {
                fields.append("credential-id=JTI")
            }
            if annotations["authentication.kubernetes.io/issued-credential-id"]?.stringValue?.hasPrefix("JTI=") == true { fields.append("issued=JTI") }
            events.append((event["requestReceivedTimestamp"]?.stringValue ?? "", fields.joined(separator: " ")))
        }
        return events.sorted { $0.received < $1.received }.map(\.line)
    }
}

private struct ScenarioError: Error {
    var message: String
}

/// The test server's audit log against kube-apiserver's, request by request.
@Suite(.timeLimit(.minutes(3))) struct AuditLogFidelityTests {
    /// What kube-apiserver v1.36 logs for the scenario (checked by ``sameAsTheRealServer()``).
    static let expected = [
        "ResponseComplete patch admin configmaps//c1/ 201 decision=allow reason=",
        "ResponseComplete create admin configmaps//c2/ 201 decision=allow reason=",
        "ResponseComplete patch admin serviceaccounts//ci/ 201 decision=allow reason=",
        "ResponseComplete patch admin secrets//ci-token/ 201 decision=allow reason=",
        "ResponseComplete patch admin rolebindings/rbac.authorization.k8s.io/ci-edit/ 201 decision=allow reason=",
        // The legacy token's first use today: kube-apiserver labels the Secret while it
        // authenticates the request, and stamps the request as received after that.
        "ResponseComplete patch system:apiserver secrets//ci-token/ 200 decision=allow reason=",
        "ResponseComplete patch system:serviceaccount:NS:ci configmaps//c1/ 200 decision=allow reason=RBAC: allowed by RoleBinding \"ci-edit/NS\" of ClusterRole \"edit\" to ServiceAccount \"ci/NS\" legacy-token=system:serviceaccount:NS:ci secret=ci-token",
        "ResponseComplete create admin serviceaccounts//ci/token 201 decision=allow reason= issued=JTI",
        "ResponseComplete delete system:serviceaccount:NS:ci configmaps//c2/ 200 decision=allow reason=RBAC: allowed by RoleBinding \"ci-edit/NS\" of ClusterRole \"edit\" to ServiceAccount \"ci/NS\" credential-id=JTI",
        "ResponseComplete get alice configmaps//c1/ 403 decision=forbid reason=",
        // A 401 is logged once, at ResponseStarted; KubeClient asks for the credential again and retries once.
        "ResponseStarted list  configmaps/// 401 decision=- reason=-",
        "ResponseStarted list  configmaps/// 401 decision=- reason=-",
    ]

    @Test func theTestServerLogsEveryRequestAsKubeApiserverDoes() async throws {
        try await withTemporaryDirectory { folder in
            let log = folder.appendingPathComponent("audit.log").path
            var configuration = KubeTestServer.Configuration()
            configuration.auditLog = .file(log)
            try await withKubeTestServer(configuration) { server in
                server.addUser(token: "alice-token", name: "alice", groups: ["developers"])
                try server.seed([KubeObject(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "audit"]])])
                let target = AuditTarget(
                    server: server.url, caPEM: server.caCertificatePEM, adminToken: KubeTestServer.adminToken, aliceToken: "alice-token", auditLog: log)
                try await AuditLogScenario.run(target, namespace: "audit")
                #expect(try AuditLogScenario.events(in: log, namespace: "audit") == Self.expected)
                // The file holds one JSON object per line, and the auditID is the Audit-Id header.
                let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
                #expect(lines.count >= Self.expected.count)
                let ids = Set(lines.compactMap { try? JSONValue.parseJSON(Array($0.utf8), source: "log")["auditID"]?.stringValue })
                #expect(ids.count >= lines.count - 1)  // a watch would share one ID between its two events
            }
        }
    }

    @Test func aWatchIsLoggedWhenItStartsAndWhenItEnds() async throws {
        try await withKubeTestServer { server in
            let connection = ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), credentials: .token(KubeTestServer.adminToken),
                origin: "test")
            try await KubeClient.with(connection, credentials: CredentialSource(connection.credentials)) { client in
                let mapping = try await client.mapping(for: GroupKind(group: "", kind: "ConfigMap"))
                _ = try await client.send(
                    KubeRequest(method: "GET", path: mapping.collectionPath(namespace: "default"), query: [("watch", "true"), ("timeoutSeconds", "1")]))
            }
            let watch = server.auditEvents.filter { $0["verb"]?.stringValue == "watch" }
            #expect(watch.map { $0["stage"]?.stringValue ?? "" } == ["ResponseStarted", "ResponseComplete"])
            #expect(watch.first?["auditID"] == watch.last?["auditID"])
        }
    }

    @Test func theLegacyTokenSecretIsLabelledOncePerDay() async throws {
        try await withKubeTestServer { server in
            try server.seed(
                try ManifestLoader().load(
                    bytes: Array(
                        """
                        apiVersion: v1
                        kind: ServiceAccount
                        metadata: {name: ci, namespace: default}
                        """.utf8), file: "seed.yaml"))
            // seed() does not run the token controller; a create through the API does.
            let connection = ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), credentials: .token(KubeTestServer.adminToken),
                origin: "test")
            let token = try await KubeClient.with(connection, credentials: CredentialSource(connection.credentials)) { client in
                var copy = try ManifestLoader().load(
                    bytes: Array(
                        "{apiVersion: v1, kind: Secret, type: kubernetes.io/service-account-token, metadata: {name: ci-token-2, namespace: default, annotations: {kubernetes.io/service-account.name: ci}}}"
                            .utf8), file: "s.yaml")[0]
                copy.namespace = "default"
                _ = try await client.create(copy)
                let filled = try await client.get(GroupKind(group: "", kind: "Secret"), namespace: "default", name: "ci-token-2")
                return String(decoding: Data(base64Encoded: filled?.content[path: ["data", "token"]]?.stringValue ?? "") ?? Data(), as: UTF8.self)
            }
            var ci = connection
            ci.credentials = .token(token)
            for _ in 0..<3 {
                _ = try await KubeClient.with(ci, credentials: CredentialSource(ci.credentials)) { client in
                    try await client.selfSubjectRules(namespace: "default")
                }
            }
            let labelled = server.object(group: "", kind: "Secret", namespace: "default", name: "ci-token-2")
            #expect(labelled?.labels["kubernetes.io/legacy-token-last-used"]?.count == 10)
            let patches = server.auditEvents.filter { $0[path: ["user", "username"]]?.stringValue == "system:apiserver" }
            #expect(patches.count == 1)
            #expect(patches.first?[path: ["objectRef", "name"]]?.stringValue == "ci-token-2")
        }
    }

    @Test(.realCluster) func sameAsTheRealServer() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("auditlog")
        let target = AuditTarget(
            server: cluster.server, caPEM: cluster.caPEM, adminToken: RealCluster.Token.admin, aliceToken: RealCluster.Token.alice,
            auditLog: cluster.auditLog)
        try await AuditLogScenario.run(target, namespace: namespace)
        // kube-apiserver writes its log asynchronously (buffered backend): wait for the last event.
        var events: [String] = []
        for _ in 0..<50 {
            events = try AuditLogScenario.events(in: cluster.auditLog, namespace: namespace)
            if events.count >= Self.expected.count { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(events == Self.expected)
    }
}
