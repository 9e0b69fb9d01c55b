public import KubeModel

/// Names of the RBAC API.
public enum RBACAPI {
    /// The API group of RBAC objects, `rbac.authorization.k8s.io`.
    public static let group = "rbac.authorization.k8s.io"

    /// Whether `object` is a Role, ClusterRole, RoleBinding or ClusterRoleBinding (any version).
    public static func isRBACObject(_ object: KubeObject) -> Bool {
        guard object.isInGroup(group) else { return false }
        switch object.kind {
        case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding": return true
        default: return false
        }
    }
}
