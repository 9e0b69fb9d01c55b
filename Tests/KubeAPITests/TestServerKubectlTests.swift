import Foundation
import KubeModel
import KubeTestServer
import NIOHTTP1
import Testing
import WarrantTestSupport

private let kubectlPath = "/usr/bin/kubectl"

/// kubectl against the test server: the server is only useful if the real client accepts it.
@Suite(
    "Test server: kubectl interoperability", .timeLimit(.minutes(3)),
    .enabled(if: FileManager.default.isExecutableFile(atPath: kubectlPath), "kubectl is not installed at /usr/bin/kubectl"))
struct TestServerKubectlTests {
    static let kubectl = kubectlPath

    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    static func kubectl(_ arguments: [String], kubeconfig: String) async throws -> Run {
        // Off the cooperative threads: the server under test serves on them (see runProcess).
        let result = try await runProcess(
            URL(fileURLWithPath: kubectl), ["--kubeconfig", kubeconfig] + arguments,
            environment: ["HOME": NSTemporaryDirectory(), "PATH": "/usr/bin:/bin"])
        return Run(status: result.status, output: result.output, error: result.error)
    }

    static func writeKubeconfig(_ server: KubeTestServer, in directory: URL) throws -> String {
        let config = server.kubeconfig(namespace: "shop")
        let path = directory.appendingPathComponent("kubeconfig").path
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    @Test func getApplyServerSideAndDelete() async throws {
        try await withTestServer { server, admin in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = try Self.writeKubeconfig(server, in: directory)
            try server.seed([try object("{apiVersion: v1, kind: Namespace, metadata: {name: shop}}")])

            let namespaces = try await Self.kubectl(["get", "namespaces"], kubeconfig: kubeconfig)
            #expect(namespaces.status == 0, "\(namespaces.error)")
            #expect(namespaces.output.contains("kube-system"))

            let manifest = directory.appendingPathComponent("deploy.yaml")
            try Data(deploymentYAML.utf8).write(to: manifest)
            let apply = try await Self.kubectl(["apply", "--server-side", "-f", manifest.path], kubeconfig: kubeconfig)
            #expect(apply.status == 0, "\(apply.error)")
            #expect(apply.output.contains("deployment.apps/web serverside-applied"))
            let stored = try #require(server.object(group: "apps", kind: "Deployment", namespace: "shop", name: "web"))
            #expect(stored.content[path: ["metadata", "managedFields"]]?.arrayValue?.first?["manager"] == "kubectl")

            let get = try await Self.kubectl(["get", "deployments", "-o", "json"], kubeconfig: kubeconfig)
            #expect(get.status == 0, "\(get.error)")
            #expect(get.output.contains("\"name\": \"web\""))
            let getOne = try await Self.kubectl(["get", "deploy", "web"], kubeconfig: kubeconfig)
            #expect(getOne.status == 0, "\(getOne.error)")
            #expect(getOne.output.contains("web"))

            let delete = try await Self.kubectl(["delete", "-f", manifest.path], kubeconfig: kubeconfig)
            #expect(delete.status == 0, "\(delete.error)")
            #expect(delete.output.contains("deleted"))
            #expect(server.object(group: "apps", kind: "Deployment", namespace: "shop", name: "web") == nil)
            _ = admin
        }
    }
}
