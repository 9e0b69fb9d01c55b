extension RBACPolicy {
    /// Every rule `user` holds in `namespace`, as a SelfSubjectRulesReview lists them: the rules of
    /// the ClusterRoleBindings that apply, then (when `namespace` is not empty) those of the
    /// namespace's RoleBindings that apply, each with the binding and role it comes from.
    ///
    /// - Parameters:
    ///   - user: the user, with all of its groups.
    ///   - namespace: the namespace, or `""` for the cluster-wide rules only.
    public func effectiveRules(for user: UserInfo, namespace: String) -> RulesReview {
        var grants: [Grant] = []
        var unresolved: [RBACBinding] = []
        func collect(_ index: SubjectIndex) {
            for position in index.candidates(of: user) {
                guard boundRoles[position] >= 0 else {
                    unresolved.append(bindings[position])
                    continue
                }
                let role = roles[boundRoles[position]]
                for ruleIndex in role.rules.indices {
                    grants.append(grant(binding: position, rule: ruleIndex, user: user))
                }
            }
        }
        collect(clusterBindingIndex)
        if !namespace.isEmpty, let index = namespaceBindingIndex[namespace] {
            collect(index)
        }
        return RulesReview(namespace: namespace, grants: grants, unresolvedBindings: unresolved)
    }

    /// Every subject allowed to make `request` (its user is ignored), with the binding, role and
    /// first rule that allow it: what `kubectl who-can` answers, with Kubernetes' exact matching.
    ///
    /// Considers every ClusterRoleBinding and, when the request has a namespace, that namespace's
    /// RoleBindings. Each subject of an allowing binding is listed once per binding, in binding
    /// order (ClusterRoleBindings first); a ServiceAccount subject of a RoleBinding without a
    /// namespace is listed in the binding's namespace, and subjects that can match nobody
    /// (a ClusterRoleBinding's ServiceAccount without namespace, an unknown kind) are left out.
    /// Groups are listed as groups: `system:authenticated` means every authenticated user.
    public func whoCan(_ request: AccessRequest) -> [Grant] {
        var grants: [Grant] = []
        func collect(_ positions: [Int]) {
            for position in positions {
                let roleIndex = boundRoles[position]
                guard roleIndex >= 0,
                    let ruleIndex = ruleNumbers[roleIndex].firstIndex(where: { compiledRules[$0].allows(request) })
                else { continue }
                let binding = bindings[position]
                let namespace = binding.kind == .roleBinding ? binding.namespace ?? "" : ""
                for subject in binding.subjects {
                    switch subject.kind {
                    case .user, .group:
                        break
                    case .serviceAccount:
                        if subject.serviceAccountUsername(defaultNamespace: namespace) == nil { continue }
                    default:
                        continue
                    }
                    grants.append(
                        Grant(
                            subject: subject.resolved(bindingNamespace: namespace), binding: binding, role: roles[roleIndex],
                            ruleIndex: ruleIndex))
                }
            }
        }
        collect(clusterBindingIndex.all)
        if !request.namespace.isEmpty, let index = namespaceBindingIndex[request.namespace] {
            collect(index.all)
        }
        return grants
    }

    /// Every subject allowed to do `verb` on a resource; see ``whoCan(_:)``.
    ///
    /// - Parameters:
    ///   - verb: the verb.
    ///   - apiGroup: the API group, `""` for the core group.
    ///   - resource: the resource, or `resource/subresource`.
    ///   - subresource: the subresource, or `""`.
    ///   - name: the object name, or `""`.
    ///   - namespace: the namespace, `""` for cluster-wide.
    public func whoCan(
        verb: String, apiGroup: String = "", resource: String, subresource: String = "", name: String = "",
        namespace: String = ""
    ) -> [Grant] {
        whoCan(
            AccessRequest(
                user: Self.nobody, verb: verb, apiGroup: apiGroup, resource: resource, subresource: subresource, name: name,
                namespace: namespace))
    }

    /// Every subject allowed to do `verb` on a non-resource URL; see ``whoCan(_:)``.
    public func whoCan(verb: String, nonResourceURL: String) -> [Grant] {
        whoCan(AccessRequest(user: Self.nobody, verb: verb, nonResourceURL: nonResourceURL))
    }

    private static let nobody = UserInfo(name: "", addingImplicitGroups: false)
}
