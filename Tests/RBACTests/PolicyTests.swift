import KubeModel
import RBAC
import Testing

private let manifests = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: ns-reader}
    rules:
    - {apiGroups: [""], resources: [namespaces], verbs: [get, patch]}
    - {apiGroups: [""], resources: [namespaces/status], verbs: [update]}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: own-namespace, namespace: foo}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-reader}
    subjects:
    - {kind: User, apiGroup: rbac.authorization.k8s.io, name: ann}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: to-missing-role, namespace: foo}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: gone}
    subjects:
    - {kind: User, apiGroup: rbac.authorization.k8s.io, name: bob}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {name: local, namespace: bar}
    rules:
    - {apiGroups: [""], resources: [pods], verbs: [get]}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: cluster-to-role}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: local}
    subjects:
    - {kind: User, apiGroup: rbac.authorization.k8s.io, name: bob}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: to-missing-clusterrole}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: vanished}
    subjects:
    - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: devs}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: not-rbac, namespace: foo}
    data: {a: b}
    """

@Suite("Policy")
struct PolicyTests {
    @Test("a request on a Namespace object is in that namespace")
    func namespaceObject() throws {
        let policy = try policy(manifests)
        let ann = UserInfo(name: "ann")
        let request = AccessRequest(user: ann, verb: "get", resource: "namespaces", name: "foo")
        #expect(request.namespace == "foo")
        #expect(policy.allows(request))
        #expect(
            policy.allows(AccessRequest(user: ann, verb: "patch", resource: "namespaces", name: "foo", namespace: "elsewhere")))
        #expect(
            policy.allows(AccessRequest(user: ann, verb: "update", resource: "namespaces", subresource: "status", name: "foo")))
        #expect(!policy.allows(AccessRequest(user: ann, verb: "get", resource: "namespaces", name: "bar")))
        // Listing namespaces has no name: cluster-wide, so the RoleBinding does not apply.
        #expect(!policy.allows(AccessRequest(user: ann, verb: "list", resource: "namespaces")))
        // Only the core group's namespaces.
        #expect(
            AccessRequest(user: ann, verb: "get", apiGroup: "example.com", resource: "namespaces", name: "foo").namespace == "")
    }

    @Test("bindings to missing roles are kept, grant nothing, and are named in denials")
    func missingRoles() throws {
        let policy = try policy(manifests)
        #expect(policy.unresolvedBindings.map(\.name) == ["to-missing-role", "cluster-to-role", "to-missing-clusterrole"])
        #expect(policy.role(named: "local", namespace: "bar") != nil)
        let bob = UserInfo(name: "bob", groups: ["devs"])
        let decision = policy.authorize(AccessRequest(user: bob, verb: "get", resource: "pods", name: "p", namespace: "foo"))
        guard case .denied(let denial) = decision else {
            Issue.record("expected a denial, got \(decision)")
            return
        }
        #expect(denial.unresolvedBindings.map(\.name) == ["cluster-to-role", "to-missing-clusterrole", "to-missing-role"])
        #expect(decision.reason.contains("RoleBinding \"foo/to-missing-role\" refers to Role \"gone\", which does not exist"))
        // A ClusterRoleBinding can never use a Role, even one that exists.
        #expect(!policy.allows(AccessRequest(user: bob, verb: "get", resource: "pods", name: "p", namespace: "bar")))
        let clusterToRole = try #require(policy.bindings.first { $0.name == "cluster-to-role" })
        #expect(policy.role(for: clusterToRole) == nil)
        #expect(
            decision.reason.contains(
                "ClusterRoleBinding \"cluster-to-role\" refers to Role \"local\", but a ClusterRoleBinding can only use a ClusterRole"
            ))
    }

    @Test("non-RBAC objects are ignored; namespaced objects without a namespace get the default")
    func defaults() throws {
        let objects = try load(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: r}
            rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: b}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
            subjects: [{kind: ServiceAccount, name: ci}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: s}
            """)
        let policy = try RBACPolicy(objects: objects, defaultNamespace: "apps")
        try #require(policy.roles.count == 1)
        #expect(policy.roles[0].namespace == "apps")
        #expect(policy.bindings.map(\.namespace) == ["apps"])
        #expect(
            policy.allows(
                AccessRequest(
                    user: .serviceAccount("ci", namespace: "apps"), verb: "get", resource: "pods", name: "p", namespace: "apps")))
        #expect(policy.unresolvedBindings.isEmpty)
    }

    @Test("a later object with the same kind, namespace and name replaces the earlier")
    func replacement() throws {
        let first = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])
        let second = PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["pods"])
        let policy = RBACPolicy(
            roles: [.clusterRole("r", rules: [first]), .clusterRole("r", rules: [second])],
            bindings: [
                .clusterRoleBinding("b", clusterRole: "r", subjects: [.user("x")]),
                .clusterRoleBinding("b", clusterRole: "r", subjects: [.user("y")]),
            ])
        #expect(policy.roles.count == 1)
        #expect(policy.bindings.count == 1)
        #expect(policy.allows(AccessRequest(user: UserInfo(name: "y"), verb: "list", resource: "pods")))
        #expect(!policy.allows(AccessRequest(user: UserInfo(name: "y"), verb: "get", resource: "pods")))
        #expect(!policy.allows(AccessRequest(user: UserInfo(name: "x"), verb: "list", resource: "pods")))
    }

    @Test("who can: every subject with the binding and role, ClusterRoleBindings first")
    func whoCan() throws {
        let policy = try policy(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: secret-reader}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: pod-reader}
            rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: local-readers, namespace: shop}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
            subjects:
            - {kind: ServiceAccount, name: app}
            - {kind: User, apiGroup: rbac.authorization.k8s.io, name: ann}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: other-namespace, namespace: bank}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
            subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: mallory}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: auditors}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
            subjects:
            - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: auditors}
            - {kind: ServiceAccount, name: no-namespace}
            - {kind: ServiceAccount, name: backup, namespace: ops}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: pod-readers}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
            subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: paul}]
            """)
        let grants = policy.whoCan(verb: "list", resource: "secrets", namespace: "shop")
        #expect(
            grants.map(\.subject.description) == [
                #"Group "auditors""#, #"ServiceAccount "ops/backup""#, #"ServiceAccount "shop/app""#, #"User "ann""#,
            ])
        #expect(grants.map(\.binding.name) == ["auditors", "auditors", "local-readers", "local-readers"])
        #expect(grants.allSatisfy { $0.role.name == "secret-reader" && $0.ruleIndex == 0 })
        // Cluster-wide: only ClusterRoleBindings count.
        #expect(policy.whoCan(verb: "list", resource: "secrets").map(\.binding.name) == ["auditors", "auditors"])
        #expect(policy.whoCan(verb: "get", resource: "pods", name: "p", namespace: "bank").map(\.subject) == [.user("paul")])
        #expect(policy.whoCan(verb: "delete", resource: "secrets", namespace: "shop").isEmpty)
        #expect(policy.whoCan(verb: "get", nonResourceURL: "/healthz").isEmpty)
        // whoCan agrees with authorize for each subject it lists.
        for grant in grants where grant.subject.kind == .user {
            #expect(
                policy.allows(
                    AccessRequest(user: UserInfo(name: grant.subject.name), verb: "list", resource: "secrets", namespace: "shop"))
            )
        }
    }

    @Test("who can on non-resource URLs")
    func whoCanNonResource() {
        let policy = RBACPolicy(
            roles: [.clusterRole("health", rules: [PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez/*"])])],
            bindings: [.clusterRoleBinding("health", clusterRole: "health", subjects: [.group("system:authenticated")])])
        #expect(policy.whoCan(verb: "get", nonResourceURL: "/livez/ping").map(\.subject) == [.group("system:authenticated")])
        #expect(policy.whoCan(verb: "get", nonResourceURL: "/livez").isEmpty)
        #expect(policy.whoCan(verb: "post", nonResourceURL: "/healthz").isEmpty)
    }
}

@Suite("Parsing")
struct ParsingTests {
    @Test("every field of roles and bindings is read")
    func fields() throws {
        let objects = try load(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: agg
              labels: {team: a}
            aggregationRule:
              clusterRoleSelectors:
              - matchLabels: {x: "1"}
                matchExpressions: [{key: tier, operator: NotIn, values: [a, b]}]
            rules:
            - apiGroups: ["", apps]
              resources: [pods, deployments/scale]
              resourceNames: [web]
              verbs: [get]
            - nonResourceURLs: [/healthz]
              verbs: [get]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: b, namespace: ns}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: agg}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: other}
            - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: g}
            """)
        try #require(objects.count == 2)
        let role = try RBACRole(objects[0])
        #expect(role.kind == .clusterRole)
        #expect(role.name == "agg")
        #expect(role.namespace == nil)
        #expect(role.labels == ["team": "a"])
        #expect(role.source == SourceLocation(file: "test.yaml", line: 1))
        try #require(role.rules.count == 2)
        #expect(
            role.rules == [
                PolicyRule(
                    verbs: ["get"], apiGroups: ["", "apps"], resources: ["pods", "deployments/scale"], resourceNames: ["web"]),
                PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz"]),
            ])
        #expect(
            role.aggregationRule
                == AggregationRule(clusterRoleSelectors: [
                    LabelSelector(
                        matchLabels: ["x": "1"], matchExpressions: [.init(key: "tier", operator: .notIn, values: ["a", "b"])])
                ]))
        let binding = try RBACBinding(objects[1])
        #expect(binding.kind == .roleBinding)
        #expect(binding.namespace == "ns")
        #expect(binding.roleRef == .clusterRole("agg"))
        #expect(binding.subjects == [.serviceAccount("sa", namespace: "other"), .group("g")])
        try #require(binding.subjects.count == 2)
        #expect(binding.subjects[0].apiGroup == "")
        #expect(binding.source?.line == 18)
        // The rules written back as a manifest read the same.
        #expect(
            role.rules[0].jsonValue == [
                "apiGroups": ["", "apps"], "resources": ["pods", "deployments/scale"], "resourceNames": ["web"], "verbs": ["get"],
            ])
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var code: ManifestError.Code
        var message: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(
            name: "verbs written as a string",
            yaml:
                "kind: Role\nmetadata: {name: r, namespace: ns}\nrules:\n- {apiGroups: [\"\"], resources: [pods], verbs: get}\n",
            code: .wrongType, message: "Role ns/r: rules[0].verbs must be a list of strings, found a string"),
        BadCase(
            name: "a number in a list",
            yaml:
                "kind: ClusterRole\nmetadata: {name: r}\nrules:\n- {apiGroups: [\"\"], resources: [pods], resourceNames: [8080], verbs: [get]}\n",
            code: .wrongType, message: "ClusterRole r: rules[0].resourceNames[0] must be a string, found an integer"),
        BadCase(
            name: "rules not a list",
            yaml: "kind: ClusterRole\nmetadata: {name: r}\nrules: {verbs: [get]}\n",
            code: .wrongType, message: "ClusterRole r: rules must be a list, found a mapping"),
        BadCase(
            name: "binding without roleRef",
            yaml: "kind: RoleBinding\nmetadata: {name: b, namespace: ns}\nsubjects: []\n",
            code: .missingField, message: "RoleBinding ns/b has no roleRef"),
        BadCase(
            name: "subject without kind",
            yaml:
                "kind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: x}\nsubjects: [{name: ann}]\n",
            code: .missingField, message: "ClusterRoleBinding b has no subjects[0].kind"),
        BadCase(
            name: "unknown selector operator",
            yaml:
                "kind: ClusterRole\nmetadata: {name: r}\naggregationRule:\n  clusterRoleSelectors:\n  - matchExpressions: [{key: a, operator: Equals, values: [b]}]\n",
            code: .wrongType,
            message:
                "ClusterRole r: aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator 'Equals' is not a selector operator"
        ),
    ]

    @Test("malformed RBAC objects are errors at their file and line", arguments: badCases)
    func malformed(_ testCase: BadCase) throws {
        let yaml =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\napiVersion: rbac.authorization.k8s.io/v1\n"
            + testCase.yaml
        let objects = try load(yaml, file: "bad.yaml")
        do {
            _ = try RBACPolicy(objects: objects)
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.count == 1)
            let first = try #require(error.errors.first)
            #expect(first.code == testCase.code)
            #expect(first.message == testCase.message)
            #expect(first.location == SourceLocation(file: "bad.yaml", line: 5))
            #expect(first.hint != nil)
        }
    }

    @Test("all malformed objects are reported together")
    func severalErrors() throws {
        let objects = try load(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: a}
            rules: [{verbs: get}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: b}
            """)
        #expect(throws: ManifestErrors.self) { try RBACPolicy(objects: objects) }
        do {
            _ = try RBACPolicy(objects: objects)
        } catch {
            #expect(error.errors.map(\.location.line) == [1, 6])
        }
    }
}
