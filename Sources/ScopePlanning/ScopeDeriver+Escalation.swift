import KubeModel
import RBAC

/// Escalation prevention in `warrant scope`: the API server lets a deployer create a Role only
/// when it holds every permission the Role grants, and a RoleBinding only when it holds the
/// permissions of the bound role or `bind` on it (`k8s.io/kubernetes/pkg/registry/rbac/role/policybased`,
/// `rolebinding/policybased`). What the input's Roles and RoleBindings need is added to the Role.
extension ScopeDeriver {
    /// The rules the deployer must hold to create the namespaced RBAC objects `rbac`; a
    /// RoleBinding to a role outside `objects` adds its `bind` rule to `explanations` instead.
    func escalationRules(for rbac: [KubeObject], rolesIn objects: [KubeObject], adding explanations: inout [RuleExplanation]) -> HeldRules {
        let rolesByReference = Self.rolesByReference(in: objects)
        var held = HeldRules()
        for object in rbac where RBACAPI.isRBACObject(object) {
            switch object.kind {
            case "Role":
                if let role = try? RBACRole(object) {
                    held.hold(role.rules, because: "creating \(object.displayName) needs every permission it grants (escalation prevention)", object: object)
                }
            case "RoleBinding":
                guard let binding = try? RBACBinding(object) else { continue }
                if let index = rolesByReference["\(binding.roleRef.kind)/\(binding.roleRef.name)"], let role = try? RBACRole(objects[index]) {
                    held.hold(
                        role.rules, because: "creating \(object.displayName) needs the permissions of \(binding.roleRef) (escalation prevention)",
                        object: object)
                } else {
                    explanations.append(Self.bindRule(for: binding, object: object))
                }
            default:
                break
            }
        }
        return held
    }

    /// Where the Roles and ClusterRoles of `objects` are, by `Kind/name` as a `roleRef` names
    /// them. A role is read again when a binding refers to it: thousands of roles read and kept
    /// at once would cost more memory than reading some twice.
    static func rolesByReference(in objects: [KubeObject]) -> [String: Int] {
        var roles: [String: Int] = [:]
        for (index, object) in objects.enumerated() where RBACAPI.isRBACObject(object) && (object.kind == "Role" || object.kind == "ClusterRole") {
            guard let role = try? RBACRole(object) else { continue }
            roles["\(role.kind.rawValue)/\(role.name)"] = index
        }
        return roles
    }

    /// `bind` on the role a RoleBinding names when the role is not in the input.
    static func bindRule(for binding: RBACBinding, object: KubeObject) -> RuleExplanation {
        let resource = binding.roleRef.kind == "ClusterRole" ? "clusterroles" : "roles"
        let rule = PolicyRule(verbs: ["bind"], apiGroups: [RBACAPI.group], resources: [resource], resourceNames: [binding.roleRef.name])
        return RuleExplanation(
            rule: rule,
            reasons: [
                PlannedRequest(
                    verb: "bind", apiGroup: RBACAPI.group, resource: resource, resourceName: binding.roleRef.name,
                    reason: "\(binding.roleRef) is not in the input, so creating \(object.displayName) needs bind on it",
                    object: object.displayName, source: object.source)
            ])
    }

    /// Adds the held rules to `explanations`: a rule the planned ones already cover gives its
    /// reasons to the first that covers it; any other is added.
    static func merge(_ held: HeldRules, into explanations: inout [RuleExplanation]) {
        let planned = explanations.map(\.rule)
        for explanation in held.explanations {
            if PolicyComparator.covers(planned, [explanation.rule]).covered,
                let index = explanations.firstIndex(where: { PolicyComparator.covers([$0.rule], [explanation.rule]).covered })
            {
                explanations[index].reasons.append(contentsOf: explanation.reasons)
            } else {
                explanations.append(explanation)
            }
        }
    }
}
