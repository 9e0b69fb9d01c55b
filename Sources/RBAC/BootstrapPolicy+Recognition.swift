/// Recognising Kubernetes' own bootstrap policy (``BootstrapPolicy/defaultClusterRoles``,
/// ``BootstrapPolicy/defaultRoles``, ``BootstrapPolicy/defaultBindings``) in audited RBAC, so
/// that what a cluster adds to it can be told from what every cluster has.
extension BootstrapPolicy {
    /// The bootstrap policy alone, aggregation resolved.
    public static let defaultPolicy = RBACPolicy(roles: defaultClusterRoles + defaultRoles, bindings: defaultBindings)

    private static let defaultBindingsByKey: [String: RBACBinding] = Dictionary(
        defaultBindings.map { (key(kind: $0.kind, namespace: $0.namespace, name: $0.name), $0) }, uniquingKeysWith: { first, _ in first })

    private static func key(kind: RBACBinding.Kind, namespace: String?, name: String) -> String {
        "\(kind.rawValue)/\(kind == .roleBinding ? namespace ?? "" : "")/\(name)"
    }

    /// The default binding `binding` stands for (the same kind, namespace, name and role), or `nil`.
    public static func defaultBinding(for binding: RBACBinding) -> RBACBinding? {
        guard let found = defaultBindingsByKey[key(kind: binding.kind, namespace: binding.namespace, name: binding.name)],
            found.roleRef.kind == binding.roleRef.kind, found.roleRef.name == binding.roleRef.name
        else { return nil }
        return found
    }

    /// Whether `subject` (a ServiceAccount's namespace filled in) is one of the subjects the
    /// default binding `binding` stands for names.
    public static func isDefaultSubject(_ subject: Subject, of binding: RBACBinding) -> Bool {
        guard let found = defaultBinding(for: binding) else { return false }
        return found.subjects.contains { $0.kind == subject.kind && $0.name == subject.name && ($0.namespace ?? "") == (subject.namespace ?? "") }
    }

    /// Whether `role` is one of Kubernetes' default roles with nothing added: a default role of
    /// that kind, namespace and name exists and its rules (aggregated, for `admin`, `edit` and
    /// `view`) cover every rule of `role`.
    public static func isUnchangedDefault(_ role: RBACRole) -> Bool {
        let defaults: RBACRole? =
            switch role.kind {
            case .clusterRole: defaultPolicy.clusterRole(named: role.name)
            case .role: role.namespace.flatMap { defaultPolicy.role(named: role.name, namespace: $0) }
            }
        guard let defaults else { return false }
        return PolicyComparator.covers(defaults.rules, role.rules).covered
    }
}
