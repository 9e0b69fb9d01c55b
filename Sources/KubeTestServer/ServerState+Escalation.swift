import KubeModel
import RBAC

extension ServerState {
    /// RBAC escalation prevention (`pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased/storage.go`
    /// and `pkg/registry/rbac/validation/rule.go` `ConfirmNoEscalation`).
    ///
    /// A Role or ClusterRole may be written by a user with `escalate` on it or who holds every
    /// permission it grants (a ClusterRole with an `aggregationRule` needs full authority); a
    /// binding by a user with `bind` on the role it refers to or who holds all of the role's permissions.
    mutating func checkEscalation(_ object: KubeObject, kind: ResourceKind, user: UserInfo) throws(APIError) {
        guard kind.group == RBACAPI.group, !user.groups.contains(Self.superuserGroup) else { return }
        let resource = GroupResource(group: kind.group, resource: kind.resource)
        let rules: [PolicyRule]
        let namespace: String
        switch kind.kind {
        case "Role", "ClusterRole":
            namespace = kind.kind == "Role" ? object.namespace ?? "" : ""
            let escalate = AccessRequest(
                user: user, verb: "escalate", apiGroup: kind.group, resource: kind.resource, name: object.name, namespace: namespace)
            if allows(escalate) { return }
            guard let role = try? RBACRole(object) else { return }
            if role.aggregationRule != nil {
                rules = [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])]
            } else {
                rules = role.rules
            }
        default:
            guard let binding = try? RBACBinding(object) else { return }
            namespace = kind.kind == "RoleBinding" ? object.namespace ?? "" : ""
            let roleResource = binding.roleRef.kind == "ClusterRole" ? "clusterroles" : "roles"
            let bind = AccessRequest(
                user: user, verb: "bind", apiGroup: kind.group, resource: roleResource, name: binding.roleRef.name, namespace: namespace)
            if allows(bind) { return }
            let policy = policy()
            let role =
                binding.roleRef.kind == "ClusterRole"
                ? policy.clusterRole(named: binding.roleRef.name) : policy.role(named: binding.roleRef.name, namespace: namespace)
            guard let role else {
                throw APIError.notFound(GroupResource(group: kind.group, resource: roleResource), name: binding.roleRef.name)
            }
            rules = role.rules
        }
        let result = policy().mayGrant(rules, user: user, namespace: namespace)
        guard !result.allowed else { return }
        let groups = "[" + user.groups.map { "\"\($0)\"" }.joined(separator: " ") + "]"
        let missing = Set(Self.compact(result.uncovered).map(\.description)).sorted()
        throw APIError.forbidden(
            resource, name: object.name,
            "user \"\(user.name)\" (groups=\(groups)) is attempting to grant RBAC permissions not currently held:\n"
                + missing.joined(separator: "\n"))
    }

    /// Merges rules that differ only in their verbs (`validation.CompactRules`).
    static func compact(_ rules: [PolicyRule]) -> [PolicyRule] {
        var result: [PolicyRule] = []
        for rule in rules {
            if let index = result.firstIndex(where: {
                $0.apiGroups == rule.apiGroups && $0.resources == rule.resources && $0.resourceNames == rule.resourceNames
                    && $0.nonResourceURLs == rule.nonResourceURLs
            }) {
                for verb in rule.verbs where !result[index].verbs.contains(verb) { result[index].verbs.append(verb) }
            } else {
                result.append(rule)
            }
        }
        return result
    }
}
