import RBAC
import Testing

struct AppliesToCase: Sendable, CustomTestStringConvertible {
    var testCase: String
    var subjects: [Subject]
    var user: UserInfo
    var namespace: String = ""
    var index: Int?
    var testDescription: String { testCase }
}

// pkg/registry/rbac/validation/rule_test.go, TestAppliesTo (every case; `index` is nil where
// the Go case expects appliesTo=false).
let appliesToCases: [AppliesToCase] = [
    AppliesToCase(
        testCase: "single subject that matches username",
        subjects: [.user("foobar")], user: goUser("foobar"), index: 0),
    AppliesToCase(
        testCase: "multiple subjects, one that matches username",
        subjects: [.user("barfoo"), .user("foobar")], user: goUser("foobar"), index: 1),
    AppliesToCase(
        testCase: "multiple subjects, none that match username",
        subjects: [.user("barfoo"), .user("foobar")], user: goUser("zimzam"), index: nil),
    AppliesToCase(
        testCase: "multiple subjects, one that match group",
        subjects: [.user("barfoo"), .group("foobar")], user: goUser("zimzam", ["foobar"]), index: 1),
    AppliesToCase(
        testCase: "multiple subjects, one that match group, should ignore namespace",
        subjects: [.user("barfoo"), .group("foobar")], user: goUser("zimzam", ["foobar"]), namespace: "namespace1", index: 1),
    AppliesToCase(
        testCase: "multiple subjects with a service account that matches",
        subjects: [.user("barfoo"), .group("foobar"), .serviceAccount("default", namespace: "kube-system")],
        user: goUser("system:serviceaccount:kube-system:default"), namespace: "default", index: 2),
    AppliesToCase(
        testCase: "* user subject name doesn't match all users",
        subjects: [.user("*")], user: goUser("foobar"), namespace: "default", index: nil),
    AppliesToCase(
        testCase: "binding to all authenticated and unauthenticated subjects matches authenticated user",
        subjects: [.group("system:authenticated"), .group("system:unauthenticated")],
        user: goUser("foobar", ["system:authenticated"]), namespace: "default", index: 0),
    AppliesToCase(
        testCase: "binding to all authenticated and unauthenticated subjects matches anonymous user",
        subjects: [.group("system:authenticated"), .group("system:unauthenticated")],
        user: goUser("system:anonymous", ["system:unauthenticated"]), namespace: "default", index: 1),
]

// appliesToUser in pkg/registry/rbac/validation/rule.go: a ServiceAccount subject without a
// namespace takes the namespace being evaluated (a RoleBinding's), and matches nobody when there
// is none (a ClusterRoleBinding); unknown kinds match nobody.
let serviceAccountCases: [AppliesToCase] = [
    AppliesToCase(
        testCase: "ServiceAccount without namespace in a RoleBinding takes the binding's namespace",
        subjects: [.serviceAccount("deployer", namespace: nil)],
        user: goUser("system:serviceaccount:ci:deployer"), namespace: "ci", index: 0),
    AppliesToCase(
        testCase: "ServiceAccount with an empty namespace is the same as none",
        subjects: [.serviceAccount("deployer", namespace: "")],
        user: goUser("system:serviceaccount:ci:deployer"), namespace: "ci", index: 0),
    AppliesToCase(
        testCase: "ServiceAccount without namespace in another namespace's binding",
        subjects: [.serviceAccount("deployer", namespace: nil)],
        user: goUser("system:serviceaccount:ci:deployer"), namespace: "prod", index: nil),
    AppliesToCase(
        testCase: "ServiceAccount without namespace in a ClusterRoleBinding matches nobody",
        subjects: [.serviceAccount("deployer", namespace: nil)],
        user: goUser("system:serviceaccount:ci:deployer"), namespace: "", index: nil),
    AppliesToCase(
        testCase: "ServiceAccount's own namespace wins over the binding's",
        subjects: [.serviceAccount("deployer", namespace: "ci")],
        user: goUser("system:serviceaccount:ci:deployer"), namespace: "prod", index: 0),
    AppliesToCase(
        testCase: "ServiceAccount name must match exactly",
        subjects: [.serviceAccount("deploy", namespace: "ci")],
        user: goUser("system:serviceaccount:ci:deployer"), namespace: "ci", index: nil),
    AppliesToCase(
        testCase: "a User subject with the ServiceAccount's user name matches it",
        subjects: [.user("system:serviceaccount:ci:deployer")],
        user: goUser("system:serviceaccount:ci:deployer"), index: 0),
    AppliesToCase(
        testCase: "a ServiceAccount subject does not match a user of the same name",
        subjects: [.serviceAccount("deployer", namespace: "ci")], user: goUser("deployer"), namespace: "ci", index: nil),
    AppliesToCase(
        testCase: "a Group subject does not match a user name",
        subjects: [.group("alice")], user: goUser("alice"), index: nil),
    AppliesToCase(
        testCase: "unknown subject kinds match nobody",
        subjects: [Subject(kind: Subject.Kind(rawValue: "Robot"), name: "alice")], user: goUser("alice"), index: nil),
]

@Suite("Subjects")
struct AppliesToTests {
    @Test("TestAppliesTo", arguments: appliesToCases)
    func appliesTo(_ testCase: AppliesToCase) {
        #expect(
            Subject.firstIndex(in: testCase.subjects, applyingTo: testCase.user, namespace: testCase.namespace) == testCase.index)
    }

    @Test("appliesToUser for ServiceAccounts and other kinds", arguments: serviceAccountCases)
    func serviceAccounts(_ testCase: AppliesToCase) {
        #expect(
            Subject.firstIndex(in: testCase.subjects, applyingTo: testCase.user, namespace: testCase.namespace) == testCase.index)
    }

    @Test("the policy's index agrees with appliesTo for ServiceAccount subjects without namespace")
    func indexAgrees() {
        let rule = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])
        let policy = RBACPolicy(
            roles: [.clusterRole("reader", rules: [rule])],
            bindings: [
                .roleBinding(
                    "local", namespace: "ci", roleRef: .clusterRole("reader"),
                    subjects: [.serviceAccount("deployer", namespace: nil)]),
                .clusterRoleBinding("cluster", clusterRole: "reader", subjects: [.serviceAccount("builder", namespace: nil)]),
            ])
        let deployer = UserInfo.serviceAccount("deployer", namespace: "ci")
        let builder = UserInfo.serviceAccount("builder", namespace: "ci")
        #expect(policy.allows(AccessRequest(user: deployer, verb: "get", resource: "pods", name: "p", namespace: "ci")))
        #expect(!policy.allows(AccessRequest(user: deployer, verb: "get", resource: "pods", name: "p", namespace: "prod")))
        #expect(!policy.allows(AccessRequest(user: builder, verb: "get", resource: "pods", name: "p", namespace: "ci")))
        let grant = policy.authorize(AccessRequest(user: deployer, verb: "get", resource: "pods", name: "p", namespace: "ci"))
            .grant
        #expect(grant?.subject == .serviceAccount("deployer", namespace: "ci"))
    }
}

@Suite("Implicit groups")
struct UserInfoTests {
    @Test("every authenticated user is in system:authenticated")
    func authenticated() {
        #expect(UserInfo(name: "alice").groups == ["system:authenticated"])
        #expect(UserInfo(name: "alice", groups: ["devs"]).groups == ["devs", "system:authenticated"])
        #expect(UserInfo(name: "alice", groups: ["system:authenticated", "devs"]).groups == ["system:authenticated", "devs"])
    }

    @Test("ServiceAccounts are in system:serviceaccounts and system:serviceaccounts:<ns>")
    func serviceAccounts() {
        let account = UserInfo.serviceAccount("deployer", namespace: "ci")
        #expect(account.name == "system:serviceaccount:ci:deployer")
        #expect(account.groups == ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"])
        #expect(account.serviceAccount?.namespace == "ci")
        #expect(account.serviceAccount?.name == "deployer")
        #expect(UserInfo(name: "system:serviceaccount:ci:deployer").groups == account.groups)
    }

    @Test(
        "names that are not of the ServiceAccount form get no ServiceAccount groups",
        arguments: [
            "system:serviceaccount:ci", "system:serviceaccount:ci:a:b", "system:serviceaccount::deployer",
            "system:serviceaccount:ci:",
            "system:serviceaccounts:ci:deployer",
        ])
    func notServiceAccounts(_ name: String) {
        #expect(UserInfo(name: name).groups == ["system:authenticated"])
        #expect(UserInfo(name: name).serviceAccount == nil)
    }

    @Test("anonymous and unauthenticated users are not authenticated")
    func anonymous() {
        #expect(UserInfo.anonymous.groups == ["system:unauthenticated"])
        #expect(UserInfo(name: "system:anonymous").groups.isEmpty)
        #expect(UserInfo(name: "x", groups: ["system:unauthenticated"]).groups == ["system:unauthenticated"])
        #expect(UserInfo(name: "alice", addingImplicitGroups: false).groups.isEmpty)
    }

    @Test("bindings to implicit groups apply through them")
    func implicitGroupsGrant() {
        let rule = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"])
        let policy = RBACPolicy(
            roles: [.clusterRole("read", rules: [rule])],
            bindings: [
                .roleBinding(
                    "sa", namespace: "ci", roleRef: .clusterRole("read"), subjects: [.group("system:serviceaccounts:ci")]),
                .roleBinding(
                    "all", namespace: "public", roleRef: .clusterRole("read"), subjects: [.group("system:authenticated")]),
            ])
        func get(_ user: UserInfo, _ namespace: String) -> Bool {
            policy.allows(AccessRequest(user: user, verb: "get", resource: "configmaps", name: "c", namespace: namespace))
        }
        #expect(get(.serviceAccount("any", namespace: "ci"), "ci"))
        #expect(!get(.serviceAccount("any", namespace: "prod"), "ci"))
        #expect(!get(UserInfo(name: "alice"), "ci"))
        #expect(get(UserInfo(name: "alice"), "public"))
        #expect(!get(.anonymous, "public"))
    }
}
