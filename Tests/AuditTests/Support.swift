import Audit
import KubeModel
import RBAC
import Testing

/// Audits YAML text (namespaced objects without a namespace go to `team`).
func audit(_ yaml: String, suppressions: Suppressions = Suppressions()) throws -> AuditReport {
    var objects = try ManifestLoader().load(bytes: Array(yaml.utf8), file: "rbac.yaml")
    for index in objects.indices where objects[index].namespace == nil && KindTable.builtin.kind(objects[index].groupKind)?.namespaced == true {
        objects[index].namespace = "team"
    }
    let policy = try RBACPolicy(objects: objects, defaultNamespace: "team")
    return Auditor(suppressions: suppressions).audit(objects: objects, policy: policy)
}

/// The policy of YAML text, as ``audit(_:suppressions:)`` builds it.
func policy(_ yaml: String) throws -> RBACPolicy {
    try RBACPolicy(objects: try ManifestLoader().load(bytes: Array(yaml.utf8), file: "rbac.yaml"), defaultNamespace: "team")
}

/// A Role (or ClusterRole) with `rules` bound to ServiceAccount team/app by a RoleBinding (or ClusterRoleBinding).
func boundRole(rules: String, clusterWide: Bool = false, labels: String = "") -> String {
    let roleKind = clusterWide ? "ClusterRole" : "Role"
    let bindingKind = clusterWide ? "ClusterRoleBinding" : "RoleBinding"
    return """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: \(roleKind)
        metadata:
          name: r
        \(labels)
        rules:
        \(rules)
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: \(bindingKind)
        metadata:
          name: b
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: \(roleKind), name: r}
        subjects:
        - {kind: ServiceAccount, name: app, namespace: team}
        """
}
