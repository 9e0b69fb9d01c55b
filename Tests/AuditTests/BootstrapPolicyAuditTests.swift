import Audit
import KubeAPI
import KubeModel
import RBAC
import Testing
import WarrantTestSupport

/// Kubernetes' own bootstrap policy, audited: signal, not noise. What every cluster has is
/// recognised and reported low; what a cluster adds to it is reported as usual.
@Suite(.ownThread) struct BootstrapPolicyAuditTests {
    static func audit(
        roles: [RBACRole] = BootstrapPolicy.defaultClusterRoles + BootstrapPolicy.defaultRoles, bindings: [RBACBinding] = BootstrapPolicy.defaultBindings
    )
        -> AuditReport
    {
        Auditor().audit(objects: [], policy: RBACPolicy(roles: roles, bindings: bindings))
    }

    /// What the audit of an untouched bootstrap policy must look like.
    static func expectSignalNotNoise(_ report: AuditReport) {
        let loud = report.findings.filter { $0.severity >= .medium }
        #expect(loud.isEmpty, "\(loud.map(\.message))")
        #expect(!report.findings.contains { $0.checkID == "W124" })
        #expect(report.escalationPaths.isEmpty)
        #expect(report.verdict.clusterWideGrants.isEmpty)
        // One binding to cluster-admin, one finding, everything else folded into it.
        let admin = report.findings.filter { $0.binding == "ClusterRoleBinding \"cluster-admin\"" }
        #expect(admin.map(\.checkID) == ["W201"])
        #expect(admin.first?.folded.contains("W100") == true && admin.first?.folded.contains("W202") == true)
        #expect(admin.first?.message.hasSuffix("(Kubernetes' default policy)") == true)
        // The self-reviews every user may make.
        let basicUser = report.findings.filter { $0.binding == "ClusterRoleBinding \"system:basic-user\"" }
        #expect(!basicUser.isEmpty && basicUser.allSatisfy { $0.severity == .low })
        // Summaries say each resource once.
        #expect(!report.findings.contains { $0.message.contains("list, watch on secrets; get on secrets") })
        // No dormant findings for Kubernetes' own roles that nobody binds (system:heapster, ...).
        #expect(!report.findings.contains { $0.isDormant })
    }

    @Test func theDefaultPolicyIsRecognised() {
        Self.expectSignalNotNoise(Self.audit())
    }

    @Test func whatAClusterAddsIsReportedAsUsual() throws {
        // A subject added to the cluster-admin binding.
        var bindings = BootstrapPolicy.defaultBindings
        let admin = try #require(bindings.firstIndex { $0.name == "cluster-admin" })
        bindings[admin].subjects.append(.serviceAccount("deployer", namespace: "ci"))
        let added = Self.audit(bindings: bindings).findings.filter { $0.binding == "ClusterRoleBinding \"cluster-admin\"" }
        #expect(added.map(\.checkID) == ["W201", "W401", "W401"])
        #expect(added.filter { $0.checkID == "W401" }.allSatisfy { $0.subjects == [.serviceAccount("deployer", namespace: "ci")] })
        #expect(added.first?.severity == .critical)
        #expect(added.first?.message.contains("ServiceAccount \"ci/deployer\"") == true)

        // A rule added to a built-in role that every authenticated user holds.
        var roles = BootstrapPolicy.defaultClusterRoles + BootstrapPolicy.defaultRoles
        let basicUser = try #require(roles.firstIndex { $0.name == "system:basic-user" })
        roles[basicUser].rules.append(PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"]))
        let backdoor = Self.audit(roles: roles)
        let secrets = try #require(backdoor.findings.first { $0.checkID == "W104" && $0.binding == "ClusterRoleBinding \"system:basic-user\"" })
        #expect(secrets.severity == .high)
        #expect(!secrets.message.contains("default policy"))
        #expect(backdoor.findings.contains { $0.checkID == "W204" && $0.severity == .high })
        #expect(!backdoor.verdict.clusterWideGrants.isEmpty)

        // A ClusterRole aggregated into edit, and a new binding to a built-in role.
        roles =
            BootstrapPolicy.defaultClusterRoles + [
                RBACRole.clusterRole(
                    "widgets-edit", rules: [PolicyRule(verbs: ["create"], apiGroups: ["example.com"], resources: ["widgets"])],
                    labels: [BootstrapPolicy.aggregateToEditLabel: "true"])
            ]
        bindings =
            BootstrapPolicy.defaultBindings + [
                .roleBinding("ci-edit", namespace: "shop", roleRef: .clusterRole("edit"), subjects: [.serviceAccount("ci", namespace: "shop")])
            ]
        let report = Self.audit(roles: roles, bindings: bindings)
        #expect(report.findings.contains { $0.checkID == "W124" && $0.role == "ClusterRole \"widgets-edit\"" && $0.severity == .high })
        #expect(report.findings.contains { $0.checkID == "W104" && $0.binding == "RoleBinding \"shop/ci-edit\"" && $0.severity == .high })
    }
}

/// The bootstrap policy of the real kube-apiserver v1.36 (`../shared/kube`).
@Suite(.realCluster) struct RealClusterBootstrapTests {
    /// The cluster's own RBAC objects, without the additions of OpenShift's fork that the
    /// control plane in ../shared/kube is built from.
    static func bootstrapObjects() async throws -> [KubeObject] {
        let cluster = try await RealCluster.shared()
        return try await cluster.admin { client in
            var objects: [KubeObject] = []
            for kind in ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"] {
                let listed = try await client.list(
                    GroupKind(group: RBACAPI.group, kind: kind), namespace: nil,
                    options: ListOptions(labelSelector: "kubernetes.io/bootstrapping=rbac-defaults"))
                objects += listed.objects.filter { !$0.name.contains("openshift") && !$0.name.contains("service-ca-cert-publisher") }
            }
            return objects
        }
    }

    @Test func theTableOfDefaultsIsTheRealAPIServers() async throws {
        let objects = try await Self.bootstrapObjects()
        let policy = try RBACPolicy(objects: objects)
        let defaults = BootstrapPolicy.defaultPolicy
        #expect(policy.roles.count == defaults.roles.count)
        for role in policy.roles {
            let known =
                role.kind == .clusterRole
                ? defaults.clusterRole(named: role.name) : defaults.role(named: role.name, namespace: role.namespace ?? "")
            let expected = try #require(known, "\(role) is not in BootstrapPolicy's defaults")
            #expect(Set(expected.rules) == Set(role.rules), "\(role)")
        }
        #expect(policy.bindings.count == BootstrapPolicy.defaultBindings.count)
        for binding in policy.bindings {
            let expected = try #require(BootstrapPolicy.defaultBinding(for: binding), "\(binding) is not in BootstrapPolicy's defaults")
            #expect(Set(expected.subjects.map(\.description)) == Set(binding.subjects.map { $0.description }), "\(binding)")
        }
    }

    @Test func auditingTheRealBootstrapPolicyGivesSignalNotNoise() async throws {
        let objects = try await Self.bootstrapObjects()
        let report = Auditor().audit(objects: objects, policy: try RBACPolicy(objects: objects))
        BootstrapPolicyAuditTests.expectSignalNotNoise(report)
    }
}
