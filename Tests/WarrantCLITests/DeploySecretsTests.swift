import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// Secrets as Helm renders them: one with `stringData`, one with `data`, next to a ConfigMap.
func secretManifests(password: String, token: String) -> String {
    """
    ---
    # Source: shop/templates/secret.yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: shop-db
      labels: {app.kubernetes.io/name: shop}
    type: Opaque
    stringData:
      password: "\(password)"
      port: "5432"
    ---
    # Source: shop/templates/token.yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: shop-token
    data:
      token: \(Data(token.utf8).base64EncodedString())
    ---
    # Source: shop/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: shop-settings
    data:
      mode: production
    """
}

/// `warrant deploy --diff` and `--dry-run --diff` at `--log-level trace`: no value of a Secret in
/// anything printed, in the record file or in the history, on either server, also when the
/// deploy fails on a Secret.
@Suite(.timeLimit(.minutes(4))) struct DeploySecretsTests {
    @Test func secretValuesNeverReachTheOutputOnTheTestServer() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(namespaceAdmin("alice", in: "shop")))
            server.addUser(token: "alice-token-123", name: "alice")
            try await withTemporaryDirectory { folder in
                let admin = try writeKubeconfig(server: server, token: "alice-token-123", namespace: "shop", in: folder, named: "alice")
                try await secretValuesNeverReachTheOutput(namespace: "shop", adminKubeconfig: admin, in: folder) { object, manager in
                    try await withAdmin(server) { client in _ = try await client.apply(object, fieldManager: manager, force: true) }
                }
            }
        }
    }

    @Test(.realCluster) func secretValuesNeverReachTheOutputOnKubeAPIServer() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("secrets", administrator: "alice")
        try await withTemporaryDirectory { folder in
            let admin = try cluster.kubeconfig(token: RealCluster.Token.alice, namespace: namespace, in: folder, named: "alice")
            try await secretValuesNeverReachTheOutput(namespace: namespace, adminKubeconfig: admin, in: folder) { object, manager in
                try await cluster.admin { client in _ = try await client.apply(object, fieldManager: manager, force: true) }
            }
        }
    }

    func secretValuesNeverReachTheOutput(
        namespace: String, adminKubeconfig: String, in folder: URL, applyAs: (KubeObject, String) async throws -> Void
    ) async throws {
        let values = ["first-password-3f9a", "first-token-77c1", "second-password-b2e0", "second-token-09d4", "third-password-5a6b", "foreign-value-e4f1"]
        // File names are printed (errors name file and line): they hold no value.
        func write(_ password: String, _ token: String) throws -> String {
            try writeFile(secretManifests(password: password, token: token), named: "secrets-\(values.firstIndex(of: password) ?? 0).yaml", in: folder)
        }
        let first = try write(values[0], values[1])
        let ci = folder.appendingPathComponent("ci.kubeconfig").path
        var printed: [String] = []
        let created = await runWarrant([
            "credentials", "create", "--name", "ci", "-n", namespace, "-f", first, "--apply", "--kubeconfig", adminKubeconfig, "--kubeconfig-out", ci,
            "--no-wait", "--log-level", "trace",
        ])
        #expect(created.status == 0, "\(created.standardError)")
        printed += [created.standardOutput, created.standardError]
        let records = folder.appendingPathComponent("records.jsonl").path
        let flags = ["-n", namespace, "--kubeconfig", ci, "--prune", "--diff", "--log-level", "trace", "--record-file", records]

        let deployed = await runWarrant(["deploy", "-f", first] + flags)
        #expect(deployed.status == 0, "\(deployed.standardError)")
        #expect(deployed.standardOutput.contains("+++ desired/Secret/\(namespace)/shop-db"))
        #expect(deployed.standardError.contains("request"), "trace logs the requests")
        printed += [deployed.standardOutput, deployed.standardError]

        let changed = await runWarrant(["deploy", "-f", try write(values[2], values[3])] + flags)
        #expect(changed.status == 0, "\(changed.standardError)")
        #expect(changed.standardOutput.contains("-  password: \"*** (before)\""), "\(changed.standardOutput)")
        #expect(changed.standardOutput.contains("+  token: \"*** (after)\""), "\(changed.standardOutput)")
        printed += [changed.standardOutput, changed.standardError]

        let dryRun = await runWarrant(["deploy", "-f", try write(values[4], values[3]), "--dry-run"] + flags)
        #expect(dryRun.status == 0, "\(dryRun.standardError)")
        #expect(dryRun.standardOutput.contains("+  password: \"*** (after)\""), "\(dryRun.standardOutput)")
        printed += [dryRun.standardOutput, dryRun.standardError]

        // Another field manager owns the token with another value: the deploy fails on the Secret.
        let foreign = KubeObject([
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "shop-token", "namespace": .string(namespace)],
            "data": ["token": .string(Data(values[5].utf8).base64EncodedString())],
        ])
        try await applyAs(foreign, "helm")
        let conflict = await runWarrant(["deploy", "-f", try write(values[0], values[1])] + flags)
        #expect(conflict.status == 1)
        #expect(conflict.standardError.contains(".data.token"), "\(conflict.standardError)")
        printed += [conflict.standardOutput, conflict.standardError]

        let history = await runWarrant(["history", "-n", namespace, "--kubeconfig", ci, "-o", "json", "--log-level", "trace"])
        #expect(history.status == 0)
        printed += [history.standardOutput, history.standardError, try String(contentsOfFile: records, encoding: .utf8)]

        let everything = printed.joined(separator: "\n")
        for value in values {
            #expect(!everything.contains(value), "\(value) was printed")
            #expect(!everything.contains(Data(value.utf8).base64EncodedString()), "\(value) was printed in base64")
        }
    }
}

/// Runs `body` with the test server's administrator.
func withAdmin<T: Sendable>(_ server: KubeTestServer, _ body: (KubeClient) async throws -> T) async throws -> T {
    let connection = ClusterConnection(
        server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), credentials: .token(KubeTestServer.adminToken),
        origin: "test")
    return try await KubeClient.with(connection, credentials: CredentialSource(connection: connection), body)
}
