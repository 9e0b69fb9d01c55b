import Foundation
import KubeModel
import RBAC
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

@Suite struct RestrictCommandTests {
    static let install = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: vendor}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: controller, namespace: vendor}
        spec:
          template:
            spec:
              serviceAccountName: controller
              containers: [{name: manager, image: example.com/controller}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: controller}
        rules:
        - {apiGroups: ["*"], resources: ["*"], verbs: [get, list, watch]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: controller}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: controller}
        subjects: [{kind: ServiceAccount, name: controller, namespace: vendor}]
        """

    @Test func writesTheInstallTheAdministratorsObjectsAndTheReport() async throws {
        try await withTemporaryDirectory { folder in
            let admin = folder.appendingPathComponent("admin.yaml").path
            let report = folder.appendingPathComponent("report.md").path
            let run = await runWarrant(
                [
                    "restrict", "-f", "-", "-n", "tools", "--target-namespaces", "shop,blog", "--admin-out", admin, "--report", report,
                    "--report-format", "markdown",
                ], standardInput: Self.install)
            #expect(run.status == 0, "\(run.standardError)")
            let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "out.yaml")
            #expect(Set(objects.compactMap(\.namespace)) == ["tools", "shop", "blog"])
            #expect(!objects.contains { $0.kind == "ClusterRole" || $0.kind == "ClusterRoleBinding" || $0.kind == "Namespace" })
            let shop = try RBACRole(try #require(objects.first { $0.kind == "Role" && $0.namespace == "shop" }))
            #expect(shop.rules.allSatisfy { Set($0.verbs).isSubset(of: ["get", "list", "watch"]) })
            let adminObjects = try ManifestLoader().load([.path(admin)])
            #expect(adminObjects.map(\.displayName) == ["Namespace tools"])
            let markdown = try String(contentsOfFile: report, encoding: .utf8)
            #expect(markdown.hasPrefix("# Namespace-confined install"))
            #expect(markdown.contains("## Needs a cluster administrator"))
            #expect(markdown.contains("has no tag"))
            #expect(run.standardError.contains("written to \(admin)"))
        }
    }

    @Test func withoutAdminOutTheMovedObjectsAreNamedOnStandardError() async {
        let run = await runWarrant(
            ["restrict", "-f", "-", "-n", "tools", "--target-namespaces", "shop", "--report", "-", "--report-format", "json"],
            standardInput: Self.install)
        #expect(run.status == 0)
        #expect(run.standardError.contains("1 object(s) need a cluster administrator and are not in the output (Namespace tools)"))
        #expect(run.standardError.contains("\"profile\": \"generic\""))
        #expect(run.standardOutput.contains("kind: Role"))
    }

    @Test func allowFromLimitsTheTargetKindsToTheApplications() async throws {
        try await withTemporaryDirectory { folder in
            let app = try writeFile(
                "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: []\n",
                named: "app.yaml", in: folder)
            let run = await runWarrant(
                ["restrict", "-f", "-", "-n", "tools", "--target-namespaces", "shop", "--allow-from", app], standardInput: Self.install)
            #expect(run.status == 0)
            let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "out.yaml")
            let shop = try RBACRole(try #require(objects.first { $0.kind == "Role" && $0.namespace == "shop" }))
            let resources = Set(shop.rules.flatMap(\.resources))
            #expect(resources.contains("services"))
            #expect(!resources.contains("deployments"))
            #expect(run.standardError.contains("Role r from --allow-from is not granted"))
        }
    }

    @Test func crdsFromAndSourceNamespaceReachTheAdministratorsFileAndTheReport() async throws {
        try await withTemporaryDirectory { folder in
            let crds = try writeFile(
                """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: pipelines.ci.example.com}
                spec:
                  group: ci.example.com
                  scope: Namespaced
                  names: {kind: Pipeline, plural: pipelines}
                  versions: [{name: v1, served: true, storage: true}]
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: ignored, namespace: elsewhere}
                """, named: "crds.yaml", in: folder)
            let install =
                Self.install + """

                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: settings, namespace: other}
                    """
            let admin = folder.appendingPathComponent("admin.yaml").path
            let run = await runWarrant(
                [
                    "restrict", "-f", "-", "-n", "tools", "--target-namespaces", "shop", "--crds-from", crds, "--source-namespace", "vendor",
                    "--admin-out", admin, "--report", "-", "--report-format", "json",
                ], standardInput: install)
            #expect(run.status == 0, "\(run.standardError)")
            let adminObjects = try ManifestLoader().load([.path(admin)])
            #expect(
                adminObjects.map(\.displayName) == [
                    "Namespace tools", "CustomResourceDefinition pipelines.ci.example.com",
                    // The controller reads every kind, the pipelines of --crds-from among them.
                    "ClusterRole warrant-controller-tools-aggregate-to-admin", "ConfigMap other/settings",
                ])
            #expect(run.standardError.contains("\"installNamespaceReason\": \"given with --source-namespace\""))
            let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "out.yaml")
            #expect(objects.contains { $0.kind == "Deployment" && $0.namespace == "tools" })
        }
    }

    @Test(arguments: [
        (["--target-namespaces", "Shop"], "'Shop' is not a valid namespace name"),
        (["--target-namespaces", "shop", "--default-requests", "cpu"], "--default-requests 'cpu': expected NAME=QUANTITY"),
        (["--target-namespaces", "shop", "--source-namespace", "Vendor"], "--source-namespace 'Vendor' is not a valid namespace name"),
        (["--target-namespaces", "shop", "--crds-from", "-"], "holds no CustomResourceDefinition"),
    ])
    func badOptionsExitTwoAndWriteNothing(extra: [String], message: String) async {
        await withTemporaryDirectory { folder in
            let admin = folder.appendingPathComponent("admin.yaml").path
            let run = await runWarrant(["restrict", "-f", "-", "-n", "tools", "--admin-out", admin] + extra, standardInput: Self.install)
            #expect(run.status == 2)
            #expect(run.standardOutput.isEmpty)
            #expect(run.standardError.contains(message))
            #expect(!FileManager.default.fileExists(atPath: admin))
        }
    }
}
