/// One rule held by a subject: which binding gives it, through which role, and which of the
/// role's rules it is. The unit of every explanation Warrant gives.
public struct Grant: Sendable, Hashable, CustomStringConvertible {
    /// The binding's subject that matched, a ServiceAccount's namespace filled in from a RoleBinding's.
    public var subject: Subject
    /// The RoleBinding or ClusterRoleBinding.
    public var binding: RBACBinding
    /// The Role or ClusterRole it refers to, with aggregated rules resolved.
    public var role: RBACRole
    /// The position of the rule in ``role``'s rules.
    public var ruleIndex: Int

    /// Creates a grant.
    public init(subject: Subject, binding: RBACBinding, role: RBACRole, ruleIndex: Int) {
        self.subject = subject
        self.binding = binding
        self.role = role
        self.ruleIndex = ruleIndex
    }

    /// The rule.
    public var rule: PolicyRule { role.rules[ruleIndex] }

    /// The namespace the rule applies in: the RoleBinding's, or `nil` (everywhere) for a ClusterRoleBinding.
    public var scope: String? { binding.kind == .roleBinding ? binding.namespace : nil }

    /// As kube-apiserver explains an allowed request:
    /// `RoleBinding "shop/deployers" of ClusterRole "edit" to User "alice"`, followed by the rule.
    public var description: String {
        "\(binding) of \(binding.roleRef) to \(subject), rule \(ruleIndex) \(rule)"
    }
}
