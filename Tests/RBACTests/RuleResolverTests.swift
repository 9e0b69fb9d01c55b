import RBAC
import Testing

struct RuleResolverCase: Sendable, CustomTestStringConvertible {
    var number: Int
    var user: UserInfo
    var namespace: String
    var effectiveRules: [PolicyRule]
    var testDescription: String { "case \(number): \(user.name.isEmpty ? "<no name>" : user.name) in '\(namespace)'" }
}

// pkg/registry/rbac/validation/rule_test.go, TestDefaultRuleResolver: the static roles and
// bindings of that test (bindings unnamed, as there) and every case.
private let ruleReadPods = PolicyRule(verbs: ["GET", "WATCH"], apiGroups: ["v1"], resources: ["pods"])
private let ruleReadServices = PolicyRule(verbs: ["GET", "WATCH"], apiGroups: ["v1"], resources: ["services"])
private let ruleWriteNodes = PolicyRule(verbs: ["PUT", "CREATE", "UPDATE"], apiGroups: ["v1"], resources: ["nodes"])
private let ruleAdmin = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])

let staticRoles1 = RBACPolicy(
    roles: [
        RBACRole(kind: .role, name: "readthings", namespace: "namespace1", rules: [ruleReadPods, ruleReadServices]),
        RBACRole(kind: .clusterRole, name: "cluster-admin", rules: [ruleAdmin]),
        RBACRole(kind: .clusterRole, name: "write-nodes", rules: [ruleWriteNodes]),
    ],
    bindings: [
        RBACBinding(
            kind: .roleBinding, name: "", namespace: "namespace1", roleRef: .role("readthings"),
            subjects: [.user("foobar"), .group("group1")]),
        RBACBinding(
            kind: .clusterRoleBinding, name: "", roleRef: .clusterRole("cluster-admin"),
            subjects: [.user("admin"), .group("admin")]),
    ])

let ruleResolverCases: [RuleResolverCase] = [
    RuleResolverCase(
        number: 0, user: goUser("foobar"), namespace: "namespace1", effectiveRules: [ruleReadPods, ruleReadServices]),
    RuleResolverCase(number: 1, user: goUser("foobar"), namespace: "namespace2", effectiveRules: []),
    // Same as above but without a namespace. Only cluster rules should apply.
    RuleResolverCase(number: 2, user: goUser("foobar", ["admin"]), namespace: "", effectiveRules: [ruleAdmin]),
    RuleResolverCase(number: 3, user: goUser(""), namespace: "", effectiveRules: []),
]

@Suite("Rule resolution")
struct RuleResolverTests {
    @Test("TestDefaultRuleResolver", arguments: ruleResolverCases)
    func defaultRuleResolver(_ testCase: RuleResolverCase) {
        let review = staticRoles1.effectiveRules(for: testCase.user, namespace: testCase.namespace)
        #expect(sortedDescriptions(review.rules) == sortedDescriptions(testCase.effectiveRules))
        #expect(!review.isIncomplete)
    }

    @Test("effective rules: cluster-wide first, then the namespace's, each with its origin")
    func effectiveRulesWithOrigins() throws {
        let policy = try policy(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: pod-reader}
            rules:
            - {apiGroups: [""], resources: [pods], verbs: [get, list]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: deployer, namespace: shop}
            rules:
            - {apiGroups: [apps], resources: [deployments], verbs: [create, update]}
            - {apiGroups: [""], resources: [services], verbs: [create]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: deployers, namespace: shop}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
            subjects:
            - {kind: ServiceAccount, name: ci}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: readers, namespace: shop}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
            subjects:
            - {kind: Group, name: "system:serviceaccounts:shop"}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: everyone-reads}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
            subjects:
            - {kind: Group, name: "system:authenticated"}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: broken, namespace: shop}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: missing}
            subjects:
            - {kind: ServiceAccount, name: ci, namespace: shop}
            """)
        let ci = UserInfo.serviceAccount("ci", namespace: "shop")
        let review = policy.effectiveRules(for: ci, namespace: "shop")
        try #require(review.grants.count == 4)
        #expect(review.grants.map(\.binding.name) == ["everyone-reads", "deployers", "deployers", "readers"])
        #expect(review.grants.map(\.ruleIndex) == [0, 0, 1, 0])
        #expect(review.grants[1].role.name == "deployer")
        #expect(review.grants[1].subject == .serviceAccount("ci", namespace: "shop"))
        #expect(review.grants[3].subject == .group("system:serviceaccounts:shop"))
        #expect(review.grants[0].scope == nil)
        #expect(review.grants[3].scope == "shop")
        #expect(review.isIncomplete)
        #expect(review.unresolvedBindings.map(\.name) == ["broken"])

        let clusterWide = policy.effectiveRules(for: ci, namespace: "")
        #expect(clusterWide.grants.map(\.binding.name) == ["everyone-reads"])
        #expect(!clusterWide.isIncomplete)

        let elsewhere = policy.effectiveRules(for: ci, namespace: "other")
        #expect(elsewhere.rules == [PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["pods"])])
    }
}
