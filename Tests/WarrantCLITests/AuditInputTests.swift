import Foundation
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// What `warrant audit` meets in real repositories: YAML that is no Kubernetes object, RBAC the
/// API server refuses, objects written twice.
@Suite struct AuditInputTests {
    static let rbac = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: deployer, namespace: shop}
        rules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: ci, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
        subjects: [{kind: ServiceAccount, name: ci}]
        """

    /// A repository: manifests beside a CI file, a chart, a kustomization and a test's expected results.
    static func repository(in folder: URL) throws -> URL {
        let root = folder.appendingPathComponent("repo")
        for sub in ["ci", "k8s", "tests"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try writeFile("stages: [deploy]\ndeploy:\n  script: [warrant deploy -f k8s/]\n", named: "ci/gitlab-ci.yml", in: root)
        try writeFile("apiVersion: v2\nname: shop\nversion: 1.0.0\n", named: "ci/Chart.yaml", in: root)
        try writeFile(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [rbac.yaml]\n", named: "k8s/kustomization.yaml", in: root)
        try writeFile("{\"findings\": 3, \"verdict\": \"ok\"}\n", named: "tests/expected.json", in: root)
        try writeFile("# expected\n---\n- one\n- two\n", named: "tests/expected.yaml", in: root)
        try writeFile(rbac, named: "k8s/rbac.yaml", in: root)
        return root
    }

    @Test func auditSkipsWhatIsNoKubernetesObjectWithAWarningEach() async throws {
        try await withTemporaryDirectory { folder in
            let repo = try Self.repository(in: folder).path
            let run = await runWarrant(["audit", "-f", repo, "--fail-on", "none"])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardOutput.contains("W106 workload-create"))
            for (file, line, reason) in [
                ("ci/gitlab-ci.yml", 1, "no apiVersion and kind"), ("ci/Chart.yaml", 1, "no kind"),
                ("k8s/kustomization.yaml", 1, "a kustomize.config.k8s.io Kustomization"), ("tests/expected.json", 1, "no apiVersion and kind"),
                ("tests/expected.yaml", 3, "a list of no Kubernetes objects"),
            ] {
                #expect(
                    run.standardError.contains("warning: \(repo)/\(file):\(line): not a Kubernetes object (\(reason)); skipped"),
                    "\(file): \(run.standardError)")
            }
        }
    }

    @Test func scopeAndDeployStillRefuseIt() async throws {
        try await withTemporaryDirectory { folder in
            let repo = try Self.repository(in: folder).path
            let scope = await runWarrant(["scope", "-f", repo, "-n", "shop"])
            #expect(scope.status == 2)
            #expect(scope.standardError.contains("ci/gitlab-ci.yml:1"))
            let deploy = await runWarrant(["deploy", "-f", repo, "-n", "shop"])
            #expect(deploy.status == 2)
            #expect(deploy.standardError.contains("ci/Chart.yaml:1"))
        }
    }

    @Test func aBrokenObjectIsStillAnError() async {
        // A mapping with a kind and metadata is meant to be an object: its errors are errors.
        let run = await runWarrant(["audit", "-f", "-"], standardInput: "kind: Role\nmetadata: {name: x}\n")
        #expect(run.status == 2)
        #expect(run.standardError.contains("<stdin>:1: apiVersion is missing"))
    }

    @Test func rbacTheAPIServerRefusesIsAnErrorFindingWithItsPlace() async {
        let input = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: no-namespace}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects: [{kind: ServiceAccount, name: ci}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: empty-ref, namespace: shop}
            roleRef: {}
            subjects: [{kind: User, name: alice}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: urls, namespace: shop}
            rules: [{nonResourceURLs: [/healthz], verbs: [get]}]
            ---
            """ + "\n" + Self.rbac
        let run = await runWarrant(["audit", "-f", "-", "-o", "json"], standardInput: input)
        #expect(run.status == 1)
        #expect(run.standardError.contains("at or above high"))
        #expect(run.standardOutput.contains("\"id\": \"W207\""))
        #expect(run.standardOutput.contains("ClusterRoleBinding \\\"no-namespace\\\" is refused by the API server: subjects[0].namespace: Required value"))
        #expect(run.standardOutput.contains("\"<stdin>:1\""))
        #expect(run.standardOutput.contains("RoleBinding \\\"shop/empty-ref\\\" is refused by the API server"))
        #expect(run.standardOutput.contains("\"<stdin>:7\""))
        #expect(run.standardOutput.contains("namespaced rules cannot apply to non-resource URLs"))
        // The rest is audited as usual, and the refused binding grants nothing.
        #expect(run.standardOutput.contains("\"id\": \"W106\""))
        #expect(!run.standardOutput.contains("\"W206\""))
    }

    @Test func anObjectWrittenTwiceIsAWarningAndTheLaterOneWins() async throws {
        try await withTemporaryDirectory { folder in
            let first = try writeFile(Self.rbac, named: "a.yaml", in: folder)
            let second = try writeFile(
                """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: deployer, namespace: shop}
                rules: [{apiGroups: [''], resources: [secrets], verbs: [list]}]
                """, named: "b.yaml", in: folder)
            let run = await runWarrant(["audit", "-f", first, "-f", second, "--fail-on", "none"])
            #expect(run.status == 0)
            #expect(
                run.standardError.contains(
                    "warning: Role \"shop/deployer\" is written twice, at \(first):1 and at \(second):1: the later one is used"))
            #expect(run.standardOutput.contains("W104 secrets-read"))
            #expect(!run.standardOutput.contains("W106"))
        }
    }
}
