import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// A server with namespace `guestbook`, alice as its administrator, and the CI credential `ci`
/// created by `warrant credentials create --apply` with `flags` (without `--prune`, the
/// credential is created `--no-prune`; without `--wait`, `--no-wait`): runs `body` with the server
/// and the kubeconfig path, and shuts the server down when it returns or throws.
func withDeployFixture<T>(
    in folder: URL, flags: [String] = ["--prune", "--wait"], hook: (@Sendable (inout KubeObject, ChangeEvent) -> Void)? = makeDeploymentsAvailable,
    _ body: (KubeTestServer, String) async throws -> T
) async throws -> T {
    try await withKubeTestServer { server in
        if let hook { server.onChange(hook) }
        try server.seed(try objects(namespaceAdmin("alice", in: "guestbook")))
        server.addUser(token: "alice-token-123", name: "alice")
        let admin = try writeKubeconfig(server: server, token: "alice-token-123", namespace: "guestbook", in: folder, named: "alice")
        let ci = folder.appendingPathComponent("ci.kubeconfig").path
        let guestbook = TestData.examples.appendingPathComponent("guestbook").path
        let created = await runWarrant(
            [
                "credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--apply", "--kubeconfig", admin,
                "--kubeconfig-out", ci,
            ] + flags + (flags.contains("--prune") ? [] : ["--no-prune"]) + (flags.contains("--wait") ? [] : ["--no-wait"]))
        #expect(created.status == 0, "\(created.standardError)")
        return try await body(server, ci)
    }
}

let guestbookPath = TestData.examples.appendingPathComponent("guestbook").path

@Suite(.timeLimit(.minutes(3))) struct DeployCommandTests {
    @Test func deploysRecordsAndSaysNoChangesTheSecondTime() async throws {
        try await withTemporaryDirectory { folder in
            try await withDeployFixture(in: folder) { server, ci in
                let records = folder.appendingPathComponent("records.jsonl").path
                let environment = ["GITLAB_USER_LOGIN": "alice.dev", "CI_COMMIT_SHA": "0123456789abcdef", "CI_JOB_URL": "https://gitlab.example/job/1"]
                let first = await runWarrant(
                    ["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", ci, "--prune", "--wait", "--record-file", records],
                    environment: environment)
                #expect(first.status == 0, "\(first.standardError)")
                #expect(first.standardError.contains("created Deployment guestbook/frontend"))
                #expect(first.standardError.contains("all 6 object(s) are ready"))
                let deployment = try #require(server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend"))
                #expect(deployment.annotations["warrant.dev/deploy-record"] != nil)
                #expect(deployment.labels["applyset.kubernetes.io/part-of"]?.hasPrefix("applyset-") == true)
                #expect(server.object(group: "", kind: "ConfigMap", namespace: "guestbook", name: "warrant-applyset") != nil)
                #expect(!server.objects(group: "", kind: "Event", namespace: "guestbook").isEmpty)

                let writesBefore = server.requests.filter { $0.isWrite && !$0.isDryRun }.count
                let second = await runWarrant(
                    ["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", ci, "--prune", "--wait", "--record-file", records],
                    environment: environment)
                #expect(second.status == 0, "\(second.standardError)")
                #expect(second.standardError.contains("no changes"))
                // Only the record is written (history ConfigMap and Event) and the deploy Lease taken,
                // renewed and released: none of the deployed objects.
                let lease = "/apis/coordination.k8s.io/v1/namespaces/guestbook/leases/warrant-applyset"
                let writes = server.requests.filter { $0.isWrite && !$0.isDryRun }.dropFirst(writesBefore)
                    .filter { $0.path.contains("/namespaces/guestbook/") }
                #expect(
                    writes.map(\.path).filter { $0 != lease }.sorted() == [
                        "/api/v1/namespaces/guestbook/configmaps/warrant-history", "/api/v1/namespaces/guestbook/events",
                    ])
                #expect(writes.filter { $0.path == lease }.count >= 2)

                let history = await runWarrant(["history", "-n", "guestbook", "--kubeconfig", ci, "--verify", "-o", "json"])
                #expect(history.status == 0, "\(history.standardError)")
                #expect(history.standardOutput.contains("alice.dev"))
                #expect(history.standardOutput.contains("0123456789abcdef"))
                #expect(history.standardError.contains("verified: 2 record(s)"))
                let file = await runWarrant(["history", "--record-file", records, "--verify"])
                #expect(file.status == 0, "\(file.standardError)")
            }
        }
    }

    @Test func pruneDeletesWhatLeftTheManifestsAndNothingElse() async throws {
        try await withTemporaryDirectory { folder in
            try await withDeployFixture(in: folder, flags: ["--prune"]) { server, ci in
                #expect(await runWarrant(["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", ci, "--prune"]).status == 0)
                try server.seed(try objects("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: not-ours, namespace: guestbook}\n"))
                let smaller = folder.appendingPathComponent("smaller")
                try FileManager.default.createDirectory(at: smaller, withIntermediateDirectories: true)
                for file in ["deployment.yaml", "service.yaml", "networkpolicy.yaml"] {
                    try FileManager.default.copyItem(
                        atPath: "\(guestbookPath)/\(file)", toPath: smaller.appendingPathComponent(file).path)
                }
                let limited = await runWarrant([
                    "deploy", "-f", smaller.path, "-n", "guestbook", "--kubeconfig", ci, "--prune", "--max-prune", "0", "--allow-broad-credential",
                ])
                #expect(limited.status == 1)
                #expect(limited.standardError.contains("more than --max-prune"))
                #expect(server.object(group: "", kind: "ConfigMap", namespace: "guestbook", name: "frontend-settings") != nil)
                let run = await runWarrant(["deploy", "-f", smaller.path, "-n", "guestbook", "--kubeconfig", ci, "--prune", "--allow-broad-credential"])
                #expect(run.status == 0, "\(run.standardError)")
                #expect(run.standardError.contains("pruned ConfigMap/frontend-settings"))
                #expect(server.object(group: "", kind: "ConfigMap", namespace: "guestbook", name: "frontend-settings") == nil)
                #expect(server.object(group: "", kind: "ConfigMap", namespace: "guestbook", name: "not-ours") != nil)
            }
        }
    }

    @Test func preflightRefusesBroadAndInsufficientCredentialsBeforeAnyChange() async throws {
        try await withTemporaryDirectory { folder in
            try await withDeployFixture(in: folder) { server, _ in
                let admin = try writeKubeconfig(server: server, token: KubeTestServer.adminToken, namespace: "guestbook", in: folder, named: "admin")
                let broad = await runWarrant(["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", admin])
                #expect(broad.status == 1)
                #expect(broad.standardError.contains("holds more than this deploy needs"))
                #expect(broad.standardError.contains("wildcard"))
                #expect(server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend") == nil)
                try server.seed(try objects(TestData.binding("bob", to: "view", in: "guestbook")))
                server.addUser(token: "bob-token-456", name: "bob")
                let viewer = try writeKubeconfig(server: server, token: "bob-token-456", namespace: "guestbook", in: folder, named: "bob")
                let weak = await runWarrant(["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", viewer])
                #expect(weak.status == 1)
                #expect(weak.standardError.contains("lacks"))
                #expect(weak.standardError.contains("nothing was changed"))
                #expect(server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend") == nil)
            }
        }
    }

    @Test func invalidManifestsExitTwoBeforeConnecting() async throws {
        let input = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: other}\n"
        let run = await runWarrant(["deploy", "-f", "-", "-n", "guestbook", "--kubeconfig", "/nonexistent"], standardInput: input)
        #expect(run.status == 2)
        #expect(run.standardError.contains("other"))
    }

    /// `--lock-timeout` is read like `--timeout` (Go's duration syntax, 0 for none, at most 24h)
    /// and refused before the manifests are read, naming the flag.
    @Test(arguments: [
        ("abc", false), ("5x", false), ("", false), ("48h", false), ("0", true), ("0s", true), ("90s", true), ("1h30m", true),
        ("1.5m", true),
    ])
    func lockTimeoutIsZeroOrADuration(text: String, valid: Bool) async throws {
        let input = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
        let run = await runWarrant(["deploy", "-f", "-", "-n", "guestbook", "--kubeconfig", "/nonexistent", "--lock-timeout", text], standardInput: input)
        if valid {
            #expect(run.status != 2 || !run.standardError.contains("--lock-timeout"), "\(run.standardError)")
        } else {
            #expect(run.status == 2)
            #expect(run.standardError.contains("'--lock-timeout <duration>': '\(text)'"), "\(run.standardError)")
        }
    }

    @Test func conflictsAreListedFieldByFieldUnlessForced() async throws {
        try await withTemporaryDirectory { folder in
            try await withDeployFixture(in: folder, flags: []) { server, ci in
                #expect(await runWarrant(["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", ci]).status == 0)
                // Someone scales the Deployment by hand with server-side apply.
                let scale = try writeFile(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: frontend, namespace: guestbook}\nspec: {replicas: 5}\n", named: "scale.yaml",
                    in: folder)
                try await applyAs(server: server, manager: "kubectl", file: scale)
                let changed = folder.appendingPathComponent("changed")
                try FileManager.default.copyItem(atPath: guestbookPath, toPath: changed.path)
                try FileManager.default.removeItem(at: changed.appendingPathComponent("deployment.yaml"))
                let deployment = try String(contentsOfFile: "\(guestbookPath)/deployment.yaml", encoding: .utf8)
                    .replacingOccurrences(of: "replicas: 2", with: "replicas: 3")
                _ = try writeFile(deployment, named: "deployment.yaml", in: changed)
                let conflict = await runWarrant(["deploy", "-f", changed.path, "-n", "guestbook", "--kubeconfig", ci])
                #expect(conflict.status == 1)
                #expect(conflict.standardError.contains(".spec.replicas"))
                #expect(conflict.standardError.contains("kubectl"))
                let forced = await runWarrant(["deploy", "-f", changed.path, "-n", "guestbook", "--kubeconfig", ci, "--force-conflicts"])
                #expect(forced.status == 0, "\(forced.standardError)")
                // The failed attempt is in the record too.
                let history = await runWarrant(["history", "-n", "guestbook", "--kubeconfig", ci, "--verify"])
                #expect(history.standardOutput.contains("failed"))
                #expect(history.status == 0)
            }
        }
    }

    @Test func waitFailsFastOnACrashingPodAndRecordsTheFailure() async throws {
        try await withTemporaryDirectory { folder in
            let crashing: @Sendable (inout KubeObject, ChangeEvent) -> Void = { _, _ in }
            try await withDeployFixture(in: folder, flags: ["--wait"], hook: crashing) { server, ci in
                try server.seed(
                    try objects(
                        """
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: frontend-abc, namespace: guestbook, labels: {app: frontend}}
                        spec: {containers: [{name: web, image: "nginx:1.27"}]}
                        status:
                          phase: Running
                          containerStatuses:
                          - name: web
                            ready: false
                            restartCount: 5
                            state: {waiting: {reason: CrashLoopBackOff, message: "back-off 5m0s restarting failed container"}}
                        """))
                let run = await runWarrant(["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", ci, "--wait", "--timeout", "30s"])
                #expect(run.status == 1)
                #expect(run.standardError.contains("CrashLoopBackOff"))
                #expect(run.standardError.contains("frontend-abc"))
                let history = await runWarrant(["history", "-n", "guestbook", "--kubeconfig", ci, "-o", "json"])
                #expect(history.standardOutput.contains("\"failed\""))
            }
        }
    }

    @Test(arguments: [true, false])
    func waitShowsLiveProgressOnATerminalAndPlainLinesInLogs(terminal: Bool) async throws {
        try await withTemporaryDirectory { folder in
            let stuck: @Sendable (inout KubeObject, ChangeEvent) -> Void = { _, _ in }
            try await withDeployFixture(in: folder, flags: ["--wait"], hook: stuck) { server, ci in
                let run = await runWarrant(
                    ["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", ci, "--wait", "--timeout", "2s"], terminal: terminal)
                #expect(run.status == 1)
                #expect(run.standardError.contains("timed out after"))
                #expect(run.standardError.contains("\r\u{1B}[2K") == terminal)
                #expect(run.standardError.contains("Z waiting for Deployment guestbook/frontend") == !terminal)
            }
        }
    }

    @Test func historyVerifyFindsAnAlteredRecord() async throws {
        try await withTemporaryDirectory { folder in
            try await withDeployFixture(in: folder, flags: []) { server, ci in
                for _ in 0..<2 {
                    #expect(
                        await runWarrant(["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", ci], environment: ["GITHUB_ACTOR": "bob"]).status
                            == 0)
                }
                var history = try #require(server.object(group: "", kind: "ConfigMap", namespace: "guestbook", name: "warrant-history"))
                let data = try #require(history.content["data"]?.objectValue)
                var altered = JSONObject()
                for (key, value) in data {
                    altered[key] = .string((value.stringValue ?? "").replacingOccurrences(of: "\"bob\"", with: "\"mallory\""))
                }
                history.content["data"] = .object(altered)
                try server.seed([history])
                let run = await runWarrant(["history", "-n", "guestbook", "--kubeconfig", ci, "--verify"])
                #expect(run.status == 1)
                #expect(run.standardError.contains("the record chain is broken"))
            }
        }
    }
}

/// Server-side apply of `file` as field manager `manager` with the admin token (kubectl's role in a test).
func applyAs(server: KubeTestServer, manager: String, file: String) async throws {
    let object = try #require(try ManifestLoader().load([.path(file)]).first)
    let connection = ClusterConnection(
        server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), credentials: .token(KubeTestServer.adminToken),
        origin: "test")
    try await KubeClient.with(connection, credentials: CredentialSource(connection: connection)) { client in
        _ = try await client.apply(object, fieldManager: manager, force: true)
    }
}
