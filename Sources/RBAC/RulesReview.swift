/// What a user may do in one namespace, like a SelfSubjectRulesReview: the rules of every
/// ClusterRoleBinding that applies, then those of the namespace's RoleBindings, each with its origin.
public struct RulesReview: Sendable, Hashable {
    /// The namespace reviewed, `""` for cluster-wide rules only.
    public var namespace: String
    /// Every rule held, in kube-apiserver's order (ClusterRoleBindings first, each binding's
    /// rules in role order). A rule held through several bindings appears once per binding.
    public var grants: [Grant]
    /// Bindings that apply to the user but refer to a role that does not exist.
    public var unresolvedBindings: [RBACBinding]

    /// Creates a review.
    public init(namespace: String, grants: [Grant], unresolvedBindings: [RBACBinding]) {
        self.namespace = namespace
        self.grants = grants
        self.unresolvedBindings = unresolvedBindings
    }

    /// The rules alone.
    public var rules: [PolicyRule] { grants.map(\.rule) }

    /// Whether some binding could not be resolved, as SelfSubjectRulesReview's `incomplete`.
    public var isIncomplete: Bool { !unresolvedBindings.isEmpty }
}
