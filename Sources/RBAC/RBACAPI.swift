public import KubeModel

/// Names of the RBAC API.
public enum RBACAPI {
    /// The API group of RBAC objects, `rbac.authorization.k8s.io`.
    public static let group = "rbac.authorization.k8s.io"

    /// Whether `object` is a Role, ClusterRole, RoleBinding or ClusterRoleBinding (any version).
    public static func isRBACObject(_ object: KubeObject) -> Bool {
        let groupKind = object.groupKind
        guard groupKind.group == group else { return false }
        switch groupKind.kind {
        case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding": return true
        default: return false
        }
    }
}
