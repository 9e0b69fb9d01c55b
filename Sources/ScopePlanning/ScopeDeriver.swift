public import KubeModel
public import RBAC

/// Derives the least-privilege Role for deploying manifests into one namespace: `warrant scope`.
///
/// The Role holds exactly the verbs the chosen ``DeployMethod`` uses (``RequestPlanner``) on
/// exactly the (API group, resource) pairs in the input, never a wildcard; resources needing the
/// same verbs share a rule. Roles in the input must be held in full by whoever creates them
/// (escalation prevention, `k8s.io/kubernetes/pkg/registry/rbac/role/policybased`), so their rules
/// are added; a RoleBinding to a role outside the input gets `bind` on that role only.
/// Cluster-scoped objects are not granted: they are listed for a cluster administrator.
public struct ScopeDeriver: Sendable {
    /// The deploy method.
    public var method: DeployMethod
    /// Prune, wait and the names of Warrant's own objects.
    public var options: DeployOptions
    /// The namespace deployed to.
    public var namespace: String
    /// The Role's name.
    public var roleName: String

    /// Creates a deriver.
    public init(method: DeployMethod, options: DeployOptions, namespace: String, roleName: String) {
        self.method = method
        self.options = options
        self.namespace = namespace
        self.roleName = roleName
    }

    /// Derives the Role for `objects`; namespaced objects without a namespace are taken to be in
    /// ``namespace`` (``NamespacePlacement``).
    ///
    /// - Throws: ``ManifestErrors`` for unknown kinds and objects in another namespace (``NamespaceCheck``).
    public func derive(objects: [KubeObject], kinds: KindTable) throws(ManifestErrors) -> ScopeResult {
        let (rbac, clusterScoped) = try checked(objects, kinds: kinds)
        // The planner skips cluster-scoped objects and names the others in `namespace`: once they
        // are checked, `objects` plans as its namespaced objects do, without a copy of the list.
        let requests = RequestPlanner.requests(for: objects, kinds: kinds, method: method, options: options, namespace: namespace)
        var explanations = Self.rules(from: requests)
        var warnings = secretListingWarnings(requests)
        // Escalation prevention: the input's Roles and RoleBindings add what their creator must hold.
        let held = escalationRules(for: rbac, rolesIn: objects, adding: &explanations)
        warnings += held.warnings
        Self.merge(held, into: &explanations)
        Self.dropCovered(&explanations)
        let role = RBACRole(
            kind: .role, name: roleName, namespace: namespace, rules: explanations.map(\.rule), aggregationRule: nil,
            labels: ["app.kubernetes.io/managed-by": "warrant"], source: nil)
        return ScopeResult(
            role: role, method: method, options: options, explanations: explanations, requests: requests,
            needsAdministrator: clusterScoped, warnings: warnings)
    }

    /// `objects` after ``NamespaceCheck``: the namespaced RBAC objects, placed (only they are
    /// read further: their rules, their names as roles; the others stay as they are, so that a
    /// large input is neither copied nor listed twice), and the cluster-scoped objects, for an
    /// administrator.
    ///
    /// - Throws: ``ManifestErrors`` with every object the check refuses.
    private func checked(_ objects: [KubeObject], kinds: KindTable) throws(ManifestErrors) -> (rbac: [KubeObject], clusterScoped: [KubeObject]) {
        var errors: [ManifestError] = []
        var rbac: [KubeObject] = []
        var clusterScoped: [KubeObject] = []
        for object in objects {
            let kind: ResourceKind
            do throws(ManifestError) {
                kind = try NamespaceCheck.kind(of: object, in: namespace, kinds: kinds, command: "scope")
            } catch {
                errors.append(error)
                continue
            }
            guard kind.namespaced else {
                clusterScoped.append(object)
                continue
            }
            if RBACAPI.isRBACObject(object) { rbac.append(NamespacePlacement.placed(object, in: namespace, kinds: kinds)) }
        }
        if !errors.isEmpty { throw ManifestErrors(errors) }
        return (rbac, clusterScoped)
    }

    /// The warning when the requests list Secrets, which returns their contents.
    private func secretListingWarnings(_ requests: [PlannedRequest]) -> [String] {
        guard requests.contains(where: { $0.verb == "list" && $0.apiGroup.isEmpty && $0.resource == "secrets" }) else { return [] }
        return [
            method == .helm
                ? "Helm's default release storage needs list on Secrets, which returns their contents; use --helm-storage configmap (HELM_DRIVER=configmap) to avoid it"
                : "pruning Secrets with \(method) needs list on Secrets, which returns their contents; --for warrant prunes Secrets by name instead"
        ]
    }

    /// Drops every rule the others already cover (a named rule on configmaps when every ConfigMap
    /// is writable anyway), so that removing any rule, verb or resource breaks the deploy; its
    /// reasons go to a rule on the same group and resource.
    static func dropCovered(_ explanations: inout [RuleExplanation]) {
        var index = explanations.count - 1
        while index >= 0 {
            let others = explanations.enumerated().filter { $0.offset != index }.map(\.element.rule)
            if !others.isEmpty, PolicyComparator.covers(others, [explanations[index].rule]).covered {
                let dropped = explanations.remove(at: index)
                let target = explanations.firstIndex {
                    !Set($0.rule.apiGroups).isDisjoint(with: dropped.rule.apiGroups)
                        && !Set($0.rule.resources).isDisjoint(with: dropped.rule.resources)
                }
                if let target { explanations[target].reasons.append(contentsOf: dropped.reasons) }
            }
            index -= 1
        }
    }

    /// One rule per API group, name restriction and verb set, resources and verbs sorted.
    static func rules(from requests: [PlannedRequest]) -> [RuleExplanation] {
        struct Key: Hashable {
            var group: String
            var name: String?
            var resource: String
        }
        var verbs: [Key: Set<String>] = [:]
        var reasons: [Key: [PlannedRequest]] = [:]
        // The keys in the order the requests name them, so that each rule's reasons keep
        // that order (a dictionary's own order changes from one run to the next).
        var keys: [Key] = []
        // A request limited to one name needs no rule of its own when every object of that
        // resource is already allowed the verb.
        var unrestricted: Set<String> = []
        for request in requests where request.resourceName == nil {
            unrestricted.insert("\(request.verb) \(request.apiGroup) \(request.resource)")
        }
        for request in requests {
            var key = Key(group: request.apiGroup, name: request.resourceName, resource: request.resource)
            if request.resourceName != nil, unrestricted.contains("\(request.verb) \(request.apiGroup) \(request.resource)") {
                key.name = nil
            }
            if verbs[key] == nil { keys.append(key) }
            verbs[key, default: []].insert(request.verb)
            reasons[key, default: []].append(request)
        }
        struct RuleKey: Hashable {
            var group: String
            var name: String?
            var verbs: [String]
        }
        var resources: [RuleKey: [String]] = [:]
        var ruleReasons: [RuleKey: [PlannedRequest]] = [:]
        for key in keys {
            let set = verbs[key] ?? []
            let ruleKey = RuleKey(group: key.group, name: key.name, verbs: set.sorted())
            resources[ruleKey, default: []].append(key.resource)
            ruleReasons[ruleKey, default: []].append(contentsOf: reasons[key] ?? [])
        }
        let ordered = resources.keys.sorted {
            ($0.group, $0.name ?? "", resources[$0]?.sorted().first ?? "") < ($1.group, $1.name ?? "", resources[$1]?.sorted().first ?? "")
        }
        return ordered.map { key in
            RuleExplanation(
                rule: PolicyRule(
                    verbs: key.verbs, apiGroups: [key.group], resources: (resources[key] ?? []).sorted(), resourceNames: key.name.map { [$0] } ?? []),
                reasons: ruleReasons[key] ?? [])
        }
    }
}

/// A derived rule and the requests or objects that need it.
public struct RuleExplanation: Sendable, Hashable {
    /// The rule.
    public var rule: PolicyRule
    /// Why each part of it is needed.
    public var reasons: [PlannedRequest]
}

/// What `warrant scope` derived.
public struct ScopeResult: Sendable {
    /// The Role.
    public var role: RBACRole
    /// The deploy method it is for.
    public var method: DeployMethod
    /// The options it is for.
    public var options: DeployOptions
    /// Each rule with its reasons.
    public var explanations: [RuleExplanation]
    /// Every request the deploy makes.
    public var requests: [PlannedRequest]
    /// Cluster-scoped objects in the input, which a cluster administrator must apply.
    public var needsAdministrator: [KubeObject]
    /// Things the user should know (wildcards inherited from input Roles).
    public var warnings: [String]

    /// The Role as a manifest.
    public var roleObject: JSONValue {
        var flags = "--for \(method)"
        if options.prune { flags += " --prune" }
        if options.wait { flags += " --wait" }
        return [
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": [
                "name": .string(role.name),
                "namespace": .string(role.namespace ?? ""),
                "labels": ["app.kubernetes.io/managed-by": "warrant"],
                "annotations": ["warrant.dev/scope": .string(flags)],
            ],
            "rules": .array(role.rules.map(\.jsonValue)),
        ]
    }
}
