import RBAC
import Testing

/// One case of `TestAuthorizer`: a policy, requests it must allow and requests it must not.
struct AuthorizerCase: Sendable, CustomTestStringConvertible {
    var name: String
    var roles: [RBACRole]
    var bindings: [RBACBinding]
    var shouldPass: [AccessRequest]
    var shouldFail: [AccessRequest]
    var testDescription: String { name }
}

// plugin/pkg/auth/authorizer/rbac/rbac_test.go, TestAuthorizer (every case).
let authorizerCases: [AuthorizerCase] = [
    AuthorizerCase(
        name: "case 0: RoleBinding to ClusterRole admin in ns1",
        roles: [newClusterRole("admin", newRule("*", "*", "*", "*"))],
        bindings: [newRoleBindingToClusterRole("ns1", "admin", "User:admin", "Group:admins")],
        shouldPass: [
            defaultAttributes("admin", "", "get", "Pods", "", "ns1", ""),
            defaultAttributes("admin", "", "watch", "Pods", "", "ns1", ""),
            defaultAttributes("admin", "group1", "watch", "Foobar", "", "ns1", ""),
            defaultAttributes("joe", "admins", "watch", "Foobar", "", "ns1", ""),
            defaultAttributes("joe", "group1,admins", "watch", "Foobar", "", "ns1", ""),
        ],
        shouldFail: [
            defaultAttributes("admin", "", "GET", "Pods", "", "ns2", ""),
            defaultAttributes("admin", "", "GET", "Nodes", "", "", ""),
            defaultAttributes("admin", "admins", "GET", "Pods", "", "ns2", ""),
            defaultAttributes("admin", "admins", "GET", "Nodes", "", "", ""),
        ]),
    AuthorizerCase(
        name: "case 1: non-resource URLs",
        roles: [
            newClusterRole("non-resource-url-getter", newRule("get", "", "", "/apis")),
            newClusterRole("non-resource-url", newRule("*", "", "", "/apis")),
            newClusterRole("non-resource-url-prefix", newRule("get", "", "", "/apis/*")),
        ],
        bindings: [
            newClusterRoleBinding("non-resource-url-getter", "User:foo", "Group:bar"),
            newClusterRoleBinding("non-resource-url", "User:admin", "Group:admin"),
            newClusterRoleBinding("non-resource-url-prefix", "User:prefixed", "Group:prefixed"),
        ],
        shouldPass: [
            AccessRequest(user: goUser("foo"), verb: "get", nonResourceURL: "/apis"),
            AccessRequest(user: goUser("", ["bar"]), verb: "get", nonResourceURL: "/apis"),
            AccessRequest(user: goUser("admin"), verb: "get", nonResourceURL: "/apis"),
            AccessRequest(user: goUser("", ["admin"]), verb: "get", nonResourceURL: "/apis"),
            AccessRequest(user: goUser("admin"), verb: "watch", nonResourceURL: "/apis"),
            AccessRequest(user: goUser("", ["admin"]), verb: "watch", nonResourceURL: "/apis"),
            AccessRequest(user: goUser("prefixed"), verb: "get", nonResourceURL: "/apis/v1"),
            AccessRequest(user: goUser("", ["prefixed"]), verb: "get", nonResourceURL: "/apis/v1"),
            AccessRequest(user: goUser("prefixed"), verb: "get", nonResourceURL: "/apis/v1/foobar"),
            AccessRequest(user: goUser("", ["prefixed"]), verb: "get", nonResourceURL: "/apis/v1/foorbar"),
        ],
        shouldFail: [
            // wrong verb
            AccessRequest(user: goUser("foo"), verb: "watch", nonResourceURL: "/apis"),
            AccessRequest(user: goUser("", ["bar"]), verb: "watch", nonResourceURL: "/apis"),
            // wrong path
            AccessRequest(user: goUser("foo"), verb: "get", nonResourceURL: "/api/v1"),
            AccessRequest(user: goUser("", ["bar"]), verb: "get", nonResourceURL: "/api/v1"),
            AccessRequest(user: goUser("admin"), verb: "get", nonResourceURL: "/api/v1"),
            AccessRequest(user: goUser("", ["admin"]), verb: "get", nonResourceURL: "/api/v1"),
            // not covered by prefix
            AccessRequest(user: goUser("prefixed"), verb: "get", nonResourceURL: "/api/v1"),
            AccessRequest(user: goUser("", ["prefixed"]), verb: "get", nonResourceURL: "/api/v1"),
        ]),
    AuthorizerCase(
        name: "case 2: subresource resolution, pods does not cover pods/status",
        roles: [newClusterRole("admin", newRule("*", "*", "pods", "*"))],
        bindings: [newRoleBindingToClusterRole("ns1", "admin", "User:admin", "Group:admins")],
        shouldPass: [defaultAttributes("admin", "", "get", "pods", "", "ns1", "")],
        shouldFail: [defaultAttributes("admin", "", "get", "pods", "status", "ns1", "")]),
    AuthorizerCase(
        name: "case 3: subresource resolution, pods/status and */scale",
        roles: [newClusterRole("admin", newRule("*", "*", "pods/status", "*"), newRule("*", "*", "*/scale", "*"))],
        bindings: [newRoleBindingToClusterRole("ns1", "admin", "User:admin", "Group:admins")],
        shouldPass: [
            defaultAttributes("admin", "", "get", "pods", "status", "ns1", ""),
            defaultAttributes("admin", "", "get", "pods", "scale", "ns1", ""),
            defaultAttributes("admin", "", "get", "deployments", "scale", "ns1", ""),
            defaultAttributes("admin", "", "get", "anything", "scale", "ns1", ""),
        ],
        shouldFail: [defaultAttributes("admin", "", "get", "pods", "", "ns1", "")]),
]

@Suite("RBAC authorizer")
struct AuthorizerTests {
    @Test("TestAuthorizer", arguments: authorizerCases)
    func authorizer(_ testCase: AuthorizerCase) {
        let policy = RBACPolicy(roles: testCase.roles, bindings: testCase.bindings)
        for request in testCase.shouldPass {
            #expect(policy.authorize(request).isAllowed, "incorrectly restricted \(request)")
            #expect(policy.allows(request), "incorrectly restricted \(request)")
        }
        for request in testCase.shouldFail {
            #expect(!policy.authorize(request).isAllowed, "incorrectly passed \(request)")
            #expect(!policy.allows(request), "incorrectly passed \(request)")
        }
    }

    @Test("a RoleBinding to a ClusterRole grants nothing outside its namespace, nor cluster-scoped resources")
    func roleBindingToClusterRoleIsConfined() {
        let policy = RBACPolicy(
            roles: [.clusterRole("admin", rules: [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])])],
            bindings: [.roleBinding("admins", namespace: "team-a", roleRef: .clusterRole("admin"), subjects: [.user("ann")])])
        let ann = UserInfo(name: "ann")
        #expect(policy.allows(AccessRequest(user: ann, verb: "delete", resource: "pods", name: "x", namespace: "team-a")))
        #expect(!policy.allows(AccessRequest(user: ann, verb: "delete", resource: "pods", name: "x", namespace: "team-b")))
        #expect(!policy.allows(AccessRequest(user: ann, verb: "get", resource: "nodes", name: "n1")))
        // All namespaces at once is a cluster-wide request.
        #expect(!policy.allows(AccessRequest(user: ann, verb: "list", resource: "pods")))
    }

    @Test("the decision names the first granting binding, its role and the rule, in kube-apiserver's order")
    func decisionExplains() throws {
        let policy = RBACPolicy(
            roles: [
                .clusterRole(
                    "reader",
                    rules: [
                        PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["services"]),
                        PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["pods"]),
                    ]),
                .role("pod-reader", namespace: "ns1", rules: [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])]),
            ],
            bindings: [
                // A RoleBinding listed first still comes after every ClusterRoleBinding.
                .roleBinding("local", namespace: "ns1", roleRef: .role("pod-reader"), subjects: [.user("ann")]),
                .clusterRoleBinding("other", clusterRole: "reader", subjects: [.user("bob")]),
                .clusterRoleBinding("readers", clusterRole: "reader", subjects: [.user("zed"), .group("devs")]),
            ])
        let ann = UserInfo(name: "ann", groups: ["devs"])
        let decision = policy.authorize(AccessRequest(user: ann, verb: "get", resource: "pods", name: "p", namespace: "ns1"))
        let grant = try #require(decision.grant)
        #expect(grant.binding.name == "readers")
        #expect(grant.role.name == "reader")
        #expect(grant.ruleIndex == 1)
        #expect(grant.subject == .group("devs"))
        #expect(grant.scope == nil)
        #expect(
            decision.reason.hasPrefix(
                "RBAC: allowed by ClusterRoleBinding \"readers\" of ClusterRole \"reader\" to Group \"devs\""))

        let local = policy.authorize(
            AccessRequest(user: UserInfo(name: "ann"), verb: "get", resource: "pods", name: "p", namespace: "ns1"))
        #expect(local.grant?.binding.name == "local")
        #expect(local.grant?.scope == "ns1")

        let denied = policy.authorize(AccessRequest(user: ann, verb: "delete", resource: "pods", name: "p", namespace: "ns1"))
        guard case .denied(let denial) = denied else {
            Issue.record("expected a denial, got \(denied)")
            return
        }
        #expect(denial.unresolvedBindings.isEmpty)
        #expect(denied.reason.contains("delete pods \"p\" in namespace \"ns1\""))
    }

    @Test("verbs are case-sensitive and exact")
    func verbsAreExact() {
        let policy = RBACPolicy(
            roles: [.clusterRole("r", rules: [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])])],
            bindings: [.clusterRoleBinding("b", clusterRole: "r", subjects: [.user("u")])])
        let user = UserInfo(name: "u")
        #expect(policy.allows(AccessRequest(user: user, verb: "get", resource: "pods")))
        #expect(!policy.allows(AccessRequest(user: user, verb: "GET", resource: "pods")))
        #expect(!policy.allows(AccessRequest(user: user, verb: "list", resource: "pods")))
    }
}
