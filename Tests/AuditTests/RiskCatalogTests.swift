import Audit
import Foundation
import KubeModel
import RBAC
import Testing

/// (rule in YAML, check expected, severity within a namespace or `nil` when a Role's rule
/// allows no request there, severity cluster-wide).
private let ruleChecks: [(String, String, Severity?, Severity)] = [
    ("- {apiGroups: [apps], resources: [deployments], verbs: ['*']}", "W101", .high, .critical),
    ("- {apiGroups: [''], resources: ['*'], verbs: [get]}", "W102", .high, .critical),
    ("- {apiGroups: [''], resources: ['*/scale'], verbs: [update]}", "W102", .high, .critical),
    ("- {apiGroups: ['*'], resources: [deployments], verbs: [get]}", "W103", .medium, .high),
    ("- {apiGroups: [''], resources: [secrets], verbs: [list]}", "W104", .high, .critical),
    ("- {apiGroups: [''], resources: [secrets], verbs: [get]}", "W104", .medium, .high),
    ("- {apiGroups: [''], resources: [secrets], verbs: [patch]}", "W105", .medium, .high),
    ("- {apiGroups: [apps], resources: [deployments], verbs: [create]}", "W106", .medium, .high),
    ("- {apiGroups: [batch], resources: [cronjobs], verbs: [create]}", "W106", .medium, .high),
    ("- {apiGroups: [''], resources: [pods], verbs: [update]}", "W107", .medium, .high),
    ("- {apiGroups: [''], resources: [pods/exec], verbs: [create]}", "W108", .high, .critical),
    ("- {apiGroups: [''], resources: [pods/attach], verbs: [get]}", "W108", .high, .critical),
    ("- {apiGroups: [''], resources: ['*/exec'], verbs: [create]}", "W108", .high, .critical),
    ("- {apiGroups: [''], resources: [pods/portforward], verbs: [create]}", "W109", .medium, .high),
    ("- {apiGroups: [''], resources: [pods/ephemeralcontainers], verbs: [patch]}", "W110", .high, .critical),
    // nodes/proxy is cluster-scoped: a Role's rule on it allows nothing.
    ("- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}", "W111", nil, .critical),
    ("- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate]}", "W112", .critical, .critical),
    ("- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate]}", "W112", nil, .critical),
    ("- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind]}", "W113", .critical, .critical),
    // bind on a ClusterRole is asked in the namespace of the RoleBinding being created.
    ("- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}", "W113", .critical, .critical),
    ("- {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}", "W114", .medium, .critical),
    // Users, groups, UIDs and user extras are impersonated without a namespace; ServiceAccounts in theirs.
    ("- {apiGroups: [''], resources: [users], verbs: [impersonate]}", "W115", nil, .critical),
    ("- {apiGroups: [''], resources: [groups], verbs: [impersonate]}", "W115", nil, .critical),
    ("- {apiGroups: [authentication.k8s.io], resources: [uids], verbs: [impersonate]}", "W115", nil, .critical),
    ("- {apiGroups: [authentication.k8s.io], resources: [userextras/scopes], verbs: [impersonate]}", "W115", nil, .critical),
    ("- {apiGroups: [''], resources: [serviceaccounts], verbs: [impersonate]}", "W115", .high, .critical),
    ("- {apiGroups: [''], resources: [serviceaccounts/token], verbs: [create]}", "W116", .high, .critical),
    (
        "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create]}\n- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}\n- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}",
        "W117", nil, .critical
    ),
    ("- {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [patch]}", "W118", nil, .critical),
    ("- {apiGroups: [apiextensions.k8s.io], resources: [customresourcedefinitions], verbs: [create]}", "W119", nil, .high),
    ("- {apiGroups: [''], resources: [persistentvolumes], verbs: [create]}", "W120", nil, .high),
    // A request on a Namespace object is in that namespace: a RoleBinding reaches its own.
    ("- {apiGroups: [''], resources: [namespaces], verbs: [patch]}", "W121", .high, .high),
    ("- {apiGroups: [''], resources: [services/status], verbs: [update]}", "W122", .medium, .high),
    ("- {apiGroups: [''], resources: [nodes/status], verbs: [update]}", "W122", nil, .high),
    ("- {apiGroups: [events.k8s.io], resources: [events], verbs: [delete]}", "W123", .medium, .medium),
]

@Test("each rule-level check fires with its severity, in a namespace and cluster-wide", arguments: ruleChecks)
func ruleLevelChecks(_ testCase: (String, String, Severity?, Severity)) throws {
    let (rules, checkID, namespaced, clusterWide) = testCase
    let inNamespace = try audit(boundRole(rules: rules))
    let namespacePolicy = try policy(boundRole(rules: rules))
    if let namespaced {
        let finding = try #require(inNamespace.findings.first { $0.checkID == checkID }, "\(checkID) not found in \(inNamespace.findings.map(\.checkID))")
        #expect(finding.severity == namespaced)
        #expect(finding.namespace == "team")
        #expect(finding.subjects == [.serviceAccount("app", namespace: "team")])
        #expect(finding.locations == [SourceLocation(file: "rbac.yaml", line: 1), SourceLocation(file: "rbac.yaml", line: finding.locations[1].line)])
        #expect(!finding.isDormant)
        #expect(!finding.requests.isEmpty)
        for request in finding.requests {
            #expect(request.namespace == "team")
            #expect(namespacePolicy.allows(request.by(.serviceAccount("app", namespace: "team"))), "\(request)")
        }
    } else {
        // The rule allows no request through a RoleBinding: no finding, and the rule reported as dead.
        #expect(!inNamespace.findings.contains { $0.checkID == checkID }, "\(inNamespace.findings.map(\.message))")
        #expect(inNamespace.findings.contains { $0.checkID == "W126" && $0.severity == .low })
        #expect(!inNamespace.findings.contains { $0.checkID == "W301" })
    }
    let everywhere = try audit(boundRole(rules: rules, clusterWide: true))
    let clusterPolicy = try policy(boundRole(rules: rules, clusterWide: true))
    let clusterFinding = try #require(everywhere.findings.first { $0.checkID == checkID })
    #expect(clusterFinding.severity == clusterWide)
    #expect(clusterFinding.namespace == nil)
    for request in clusterFinding.requests {
        #expect(clusterPolicy.allows(request.by(.serviceAccount("app", namespace: "team"))), "\(request)")
    }
    #expect(everywhere.findings.contains { $0.checkID == "W125" })
    #expect(!everywhere.findings.contains { $0.checkID == "W126" })
    #expect(!everywhere.verdict.clusterWideGrants.isEmpty)
}

/// Rules that look close to a risky one but are not.
private let harmless: [(String, String)] = [
    ("- {apiGroups: [''], resources: [pods], verbs: [create]}", "W108"),  // pods is not pods/exec
    ("- {apiGroups: [''], resources: ['pods/*'], verbs: [create]}", "W108"),  // pods/* is no wildcard
    ("- {apiGroups: [apps], resources: [secrets], verbs: [list]}", "W104"),  // secrets live in the core group
    ("- {apiGroups: [''], resources: [configmaps], verbs: [get, list, watch]}", "W104"),
    ("- {apiGroups: [''], resources: [pods], verbs: [get, list]}", "W106"),
    ("- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [get, list]}", "W114"),
    ("- {apiGroups: [''], resources: [users], verbs: [get]}", "W115"),
    ("- {nonResourceURLs: ['*'], verbs: [get]}", "W102"),
]

@Test("near misses do not fire", arguments: harmless)
func nearMissesDoNotFire(_ testCase: (String, String)) throws {
    let (rules, checkID) = testCase
    let report = try audit(boundRole(rules: rules))
    #expect(!report.findings.contains { $0.checkID == checkID }, "\(report.findings.map(\.message))")
}

@Test func resourceNamesLowerTheSeverity() throws {
    let report = try audit(boundRole(rules: "- {apiGroups: [''], resources: [serviceaccounts/token], resourceNames: [builder], verbs: [create]}"))
    #expect(report.findings.first { $0.checkID == "W116" }?.severity == .medium)
}

@Test func bindLimitedToNamedRolesIsMedium() throws {
    let report = try audit(boundRole(rules: "- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [view], verbs: [bind]}"))
    #expect(report.findings.first { $0.checkID == "W113" }?.severity == .medium)
}

@Test func unboundRolesAreDormantAndLow() throws {
    let report = try audit(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: unused}
        rules:
        - {apiGroups: ['*'], resources: ['*'], verbs: ['*']}
        """)
    let finding = try #require(report.findings.first)
    #expect(finding.checkID == "W100")
    #expect(finding.isDormant)
    #expect(finding.severity == .low)
    #expect(report.verdict.isCompliant)
    #expect(report.findings(atOrAbove: .high).isEmpty)
}

@Test func aggregatedRolesAreLiveThroughTheirAggregator() throws {
    let report = try audit(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: parent}
        aggregationRule:
          clusterRoleSelectors: [{matchLabels: {team: x}}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: child, labels: {team: x}}
        rules:
        - {apiGroups: [''], resources: [pods/exec], verbs: [create]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: b, namespace: team}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: parent}
        subjects: [{kind: User, name: alice}]
        """)
    let exec = report.findings.filter { $0.checkID == "W108" }
    #expect(exec.count == 1)
    #expect(exec.first?.role == "ClusterRole \"parent\"")
    #expect(exec.first?.isDormant == false)
}

/// (subject YAML, check, severity).
private let subjectChecks: [(String, String, Severity)] = [
    ("{kind: Group, name: 'system:masters', apiGroup: rbac.authorization.k8s.io}", "W202", .critical),
    ("{kind: User, name: 'system:anonymous', apiGroup: rbac.authorization.k8s.io}", "W203", .critical),
    ("{kind: Group, name: 'system:unauthenticated', apiGroup: rbac.authorization.k8s.io}", "W203", .critical),
    ("{kind: Group, name: 'system:authenticated', apiGroup: rbac.authorization.k8s.io}", "W204", .high),
    ("{kind: Group, name: 'system:serviceaccounts:team', apiGroup: rbac.authorization.k8s.io}", "W204", .high),
    ("{kind: ServiceAccount, name: default}", "W205", .medium),
]

@Test("risky subjects are reported", arguments: subjectChecks)
func riskySubjects(_ testCase: (String, String, Severity)) throws {
    let (subject, checkID, severity) = testCase
    let yaml = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: reader}
        rules: [{apiGroups: [''], resources: [configmaps], verbs: [get]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: b}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
        subjects:
        - \(subject)
        """
    let finding = try #require(try audit(yaml).findings.first { $0.checkID == checkID })
    #expect(finding.severity == severity)
    #expect(finding.requests == [ClaimedRequest(verb: "get", resource: "configmaps", namespace: "team")])
    // A binding that gives its subjects nothing (its role is not in the input) claims nothing about them.
    let missing = try audit(yaml.replacingOccurrences(of: "name: reader}\nsubjects", with: "name: view}\nsubjects"))
    #expect(!missing.findings.contains { $0.checkID == checkID })
}

@Test func publicHealthEndpointsForEveryoneAreLow() throws {
    let report = try audit(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: public-info}
        rules: [{nonResourceURLs: [/healthz, /version], verbs: [get]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: public-info}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: public-info}
        subjects: [{kind: Group, name: "system:unauthenticated"}, {kind: Group, name: "system:authenticated"}]
        """)
    #expect(report.findings.first { $0.checkID == "W203" }?.severity == .low)
    #expect(report.findings.first { $0.checkID == "W204" }?.severity == .low)
}

@Test func clusterAdminAndMissingRoles() throws {
    let report = try audit(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: ci-admin}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
        subjects: [{kind: ServiceAccount, name: ci, namespace: team}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: dangling}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: not-there}
        subjects: [{kind: User, name: bob}]
        """)
    #expect(report.findings.first { $0.checkID == "W201" }?.severity == .critical)
    #expect(report.findings.first { $0.checkID == "W206" }?.severity == .medium)
    #expect(report.verdict.clusterWideGrants.map(\.binding) == ["ClusterRoleBinding \"ci-admin\""])
    #expect(!report.verdict.isCompliant)
}

@Test func aggregationLabelsIntoBuiltinRoles() throws {
    let report = try audit(
        boundRole(
            rules: "- {apiGroups: [example.com], resources: [widgets], verbs: [get]}", clusterWide: true,
            labels: "  labels: {rbac.authorization.k8s.io/aggregate-to-edit: 'true'}")
    )
    #expect(report.findings.contains { $0.checkID == "W124" && $0.severity == .high })
}

@Test func multiHopEscalationPaths() throws {
    let report = try audit(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: deployer, namespace: build}
        rules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: ci, namespace: build}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
        subjects: [{kind: ServiceAccount, name: ci, namespace: build}]
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: builder, namespace: build}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: builder, namespace: build}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: token-minter}
        subjects: [{kind: ServiceAccount, name: builder, namespace: build}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: token-minter}
        rules: [{apiGroups: [''], resources: [serviceaccounts/token], verbs: [create]}]
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: ops, namespace: build}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: ops}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
        subjects: [{kind: ServiceAccount, name: ops, namespace: build}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: reader}
        rules: [{apiGroups: [''], resources: [secrets], verbs: [list]}]
        """)
    let fromCI = report.escalationPaths.filter { $0.from == .serviceAccount("ci", namespace: "build") }
    let toOps = try #require(fromCI.first { $0.to == .serviceAccount("ops", namespace: "build") })
    #expect(toOps.steps.count == 1)
    #expect(toOps.steps[0].means.hasPrefix("create deployments.apps in build"))
    #expect(toOps.steps[0].requests == [ClaimedRequest(verb: "create", apiGroup: "apps", resource: "deployments", namespace: "build")])
    #expect(toOps.reachesClusterWide)
    #expect(report.findings.contains { $0.checkID == "W301" && $0.severity == .critical })
    // builder reaches ops by minting a token: a second route, and ci reaches builder (whose rights are higher).
    #expect(
        report.escalationPaths.contains { $0.from == .serviceAccount("builder", namespace: "build") && $0.to == .serviceAccount("ops", namespace: "build") })
    #expect(!report.verdict.isCompliant)
}

@Test func suppressionsByAnnotationAndIgnoreFileAreListed() throws {
    let yaml = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: r
          annotations: {warrant.dev/ignore: "secrets-read", warrant.dev/ignore-reason: "reads its own TLS secret"}
        rules:
        - {apiGroups: [''], resources: [secrets], verbs: [list]}
        - {apiGroups: [''], resources: [pods/exec], verbs: [create]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: b}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
        subjects: [{kind: User, name: alice}]
        """
    let ignore = try Suppressions.load(
        bytes: Array("ignore:\n- check: W108\n  role: r\n  reason: break-glass account\n".utf8), file: "ignore.yaml")
    let report = try audit(yaml, suppressions: ignore)
    #expect(report.findings.filter { $0.checkID == "W104" || $0.checkID == "W108" }.isEmpty)
    #expect(report.suppressed.map(\.checkID).sorted() == ["W104", "W108"])
    #expect(report.suppressed.first { $0.checkID == "W104" }?.suppression?.contains("reads its own TLS secret") == true)
    #expect(report.suppressed.first { $0.checkID == "W108" }?.suppression == "ignore file: break-glass account")
    #expect(throws: ManifestError.self) {
        _ = try Suppressions.load(bytes: Array("ignore:\n- check: W108\n".utf8), file: "ignore.yaml")
    }
    #expect(throws: ManifestError.self) {
        _ = try Suppressions.load(bytes: Array("ignore:\n- {check: W999, reason: x}\n".utf8), file: "ignore.yaml")
    }
}

@Test func suppressionAnnotationsOnClusterRolesAndClusterRoleBindings() throws {
    let report = try audit(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: reader
          annotations: {warrant.dev/ignore: "W104", warrant.dev/ignore-reason: "reads TLS secrets"}
        rules: [{apiGroups: [''], resources: [secrets], verbs: [list]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: reader
          annotations: {warrant.dev/ignore: "cluster-wide-grant"}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
        subjects: [{kind: ServiceAccount, name: ingress, namespace: team}]
        """)
    #expect(!report.findings.contains { $0.checkID == "W104" || $0.checkID == "W125" })
    #expect(report.suppressed.first { $0.checkID == "W104" }?.suppression?.contains("reads TLS secrets") == true)
    #expect(report.suppressed.first { $0.checkID == "W125" }?.suppression?.contains("no reason given") == true)
}

@Test func catalogIDsAreUniqueAndDocumented() {
    let checks = RiskCatalog.checks
    #expect(Set(checks.map(\.id)).count == checks.count)
    #expect(Set(checks.map(\.name)).count == checks.count)
    for check in checks {
        #expect(!check.rationale.isEmpty && !check.remediation.isEmpty && !check.title.isEmpty)
        #expect(check.clusterWideSeverity >= check.severity)
    }
}
