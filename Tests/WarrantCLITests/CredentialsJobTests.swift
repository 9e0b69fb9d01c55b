import Foundation
import KubeModel
import KubeTestServer
import RBAC
import Testing
import WarrantCLI
import WarrantCLITestSupport
import WarrantTestSupport

/// The CI job `credentials` prints, and where `credentials create` writes.
@Suite(.timeLimit(.minutes(3))) struct CredentialsJobTests {
    let guestbook = TestData.examples.appendingPathComponent("guestbook").path
    /// The image a `warrant` job runs in: this version's (Scripts/build-image.sh).
    static let image = "ghcr.io/warrant-dev/warrant:\(Warrant.version)"

    /// The YAML of the deploy job printed after `A deploy job for …:`, parsed.
    func job(in text: String) throws -> JSONValue {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix("A deploy job for") })
        let body = lines[(start + 1)...].prefix { $0.isEmpty || $0.hasPrefix("  ") }.map { $0.isEmpty ? "" : String($0.dropFirst(2)) }
        return try #require(try ManifestLoader().documents(bytes: Array(body.joined(separator: "\n").utf8), file: "job.yaml").first?.value)
    }

    @Test func aNewCredentialIsScopedToPruneAndWaitAndItsJobSaysSo() async throws {
        try await withTemporaryDirectory { folder in
            let out = folder.appendingPathComponent("not/yet/there").path
            let run = await runWarrant(["credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "-o", out])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(FileManager.default.fileExists(atPath: "\(out)/ci.yaml"), "the folder is created")
            let role = try RBACRole(try ManifestLoader().load([.path("\(out)/ci.yaml")])[1])
            let scoped = await runWarrant(["scope", "-f", guestbook, "--name", "ci", "--prune", "--wait"])
            #expect(try role.rules == RBACRole(try ManifestLoader().load(bytes: Array(scoped.standardOutput.utf8), file: "s.yaml")[0]).rules)
            #expect(run.standardError.contains("-o ci.kubeconfig --ci gitlab\n"), "no flag: the kubeconfig command's defaults are prune and wait")
            #expect(run.standardError.contains("warrant deploy -f deploy/ -n guestbook --prune --wait --record-file deploy-record.jsonl"))

            let narrow = await runWarrant(["credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--no-prune", "--no-wait"])
            #expect(narrow.status == 0)
            let narrowRole = try RBACRole(try ManifestLoader().load(bytes: Array(narrow.standardOutput.utf8), file: "b.yaml")[1])
            let plain = await runWarrant(["scope", "-f", guestbook, "--name", "ci"])
            #expect(try narrowRole.rules == RBACRole(try ManifestLoader().load(bytes: Array(plain.standardOutput.utf8), file: "s.yaml")[0]).rules)
            #expect(narrow.standardError.contains("--ci gitlab --no-prune --no-wait\n"))
            #expect(narrow.standardError.contains("its deploy job runs: warrant deploy -f deploy/ -n guestbook --record-file deploy-record.jsonl)"))
        }
    }

    @Test(arguments: [("gitlab", [String]()), ("github", ["--no-prune"]), ("gitlab", ["--no-prune", "--no-wait"]), ("github", ["--for", "kubectl-ssa"])])
    func theKubeconfigCommandPrintsAJobForExactlyTheScopedOptions(ci: String, flags: [String]) async throws {
        try await withTemporaryDirectory { folder in
            let ca = try writeFile("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", named: "ca.crt", in: folder)
            let token = try writeFile("header.payload.signature\n", named: "token", in: folder)
            let run = await runWarrant(
                [
                    "credentials", "kubeconfig", "--server", "https://k8s.example.com:6443", "--certificate-authority", ca, "--token-file", token,
                    "-n", "shop", "-o", folder.appendingPathComponent("ci.kubeconfig").path, "--ci", ci,
                ] + flags)
            #expect(run.status == 0, "\(run.standardError)")
            let parsed = try job(in: run.standardOutput)
            let inImage = !flags.contains("--for")
            let commands: [String]
            if ci == "gitlab" {
                commands = try #require(parsed[path: ["deploy", "script"]]?.arrayValue).compactMap(\.stringValue).filter {
                    !$0.hasPrefix("umask") && !$0.hasPrefix("printf") && !$0.hasPrefix("export")
                }
                // A warrant job runs in Warrant's image (its entrypoint cleared so that the runner's shell runs the script).
                #expect(parsed[path: ["deploy", "image", "name"]]?.stringValue == (inImage ? Self.image : nil))
                #expect(parsed[path: ["deploy", "image", "entrypoint"]] == (inImage ? [""] : nil))
            } else {
                let steps = try #require(parsed[path: ["jobs", "deploy", "steps"]]?.arrayValue)
                let run = try #require(steps.last?["run"]?.stringValue)
                if inImage {
                    // docker run IMAGE deploy …: the runner's user, the workspace and the kubeconfig mounted.
                    let parts = run.components(separatedBy: " \(Self.image) ")
                    try #require(parts.count == 2, "the step runs the image: \(run)")
                    #expect(parts[0].hasPrefix("docker run --rm --user \"$(id -u):$(id -g)\" -v \"$PWD:/work\" -w /work"), "\(run)")
                    #expect(parts[0].contains("-v \"$RUNNER_TEMP/warrant.kubeconfig:/kubeconfig:ro\" -e KUBECONFIG=/kubeconfig"), "\(run)")
                    #expect(steps.last?["env"] == nil, "the kubeconfig is passed to the container, not the step")
                    commands = ["warrant " + parts[1]]
                } else {
                    #expect(steps.last?[path: ["env", "KUBECONFIG"]] == "${{ runner.temp }}/warrant.kubeconfig")
                    commands = run.split(separator: "\n").map(String.init)
                }
            }
            switch flags {
            case []:
                #expect(commands == ["warrant deploy -f deploy/ -n shop --prune --wait --record-file deploy-record.jsonl"])
            case ["--no-prune"]:
                #expect(commands == ["warrant deploy -f deploy/ -n shop --wait --record-file deploy-record.jsonl"])
            case ["--no-prune", "--no-wait"]:
                #expect(commands == ["warrant deploy -f deploy/ -n shop --record-file deploy-record.jsonl"])
            default:
                #expect(
                    commands == [
                        "KUBECTL_APPLYSET=true kubectl apply --server-side -f deploy/ -n shop --prune --applyset=configmaps/warrant-applyset",
                        "kubectl rollout status deployment/NAME -n shop --timeout=5m",
                    ])
            }
        }
    }

    /// The job `create --apply` prints, run as printed, passes the pre-flight: the credential holds
    /// what it needs and nothing more.
    @Test(arguments: [[String](), ["--no-prune", "--no-wait"], ["--no-wait"]])
    func theJobCreateApplyPrintsPassesItsPreflight(flags: [String]) async throws {
        try await withKubeTestServer { server in
            server.onChange(makeDeploymentsAvailable)
            try server.seed(try objects(namespaceAdmin("alice", in: "guestbook")))
            server.addUser(token: "alice-token-123", name: "alice")
            try await withTemporaryDirectory { folder in
                let admin = try writeKubeconfig(server: server, token: "alice-token-123", namespace: "guestbook", in: folder, named: "alice")
                let out = folder.appendingPathComponent("ci").path
                let created = await runWarrant(
                    ["credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--apply", "--kubeconfig", admin, "-o", out] + flags)
                #expect(created.status == 0, "\(created.standardError)")
                let parsed = try job(in: created.standardOutput)
                let line = try #require(parsed[path: ["deploy", "script"]]?.arrayValue?.compactMap(\.stringValue).first { $0.hasPrefix("warrant deploy") })
                #expect(line.contains("--prune") == !flags.contains("--no-prune"))
                #expect(line.contains("--wait") == !flags.contains("--no-wait"))
                var arguments = line.split(separator: " ").dropFirst().map(String.init)
                arguments = arguments.map {
                    $0 == "deploy/" ? guestbook : $0 == "deploy-record.jsonl" ? folder.appendingPathComponent("records.jsonl").path : $0
                }
                let deploy = await runWarrant(arguments + ["--kubeconfig", "\(out)/ci.kubeconfig"])
                #expect(deploy.status == 0, "the printed job fails: \(line)\n\(deploy.standardError)")
            }
        }
    }

    @Test func outputPathsAreCheckedBeforeTheFirstChange() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(namespaceAdmin("alice", in: "guestbook")))
            server.addUser(token: "alice-token-123", name: "alice")
            try await withTemporaryDirectory { folder in
                let admin = try writeKubeconfig(server: server, token: "alice-token-123", namespace: "guestbook", in: folder, named: "alice")
                // A file where the folder should be: nothing can be written there.
                let blocker = try writeFile("", named: "blocker", in: folder)
                let refused = await runWarrant([
                    "credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--apply", "--kubeconfig", admin, "-o", "\(blocker)/ci",
                ])
                #expect(refused.status == 2)
                #expect(refused.standardError.contains("nothing was changed in the cluster"), "\(refused.standardError)")
                #expect(server.object(group: "", kind: "ServiceAccount", namespace: "guestbook", name: "ci") == nil)
                let directory = await runWarrant([
                    "credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--apply", "--kubeconfig", admin, "--kubeconfig-out",
                    folder.path,
                ])
                #expect(directory.status == 2)
                #expect(directory.standardError.contains("it is a folder"))
                #expect(server.object(group: "", kind: "ServiceAccount", namespace: "guestbook", name: "ci") == nil)

                // A folder that does not exist yet is created (private), then everything is applied.
                let out = folder.appendingPathComponent("new/ci").path
                let created = await runWarrant([
                    "credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--apply", "--kubeconfig", admin, "-o", out,
                ])
                #expect(created.status == 0, "\(created.standardError)")
                #expect(FileManager.default.fileExists(atPath: "\(out)/ci.kubeconfig"))
                let attributes = try FileManager.default.attributesOfItem(atPath: out)
                #expect((attributes[.posixPermissions] as? Int) == 0o700)
            }
        }
    }
}
