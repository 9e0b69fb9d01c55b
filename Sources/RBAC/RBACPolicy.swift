public import KubeModel

/// The RBAC objects of a cluster or a set of manifests, resolved and indexed for questions:
/// ``authorize(_:)``, ``effectiveRules(for:namespace:)``, ``whoCan(_:)`` and ``mayGrant(_:user:namespace:)``.
///
/// Building a policy from objects places Roles and RoleBindings written without a namespace in
/// ``defaultNamespace`` (``NamespacePlacement``, the step every command takes), lets a later
/// object with the same kind, namespace and name replace an earlier one (as applying them in
/// order would), resolves ClusterRole aggregation to a fixpoint,
/// resolves every binding's `roleRef`, and indexes bindings by the users, ServiceAccounts and
/// groups they name and by namespace. Answers follow kube-apiserver's RBAC authorizer exactly.
public struct RBACPolicy: Sendable {
    /// Every Role and ClusterRole, aggregated ClusterRoles with their aggregated rules.
    public let roles: [RBACRole]
    /// Every RoleBinding and ClusterRoleBinding, in input order.
    public let bindings: [RBACBinding]
    /// The namespace of Roles and RoleBindings written without one.
    public let defaultNamespace: String

    /// For each binding, the position of its role in ``roles``, or -1 when it does not resolve.
    package let boundRoles: [Int]
    /// Every distinct rule of the roles, each once (aggregated ClusterRoles repeat the rules of
    /// the roles they aggregate).
    package let distinctRules: [PolicyRule]
    /// For each role, the position of each of its rules in ``distinctRules``.
    package let ruleNumbers: [[Int]]
    /// For each aggregated ClusterRole's position, the positions of the ClusterRoles it aggregates
    /// (directly selected; a role matched by several selectors is listed for each).
    package let aggregationSourcePositions: [Int: [Int]]
    /// Each of ``distinctRules`` prepared for matching.
    package let compiledRules: [CompiledRule]
    let clusterRolePositions: [String: Int]
    let rolePositions: [NamespacedName: Int]
    let clusterBindingIndex: SubjectIndex
    let namespaceBindingIndex: [String: SubjectIndex]

    struct NamespacedName: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    /// What identifies a binding: a later one with the same kind, namespace and name replaces it.
    private struct BindingKey: Hashable {
        var kind: RBACBinding.Kind
        var namespace: String?
        var name: String
    }

    /// Builds a policy from loaded objects; objects that are not RBAC objects are ignored.
    ///
    /// - Parameters:
    ///   - objects: any Kubernetes objects.
    ///   - defaultNamespace: where Roles and RoleBindings without `metadata.namespace` go (``NamespacePlacement``).
    /// - Throws: ``ManifestErrors`` with one error per malformed RBAC object (file and line included).
    public init(objects: [KubeObject], defaultNamespace: String = "default") throws(ManifestErrors) {
        // Large inputs are read in parts on every core, and joined in input order.
        var parts = ParallelChunks.map(objects.count, minimumLength: 2_048) { range in
            var roles: [RBACRole] = []
            var bindings: [RBACBinding] = []
            var errors: [ManifestError] = []
            for object in objects[range] where RBACAPI.isRBACObject(object) {
                let object = NamespacePlacement.placed(object, in: defaultNamespace, kinds: .builtin)
                do throws(ManifestError) {
                    switch object.kind {
                    case "Role", "ClusterRole": roles.append(try RBACRole(object))
                    default: bindings.append(try RBACBinding(object))
                    }
                } catch {
                    errors.append(error)
                }
            }
            return (roles: roles, bindings: bindings, errors: errors)
        }
        let errors = parts.flatMap(\.errors)
        guard errors.isEmpty else { throw ManifestErrors(errors) }
        var roles: [RBACRole] = []
        var bindings: [RBACBinding] = []
        roles.reserveCapacity(parts.reduce(0) { $0 + $1.roles.count })
        bindings.reserveCapacity(parts.reduce(0) { $0 + $1.bindings.count })
        for index in parts.indices {
            roles.append(moving: &parts[index].roles)
            bindings.append(moving: &parts[index].bindings)
        }
        self.init(roles: roles, bindings: bindings, defaultNamespace: defaultNamespace)
    }

    /// Builds a policy from roles and bindings.
    ///
    /// - Parameters:
    ///   - roles: Roles and ClusterRoles; a ClusterRole's `rules` are replaced when it has an
    ///     `aggregationRule`. Roles name their namespace: read them from placed objects.
    ///   - bindings: RoleBindings and ClusterRoleBindings; RoleBindings name their namespace.
    ///   - defaultNamespace: the namespace of the objects the policy is asked about that name none.
    public init(roles inputRoles: [RBACRole], bindings inputBindings: [RBACBinding], defaultNamespace: String = "default") {
        self.defaultNamespace = defaultNamespace
        // The roles and the bindings are deduplicated concurrently; then aggregation is resolved.
        let (deduplicated, bindings) = ParallelChunks.both(
            { RoleTable(inputRoles, defaultNamespace: defaultNamespace) },
            { Self.effectiveBindings(inputBindings, defaultNamespace: defaultNamespace) })
        let roleTable = deduplicated.resolved()
        roles = roleTable.roles
        clusterRolePositions = roleTable.clusterRolePositions
        rolePositions = roleTable.rolePositions
        distinctRules = roleTable.distinctRules
        ruleNumbers = roleTable.ruleNumbers
        aggregationSourcePositions = roleTable.aggregationSourcePositions
        compiledRules = roleTable.compiledRules
        self.bindings = bindings

        boundRoles = ParallelChunks.array(bindings.count, minimumLength: 4_096) {
            Self.resolve(bindings[$0], clusterRoles: roleTable.clusterRolePositions, roles: roleTable.rolePositions) ?? -1
        }
        // The ClusterRoleBindings, then each namespace's RoleBindings, are indexed on their own,
        // the indexes built concurrently.
        var clusterPositions: [Int] = []
        var positionsByNamespace: [String: [Int]] = [:]
        for (position, binding) in bindings.enumerated() {
            switch binding.kind {
            case .clusterRoleBinding: clusterPositions.append(position)
            case .roleBinding: positionsByNamespace[binding.namespace ?? defaultNamespace, default: []].append(position)
            }
        }
        let namespaces = Array(positionsByNamespace.keys)
        let indexes = ParallelChunks.array(namespaces.count + 1, minimumLength: 64) { [bindings, clusterPositions, positionsByNamespace] job in
            var index = SubjectIndex()
            let namespace = job == 0 ? "" : namespaces[job - 1]
            for position in job == 0 ? clusterPositions : positionsByNamespace[namespace] ?? [] {
                index.add(position, subjects: bindings[position].subjects, namespace: namespace)
            }
            return index
        }
        clusterBindingIndex = indexes[0]
        namespaceBindingIndex = Dictionary(uniqueKeysWithValues: zip(namespaces, indexes.dropFirst()))
    }

    /// The bindings in input order, a later one with the same kind, namespace and name replacing
    /// an earlier one.
    private static func effectiveBindings(_ inputBindings: [RBACBinding], defaultNamespace: String) -> [RBACBinding] {
        var bindings: [RBACBinding] = []
        var bindingPositions: [BindingKey: Int] = [:]
        for var binding in inputBindings {
            switch binding.kind {
            case .clusterRoleBinding:
                binding.namespace = nil
            case .roleBinding:
                break
            }
            // Unnamed bindings (built in code) never replace each other.
            guard !binding.name.isEmpty else {
                bindings.append(binding)
                continue
            }
            let key = BindingKey(kind: binding.kind, namespace: binding.namespace, name: binding.name)
            if let existing = bindingPositions[key] {
                bindings[existing] = binding
            } else {
                bindingPositions[key] = bindings.count
                bindings.append(binding)
            }
        }
        return bindings
    }

    /// kube-apiserver's `GetRoleReferenceRules`: a ClusterRoleBinding can only use a ClusterRole
    /// (a Role needs a namespace it does not have); a RoleBinding a Role in its own namespace or a ClusterRole.
    private static func resolve(
        _ binding: RBACBinding, clusterRoles: [String: Int], roles: [NamespacedName: Int]
    ) -> Int? {
        switch binding.roleRef.kind {
        case RBACRole.Kind.clusterRole.rawValue:
            return clusterRoles[binding.roleRef.name]
        case RBACRole.Kind.role.rawValue:
            guard binding.kind == .roleBinding, let namespace = binding.namespace else { return nil }
            return roles[NamespacedName(namespace: namespace, name: binding.roleRef.name)]
        default:
            return nil
        }
    }

    /// The ClusterRole `name`, aggregation resolved.
    public func clusterRole(named name: String) -> RBACRole? {
        clusterRolePositions[name].map { roles[$0] }
    }

    /// The Role `name` in `namespace`.
    public func role(named name: String, namespace: String) -> RBACRole? {
        rolePositions[NamespacedName(namespace: namespace, name: name)].map { roles[$0] }
    }

    /// The role `binding` refers to, or `nil` when it does not exist (or a ClusterRoleBinding refers to a Role).
    public func role(for binding: RBACBinding) -> RBACRole? {
        Self.resolve(binding, clusterRoles: clusterRolePositions, roles: rolePositions).map { roles[$0] }
    }

    /// Bindings whose role does not exist, in input order. They grant nothing; on a cluster,
    /// creating the missing role would make them grant it at once.
    public var unresolvedBindings: [RBACBinding] {
        bindings.indices.filter { boundRoles[$0] < 0 }.map { bindings[$0] }
    }

    /// The ClusterRoles that contribute rules to the aggregated ClusterRole `name` (directly
    /// selected, in name order), or `[]` when it does not aggregate.
    public func aggregationSources(ofClusterRole name: String) -> [String] {
        guard let position = clusterRolePositions[name], let sources = aggregationSourcePositions[position] else { return [] }
        return Set(sources.map { roles[$0].name }).sorted()
    }

    /// The grant of `rule` in the binding at `position` to the first of its subjects that applies to `user`.
    func grant(binding position: Int, rule: Int, user: UserInfo) -> Grant {
        let binding = bindings[position]
        let namespace = binding.kind == .roleBinding ? binding.namespace ?? "" : ""
        let subjectIndex = Subject.firstIndex(in: binding.subjects, applyingTo: user, namespace: namespace) ?? 0
        return Grant(
            subject: binding.subjects[subjectIndex].resolved(bindingNamespace: namespace), binding: binding,
            role: roles[boundRoles[position]], ruleIndex: rule)
    }
}
