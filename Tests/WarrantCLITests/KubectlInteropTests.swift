import Delivery
import Foundation
import KubeModel
import KubeTestServer
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// kubectl, where installed, as the peer: the same ApplySet ids, labels and annotations, and each
/// tool refusing to prune the other's set (KEP-3659).
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl"), "kubectl is not installed"))
struct KubectlInteropTests {
    static func kubectl(_ arguments: [String], kubeconfig: String, home: URL) async throws -> (status: Int32, output: String) {
        // A HOME of its own: kubectl's discovery cache stays out of the user's and other tests' way.
        let result = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/kubectl"), ["--kubeconfig", kubeconfig] + arguments,
            environment: ["HOME": home.path, "PATH": "/usr/bin:/bin", "KUBECTL_APPLYSET": "true"])
        return (result.status, result.output + result.error)
    }

    @Test func applySetsAreUnderstoodBothWays() async throws {
        try await withKubeTestServer { server in
            try server.seed(
                try objects("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: blog}\n"))
            try await withTemporaryDirectory { folder in
                let kubeconfig = try writeKubeconfig(server: server, token: KubeTestServer.adminToken, in: folder)
                let manifests = folder.appendingPathComponent("m")
                try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
                _ = try writeFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n", named: "a.yaml", in: manifests)

                // kubectl's set: Warrant computes the same id, and leaves the set alone.
                let made = try await Self.kubectl(
                    ["apply", "--server-side", "--prune", "--applyset=configmaps/kset", "-n", "shop", "-f", manifests.path], kubeconfig: kubeconfig,
                    home: folder)
                #expect(made.status == 0, "\(made.output)")
                let parent = try #require(server.object(group: "", kind: "ConfigMap", namespace: "shop", name: "kset"))
                #expect(parent.labels[ApplySet.idLabel] == ApplySet.id(name: "kset", namespace: "shop", kind: "ConfigMap", group: ""))
                let member = try #require(server.object(group: "", kind: "ConfigMap", namespace: "shop", name: "a"))
                #expect(member.labels[ApplySet.partOfLabel] == parent.labels[ApplySet.idLabel])
                let refused = await runWarrant([
                    "deploy", "-f", manifests.path, "-n", "shop", "--kubeconfig", kubeconfig, "--prune", "--applyset", "kset", "--allow-broad-credential",
                ])
                #expect(refused.status == 1)
                #expect(refused.standardError.contains("is managed by kubectl/"))

                // Warrant's set: kubectl reads its annotations and refuses to take it over.
                let deployed = await runWarrant([
                    "deploy", "-f", manifests.path, "-n", "blog", "--kubeconfig", kubeconfig, "--prune", "--allow-broad-credential",
                ])
                #expect(deployed.status == 0, "\(deployed.standardError)")
                let taken = try await Self.kubectl(
                    ["apply", "--server-side", "--prune", "--applyset=configmaps/warrant-applyset", "-n", "blog", "-f", manifests.path], kubeconfig: kubeconfig,
                    home: folder)
                #expect(taken.status != 0)
                #expect(taken.output.contains("managed by tooling \"warrant\""))
            }
        }
    }
}
