import Agent
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import RBAC
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// `warrant agent install`: what a namespace administrator applies, nothing cluster-scoped.
@Suite(.timeLimit(.minutes(3)))
struct AgentInstallTests {
    static let image = "registry.example.com/warrant@sha256:" + String(repeating: "ab", count: 32)

    /// A repository whose tip holds `manifests`, an allowed-signers file, and the install arguments.
    static func prepare(_ folder: URL, manifests: String, namespace: String = "shop") async throws -> (GitFixture, [String]) {
        let fixture = try await GitFixture.make(in: folder)
        let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
        let signers = try fixture.allowedSigners([alice.allowedSignersLine()])
        try await fixture.commit("app", files: ["deploy/app.yaml": manifests], signer: .ssh(alice))
        try await fixture.push()
        return (fixture, ["agent", "install", "-n", namespace, "--repo", fixture.url, "--branch", "main", "--path", "deploy", "--allowed-signers", signers])
    }

    @Test func theOutputIsNamespacedHardenedAndAuditFindsNothingAboveLow() async throws {
        try await withTemporaryDirectory { folder in
            let (_, arguments) = try await Self.prepare(folder, manifests: appManifests("v1"))
            let run = await runWarrant(arguments + ["--image", Self.image])
            #expect(run.status == 0, "\(run.standardError)")
            let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "install.yaml")
            #expect(objects.map(\.kind) == ["ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Deployment", "NetworkPolicy"])
            #expect(objects.allSatisfy { $0.namespace == "shop" }, "nothing cluster-scoped")

            let role = try RBACRole(try #require(objects.first { $0.kind == "Role" }))
            #expect(!role.rules.contains { $0.hasWildcard })
            let status = PolicyRule(verbs: ["create", "get", "patch"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["warrant-agent-status"])
            #expect(PolicyComparator.covers(role.rules, [status]).covered, "the agent may keep its status")
            let lease = [
                PolicyRule(
                    verbs: ["create", "get", "patch", "update"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["warrant-agent"])
            ]
            #expect(PolicyComparator.covers(role.rules, lease).covered, "the agent may hold its leader-election Lease")
            for verb in ["create", "update"] {
                let other = PolicyRule(verbs: [verb], apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["someone-else"])
                #expect(!PolicyComparator.covers(role.rules, [other]).covered, "no \(verb) on another Lease")
            }

            let deployment = try #require(objects.first { $0.kind == "Deployment" }).content
            let pod = try #require(deployment[path: ["spec", "template", "spec"]])
            let container = try #require(pod[path: ["containers"]]?.arrayValue?.first)
            #expect(container["image"]?.stringValue == Self.image)
            #expect(pod[path: ["securityContext", "runAsNonRoot"]] == true)
            #expect(pod[path: ["securityContext", "seccompProfile", "type"]] == "RuntimeDefault")
            #expect(container[path: ["securityContext", "readOnlyRootFilesystem"]] == true)
            #expect(container[path: ["securityContext", "allowPrivilegeEscalation"]] == false)
            #expect(container[path: ["securityContext", "capabilities", "drop"]] == ["ALL"])
            #expect(container[path: ["resources", "limits", "memory"]] != nil && container[path: ["resources", "requests", "cpu"]] != nil)
            #expect(container[path: ["livenessProbe", "httpGet", "path"]] == "/healthz")
            #expect(container[path: ["readinessProbe", "httpGet", "path"]] == "/readyz")
            #expect(container[path: ["livenessProbe", "httpGet", "port"]] == "http")
            #expect(container["ports"]?.arrayValue?.first?["containerPort"] == 8080 && container["ports"]?.arrayValue?.first?["name"] == "http")
            #expect(deployment[path: ["spec", "replicas"]] == 2, "two replicas; the Lease elects the one that applies")
            #expect(deployment[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]] == 0)
            #expect(pod[path: ["volumes"]]?.arrayValue?.contains { $0["emptyDir"] != nil } == true, "an emptyDir for the checkout")

            let config = try #require(objects.first { $0.kind == "ConfigMap" }).content
            #expect(config[path: ["data", "allowed_signers"]]?.stringValue?.hasPrefix("alice@example.com") == true)
            let policy = try #require(objects.first { $0.kind == "NetworkPolicy" }).content
            #expect(policy[path: ["spec", "policyTypes"]] == ["Ingress", "Egress"])
            #expect(policy[path: ["spec", "ingress"]] == nil, "no ingress at all")

            let file = folder.appendingPathComponent("install.yaml")
            try Data(run.standardOutput.utf8).write(to: file)
            let audit = await runWarrant(["audit", "-f", file.path, "--fail-on", "medium"])
            #expect(audit.status == 0, "\(audit.standardOutput)")
            #expect(audit.standardOutput.contains("0 critical, 0 high, 0 medium"))
        }
    }

    /// The config file in the ConfigMap is one `warrant agent run --config` accepts.
    @Test func theConfigFileInTheConfigMapIsAValidAgentConfiguration() async throws {
        try await withTemporaryDirectory { folder in
            let (_, arguments) = try await Self.prepare(folder, manifests: appManifests("v1"))
            let run = await runWarrant(arguments + ["--image", Self.image, "--prune", "--interval", "45s"])
            let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "install.yaml")
            let data = try #require(objects.first { $0.kind == "ConfigMap" }?.content["data"])
            let directory = folder.appendingPathComponent("etc")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var text = try #require(data["agent.yaml"]?.stringValue)
            text = text.replacingOccurrences(of: AgentInstallation.configDirectory, with: directory.path)
            try Data(try #require(data["allowed_signers"]?.stringValue).utf8).write(to: directory.appendingPathComponent("allowed_signers"))
            let file = directory.appendingPathComponent("agent.yaml")
            try Data(text.utf8).write(to: file)
            let configuration = try AgentConfiguration(settings: try AgentSettings.load(file: file.path))
            #expect(configuration.prune && configuration.interval == .seconds(45))
            #expect(configuration.workingDirectory == AgentInstallation.workDirectory)
            #expect(configuration.allowedSigners.entries.count == 1)
        }
    }

    @Test(arguments: ["registry.example.com/warrant:1.0", "registry.example.com/warrant@sha256:abc", "registry.example.com/warrant"])
    func anImageNotPinnedByDigestIsRefused(image: String) async throws {
        try await withTemporaryDirectory { folder in
            let (_, arguments) = try await Self.prepare(folder, manifests: appManifests("v1"))
            let run = await runWarrant(arguments + ["--image", image])
            #expect(run.status == 2)
            #expect(run.standardError.contains("--image"))
            #expect(run.standardError.contains("sha256"))
            #expect(run.standardOutput.isEmpty)
        }
    }

    /// Without --image the Deployment runs this version's image (Scripts/build-image.sh) by tag,
    /// and the output says, in a comment kubectl ignores and on standard error, that it is not
    /// pinned and how to pin it; with the same image given by digest there is no such notice.
    @Test func withoutImageTheVersionsImageIsUsedByTagAndTheOutputSaysItIsNotPinned() async throws {
        try await withTemporaryDirectory { folder in
            let (_, arguments) = try await Self.prepare(folder, manifests: appManifests("v1"))
            let version = await runWarrant(["--version"]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            let expected = "ghcr.io/warrant-dev/warrant:\(version)"
            let run = await runWarrant(arguments)
            #expect(run.status == 0, "\(run.standardError)")
            let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "install.yaml")
            let deployment = try #require(objects.first { $0.kind == "Deployment" }).content
            #expect(deployment[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"]?.stringValue == expected)
            let comment = run.standardOutput.split(separator: "\n").prefix { $0.hasPrefix("#") }.joined(separator: "\n")
            #expect(comment.contains("\(expected) by tag, not pinned by digest"), "\(run.standardOutput.prefix(400))")
            #expect(comment.contains("--image \(expected)@sha256:<digest>"))
            #expect(run.standardError.contains("warning: the Deployment runs \(expected) by tag"))

            let pinned = await runWarrant(arguments + ["--image", expected + "@sha256:" + String(repeating: "cd", count: 32)])
            #expect(pinned.status == 0, "\(pinned.standardError)")
            #expect(!pinned.standardOutput.hasPrefix("#") && !pinned.standardError.contains("warning"))
        }
    }

    /// On the real kube-apiserver a namespace administrator (the built-in `admin` ClusterRole)
    /// applies the output as it is; the agent then runs as that ServiceAccount and deploys.
    @Test(.realCluster) func aNamespaceAdministratorAppliesTheOutputAndTheAgentDeploysWithIt() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("agent-install", administrator: "alice")
        try await withTemporaryDirectory { folder in
            let (fixture, arguments) = try await Self.prepare(folder, manifests: appManifests("v1"), namespace: namespace)
            let run = await runWarrant(arguments + ["--image", Self.image])
            #expect(run.status == 0, "\(run.standardError)")
            let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "install.yaml")
            try await cluster.client(token: RealCluster.Token.alice) { client in
                for object in objects { _ = try await client.apply(object, fieldManager: "alice") }
            }
            // The leader-election Lease by name (get, create by server-side apply, patch, update), no other Lease.
            let agentUser = "system:serviceaccount:\(namespace):warrant-agent"
            for (verb, name, allowed) in [
                ("get", "warrant-agent", true), ("update", "warrant-agent", true), ("patch", "warrant-agent", true), ("create", "warrant-agent", true),
                ("create", "other", false), ("update", "kube-controller-manager", false), ("delete", "warrant-agent", false),
            ] {
                let attributes = AccessAttributes(verb: verb, group: "coordination.k8s.io", resource: "leases", name: name, namespace: namespace)
                #expect(try await cluster.allows(user: agentUser, groups: ["system:serviceaccounts"], attributes) == allowed, "\(verb) lease \(name)")
            }
            let token = try await cluster.serviceAccountToken(namespace: namespace, name: "warrant-agent")
            let signers = try #require(objects.first { $0.kind == "ConfigMap" }?.content[path: ["data", "allowed_signers"]]?.stringValue)
            let signersFile = folder.appendingPathComponent("signers-from-configmap")
            try Data(signers.utf8).write(to: signersFile)
            let configuration = try agentConfiguration(fixture, namespace: namespace, allowedSigners: signersFile.path)
            try await cluster.client(token: token) { client in
                let reconciler = try makeReconciler(configuration, client: client)
                var state = try await reconciler.resume()
                let step = await reconciler.step(&state)
                guard case .deployed(_, let outcome) = step else {
                    Issue.record("not deployed: \(step)")
                    return
                }
                #expect(outcome.isSuccess, "\(String(describing: outcome.failure))")
            }
        }
    }

    /// With --webhook-secret the Secret is a read-only volume with only its key `secret`, the
    /// config file points --webhook-secret-file at it, a Service offers the http port, and the
    /// NetworkPolicy admits traffic to that port and no other.
    @Test func withWebhooksTheSecretIsMountedAsAFileAndAServiceOffersTheHTTPPort() async throws {
        try await withTemporaryDirectory { folder in
            let (_, arguments) = try await Self.prepare(folder, manifests: appManifests("v1"))
            let run = await runWarrant(arguments + ["--image", Self.image, "--webhook-secret", "hooks"])
            #expect(run.status == 0, "\(run.standardError)")
            let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "install.yaml")
            #expect(objects.map(\.kind) == ["ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Deployment", "Service", "NetworkPolicy"])

            let pod = try #require(objects.first { $0.kind == "Deployment" }?.content[path: ["spec", "template", "spec"]])
            let volume = try #require(pod["volumes"]?.arrayValue?.first { $0["name"] == "webhook" })
            #expect(volume[path: ["secret", "secretName"]] == "hooks")
            #expect(volume[path: ["secret", "items"]] == [["key": "secret", "path": "secret"]])
            #expect(volume[path: ["secret", "defaultMode"]] == 0o440)
            let container = try #require(pod["containers"]?.arrayValue?.first)
            let mount = try #require(container["volumeMounts"]?.arrayValue?.first { $0["name"] == "webhook" })
            #expect(mount["readOnly"] == true)
            #expect(mount["mountPath"]?.stringValue == AgentInstallation.webhookSecretDirectory)

            let service = try #require(objects.first { $0.kind == "Service" }).content
            #expect(service[path: ["spec", "type"]] == "ClusterIP")
            #expect(service[path: ["spec", "selector"]] == ["app.kubernetes.io/name": "warrant-agent"])
            #expect(service[path: ["spec", "ports"]] == [["name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"]])
            #expect(
                pod[path: ["containers"]]?.arrayValue?.first?["ports"]?.arrayValue?.first?["name"] == "http",
                "the Service's targetPort names the container's port")

            let policy = try #require(objects.first { $0.kind == "NetworkPolicy" }).content
            #expect(policy[path: ["spec", "ingress"]] == [["ports": [["protocol": "TCP", "port": 8080]]]])

            // The config file names the mounted key; the agent accepts it once the file exists.
            let data = try #require(objects.first { $0.kind == "ConfigMap" }?.content["data"])
            var text = try #require(data["agent.yaml"]?.stringValue)
            #expect(text.contains("webhook-secret-file: \(AgentInstallation.webhookSecretDirectory)/secret"))
            let directory = folder.appendingPathComponent("etc")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("webhook"), withIntermediateDirectories: true)
            text = text.replacingOccurrences(of: AgentInstallation.configDirectory, with: directory.path)
            try Data(try #require(data["allowed_signers"]?.stringValue).utf8).write(to: directory.appendingPathComponent("allowed_signers"))
            try Data("s3cret\n".utf8).write(to: directory.appendingPathComponent("webhook/secret"))
            let file = directory.appendingPathComponent("agent.yaml")
            try Data(text.utf8).write(to: file)
            let configuration = try AgentConfiguration(settings: try AgentSettings.load(file: file.path))
            #expect(configuration.webhookSecretFile == directory.path + "/webhook/secret")

            // Audit still finds nothing above low in it.
            let output = folder.appendingPathComponent("install.yaml")
            try Data(run.standardOutput.utf8).write(to: output)
            let audit = await runWarrant(["audit", "-f", output.path, "--fail-on", "medium"])
            #expect(audit.status == 0, "\(audit.standardOutput)")
        }
    }

    /// The real kube-apiserver accepts the webhook variant as a namespace administrator applies
    /// it (server-side apply, dry run: validation, defaulting and authorization; only the Role is
    /// stored).
    @Test(.realCluster) func theWebhookOutputPassesAServerSideDryRunAsANamespaceAdministrator() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("agent-hooks", administrator: "alice")
        try await withTemporaryDirectory { folder in
            let (_, arguments) = try await Self.prepare(folder, manifests: appManifests("v1"), namespace: namespace)
            let run = await runWarrant(arguments + ["--image", Self.image, "--webhook-secret", "hooks"])
            #expect(run.status == 0, "\(run.standardError)")
            let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "install.yaml")
            #expect(objects.contains { $0.kind == "Service" })
            try await cluster.client(token: RealCluster.Token.alice) { client in
                for object in objects {
                    // The Role is stored: binding it is checked against the stored Role (RBAC's
                    // escalation check), which a dry run of the Role would not leave behind.
                    let answer = try await client.apply(object, fieldManager: "alice", dryRun: object.kind != "Role")
                    #expect(answer.kind == object.kind && answer.name == object.name)
                    if object.kind == "Service" {
                        // The server resolved nothing away: the target is still the container's named port.
                        #expect(answer.content[path: ["spec", "ports"]]?.arrayValue?.first?["targetPort"] == "http")
                    }
                }
            }
        }
    }

    /// The pod's probe: the heartbeat the loop writes after every pass, younger than --max-age.
    @Test func theProbeChecksTheAgeOfTheLoopsHeartbeat() async throws {
        try await withTemporaryDirectory { folder in
            let work = folder.path
            #expect(await runWarrant(["agent", "probe", "--work-dir", work]).status == 1, "no pass yet")
            let file = Reconciler.heartbeatFile(workingDirectory: work)
            try Data("now\n".utf8).write(to: URL(fileURLWithPath: file))
            let fresh = await runWarrant(["agent", "probe", "--work-dir", work, "--max-age", "1m"])
            #expect(fresh.status == 0, "\(fresh.standardError)")
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-120)], ofItemAtPath: file)
            let stale = await runWarrant(["agent", "probe", "--work-dir", work, "--max-age", "1m"])
            #expect(stale.status == 1)
            #expect(stale.standardError.contains("more than 1m"))
        }
    }
}
