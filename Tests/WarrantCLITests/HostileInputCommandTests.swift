import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Issue 18 on every command: bad arguments and bad names are refused before the first request,
/// numbers and empty inputs cannot turn into a silent deploy, a slow API server cannot hang a
/// command, and the API server's warnings are printed as kubectl prints them.
@Suite(.timeLimit(.minutes(3))) struct HostileInputCommandTests {
    /// A bad argument, where it goes, and what the message must say.
    struct ArgumentCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let badArguments: [ArgumentCase] = [
        .init(
            arguments: ["deploy", "--wait", "--timeout", "99999999999999999h"], message: "'--timeout <duration>': '99999999999999999h' is too long: at most 24h"
        ),
        .init(arguments: ["deploy", "--wait", "--timeout=-5m"], message: "'-5m' is negative"),
        .init(arguments: ["deploy", "--wait", "--timeout", "5 minutes"], message: "is not a duration"),
        .init(arguments: ["deploy", "--wait", "--timeout", "5x"], message: "'--timeout <duration>': '5x' is not a duration such as 90s, 5m or 1h30m"),
        .init(arguments: ["deploy", "--lock-timeout", "5x"], message: "'--lock-timeout <duration>': '5x' is not a duration such as 90s, 5m or 1h30m"),
        .init(
            arguments: ["deploy", "--lock-timeout", "99999999999999999h"], message: "'--lock-timeout <duration>': '99999999999999999h' is too long: at most 24h"
        ),
        .init(arguments: ["deploy", "--lock-timeout=-5m"], message: "'--lock-timeout <duration>': '-5m' is negative"),
        .init(arguments: ["deploy", "--prune", "--max-prune=-5"], message: "'--max-prune <N|P%>': '-5' is negative"),
        .init(arguments: ["deploy", "--prune", "--max-prune", "101%"], message: "'101%' is above 100%"),
        .init(arguments: ["deploy", "--prune", "--max-prune", "half"], message: "'half' is not a count or a percentage"),
        .init(arguments: ["deploy", "--max-prune", "5"], message: "--max-prune only applies with --prune"),
        .init(arguments: ["deploy", "--timeout", "5m"], message: "--timeout only applies with --wait"),
        .init(arguments: ["deploy", "--prune-pvcs"], message: "--prune-pvcs only applies with --prune"),
        .init(arguments: ["deploy", "--allow-empty"], message: "--allow-empty only applies with --prune"),
        .init(arguments: ["deploy", "--applyset", "set?x=1"], message: "--applyset 'set?x=1' is not a valid ConfigMap name"),
        .init(arguments: ["deploy", "--request-timeout", "abc"], message: "'--request-timeout <duration>': 'abc' is not a duration"),
        .init(arguments: ["deploy", "--request-timeout", "99999999999999999h"], message: "is too long: at most 24h"),
        .init(arguments: ["deploy", "--request-timeout=-1s"], message: "'-1s' is negative"),
    ]

    @Test("deploy: every bad argument names its flag, exits 2 and sends nothing", arguments: badArguments)
    func deployArgumentsAreCheckedFirst(_ testCase: ArgumentCase) async throws {
        try await withTemporaryDirectory { folder in
            try await withKubeTestServer { server in
                let kubeconfig = try writeKubeconfig(server: server, token: KubeTestServer.adminToken, namespace: "shop", in: folder)
                let run = await runWarrant(
                    testCase.arguments + ["-f", guestbookPath, "-n", "guestbook", "--kubeconfig", kubeconfig, "--allow-broad-credential"])
                #expect(run.status == 2)
                #expect(run.standardError.contains(testCase.message), "\(run.standardError)")
                #expect(run.standardOutput.isEmpty)
                #expect(server.requests.isEmpty, "no request before the arguments are checked")
            }
        }
    }

    static let otherCommands: [ArgumentCase] = [
        // Durations and prune limits name their own flag (issue 17, point 2).
        .init(arguments: ["agent", "probe", "--max-age", "15x"], message: "'--max-age <duration>': '15x' is not a duration such as 90s, 5m or 1h30m"),
        .init(arguments: ["agent", "probe", "--max-age", "999h"], message: "'--max-age <duration>': '999h' is too long: at most 168h"),
        .init(arguments: ["agent", "probe", "--max-age=-5m"], message: "'--max-age <duration>': '-5m' is negative"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--apply", "--token", "request", "--duration", "5x"],
            message: "'--duration <duration>': '5x' is not a duration such as 90s, 5m or 1h30m"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--apply", "--timeout", "5x"],
            message: "The value '5x' is invalid for '--timeout <seconds>'"),
        .init(
            arguments: agentInstall + ["--interval", "5x"], message: "error: --interval: '5x' is not a duration from 1s to 24h"),
        .init(
            arguments: agentInstall + ["--reconcile-interval", "48h"], message: "error: --reconcile-interval: '48h' is not a duration from 1s to 24h"),
        .init(arguments: agentInstall + ["--prune", "--max-prune", "half"], message: "error: --max-prune: "),
        .init(arguments: ["agent", "run", "--lease-duration", "5x"], message: "error: --lease-duration: '5x' is not a duration"),
        .init(arguments: ["deploy", "-f", "x.yaml", "-n", "ns?x=1"], message: "-n 'ns?x=1' is not a valid namespace name"),
        .init(arguments: ["scope", "-f", "x.yaml", "-n", "bad ns"], message: "-n 'bad ns' is not a valid namespace name"),
        .init(arguments: ["scope", "-f", "x.yaml", "-n", "shop", "--applyset", "A"], message: "--applyset 'A' is not a valid ConfigMap name"),
        .init(
            arguments: [
                "credentials", "kubeconfig", "--server", "https://127.0.0.1:6443", "--certificate-authority", "ca", "--token-file", "t", "-n", "bad ns",
            ],
            message: "-n 'bad ns' is not a valid namespace name"),
        .init(arguments: ["credentials", "create", "--name", "ci", "-n", "bad ns", "-f", "x.yaml"], message: "-n 'bad ns' is not a valid namespace name"),
        .init(
            arguments: [
                "credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--apply", "--token", "request", "--duration", "99999999999999999h",
            ],
            message: "'--duration <duration>': '99999999999999999h' is too long"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--apply", "--token", "request", "--duration", "5m"],
            message: "'5m' is too short: at least 10m"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--duration", "2h"],
            message: "--duration only applies with --token request"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--timeout", "30"],
            message: "--timeout only applies with --apply"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--apply", "--timeout=-1"], message: "--timeout -1 is negative"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--kubeconfig-out", "k"],
            message: "--kubeconfig-out only applies with --apply"),
        .init(arguments: ["credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--kubeconfig", "k"], message: "only applies with --apply"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "shop", "-f", "x.yaml", "--apply", "--verify-namespace", "a.b"],
            message: "--verify-namespace 'a.b' is not a valid namespace name"),
        .init(arguments: ["can", "get", "pods", "-A", "-n", "shop", "--as", "alice", "-f", "x.yaml"], message: "either -A (all namespaces) or -n NAMESPACE"),
        .init(arguments: ["who-can", "get", "pods", "-A", "-n", "shop", "-f", "x.yaml"], message: "either -A (all namespaces) or -n NAMESPACE"),
        .init(arguments: ["can", "get", "pods", "-n", "Shop", "--as", "alice", "-f", "x.yaml"], message: "-n 'Shop' is not a valid namespace name"),
        .init(arguments: ["audit", "--cluster", "-n", "x/y"], message: "-n 'x/y' is not a valid namespace name"),
        .init(arguments: ["audit", "-f", "x.yaml", "--request-timeout", "5s"], message: "--request-timeout or --log-level only applies with --cluster"),
        .init(arguments: ["history", "-n", "x?y"], message: "-n 'x?y' is not a valid namespace name"),
        .init(
            arguments: ["restrict", "-f", "x.yaml", "-n", "argocd", "--target-namespaces", "shop,a_b"],
            message: "--target-namespaces 'a_b' is not a valid namespace name"),
    ]

    /// `agent install` with every required flag; its settings are checked before anything is read.
    static let agentInstall = [
        "agent", "install", "-n", "shop", "--repo", "https://example.com/x.git", "--branch", "main", "--allowed-signers", "/nonexistent/signers",
    ]

    @Test("every command checks names and flag combinations before it reads input or connects", arguments: otherCommands)
    func otherCommandsCheckArgumentsFirst(_ testCase: ArgumentCase) async {
        let run = await runWarrant(testCase.arguments)
        #expect(run.status == 2)
        #expect(run.standardError.contains(testCase.message), "\(run.standardError)")
        #expect(run.standardOutput.isEmpty)
    }

    @Test(
        "deploy: a name that would change the request's URL, or a number JSON cannot carry, exits 2 at its line and sends nothing",
        arguments: [
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'cfg?fieldManager=warrant#'\n",
                "app.yaml:4: metadata.name 'cfg?fieldManager=warrant#' is not a valid ConfigMap name"
            ),
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: 'guestbook?x=1'\n",
                "app.yaml:5: metadata.namespace 'guestbook?x=1' is not a valid namespace name"
            ),
            ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: .inf\n", "app.yaml:5: '.inf' is not a number JSON can carry"),
            (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1e400\n",
                "app.yaml:5: the number 1e400 is beyond the range of a 64-bit float"
            ),
            (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 99999999999999999999\n",
                "app.yaml:5: the integer 99999999999999999999 is beyond the 64-bit range"
            ),
        ])
    func hostileManifestsAreRefusedBeforeAnyRequest(manifest: String, message: String) async throws {
        try await withTemporaryDirectory { folder in
            try await withKubeTestServer { server in
                let kubeconfig = try writeKubeconfig(server: server, token: KubeTestServer.adminToken, namespace: "guestbook", in: folder)
                let file = try writeFile(manifest, named: "app.yaml", in: folder)
                let run = await runWarrant(["deploy", "-f", file, "-n", "guestbook", "--kubeconfig", kubeconfig, "--dry-run", "--allow-broad-credential"])
                #expect(run.status == 2)
                #expect(run.standardError.contains(message.replacingOccurrences(of: "app.yaml", with: file)), "\(run.standardError)")
                #expect(server.requests.isEmpty)
            }
        }
    }

    @Test("deploy: input with no objects exits 2 and sends nothing, unless --prune --allow-empty, which prunes the set")
    func emptyInput() async throws {
        try await withTemporaryDirectory { folder in
            try await withDeployFixture(in: folder, flags: ["--prune"]) { server, ci in
                #expect(await runWarrant(["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", ci, "--prune"]).status == 0)
                let empty = folder.appendingPathComponent("empty")
                try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
                _ = try writeFile("# nothing here\n---\n", named: "only-comments.yaml", in: empty)
                let before = server.requests.count
                for flags in [[], ["--prune"]] {
                    let run = await runWarrant(["deploy", "-f", empty.path, "-n", "guestbook", "--kubeconfig", ci] + flags)
                    #expect(run.status == 2)
                    #expect(run.standardError.contains("the input holds no objects"), "\(run.standardError)")
                    #expect(run.standardError.contains("--prune --allow-empty"))
                }
                #expect(server.requests.count == before, "nothing sent for an empty input")
                #expect(server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend") != nil)
                let emptied = await runWarrant([
                    "deploy", "-f", empty.path, "-n", "guestbook", "--kubeconfig", ci, "--prune", "--allow-empty", "--max-prune", "100%",
                    "--allow-broad-credential",
                ])
                #expect(emptied.status == 0, "\(emptied.standardError)")
                #expect(emptied.standardError.contains("pruned ConfigMap/frontend-settings"), "\(emptied.standardError)")
                #expect(server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend") == nil)
            }
        }
    }

    @Test("a server that sends headers and then a byte a second: the command exits 3 at --request-timeout, naming the request")
    func slowServerTimesOut() async throws {
        try await withTemporaryDirectory { folder in
            let server = try LoopbackHTTPServer { _ in .init(body: Array(repeating: UInt8(ascii: " "), count: 1_000), bytesPerSecond: 1) }
            defer { server.stop() }
            let kubeconfig = try writeFile(
                """
                apiVersion: v1
                kind: Config
                clusters: [{name: slow, cluster: {server: "\(server.url)"}}]
                users: [{name: slow, user: {token: t0ken}}]
                contexts: [{name: slow, context: {cluster: slow, user: slow, namespace: shop}}]
                current-context: slow
                """, named: "slow.kubeconfig", in: folder)
            let started = ContinuousClock.now
            let run = await runWarrant(["can", "get", "pods", "--kubeconfig", kubeconfig, "--request-timeout", "2s"])
            #expect(run.status == 3)
            #expect(run.standardError.contains("GET /api"), "\(run.standardError)")
            #expect(run.standardError.contains("within 2") && run.standardError.contains("--request-timeout"))
            #expect(ContinuousClock.now - started < .seconds(120), "stopped at the deadline, not after the 1,000 s the answer takes")
        }
    }

    @Test("deploy prints kube-apiserver's warnings as kubectl does: 'Warning: TEXT' on standard error, once", .realCluster)
    func warningsArePrinted() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("warn")
        try await withTemporaryDirectory { folder in
            let kubeconfig = try cluster.kubeconfig(token: RealCluster.Token.admin, namespace: namespace, in: folder)
            let file = try writeFile(
                """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata:
                      labels: {app: web}
                      annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}
                    spec: {containers: [{name: c, image: "nginx:1.27", resources: {requests: {cpu: 10m}}}]}
                """, named: "web.yaml", in: folder)
            let run = await runWarrant(["deploy", "-f", file, "-n", namespace, "--kubeconfig", kubeconfig, "--dry-run", "--allow-broad-credential"])
            #expect(run.status == 0, "\(run.standardError)")
            let warning = "Warning: spec.template.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+"
            #expect(run.standardError.components(separatedBy: warning).count == 2, "printed once:\n\(run.standardError)")
        }
    }

    @Test("a FIFO named *.yaml in a folder is skipped with a warning instead of blocking the command", .timeLimit(.minutes(1)))
    func fifoInAFolder() async throws {
        try await withTemporaryDirectory { folder in
            _ = try writeFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", named: "a.yaml", in: folder)
            #expect(mkfifo(folder.appendingPathComponent("b.yaml").path, 0o644) == 0)
            let run = await runWarrant(["manifests", "-f", folder.path])
            #expect(run.status == 0)
            #expect(run.standardError.contains("b.yaml: skipped: not a regular file (a FIFO)"))
            #expect(run.standardOutput.contains("ConfigMap"))
        }
    }

    @Test("an unreadable subfolder is an error naming it (run as another user when the tests run as root)")
    func unreadableSubfolder() async throws {
        try await withTemporaryDirectory { folder in
            let locked = folder.appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
            _ = try writeFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", named: "a.yaml", in: folder)
            _ = try writeFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n", named: "b.yaml", in: locked)
            chmod(folder.path, 0o755)
            chmod(locked.path, 0)
            defer { chmod(locked.path, 0o755) }
            let status: Int32
            let errors: String
            if getuid() == 0 {
                // root reads every folder: run the executable as nobody.
                let warrant = try #require(warrantExecutable(), "the warrant executable is built with the tests")
                let run = try await runProcess(
                    URL(fileURLWithPath: "/usr/bin/setpriv"),
                    ["--reuid=65534", "--regid=65534", "--clear-groups", warrant.path, "deploy", "-f", folder.path, "-n", "shop", "--prune"])
                status = run.status
                errors = run.error
            } else {
                let run = await runWarrant(["deploy", "-f", folder.path, "-n", "shop", "--prune"])
                status = run.status
                errors = run.standardError
            }
            #expect(status == 2)
            #expect(errors.contains("\(locked.path): cannot read the folder: Permission denied"), "\(errors)")
        }
    }
}
