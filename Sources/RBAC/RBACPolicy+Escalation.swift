extension RBACPolicy {
    /// Whether `user` may create or update a role with `rules`, or bind a role with them, in
    /// `namespace` without the `escalate` or `bind` verb: Kubernetes' `ConfirmNoEscalation`.
    ///
    /// The user's rules in `namespace` (``effectiveRules(for:namespace:)``; cluster-wide only when
    /// `namespace` is `""`, as for a ClusterRole or ClusterRoleBinding) must cover every
    /// permission in `rules` (``PolicyComparator/covers(_:_:)``).
    ///
    /// - Returns: whether they do, and the broken-down rules they do not cover.
    public func mayGrant(_ rules: [PolicyRule], user: UserInfo, namespace: String) -> (allowed: Bool, uncovered: [PolicyRule]) {
        let owned = effectiveRules(for: user, namespace: namespace).rules
        let result = PolicyComparator.covers(owned, rules)
        return (result.covered, result.uncovered)
    }
}
