public import KubeModel
public import RBAC

/// A deterministic synthetic RBAC policy of a real cluster's shape, for benchmarks and scale tests.
///
/// At scale 1 it has 1,000 namespaces, 4,100 Roles, 2,200 ClusterRoles, 13,500 RoleBindings and
/// 2,000 ClusterRoleBindings (about 21,800 objects); other scales multiply every count. The same
/// scale and seed always give the same objects. Random parts use users `user-<n>` (user `n` is in
/// group `team-<n mod groups>`, see ``user(_:scale:)``), groups `team-<n>`, ServiceAccounts
/// `sa-<n>` in namespace `ns-<n mod namespaces>`, and namespaces `ns-<n>`; some random
/// ClusterRoles aggregate others by a `matchExpressions` selector, in chains and cycles.
///
/// Fixed parts, present at every scale, give known answers:
/// - every namespace `ns-<n>` has a Role `deployer` (get, list, watch, create, update, patch,
///   delete on `deployments.apps`, `services` and `configmaps`) bound by the RoleBinding
///   `deployer` to the ServiceAccount `deployer` (written without namespace);
/// - ClusterRoles `synthetic:view` ⊂ `synthetic:edit` ⊂ `synthetic:admin` aggregate, like
///   Kubernetes' `view`/`edit`/`admin`, the ClusterRoles labelled
///   `synthetic.warrant.dev/aggregate-to-view|edit|admin: "true"`, among them
///   `synthetic:view-pods` (read pods and `pods/log`), `synthetic:edit-deployments` (write
///   `deployments.apps`) and `synthetic:admin-rbac` (write Roles and RoleBindings); random
///   ClusterRoles that carry the view label only ever read;
/// - the ClusterRoleBinding `synthetic:viewers` grants `synthetic:view` to group `synthetic:viewers`,
///   `synthetic:cluster-admins` grants `cluster-admin` to group `synthetic:admins`;
/// - the RoleBinding `ns-0/alice-admin` grants `synthetic:admin` to user `alice` in `ns-0`;
/// - the RoleBinding `ns-0/dangling` and the ClusterRoleBinding `synthetic:dangling` refer to
///   roles that do not exist, for user `bob`.
public enum SyntheticRBAC {
    /// How many of each thing a scale gives.
    public struct Counts: Sendable, Hashable {
        /// Namespaces `ns-0` ... .
        public var namespaces: Int
        /// Roles, the `deployer` Roles included.
        public var roles: Int
        /// ClusterRoles, the fixed ones included.
        public var clusterRoles: Int
        /// RoleBindings, the fixed ones included.
        public var roleBindings: Int
        /// ClusterRoleBindings, the fixed ones included.
        public var clusterRoleBindings: Int
        /// Users `user-0` ... .
        public var users: Int
        /// Groups `team-0` ... .
        public var groups: Int
        /// ServiceAccounts `sa-0` ... .
        public var serviceAccounts: Int

        /// The number of RBAC objects.
        public var objects: Int { roles + clusterRoles + roleBindings + clusterRoleBindings }
    }

    /// The counts at `scale` (1 is the full size).
    public static func counts(scale: Double) -> Counts {
        func scaled(_ full: Double, minimum: Int) -> Int { max(minimum, Int((full * scale).rounded())) }
        let namespaces = scaled(1_000, minimum: 1)
        return Counts(
            namespaces: namespaces,
            roles: scaled(4_100, minimum: namespaces),
            clusterRoles: scaled(2_200, minimum: fixedClusterRoles.count + 1),
            roleBindings: scaled(13_500, minimum: namespaces + 2),
            clusterRoleBindings: scaled(2_000, minimum: 3),
            users: scaled(5_000, minimum: 10),
            groups: scaled(500, minimum: 2),
            serviceAccounts: scaled(3_000, minimum: namespaces))
    }

    /// The label that makes a ClusterRole part of `synthetic:<role>` (`view`, `edit`, `admin`).
    public static func aggregationLabel(_ role: String) -> String { "synthetic.warrant.dev/aggregate-to-\(role)" }

    /// The synthetic user `user-<index>` with its team group and the implicit groups.
    public static func user(_ index: Int, scale: Double) -> UserInfo {
        UserInfo(name: "user-\(index)", groups: ["team-\(index % counts(scale: scale).groups)"])
    }

    /// What else the generator puts in, beyond a real cluster's usual shape.
    public struct Options: Sendable, Hashable {
        /// Also draws rules from the audit catalog's requests, as a differential test against a
        /// real API server needs them: cluster-scoped resources (in Roles too), impersonation
        /// of users, groups, ServiceAccounts, UIDs and user extras (in Roles and ClusterRoles, in
        /// the wrong API group too), CSR approval and signers, `bind` and `escalate`, Namespace
        /// objects, wildcards (`*` verbs, resources, groups, `*/scale`), `resourceNames` (an
        /// empty one too), rules that match nothing (`verbs: [""]`), and subjects such as a
        /// namespace's `default` ServiceAccount and `system:serviceaccounts:<namespace>`.
        public var risky: Bool
        /// Put before every name the objects could share with others on one cluster: namespaces,
        /// ClusterRoles, ClusterRoleBindings, users, groups and the label keys that aggregate
        /// ClusterRoles (`""` for none).
        public var prefix: String

        /// The usual shape, unprefixed.
        public init(risky: Bool = false, prefix: String = "") {
            self.risky = risky
            self.prefix = prefix
        }
    }

    /// The objects at `scale`: Roles, ClusterRoles, RoleBindings, ClusterRoleBindings, in that order.
    public static func objects(scale: Double = 1, seed: UInt64 = 1, options: Options = Options()) -> [KubeObject] {
        var generator = Generator(counts: counts(scale: scale), seed: seed, options: options)
        return generator.generate()
    }

    /// `count` requests in the synthetic policy's vocabulary (users, ServiceAccounts, namespaces
    /// and resources), a realistic mix of allowed and denied ones.
    public static func requests(count: Int, scale: Double = 1, seed: UInt64 = 2) -> [AccessRequest] {
        let counts = counts(scale: scale)
        var random = SplitMix64(seed: seed)
        let verbs = ["get", "list", "watch", "create", "update", "patch", "delete"]
        var requests: [AccessRequest] = []
        requests.reserveCapacity(count)
        for _ in 0..<count {
            let user: UserInfo
            switch random.below(10) {
            case 0..<5:
                let index = random.below(counts.users)
                user = UserInfo(name: "user-\(index)", groups: ["team-\(index % counts.groups)"])
            case 5..<8:
                let index = random.below(counts.serviceAccounts)
                user = .serviceAccount("sa-\(index)", namespace: "ns-\(index % counts.namespaces)")
            case 8:
                user = UserInfo(name: "alice")
            default:
                user = UserInfo(name: "viewer-\(random.below(100))", groups: ["synthetic:viewers"])
            }
            let verb = verbs[random.below(verbs.count)]
            let target = resourceCatalog[random.below(resourceCatalog.count)]
            let namespace = random.below(100) < 85 ? "ns-\(random.below(counts.namespaces))" : ""
            let named = ["get", "update", "patch", "delete"].contains(verb) && random.below(10) < 7
            requests.append(
                AccessRequest(
                    user: user, verb: verb, apiGroup: target.group, resource: target.resource,
                    name: named ? "name-\(random.below(4))" : "", namespace: namespace))
        }
        return requests
    }

    static let fixedClusterRoles = [
        "cluster-admin", "synthetic:view", "synthetic:edit", "synthetic:admin", "synthetic:view-pods",
        "synthetic:edit-deployments", "synthetic:admin-rbac",
    ]

    /// API group and resource (possibly with subresource) pairs that random rules draw from.
    static let resourceCatalog: [(group: String, resource: String)] = [
        ("", "pods"), ("", "pods/log"), ("", "pods/exec"), ("", "services"), ("", "configmaps"), ("", "secrets"),
        ("", "serviceaccounts"), ("", "persistentvolumeclaims"), ("", "events"), ("apps", "deployments"),
        ("apps", "statefulsets"), ("apps", "daemonsets"), ("apps", "replicasets"), ("apps", "deployments/scale"),
        ("batch", "jobs"), ("batch", "cronjobs"), ("networking.k8s.io", "ingresses"),
        ("networking.k8s.io", "networkpolicies"), ("autoscaling", "horizontalpodautoscalers"),
        ("policy", "poddisruptionbudgets"), ("monitoring.coreos.com", "servicemonitors"),
        ("coordination.k8s.io", "leases"),
    ]

    /// Builds the objects; one value per run so that the random stream is consumed in a fixed order.
    private struct Generator {
        let counts: Counts
        let options: Options
        var random: SplitMix64
        var objects: [KubeObject] = []

        static let readVerbs = ["get", "list", "watch"]
        static let writeVerbs = ["create", "update", "patch", "delete"]
        static let allVerbs = readVerbs + writeVerbs

        init(counts: Counts, seed: UInt64, options: Options) {
            self.counts = counts
            self.options = options
            random = SplitMix64(seed: seed)
        }

        /// `ns-<n>`, prefixed.
        func namespace(_ index: Int) -> String { options.prefix + "ns-\(index)" }
        /// A cluster-wide name (ClusterRole, ClusterRoleBinding, user, group), prefixed.
        func global(_ name: String) -> String { options.prefix + name }
        /// A label key of the aggregation labels, prefixed with a domain of its own.
        func labelKey(_ name: String) -> String {
            var domain = Substring(options.prefix)
            while let last = domain.last, !last.isLetter && !last.isNumber { domain = domain.dropLast() }
            return domain.isEmpty ? "synthetic.warrant.dev/\(name)" : "\(domain).synthetic.warrant.dev/\(name)"
        }

        mutating func generate() -> [KubeObject] {
            objects.reserveCapacity(counts.objects)
            let randomRoles = counts.roles - counts.namespaces
            addRoles(randomRoles: randomRoles)
            let randomClusterRoles = addClusterRoles()
            addRoleBindings(randomRoles: randomRoles, randomClusterRoles: randomClusterRoles)
            addClusterRoleBindings(randomClusterRoles: randomClusterRoles)
            if options.risky { addRiskyExamples() }
            return objects
        }

        /// The examples, so that every corpus with risky rules has them: CSR approval
        /// with and without creating requests, impersonating system:masters, nodes/proxy in a
        /// Role, impersonating the ServiceAccounts of one namespace through a RoleBinding.
        private mutating func addRiskyExamples() {
            let certificates = "certificates.k8s.io"
            let group = JSONValue.string(RBACAPI.group)
            let examples: [(name: String, rules: [PolicyRule], subject: JSONValue)] = [
                (
                    "risky:csr-approver",
                    [
                        PolicyRule(verbs: ["update"], apiGroups: [certificates], resources: ["certificatesigningrequests/approval"]),
                        PolicyRule(verbs: ["approve"], apiGroups: [certificates], resources: ["signers"]),
                    ],
                    ["kind": "User", "apiGroup": group, "name": .string(global("csr-approver"))]
                ),
                (
                    "risky:csr-issuer",
                    [
                        PolicyRule(verbs: ["create", "get"], apiGroups: [certificates], resources: ["certificatesigningrequests"]),
                        PolicyRule(verbs: ["update"], apiGroups: [certificates], resources: ["certificatesigningrequests/approval"]),
                        PolicyRule(
                            verbs: ["approve"], apiGroups: [certificates], resources: ["signers"],
                            resourceNames: ["kubernetes.io/kube-apiserver-client"]),
                    ],
                    ["kind": "Group", "apiGroup": group, "name": .string(global("csr-issuers"))]
                ),
                (
                    "risky:impersonator",
                    [
                        PolicyRule(verbs: ["impersonate"], apiGroups: [""], resources: ["users"]),
                        PolicyRule(verbs: ["impersonate"], apiGroups: [""], resources: ["groups"], resourceNames: ["system:masters"]),
                    ],
                    ["kind": "User", "apiGroup": group, "name": .string(global("impersonator"))]
                ),
            ]
            for example in examples {
                append(role(kind: "ClusterRole", name: global(example.name), rules: example.rules))
                append(
                    binding(
                        kind: "ClusterRoleBinding", name: global(example.name), roleKind: "ClusterRole", roleName: global(example.name),
                        subjects: [example.subject]))
            }
            append(
                role(
                    kind: "Role", name: "risky:node-proxy", namespace: namespace(0),
                    rules: [PolicyRule(verbs: ["get", "create"], apiGroups: [""], resources: ["nodes/proxy"])]))
            append(
                binding(
                    kind: "RoleBinding", name: "risky:node-proxy", namespace: namespace(0), roleKind: "Role", roleName: "risky:node-proxy",
                    subjects: [["kind": "ServiceAccount", "name": "sa-0"]]))
            append(
                role(
                    kind: "ClusterRole", name: global("risky:sa-impersonator"),
                    rules: [PolicyRule(verbs: ["impersonate"], apiGroups: [""], resources: ["serviceaccounts"])]))
            append(
                binding(
                    kind: "RoleBinding", name: "risky:sa-impersonator", namespace: namespace(counts.namespaces - 1), roleKind: "ClusterRole",
                    roleName: global("risky:sa-impersonator"), subjects: [["kind": "User", "apiGroup": group, "name": .string(global("sa-impersonator"))]]))
        }

        private mutating func addRoles(randomRoles: Int) {
            let deployer = [
                PolicyRule(verbs: Self.allVerbs, apiGroups: ["apps"], resources: ["deployments"]),
                PolicyRule(verbs: Self.allVerbs, apiGroups: [""], resources: ["services", "configmaps"]),
            ]
            for namespace in 0..<counts.namespaces {
                append(role(kind: "Role", name: "deployer", namespace: self.namespace(namespace), rules: deployer))
            }
            for index in 0..<randomRoles {
                let rules = randomRules(verbs: random.below(4) == 0 ? Self.readVerbs : Self.allVerbs)
                append(role(kind: "Role", name: "role-\(index)", namespace: self.namespace(index % counts.namespaces), rules: rules))
            }
        }

        /// Adds the ClusterRoles and returns the names of the random ones.
        private mutating func addClusterRoles() -> [String] {
            let view = labelKey("aggregate-to-view")
            let edit = labelKey("aggregate-to-edit")
            let admin = labelKey("aggregate-to-admin")
            append(
                role(
                    kind: "ClusterRole", name: global("cluster-admin"),
                    rules: [
                        PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
                        PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
                    ]))
            append(role(kind: "ClusterRole", name: global("synthetic:view"), labels: [edit: "true"], aggregating: [view: "true"]))
            append(role(kind: "ClusterRole", name: global("synthetic:edit"), labels: [admin: "true"], aggregating: [edit: "true"]))
            append(role(kind: "ClusterRole", name: global("synthetic:admin"), aggregating: [admin: "true"]))
            append(
                role(
                    kind: "ClusterRole", name: global("synthetic:view-pods"),
                    rules: [PolicyRule(verbs: Self.readVerbs, apiGroups: [""], resources: ["pods", "pods/log"])],
                    labels: [view: "true"]))
            append(
                role(
                    kind: "ClusterRole", name: global("synthetic:edit-deployments"),
                    rules: [PolicyRule(verbs: Self.writeVerbs, apiGroups: ["apps"], resources: ["deployments"])],
                    labels: [edit: "true"]))
            append(
                role(
                    kind: "ClusterRole", name: global("synthetic:admin-rbac"),
                    rules: [
                        PolicyRule(verbs: Self.allVerbs, apiGroups: [RBACAPI.group], resources: ["roles", "rolebindings"])
                    ],
                    labels: [admin: "true"]))
            var names: [String] = []
            for index in 0..<(counts.clusterRoles - fixedClusterRoles.count) {
                var labels = [labelKey("bucket"): "b\(random.below(16))"]
                if index % 50 == 49 {
                    let bucket = random.below(16)
                    let expression: JSONValue = [
                        "key": .string(labelKey("bucket")), "operator": "In",
                        "values": [.string("b\(bucket)"), .string("b\((bucket + 1) % 16)")],
                    ]
                    let name = global("aggregate-\(index)")
                    names.append(name)
                    append(role(kind: "ClusterRole", name: name, labels: labels, expressions: [expression]))
                    continue
                }
                var verbs = Self.allVerbs
                switch random.below(100) {
                case 0..<8:
                    labels[view] = "true"
                    verbs = Self.readVerbs
                case 8..<12:
                    labels[edit] = "true"
                case 12..<14:
                    labels[admin] = "true"
                default:
                    break
                }
                let name = global("clusterrole-\(index)")
                names.append(name)
                append(role(kind: "ClusterRole", name: name, rules: randomRules(verbs: verbs), labels: labels))
            }
            return names
        }

        private mutating func addRoleBindings(randomRoles: Int, randomClusterRoles: [String]) {
            for namespace in 0..<counts.namespaces {
                append(
                    binding(
                        kind: "RoleBinding", name: "deployer", namespace: self.namespace(namespace), roleKind: "Role",
                        roleName: "deployer",
                        subjects: [["kind": "ServiceAccount", "name": "deployer"]]))
            }
            append(
                binding(
                    kind: "RoleBinding", name: "alice-admin", namespace: self.namespace(0), roleKind: "ClusterRole",
                    roleName: global("synthetic:admin"),
                    subjects: [["kind": "User", "apiGroup": .string(RBACAPI.group), "name": .string(global("alice"))]]))
            append(
                binding(
                    kind: "RoleBinding", name: "dangling", namespace: self.namespace(0), roleKind: "Role", roleName: "does-not-exist",
                    subjects: [["kind": "User", "apiGroup": .string(RBACAPI.group), "name": .string(global("bob"))]]))
            for index in 0..<(counts.roleBindings - counts.namespaces - 2) {
                let namespace = index % counts.namespaces
                let rolesHere = randomRoles / counts.namespaces + (namespace < randomRoles % counts.namespaces ? 1 : 0)
                let roleKind: String
                let roleName: String
                if rolesHere > 0 && random.below(10) < 7 {
                    roleKind = "Role"
                    roleName = "role-\(namespace + counts.namespaces * random.below(rolesHere))"
                } else {
                    roleKind = "ClusterRole"
                    roleName = randomClusterRoles[random.below(randomClusterRoles.count)]
                }
                append(
                    binding(
                        kind: "RoleBinding", name: "rb-\(index)", namespace: self.namespace(namespace), roleKind: roleKind,
                        roleName: roleName, subjects: randomSubjects(bindingNamespace: namespace)))
            }
        }

        private mutating func addClusterRoleBindings(randomClusterRoles: [String]) {
            let group = JSONValue.string(RBACAPI.group)
            append(
                binding(
                    kind: "ClusterRoleBinding", name: global("synthetic:cluster-admins"), roleKind: "ClusterRole",
                    roleName: global("cluster-admin"),
                    subjects: [["kind": "Group", "apiGroup": group, "name": .string(global("synthetic:admins"))]]))
            append(
                binding(
                    kind: "ClusterRoleBinding", name: global("synthetic:viewers"), roleKind: "ClusterRole", roleName: global("synthetic:view"),
                    subjects: [["kind": "Group", "apiGroup": group, "name": .string(global("synthetic:viewers"))]]))
            append(
                binding(
                    kind: "ClusterRoleBinding", name: global("synthetic:dangling"), roleKind: "ClusterRole",
                    roleName: global("synthetic:does-not-exist"), subjects: [["kind": "User", "apiGroup": group, "name": .string(global("bob"))]]))
            for index in 0..<(counts.clusterRoleBindings - 3) {
                append(
                    binding(
                        kind: "ClusterRoleBinding", name: global("crb-\(index)"), roleKind: "ClusterRole",
                        roleName: randomClusterRoles[random.below(randomClusterRoles.count)],
                        subjects: randomSubjects(bindingNamespace: nil)))
            }
        }

        private mutating func randomRules(verbs: [String]) -> [PolicyRule] {
            var rules: [PolicyRule] = []
            for _ in 0..<(1 + random.below(4)) {
                if options.risky && random.below(3) == 0 {
                    rules.append(riskyRule())
                    continue
                }
                let first = resourceCatalog[random.below(resourceCatalog.count)]
                var resources = [first.resource]
                for _ in 0..<random.below(3) {
                    let other = resourceCatalog[random.below(resourceCatalog.count)]
                    if other.group == first.group && !resources.contains(other.resource) { resources.append(other.resource) }
                }
                let ruleVerbs: [String] =
                    random.below(50) == 0 && verbs.count > 3
                    ? ["*"] : verbs.filter { _ in random.below(3) != 0 }.nonEmpty(or: [verbs[0]])
                let names = random.below(10) == 0 ? ["name-\(random.below(4))"] : []
                rules.append(PolicyRule(verbs: ruleVerbs, apiGroups: [first.group], resources: resources, resourceNames: names))
            }
            return rules
        }

        /// A rule on what the audit's catalog asks about (see ``Options/risky``).
        private mutating func riskyRule() -> PolicyRule {
            let entry = riskyCatalog[random.below(riskyCatalog.count)]
            var resources = [entry.resources[random.below(entry.resources.count)]]
            if random.below(3) == 0, entry.resources.count > 1 {
                let other = entry.resources[random.below(entry.resources.count)]
                if !resources.contains(other) { resources.append(other) }
            }
            var verbs = entry.verbs.filter { _ in random.below(2) == 0 }.nonEmpty(or: [entry.verbs[0]])
            var groups = [entry.group]
            switch random.below(40) {
            case 0: verbs = ["*"]
            case 1: groups = ["*"]
            case 2: resources = ["*"]
            case 3: resources = ["*/scale"]
            case 4: verbs = [""]
            default: break
            }
            var names: [String] = []
            switch random.below(5) {
            case 0 where !entry.names.isEmpty:
                names = [entry.names[random.below(entry.names.count)]]
            case 1 where !entry.names.isEmpty:
                names = Array(Set(entry.names.shuffledPrefix(2, using: &random))).sorted()
            case 2 where random.below(4) == 0:
                names = [""]
            default:
                break
            }
            return PolicyRule(verbs: verbs, apiGroups: groups, resources: resources, resourceNames: names)
        }

        /// What risky rules draw from: a group, resources, verbs and names that make sense for them.
        private var riskyCatalog: [(group: String, resources: [String], verbs: [String], names: [String])] {
            let accounts = (0..<3).map { "sa-\($0)" } + ["default"]
            return [
                ("", ["nodes", "nodes/proxy", "nodes/status"], ["get", "create", "update", "patch", "list"], ["node-1"]),
                ("", ["persistentvolumes"], ["create", "get"], []),
                ("", ["namespaces"], ["get", "update", "patch"], [namespace(0), namespace(1)]),
                (RBACAPI.group, ["clusterroles", "roles"], ["bind", "escalate", "create", "update"], [global("cluster-admin"), "deployer"]),
                (RBACAPI.group, ["clusterrolebindings", "rolebindings"], ["create", "delete", "deletecollection"], []),
                ("", ["users", "groups", "serviceaccounts"], ["impersonate"], ["system:masters", global("alice")] + accounts),
                ("authentication.k8s.io", ["uids", "userextras/scopes", "users"], ["impersonate"], ["1234"]),
                ("", ["serviceaccounts/token"], ["create"], accounts),
                (
                    "certificates.k8s.io", ["certificatesigningrequests", "certificatesigningrequests/approval", "signers"],
                    ["create", "update", "patch", "approve"],
                    ["kubernetes.io/kube-apiserver-client", "example.com/signer", "kubernetes.io/*"]
                ),
                ("admissionregistration.k8s.io", ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"], ["patch", "delete"], []),
                ("apiextensions.k8s.io", ["customresourcedefinitions"], ["create", "update"], []),
                ("", ["secrets"], ["get", "list", "watch", "create", "update"], ["tls", "db"]),
                ("", ["pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers", "pods"], ["create", "get", "patch", "update"], []),
                ("", ["services/status", "pods/status"], ["update", "patch"], []),
                (RBACAPI.group, ["services/status"], ["update"], []),
                ("events.k8s.io", ["events"], ["delete", "deletecollection"], []),
                ("batch", ["jobs", "cronjobs"], ["create"], []),
            ]
        }

        private mutating func randomSubjects(bindingNamespace: Int?) -> [JSONValue] {
            var subjects: [JSONValue] = []
            for _ in 0..<(1 + random.below(3)) {
                if options.risky && random.below(8) == 0 {
                    let namespace = bindingNamespace ?? random.below(counts.namespaces)
                    if random.below(2) == 0 {
                        subjects.append(["kind": "ServiceAccount", "name": "default", "namespace": .string(self.namespace(namespace))])
                    } else {
                        subjects.append([
                            "kind": "Group", "apiGroup": .string(RBACAPI.group),
                            "name": .string("\(UserInfo.allServiceAccounts):\(self.namespace(namespace))"),
                        ])
                    }
                    continue
                }
                switch random.below(3) {
                case 0:
                    subjects.append([
                        "kind": "User", "apiGroup": .string(RBACAPI.group), "name": .string(global("user-\(random.below(counts.users))")),
                    ])
                case 1:
                    subjects.append([
                        "kind": "Group", "apiGroup": .string(RBACAPI.group),
                        "name": .string(global("team-\(random.below(counts.groups))")),
                    ])
                default:
                    let index = random.below(counts.serviceAccounts)
                    let namespace = index % counts.namespaces
                    if namespace == bindingNamespace && random.below(2) == 0 {
                        subjects.append(["kind": "ServiceAccount", "name": .string("sa-\(index)")])
                    } else {
                        subjects.append([
                            "kind": "ServiceAccount", "name": .string("sa-\(index)"), "namespace": .string(self.namespace(namespace)),
                        ])
                    }
                }
            }
            return subjects
        }

        private func role(
            kind: String, name: String, namespace: String? = nil, rules: [PolicyRule] = [], labels: [String: String] = [:],
            aggregating: [String: String]? = nil, expressions: [JSONValue]? = nil
        ) -> JSONValue {
            var object: JSONValue = ["apiVersion": .string("\(RBACAPI.group)/v1"), "kind": .string(kind)]
            object["metadata"] = metadata(name: name, namespace: namespace, labels: labels)
            if let aggregating {
                let matchLabels = JSONObject(aggregating.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
                object["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": .object(matchLabels)]]]
            }
            if let expressions {
                object["aggregationRule"] = ["clusterRoleSelectors": [["matchExpressions": .array(expressions)]]]
            }
            object["rules"] = .array(rules.map(\.jsonValue))
            return object
        }

        private func binding(
            kind: String, name: String, namespace: String? = nil, roleKind: String, roleName: String, subjects: [JSONValue]
        ) -> JSONValue {
            var object: JSONValue = ["apiVersion": .string("\(RBACAPI.group)/v1"), "kind": .string(kind)]
            object["metadata"] = metadata(name: name, namespace: namespace, labels: [:])
            object["roleRef"] = ["apiGroup": .string(RBACAPI.group), "kind": .string(roleKind), "name": .string(roleName)]
            object["subjects"] = .array(subjects)
            return object
        }

        private func metadata(name: String, namespace: String?, labels: [String: String]) -> JSONValue {
            var metadata: JSONValue = ["name": .string(name)]
            if let namespace { metadata["namespace"] = .string(namespace) }
            if !labels.isEmpty {
                metadata["labels"] = .object(
                    JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
            }
            return metadata
        }

        private mutating func append(_ content: JSONValue) {
            objects.append(KubeObject(content, source: SourceLocation(file: "synthetic-rbac.yaml", line: objects.count + 1)))
        }
    }
}

extension Array {
    fileprivate func nonEmpty(or fallback: [Element]) -> [Element] { isEmpty ? fallback : self }

    /// `count` elements drawn at random (with repetition).
    fileprivate func shuffledPrefix(_ count: Int, using random: inout SplitMix64) -> [Element] {
        (0..<count).map { _ in self[random.below(self.count)] }
    }
}
