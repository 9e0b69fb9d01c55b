import Evidence
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// A cluster to run the evidence scenario on: the project's test server or the real kube-apiserver.
private struct EvidenceTarget {
    /// The namespace.
    var namespace: String
    /// A kubeconfig for alice, the namespace's administrator.
    var aliceKubeconfig: String
    /// The API server's audit log.
    var auditLog: String
    /// A client as alice.
    var alice: @Sendable (@Sendable (KubeClient) async throws -> Void) async throws -> Void
}

/// The manifests a team deploys; `version` 2 changes a setting and drops the `extra` ConfigMap.
private func manifests(version: Int) -> String {
    var text = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {greeting: hello-v\(version)}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: web-secret}
        stringData: {password: not-a-real-secret-\(version)}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{port: 80}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: nginx:1.27.3
                resources: {requests: {cpu: 10m, memory: 16Mi}}

        """
    if version == 1 {
        text += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a: b}\n"
    }
    return text
}

private let kubectlPath = "/usr/bin/kubectl"

/// Runs kubectl with its own HOME (its discovery cache stays out of the way).
private func kubectl(_ arguments: [String], kubeconfig: String, home: URL, environment: [String: String] = [:]) async throws -> ProcessResult {
    var variables = ["HOME": home.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
    for (key, value) in environment { variables[key] = value }
    return try await runProcess(URL(fileURLWithPath: kubectlPath), ["--kubeconfig", kubeconfig] + arguments, environment: variables)
}

/// The scenario of issue 16, on either server: a CI credential made with `credentials create
/// --apply` for exactly what the deploys do (prune, no wait: deploy refuses a broader one), two deploys by it from CI (records kept as artifacts), a human's `kubectl edit`, the
/// CI token used outside any deploy, a rotated and gzipped log; then a tampered record and a
/// widened Role.
private func runEvidenceScenario(_ target: EvidenceTarget, in folder: URL) async throws {
    let namespace = target.namespace
    let home = folder.appendingPathComponent("home")
    let first = folder.appendingPathComponent("v1")
    let second = folder.appendingPathComponent("v2")
    _ = try writeFile(manifests(version: 1), named: "app.yaml", in: first)
    _ = try writeFile(manifests(version: 2), named: "app.yaml", in: second)
    let ci = folder.appendingPathComponent("ci.kubeconfig").path
    let records = folder.appendingPathComponent("records.jsonl").path

    let created = await runWarrant([
        "credentials", "create", "--name", "ci", "-n", namespace, "-f", first.path, "--apply", "--prune", "--no-wait", "--kubeconfig", target.aliceKubeconfig,
        "--kubeconfig-out", ci,
    ])
    try #require(created.status == 0, "\(created.standardError)")

    let carol = [
        "GITLAB_USER_LOGIN": "carol.ci", "CI_COMMIT_SHA": "1111111111111111111111111111111111111111", "CI_JOB_URL": "https://gitlab.example/shop/-/jobs/1",
    ]
    let deployed = await runWarrant(
        ["deploy", "-f", first.path, "-n", namespace, "--kubeconfig", ci, "--prune", "--record-file", records], environment: carol)
    try #require(deployed.status == 0, "\(deployed.standardError)")
    let split = MicroTime(Date())
    try await Task.sleep(for: .milliseconds(1200))
    let dave = [
        "GITLAB_USER_LOGIN": "dave.ci", "CI_COMMIT_SHA": "2222222222222222222222222222222222222222", "CI_JOB_URL": "https://gitlab.example/shop/-/jobs/2",
    ]
    let redeployed = await runWarrant(
        ["deploy", "-f", second.path, "-n", namespace, "--kubeconfig", ci, "--prune", "--record-file", records], environment: dave)
    try #require(redeployed.status == 0, "\(redeployed.standardError)")
    #expect(redeployed.standardError.contains("pruned ConfigMap/extra"))

    // A person edits a setting with kubectl edit (a script as the editor).
    if FileManager.default.isExecutableFile(atPath: kubectlPath) {
        let editor = try writeFile("#!/bin/sh\nsed -i 's/greeting: .*/greeting: edited-by-alice/' \"$1\"\n", named: "editor.sh", in: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor)
        let edited = try await kubectl(
            ["-n", namespace, "edit", "configmap", "settings"], kubeconfig: target.aliceKubeconfig, home: home, environment: ["KUBE_EDITOR": editor])
        #expect(edited.status == 0, "\(edited.error)")
    } else {
        try await target.alice { client in
            var settings = try #require(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "settings"))
            settings.content.setValue("edited-by-alice", at: ["data", "greeting"])
            _ = try await client.apply(settings, fieldManager: "kubectl-edit", force: true)
        }
    }

    // Somebody uses the CI token outside a pipeline, after the deploys have ended.
    try await Task.sleep(for: .milliseconds(3200))
    if FileManager.default.isExecutableFile(atPath: kubectlPath) {
        let rogue = try await kubectl(["-n", namespace, "annotate", "deployment", "web", "rogue=yes", "--field-manager", "rogue"], kubeconfig: ci, home: home)
        #expect(rogue.status == 0, "\(rogue.error)")
    } else {
        let connection = try KubeConfigLoader(environment: [:], homeDirectory: nil).load(explicitPath: ci).connection(context: nil, namespace: namespace)
        try await KubeClient.with(connection, credentials: CredentialSource(connection: connection)) { client in
            var web = try #require(try await client.get(GroupKind(group: "apps", kind: "Deployment"), namespace: namespace, name: "web"))
            web.content.setValue("yes", at: ["metadata", "annotations", "rogue"])
            _ = try await client.apply(web, fieldManager: "rogue", force: true)
        }
    }

    // The log, rotated at `split`: the older part gzipped, a few lines in both files.
    let (current, rotated) = try await rotate(target.auditLog, at: split, into: folder, waitingFor: namespace, marker: "rogue")
    func evidence(_ format: String = "json") async -> WarrantRun {
        await runWarrant([
            "evidence", "-n", namespace, "--kubeconfig", target.aliceKubeconfig, "--audit-log", current, rotated, "--record-file", records, "-o", format,
            "--clock-tolerance", "1",
        ])
    }

    let run = await evidence()
    #expect(run.status == 1, "\(run.standardError)")
    let report = try JSONValue.parseJSON(Array(run.standardOutput.utf8), source: "evidence")
    let writes = report["writes"]?.arrayValue ?? []
    func attribution(_ verb: String, _ resource: String, _ name: String, user: String? = nil) -> [JSONValue] {
        writes.filter {
            $0["verb"]?.stringValue == verb && $0["resource"]?.stringValue == resource && $0["name"]?.stringValue == name
                && (user == nil || $0["user"]?.stringValue == user)
        }.compactMap { $0["attribution"] }
    }
    let ciUser = "system:serviceaccount:\(namespace):ci"
    #expect(report[path: ["summary", "unattributed"]]?.integerValue == 1, "\(report["summary"] ?? .null)")
    let rogue = attribution("patch", "deployments", "web").filter { $0["kind"]?.stringValue == "unattributed" }
    #expect(rogue.count == 1)
    #expect(rogue.first?["reason"]?.stringValue?.contains("deploy credential \(ciUser) was used outside any recorded deploy") == true)
    // The deploys' writes name the CI actors, commits and pipelines.
    let firstApply = attribution("patch", "deployments", "web", user: ciUser).filter { $0["kind"]?.stringValue == "deploy" }
    #expect(firstApply.first?["person"]?.stringValue == "carol.ci")
    #expect(firstApply.first?["commit"]?.stringValue == "1111111111111111111111111111111111111111")
    #expect(attribution("delete", "configmaps", "extra").map { $0["person"]?.stringValue } == ["dave.ci"])
    // The history ConfigMap is applied once, then each record is appended by compare-and-swap (an update).
    let history = ["create", "update", "patch"].flatMap { attribution($0, "configmaps", "warrant-history") }
    #expect(!history.isEmpty && history.allSatisfy { $0["kind"]?.stringValue == "deploy" }, "\(history)")
    #expect(attribution("update", "configmaps", "warrant-history").count == 2)
    // The Lease each deploy holds while it runs is the deploy's too.
    let leases = writes.filter { $0["resource"]?.stringValue == "leases" }.compactMap { $0["attribution"] }
    #expect(!leases.isEmpty && leases.allSatisfy { $0["kind"]?.stringValue == "deploy" }, "\(leases)")
    #expect(attribution("patch", "configmaps", "warrant-applyset").allSatisfy { $0["kind"]?.stringValue == "deploy" })
    // The person's own edit.
    let edit = attribution("patch", "configmaps", "settings", user: "alice")
    #expect(edit.map { $0["kind"]?.stringValue } == ["person"] && edit.first?["person"]?.stringValue == "alice")
    // The credential was made by alice.
    #expect(attribution("patch", "rolebindings", "ci").first?["person"]?.stringValue == "alice")
    // Secret reads: the token Secret read by alice, the app's Secret read by the deploys.
    let reads = report["secretReads"]?.arrayValue ?? []
    #expect(reads.contains { $0["name"]?.stringValue == "ci-token" && $0[path: ["attribution", "person"]]?.stringValue == "alice" })
    #expect(reads.contains { $0["name"]?.stringValue == "web-secret" && $0[path: ["attribution", "kind"]]?.stringValue == "deploy" })
    #expect(report[path: ["summary", "deploys"]]?.integerValue == 2)
    #expect(report[path: ["summary", "people"]]?.arrayValue?.contains { $0["name"]?.stringValue == "carol.ci" } == true)
    let chain = report["chains"]?.arrayValue?.first
    #expect(chain?["verified"]?.boolValue == true && chain?["clusterRecords"]?.integerValue == 2 && chain?["artifactRecords"]?.integerValue == 2)
    let credential = report["credentials"]?.arrayValue?.first
    #expect(credential?["credential"]?.stringValue == ciUser)
    #expect(credential?["overPrivileged"]?.boolValue == false, "\(credential ?? .null)")
    #expect(credential?["moreThanNeeded"]?.arrayValue?.isEmpty == true)
    #expect(credential?[path: ["token", "kind"]]?.stringValue == "secret")
    let secret = credential?[path: ["token", "secrets"]]?.arrayValue?.first
    #expect(secret?["name"]?.stringValue == "ci-token" && (secret?["requests"]?.integerValue ?? 0) > 0)
    #expect(secret?["created"]?.stringValue?.isEmpty == false)
    // Two files, one of them gzip; the lines in both are counted once.
    let logs = report["logs"]?.arrayValue ?? []
    #expect(logs.count == 2 && logs.filter { $0["compressed"]?.boolValue == true }.count == 1)
    #expect(attribution("delete", "configmaps", "extra").count == 1)
    #expect(run.standardOutput.contains("not-a-real-secret") == false)

    let markdown = await evidence("markdown")
    #expect(markdown.status == 1)
    #expect(markdown.standardOutput.contains("**Verdict: evidence INCOMPLETE.**"))
    #expect(markdown.standardOutput.contains("| carol.ci (GITLAB\\_USER\\_LOGIN) |"))
    let html = await evidence("html")
    #expect(html.standardOutput.hasPrefix("<!DOCTYPE html>") && !html.standardOutput.lowercased().contains("<script"))

    // Tamper with the first record in the cluster, and widen the credential's Role.
    try await target.alice { client in
        var history = try #require(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "warrant-history"))
        let lines = history.content[path: ["data", "records.jsonl"]]?.stringValue ?? ""
        let tampered = lines.replacingOccurrences(of: #""name":"carol.ci""#, with: #""name":"mallory""#)
        #expect(tampered != lines)
        history.content.setValue(.string(tampered), at: ["data", "records.jsonl"])
        history.content["metadata"] = ["name": "warrant-history", "namespace": .string(namespace)]
        _ = try await client.apply(history, fieldManager: "tamper", force: true)
        var role = try #require(try await client.get(GroupKind(group: "rbac.authorization.k8s.io", kind: "Role"), namespace: namespace, name: "ci"))
        var rules = role.content["rules"]?.arrayValue ?? []
        rules.append(["apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]])
        role.content["rules"] = .array(rules)
        role.content["metadata"] = ["name": "ci", "namespace": .string(namespace)]
        _ = try await client.apply(role, fieldManager: "widen", force: true)
    }
    let (afterCurrent, afterRotated) = try await rotate(
        target.auditLog, at: split, into: folder.appendingPathComponent("after"), waitingFor: namespace, marker: "fieldManager=widen")
    let again = await runWarrant([
        "evidence", "-n", namespace, "--kubeconfig", target.aliceKubeconfig, "--audit-log", afterRotated, afterCurrent, "--record-file", records,
        "-o", "json", "--clock-tolerance", "1",
    ])
    #expect(again.status == 1)
    let second_ = try JSONValue.parseJSON(Array(again.standardOutput.utf8), source: "evidence")
    let brokenChain = second_["chains"]?.arrayValue?.first
    #expect(brokenChain?["verified"]?.boolValue == false)
    let kinds = Set(brokenChain?["problems"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? [])
    #expect(kinds.isSuperset(of: ["altered", "differs"]), "\(brokenChain ?? .null)")
    // The deploy is still attributed to the person the CI artifact names, marked unverified.
    let tamperedDeploy = second_["deploys"]?.arrayValue?.first
    #expect(tamperedDeploy?["person"]?.stringValue == "carol.ci" && tamperedDeploy?["verified"]?.boolValue == false)
    // The tampering itself is a write alice made.
    let tamperWrites = (second_["writes"]?.arrayValue ?? []).filter {
        $0["name"]?.stringValue == "warrant-history" && $0["user"]?.stringValue == "alice"
    }
    #expect(tamperWrites.count == 1 && tamperWrites.first?[path: ["attribution", "kind"]]?.stringValue == "person")
    let widened = second_["credentials"]?.arrayValue?.first
    #expect(widened?["overPrivileged"]?.boolValue == true)
    #expect(widened?["moreThanNeeded"]?.arrayValue?.contains { $0["resources"]?.arrayValue == ["secrets"] } == true, "\(widened ?? .null)")
}

/// Copies `log` into `folder` as a rotated pair: the events received before `split` in a
/// gzip-compressed file, the rest in a plain one, five events in both. Waits until the log holds
/// the scenario's last request (a line of `namespace` holding `marker`) first.
private func rotate(
    _ log: String, at split: MicroTime, into folder: URL, waitingFor namespace: String, marker: String
) async throws -> (current: String, rotated: String) {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var lines: [Substring] = []
    for _ in 0..<50 {
        lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        if lines.contains(where: { $0.contains("\"namespace\":\"\(namespace)\"") && $0.contains(marker) }) { break }
        try await Task.sleep(for: .milliseconds(200))
    }
    var old: [Substring] = []
    var new: [Substring] = []
    for line in lines {
        guard let range = line.range(of: #""requestReceivedTimestamp":""#) else {
            new.append(line)
            continue
        }
        let stamp = String(line[range.upperBound...].prefix(while: { $0 != "\"" }))
        if let time = MicroTime(rfc3339: stamp), time < split { old.append(line) } else { new.append(line) }
    }
    new = old.suffix(5) + new
    let stamp = split.wholeSeconds.replacingOccurrences(of: ":", with: "-")
    let rotatedPlain = try writeFile(old.joined(separator: "\n") + "\n", named: "audit-\(stamp).log", in: folder)
    let rotated = try await gzipLog(rotatedPlain)
    let current = try writeFile(new.joined(separator: "\n") + "\n", named: "audit.log", in: folder)
    return (current, rotated)
}

/// Compresses `path` with the real `gzip`, removing the original, as logrotate does.
private func gzipLog(_ path: String) async throws -> String {
    let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["gzip", "-f", path])
    try #require(result.status == 0, "\(result.error)")
    return path + ".gz"
}

@Suite(.timeLimit(.minutes(5))) struct EvidenceCommandTests {
    @Test func attributesEveryChangeOnTheTestServer() async throws {
        try await withTemporaryDirectory { folder in
            let log = folder.appendingPathComponent("server-audit.log").path
            var configuration = KubeTestServer.Configuration()
            configuration.auditLog = .file(log)
            try await withKubeTestServer(configuration) { server in
                try server.seed(try objects(namespaceAdmin("alice", in: "shop")))
                server.addUser(token: "alice-token-evidence", name: "alice", groups: ["developers"])
                let aliceKubeconfig = try writeKubeconfig(server: server, token: "alice-token-evidence", namespace: "shop", in: folder, named: "alice")
                let connection = ClusterConnection(
                    server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: "shop",
                    credentials: .token("alice-token-evidence"), origin: "test")
                let target = EvidenceTarget(
                    namespace: "shop", aliceKubeconfig: aliceKubeconfig, auditLog: log,
                    alice: { body in try await KubeClient.with(connection, credentials: CredentialSource(connection.credentials), body) })
                try await runEvidenceScenario(target, in: folder)
            }
        }
    }

    @Test(.realCluster) func attributesEveryChangeOnTheRealServer() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("evidence", administrator: "alice")
        try await withTemporaryDirectory { folder in
            let aliceKubeconfig = try cluster.kubeconfig(token: RealCluster.Token.alice, namespace: namespace, in: folder, named: "alice")
            let target = EvidenceTarget(
                namespace: namespace, aliceKubeconfig: aliceKubeconfig, auditLog: cluster.auditLog,
                alice: { body in try await cluster.client(token: RealCluster.Token.alice, body) })
            try await runEvidenceScenario(target, in: folder)
        }
    }

    @Test func badInputExitsTwoWithTheFileAndLine() async throws {
        try await withTemporaryDirectory { folder in
            try await withKubeTestServer { server in
                try server.seed(try objects(namespaceAdmin("alice", in: "shop")))
                server.addUser(token: "alice-token-evidence", name: "alice")
                let kubeconfig = try writeKubeconfig(server: server, token: "alice-token-evidence", namespace: "shop", in: folder, named: "alice")
                let broken = try writeFile("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\"}\n{not json\n", named: "broken.log", in: folder)
                let cases: [([String], String)] = [
                    ([], "no audit log given"),
                    (["--audit-log", broken, "--since", "last week"], "--since 'last week' is not a date"),
                    (["--audit-log", broken, "--since", "2026-12-02", "--until", "2026-12-01"], "is not after --since"),
                    (["--audit-log", broken], "broken.log:1: has no valid requestReceivedTimestamp"),
                    (["--audit-log", folder.appendingPathComponent("missing.log").path], "missing.log: cannot be opened"),
                    (["--audit-log", broken, "--record-file", broken], "broken.log:1"),
                    (["--audit-log", broken, "-A", "-n", "shop"], "-n and -A exclude each other"),
                ]
                for (arguments, message) in cases {
                    let run = await runWarrant(["evidence", "--kubeconfig", kubeconfig] + (arguments.contains("-A") ? [] : ["-n", "shop"]) + arguments)
                    #expect(run.status == 2, "\(arguments): \(run.standardError)")
                    #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)")
                    #expect(run.standardOutput.isEmpty)
                }
            }
        }
    }

    @Test func aCleanPeriodPassesAndAnUnreachableClusterExitsThree() async throws {
        try await withTemporaryDirectory { folder in
            let log = folder.appendingPathComponent("audit.log").path
            var configuration = KubeTestServer.Configuration()
            configuration.auditLog = .file(log)
            let server = try await KubeTestServer.start(configuration)
            try server.seed(try objects(namespaceAdmin("alice", in: "shop")))
            server.addUser(token: "alice-token-evidence", name: "alice")
            let kubeconfig = try writeKubeconfig(server: server, token: "alice-token-evidence", namespace: "shop", in: folder, named: "alice")
            let connection = ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: "shop",
                credentials: .token("alice-token-evidence"), origin: "test")
            try await KubeClient.with(connection, credentials: CredentialSource(connection.credentials)) { client in
                _ = try await client.apply(try objects("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: shop}}")[0], fieldManager: "alice")
            }
            let clean = await runWarrant(["evidence", "--kubeconfig", kubeconfig, "--audit-log", log, "-o", "markdown"])
            #expect(clean.status == 0, "\(clean.standardError)")
            #expect(clean.standardOutput.contains("**Verdict: evidence complete.**"))
            #expect(clean.standardOutput.contains("| … attributed to people | 1 (alice 1) |"))
            #expect(clean.standardError.contains("1 change(s), 0 unattributed request(s)"))
            // A period before the log: nothing in it, and the report says the log does not cover it.
            let before = await runWarrant([
                "evidence", "--kubeconfig", kubeconfig, "--audit-log", log, "--since", "2000-01-01", "--until", "2000-01-02T12:00:00Z", "-o", "markdown",
            ])
            #expect(before.status == 0, "\(before.standardError)")
            #expect(before.standardError.contains("0 change(s), 0 unattributed request(s)"))
            #expect(before.standardOutput.contains("2000-01-01T00:00:00Z") && before.standardOutput.contains("requests before that are not covered"))
            try await server.shutdown()
            let unreachable = await runWarrant(["evidence", "--kubeconfig", kubeconfig, "--audit-log", log])
            #expect(unreachable.status == 3, "\(unreachable.standardError)")
        }
    }
}
