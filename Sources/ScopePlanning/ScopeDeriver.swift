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
        var errors: [ManifestError] = []
        var namespaced: [KubeObject] = []
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
            // Only RBAC objects are read further (their rules, their names as roles); the others
            // stay as they are, so that a large input is not copied to set their namespace.
            namespaced.append(RBACAPI.isRBACObject(object) ? NamespacePlacement.placed(object, in: namespace, kinds: kinds) : object)
        }
        if !errors.isEmpty { throw ManifestErrors(errors) }

        let requests = RequestPlanner.requests(for: namespaced, kinds: kinds, method: method, options: options, namespace: namespace)
        var explanations = Self.rules(from: requests)
        var warnings: [String] = []
        if requests.contains(where: { $0.verb == "list" && $0.apiGroup.isEmpty && $0.resource == "secrets" }) {
            warnings.append(
                method == .helm
                    ? "Helm's default release storage needs list on Secrets, which returns their contents; use --helm-storage configmap (HELM_DRIVER=configmap) to avoid it"
                    : "pruning Secrets with \(method) needs list on Secrets, which returns their contents; --for warrant prunes Secrets by name instead")
        }

        // Escalation prevention: creating a Role needs every permission it grants; a binding needs
        // the permissions of its role, or `bind` on it.
        let inputRoles = objects.filter { RBACAPI.isRBACObject($0) && ($0.kind == "Role" || $0.kind == "ClusterRole") }
        var rolesByReference: [String: RBACRole] = [:]
        for object in inputRoles {
            guard let role = try? RBACRole(object) else { continue }
            rolesByReference["\(role.kind.rawValue)/\(role.name)"] = role
        }
        // Rules the deployer must hold, merged by (groups, resources, verbs) as they are found,
        // name restrictions united, so that many small Roles do not make the comparison quadratic.
        // Each merged rule names at most five objects that need it and counts the others.
        struct HoldKey: Hashable {
            var verbs: [String]
            var apiGroups: [String]
            var resources: [String]
            var nonResourceURLs: [String]
        }
        var merged: [HoldKey: (names: Set<String>, unnamed: Bool, reasons: [PlannedRequest])] = [:]
        var mergeOrder: [HoldKey] = []
        func hold(_ rules: [PolicyRule], because reason: @autoclosure () -> String, object: KubeObject) {
            for rule in rules {
                if rule.verbs.contains("*") || rule.resources.contains("*") || rule.apiGroups.contains("*") {
                    warnings.append(
                        "\(object.displayName) grants a wildcard (\(rule)); the deployer must hold it too to create it. Name the verbs and resources instead.")
                }
                let key = HoldKey(
                    verbs: rule.verbs.sorted(), apiGroups: rule.apiGroups.sorted(), resources: rule.resources.sorted(),
                    nonResourceURLs: rule.nonResourceURLs.sorted())
                var entry = merged.removeValue(forKey: key) ?? {
                    mergeOrder.append(key)
                    return ([], false, [])
                }()
                entry.names.formUnion(rule.resourceNames)
                if rule.resourceNames.isEmpty { entry.unnamed = true }
                if entry.reasons.count < RequestPlanner.namedObjectsPerRequest {
                    entry.reasons.append(
                        PlannedRequest(verb: "", apiGroup: "", resource: "", reason: reason(), object: object.displayName, source: object.source))
                } else {
                    entry.reasons[entry.reasons.count - 1].otherObjects += 1
                }
                merged[key] = entry
            }
        }
        for object in namespaced where RBACAPI.isRBACObject(object) {
            switch object.kind {
            case "Role":
                if let role = try? RBACRole(object) {
                    hold(role.rules, because: "creating \(object.displayName) needs every permission it grants (escalation prevention)", object: object)
                }
            case "RoleBinding":
                guard let binding = try? RBACBinding(object) else { continue }
                if let role = rolesByReference["\(binding.roleRef.kind)/\(binding.roleRef.name)"] {
                    hold(
                        role.rules, because: "creating \(object.displayName) needs the permissions of \(binding.roleRef) (escalation prevention)",
                        object: object)
                } else {
                    let resource = binding.roleRef.kind == "ClusterRole" ? "clusterroles" : "roles"
                    let rule = PolicyRule(verbs: ["bind"], apiGroups: [RBACAPI.group], resources: [resource], resourceNames: [binding.roleRef.name])
                    explanations.append(
                        RuleExplanation(
                            rule: rule,
                            reasons: [
                                PlannedRequest(
                                    verb: "bind", apiGroup: RBACAPI.group, resource: resource, resourceName: binding.roleRef.name,
                                    reason: "\(binding.roleRef) is not in the input, so creating \(object.displayName) needs bind on it",
                                    object: object.displayName, source: object.source)
                            ]))
                }
            default:
                break
            }
        }
        let planned = explanations.map(\.rule)
        for key in mergeOrder {
            guard let entry = merged[key] else { continue }
            let rule = PolicyRule(
                verbs: key.verbs, apiGroups: key.apiGroups, resources: key.resources,
                resourceNames: entry.unnamed ? [] : entry.names.sorted(), nonResourceURLs: key.nonResourceURLs)
            if PolicyComparator.covers(planned, [rule]).covered,
                let index = explanations.firstIndex(where: { PolicyComparator.covers([$0.rule], [rule]).covered })
            {
                explanations[index].reasons.append(contentsOf: entry.reasons)
            } else {
                explanations.append(RuleExplanation(rule: rule, reasons: entry.reasons))
            }
        }

        // A rule that the others already cover (a named rule on configmaps when every ConfigMap is
        // writable anyway) is dropped, so that removing any rule, verb or resource breaks the deploy.
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
        let role = RBACRole(
            kind: .role, name: roleName, namespace: namespace, rules: explanations.map(\.rule), aggregationRule: nil,
            labels: ["app.kubernetes.io/managed-by": "warrant"], source: nil)
        return ScopeResult(
            role: role, method: method, options: options, explanations: explanations, requests: requests,
            needsAdministrator: clusterScoped, warnings: warnings)
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
                rule: PolicyRule(verbs: key.verbs, apiGroups: [key.group], resources: (resources[key] ?? []).sorted(), resourceNames: key.name.map { [$0] } ?? []),
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
