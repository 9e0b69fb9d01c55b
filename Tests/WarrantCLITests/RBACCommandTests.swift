import Foundation
import KubeModel
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

private let rbac = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {name: deployer, namespace: shop}
    rules:
    - {apiGroups: [apps], resources: [deployments], verbs: [get, list, create, patch]}
    - {apiGroups: [''], resources: [pods/log], verbs: [get]}
    - {apiGroups: [''], resources: [configmaps], resourceNames: [settings], verbs: [get]}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: ci, namespace: shop}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
    subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: health}
    rules: [{nonResourceURLs: ["/healthz", "/readyz/*"], verbs: [get]}]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: health}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: health}
    subjects: [{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}]
    """

private let ci = "system:serviceaccount:shop:ci"

@Suite struct RBACCommandTests {
    /// (arguments after `can`, expected answer).
    static let questions: [([String], Bool)] = [
        (["create", "deployments", "-n", "shop"], true),
        (["create", "deploy", "-n", "shop"], true),
        (["create", "Deployment", "-n", "shop"], true),
        (["create", "deployments.apps", "-n", "shop"], true),
        (["delete", "deployments", "-n", "shop"], false),
        (["create", "deployments", "-n", "other"], false),
        (["create", "deployments", "-A"], false),
        (["get", "pods/web", "--subresource", "log", "-n", "shop"], true),
        (["get", "pods/web", "-n", "shop"], false),
        (["get", "configmaps/settings", "-n", "shop"], true),
        (["get", "configmaps/other", "-n", "shop"], false),
        (["list", "configmaps", "-n", "shop"], false),
        (["get", "/healthz"], true),
        (["get", "/readyz/etcd"], true),
        (["get", "/readyz"], false),
    ]

    @Test(arguments: questions)
    func canAnswersLikeTheAPIServer(arguments: [String], allowed: Bool) async {
        let run = await runWarrant(["can"] + arguments + ["--as", ci, "-f", "-"], standardInput: rbac)
        #expect(run.standardOutput == (allowed ? "yes\n" : "no\n"), "\(arguments): \(run.standardError)")
        #expect(run.status == (allowed ? 0 : 1))
    }

    @Test func whyExplainsTheDecision() async {
        let yes = await runWarrant(["can", "create", "deployments", "-n", "shop", "--as", ci, "--why", "-f", "-"], standardInput: rbac)
        #expect(yes.standardError.contains("RoleBinding \"shop/ci\""))
        #expect(yes.standardError.contains("of Role \"deployer\""))
        let no = await runWarrant(["can", "delete", "deployments", "-n", "shop", "--as", ci, "--why", "-f", "-"], standardInput: rbac)
        #expect(no.standardError.contains("no rule allows"))
    }

    @Test func listPrintsTheRulesLikeKubectl() async {
        let run = await runWarrant(["can", "--list", "-n", "shop", "--as", ci, "-f", "-"], standardInput: rbac)
        #expect(run.status == 0)
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Resources") == true)
        #expect(lines.contains { $0.hasPrefix("deployments.apps") && $0.contains("[get list create patch]") })
        #expect(lines.contains { $0.contains("[/healthz /readyz/*]") })
        #expect(lines.contains { $0.hasPrefix("configmaps") && $0.contains("[settings]") })
    }

    @Test func listNamesAResourceOnceWhenTwoRolesGrantIt() async {
        let second =
            rbac + """

                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: reader, namespace: shop}
                rules: [{apiGroups: [apps], resources: [deployments], verbs: [get, list, watch]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: ci-reader, namespace: shop}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
                subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]
                """
        let run = await runWarrant(["can", "--list", "-n", "shop", "--as", ci, "-f", "-"], standardInput: second)
        let rows = run.standardOutput.split(separator: "\n").filter { $0.hasPrefix("deployments.apps") }
        #expect(rows.count == 1)
        #expect(rows.first?.contains("[get list create patch watch]") == true)
    }

    @Test func checkFileReportsMismatchesWithReasonsAndCounts() async throws {
        try await withTemporaryDirectory { folder in
            let checks = try writeFile(
                """
                - {as: "system:serviceaccount:shop:ci", verb: create, resource: deployments, group: apps, namespace: shop, expect: allow}
                - {as: "system:serviceaccount:shop:ci", verb: delete, resource: deployments, group: apps, namespace: shop, expect: deny}
                - {as: "system:serviceaccount:shop:ci", verb: get, resource: secrets, namespace: shop, expect: allow}
                - {as: alice, groups: [devs], verb: get, nonResourceURL: /healthz, expect: allow}
                - {as: "system:serviceaccount:shop:ci", verb: create, resource: deployments, group: apps, namespace: prod, expect: allow}
                """, named: "access.yaml", in: folder)
            let run = await runWarrant(["can", "--check", checks, "-f", "-"], standardInput: rbac)
            #expect(run.status == 1)
            #expect(run.standardOutput.contains("3 passed, 2 failed"))
            #expect(run.standardOutput.contains("FAIL \(checks):3: expected allow"))
            #expect(run.standardOutput.contains("FAIL \(checks):5: expected allow"))
            #expect(run.standardOutput.contains("no rule allows"))
            let bad = try writeFile("- {as: x, verb: get, resource: pods, expect: maybe}\n", named: "bad.yaml", in: folder)
            let invalid = await runWarrant(["can", "--check", bad, "-f", "-"], standardInput: rbac)
            #expect(invalid.status == 2)
            #expect(invalid.standardError.contains("\(bad):1: expect must be allow or deny"))
        }
    }

    @Test func whoCanListsSubjectsWithBindingAndRole() async throws {
        let run = await runWarrant(["who-can", "create", "deployments", "-n", "shop", "-f", "-"], standardInput: rbac)
        #expect(run.status == 0)
        let row = try #require(run.standardOutput.split(separator: "\n").first { $0.hasPrefix("ServiceAccount") })
        #expect(row.contains("shop/ci"))
        #expect(row.contains("RoleBinding \"shop/ci\""))
        #expect(row.contains("Role \"shop/deployer\""))
        #expect(row.contains("namespace shop"))
        let health = await runWarrant(["who-can", "get", "/healthz", "-f", "-", "-o", "json"], standardInput: rbac)
        #expect(health.standardOutput.contains("\"name\": \"system:authenticated\""))
        let nobody = await runWarrant(["who-can", "delete", "nodes", "-f", "-"], standardInput: rbac)
        #expect(nobody.standardOutput.hasPrefix("No subject may delete nodes"))
    }

    @Test func usageErrorsExitTwo() async {
        #expect(await runWarrant(["can", "get", "pods", "-f", "-"], standardInput: rbac).status == 2)  // no --as
        #expect(await runWarrant(["can", "--as", "a", "-f", "-"], standardInput: rbac).status == 2)  // no verb
        #expect(await runWarrant(["can", "get", "pods/a/b", "--as", "a", "-f", "-"], standardInput: rbac).status == 2)
        let broken = await runWarrant(
            ["can", "get", "pods", "--as", "a", "-f", "-"],
            standardInput: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: x}\nroleRef: 3\n")
        #expect(broken.status == 2)
        #expect(broken.standardError.contains("<stdin>:"))
    }

    @Test func auditExitCodesFollowFailOn() async throws {
        let risky =
            rbac
            + "\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: exec, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec}\nsubjects: [{kind: User, name: bob}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: exec}\nrules: [{apiGroups: [''], resources: [pods/exec], verbs: [create]}]\n"
        let failing = await runWarrant(["audit", "-f", "-"], standardInput: risky)
        #expect(failing.status == 1)
        #expect(failing.standardOutput.contains("W108 pod-exec"))
        #expect(failing.standardError.contains("at or above high"))
        #expect(await runWarrant(["audit", "-f", "-", "--fail-on", "critical"], standardInput: risky).status == 0)
        #expect(await runWarrant(["audit", "-f", "-", "--fail-on", "none"], standardInput: risky).status == 0)
        // The deployer may create Deployments (W106, medium): fails at medium, passes at the default (high).
        #expect(await runWarrant(["audit", "-f", "-", "--fail-on", "medium"], standardInput: rbac).status == 1)
        #expect(await runWarrant(["audit", "-f", "-"], standardInput: rbac).status == 0)
        for format in ["json", "sarif", "junit", "markdown", "gitlab"] {
            let run = await runWarrant(["audit", "-f", "-", "-o", format, "--fail-on", "none"], standardInput: risky)
            #expect(run.status == 0, "\(format)")
            #expect(!run.standardOutput.isEmpty, "\(format)")
        }
        let checks = await runWarrant(["audit", "--list-checks"])
        #expect(checks.status == 0)
        #expect(checks.standardOutput.contains("W115") && checks.standardOutput.contains("impersonate"))
    }

    @Test func auditOfTheExampleIsClean() async {
        let run = await runWarrant(["audit", "-f", TestData.examples.appendingPathComponent("guestbook").path])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("VERDICT: COMPLIANT"))
    }
}
