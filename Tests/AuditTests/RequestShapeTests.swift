import Audit
import KubeModel
import RBAC
import Testing

/// The requests behind findings are shaped as kube-apiserver shapes them (DESIGN.md, "Request
/// shapes the API server really authorizes"; each case was checked on a real kube-apiserver).
@Suite struct RequestShapeTests {
    static let team = Subject.serviceAccount("app", namespace: "team")

    @Test func nodesProxyInARoleAllowsNothing() throws {
        let report = try audit(boundRole(rules: "- {apiGroups: [''], resources: [nodes/proxy], verbs: [get, create]}"))
        #expect(!report.findings.contains { $0.checkID == "W111" || $0.checkID == "W301" })
        #expect(report.escalationPaths.isEmpty)
        let dead = try #require(report.findings.first { $0.checkID == "W126" })
        #expect(dead.severity == .low)
        #expect(dead.message.contains("nodes/proxy is cluster-scoped"))
        #expect(dead.subjects.isEmpty)
        // Through a ClusterRoleBinding it is the real thing.
        let clusterWide = try audit(boundRole(rules: "- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}", clusterWide: true))
        let proxy = try #require(clusterWide.findings.first { $0.checkID == "W111" })
        #expect(proxy.requests == [ClaimedRequest(verb: "get", resource: "nodes", subresource: "proxy")])
    }

    @Test func impersonatingUsersAndGroupsNeedsAClusterRoleBinding() throws {
        let report = try audit(boundRole(rules: "- {apiGroups: [''], resources: [users, groups], verbs: [impersonate]}"))
        #expect(!report.findings.contains { $0.checkID == "W115" || $0.checkID == "W301" || $0.checkID == "W401" })
        #expect(report.findings.contains { $0.checkID == "W126" })
    }

    @Test func impersonatingServiceAccountsThroughARoleBindingReachesThatNamespaceOnly() throws {
        let report = try audit(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: sa-impersonator}
            rules: [{apiGroups: [''], resources: [serviceaccounts], verbs: [impersonate]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: impersonator, namespace: team}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sa-impersonator}
            subjects: [{kind: User, name: carol}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader}
            rules: [{apiGroups: [''], resources: [secrets], verbs: [list]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: readers}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
            subjects: [{kind: ServiceAccount, name: reader, namespace: team}, {kind: ServiceAccount, name: reader, namespace: other}]
            """)
        let impersonate = try #require(report.findings.first { $0.checkID == "W115" })
        #expect(impersonate.severity == .high)
        #expect(impersonate.namespace == "team")
        #expect(impersonate.requests == [ClaimedRequest(verb: "impersonate", resource: "serviceaccounts", namespace: "team")])
        let fromCarol = report.escalationPaths.filter { $0.from == .user("carol") }
        #expect(fromCarol.map(\.to) == [.serviceAccount("reader", namespace: "team")])
        #expect(fromCarol.first?.steps.first?.requests == [ClaimedRequest(verb: "impersonate", resource: "serviceaccounts", name: "reader", namespace: "team")])
        #expect(!report.escalationPaths.contains { $0.to == .group("system:masters") })
    }

    @Test func impersonationIsAskedInTheGroupsTheFilterUses() throws {
        // users and groups are in the core group: in authentication.k8s.io such a rule allows nothing.
        let wrongGroup = try audit(
            boundRole(rules: "- {apiGroups: [authentication.k8s.io], resources: [users, groups], verbs: [impersonate]}", clusterWide: true))
        #expect(!wrongGroup.findings.contains { $0.checkID == "W115" })
        // uids and user extras are in authentication.k8s.io.
        let extras = try audit(
            boundRole(rules: "- {apiGroups: [authentication.k8s.io], resources: [uids, userextras/scopes], verbs: [impersonate]}", clusterWide: true))
        let finding = try #require(extras.findings.first { $0.checkID == "W115" })
        #expect(finding.severity == .critical)
        #expect(
            Set(finding.requests)
                == [
                    ClaimedRequest(verb: "impersonate", apiGroup: "authentication.k8s.io", resource: "uids"),
                    ClaimedRequest(verb: "impersonate", apiGroup: "authentication.k8s.io", resource: "userextras", subresource: "scopes"),
                ])
        #expect(finding.message.contains("uids.authentication.k8s.io"))
    }

    /// ServiceAccount team/app holds `rules` cluster-wide, its impersonation accepted (so that it
    /// is not at the top already and its paths are reported); User root is a cluster admin.
    static func impersonator(_ rules: String) -> String {
        boundRole(rules: rules, clusterWide: true, labels: "  annotations: {warrant.dev/ignore: W115, warrant.dev/ignore-reason: break-glass}")
            + "\n" + """
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: admin}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
                subjects: [{kind: User, name: root}]
                """
    }

    @Test func impersonatingSystemMastersNeedsUsersAndTheGroup() throws {
        let both = try audit(
            Self.impersonator(
                "- {apiGroups: [''], resources: [users], verbs: [impersonate]}\n- {apiGroups: [''], resources: [groups], verbs: [impersonate], resourceNames: ['system:masters']}"
            ))
        let masters = try #require(both.escalationPaths.first { $0.from == Self.team && $0.to == .group("system:masters") })
        #expect(
            masters.steps[0].requests == [
                ClaimedRequest(verb: "impersonate", resource: "users"), ClaimedRequest(verb: "impersonate", resource: "groups", name: "system:masters"),
            ])
        // Users only: the users that bindings name, not system:masters.
        let users = try audit(Self.impersonator("- {apiGroups: [''], resources: [users], verbs: [impersonate]}"))
        #expect(!users.escalationPaths.contains { $0.to == .group("system:masters") })
        let root = try #require(users.escalationPaths.first { $0.from == Self.team && $0.to == .user("root") })
        #expect(root.steps[0].requests == [ClaimedRequest(verb: "impersonate", resource: "users", name: "root")])
        // Groups only: a group cannot be impersonated without a user.
        let groups = try audit(Self.impersonator("- {apiGroups: [''], resources: [groups], verbs: [impersonate]}"))
        #expect(!groups.escalationPaths.contains { $0.to == .group("system:masters") || $0.to == .user("root") })
    }

    /// (rules, severity of W117 or `nil` for none).
    static let certificateCases: [(String, Severity?)] = [
        // Approving what others request, for every signer: high.
        (
            "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}\n- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}",
            .high
        ),
        // With create: critical.
        (
            "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create]}\n- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}\n- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}",
            .critical
        ),
        // A named signer that issues no API client certificates: medium, with or without create.
        (
            "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create]}\n- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}\n- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [example.com/signer]}",
            .medium
        ),
        // The API server's client signer, named: as good as every signer.
        (
            "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [patch]}\n- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [kubernetes.io/kube-apiserver-client]}",
            .high
        ),
        // Approval without approve on signers is refused by the CertificateApproval admission plugin.
        ("- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}", nil),
    ]

    @Test("CSR approval is split by what is held", arguments: certificateCases)
    func certificateApproval(_ testCase: (String, Severity?)) throws {
        let (rules, severity) = testCase
        let report = try audit(boundRole(rules: rules, clusterWide: true))
        let finding = report.findings.first { $0.checkID == "W117" }
        #expect(finding?.severity == severity)
        guard let finding else { return }
        #expect(finding.requests.contains { $0.resource == "certificatesigningrequests" && $0.subresource == "approval" })
        #expect(finding.requests.contains { $0.resource == "signers" && $0.verb == "approve" })
        let namedSigner = rules.contains("resourceNames")
        #expect(finding.requests.contains { $0.resource == "signers" && ($0.name.isEmpty != namedSigner) })
        let policy = try policy(boundRole(rules: rules, clusterWide: true))
        for request in finding.requests { #expect(policy.allows(request.by(.serviceAccount("app", namespace: "team")))) }
    }

    @Test func resourceNamesAreNamedAndLowerTheSeverity() throws {
        let report = try audit(boundRole(rules: "- {apiGroups: [''], resources: [secrets], verbs: [get, list], resourceNames: [tls]}"))
        let secrets = try #require(report.findings.first { $0.checkID == "W104" })
        #expect(secrets.message.contains("get, list on secrets named tls in namespace team"))
        #expect(secrets.severity == .medium)
        #expect(Set(secrets.requests.map(\.name)) == ["tls"])
    }

    @Test func anEmptyResourceNameAllowsTheRequestsWithoutAName() throws {
        // Checked on kube-apiserver v1.36: resourceNames [""] allows listing every Secret.
        let report = try audit(boundRole(rules: "- {apiGroups: [''], resources: [secrets], verbs: [list, get], resourceNames: ['']}"))
        let secrets = try #require(report.findings.first { $0.checkID == "W104" })
        #expect(secrets.severity == .high)
        #expect(secrets.requests == [ClaimedRequest(verb: "list", resource: "secrets", namespace: "team")])
        #expect(!report.findings.contains { $0.checkID == "W126" })
    }

    @Test func aRuleWithAnEmptyVerbIsDead() throws {
        let report = try audit(boundRole(rules: "- {apiGroups: [''], resources: [secrets], verbs: ['']}"))
        #expect(report.findings.map(\.checkID) == ["W126"])
        #expect(report.findings.first?.message.contains("match no request") == true)
    }

    @Test func apiGroupsMustMatchAndAreNamed() throws {
        // services/status in the RBAC group is not the core group's services/status.
        let wrongGroup = try audit(boundRole(rules: "- {apiGroups: [rbac.authorization.k8s.io], resources: [services/status], verbs: [update]}"))
        #expect(!wrongGroup.findings.contains { $0.checkID == "W122" })
        let deployments = try audit(boundRole(rules: "- {apiGroups: [apps], resources: [deployments], verbs: [create, get]}"))
        #expect(deployments.findings.first { $0.checkID == "W106" }?.message.contains("create on deployments.apps in namespace team") == true)
        let wildcard = try audit(boundRole(rules: "- {apiGroups: ['*'], resources: [widgets], verbs: [get]}"))
        #expect(wildcard.findings.first { $0.checkID == "W103" }?.message.contains("get on widgets in every API group") == true)
    }

    @Test func verbsOnOneResourceAreMerged() throws {
        let report = try audit(
            boundRole(rules: "- {apiGroups: [''], resources: [secrets], verbs: [list, watch]}\n- {apiGroups: [''], resources: [secrets], verbs: [get]}"))
        #expect(report.findings.first { $0.checkID == "W104" }?.message.contains("get, list, watch on secrets in namespace team") == true)
    }

    @Test func aBindingThatGrantsEverythingIsOneFinding() throws {
        let report = try audit(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: ci-admin}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
            subjects: [{kind: ServiceAccount, name: ci, namespace: team}, {kind: Group, name: "system:masters"}]
            """)
        let findings = report.findings.filter { $0.binding == "ClusterRoleBinding \"ci-admin\"" }
        #expect(findings.map(\.checkID) == ["W201"])
        #expect(findings.first?.folded == ["W125", "W202"])
        #expect(findings.first?.requests == [ClaimedRequest(verb: "*", apiGroup: "*", resource: "*")])
    }
}
