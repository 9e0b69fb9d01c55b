extension RBACPolicy {
    /// Decides `request` exactly as kube-apiserver's RBAC authorizer does.
    ///
    /// The bindings considered are every ClusterRoleBinding and, when the request has a
    /// namespace, the RoleBindings of that namespace; a binding applies when one of its subjects
    /// designates the user (``Subject/applies(to:namespace:)``). The request is allowed when any
    /// rule of an applicable binding's role allows it (``PolicyRule/allows(_:)``). The grant
    /// reported is the one kube-apiserver reports: the first in ClusterRoleBindings-then-RoleBindings
    /// order, then rule order. Only the bindings that can apply to the user are looked at.
    public func authorize(_ request: AccessRequest) -> AuthorizationDecision {
        var unresolved: [Int] = []
        if let found = firstAllowing(request, in: clusterBindingIndex, unresolved: &unresolved) {
            return .allowed(grant(binding: found.binding, rule: found.rule, user: request.user))
        }
        var namespaceUnresolved: [Int] = []
        if !request.namespace.isEmpty, let index = namespaceBindingIndex[request.namespace],
            let found = firstAllowing(request, in: index, unresolved: &namespaceUnresolved)
        {
            return .allowed(grant(binding: found.binding, rule: found.rule, user: request.user))
        }
        let missing = (unresolved.sorted() + namespaceUnresolved.sorted()).map { bindings[$0] }
        return .denied(Denial(request: request, unresolvedBindings: missing))
    }

    /// Whether `request` is allowed; the same as `authorize(request).isAllowed` without building an explanation.
    public func allows(_ request: AccessRequest) -> Bool {
        var unresolved: [Int] = []
        if firstAllowing(request, in: clusterBindingIndex, unresolved: &unresolved) != nil { return true }
        if !request.namespace.isEmpty, let index = namespaceBindingIndex[request.namespace] {
            return firstAllowing(request, in: index, unresolved: &unresolved) != nil
        }
        return false
    }

    /// The first binding (by position) among those `index` files for the user whose role has a
    /// rule allowing `request`, and that rule. Collects the bindings without a role on the way.
    private func firstAllowing(
        _ request: AccessRequest, in index: SubjectIndex, unresolved: inout [Int]
    ) -> (binding: Int, rule: Int)? {
        var best: (binding: Int, rule: Int)?
        index.forEachCandidateList(of: request.user) { list in
            for position in list {
                if let best, position >= best.binding { break }
                let roleIndex = boundRoles[position]
                guard roleIndex >= 0 else {
                    if !unresolved.contains(position) { unresolved.append(position) }
                    continue
                }
                let rules = ruleNumbers[roleIndex]
                for ruleIndex in rules.indices where compiledRules[rules[ruleIndex]].allows(request) {
                    best = (position, ruleIndex)
                    break
                }
            }
        }
        return best
    }
}
