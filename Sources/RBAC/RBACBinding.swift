public import KubeModel

/// A RoleBinding (namespaced) or ClusterRoleBinding: grants a role to subjects.
public struct RBACBinding: Sendable, Hashable, CustomStringConvertible {
    /// RoleBinding or ClusterRoleBinding.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Grants a Role, or a ClusterRole's rules, inside the binding's namespace only.
        case roleBinding = "RoleBinding"
        /// Grants a ClusterRole everywhere.
        case clusterRoleBinding = "ClusterRoleBinding"
    }

    /// RoleBinding or ClusterRoleBinding.
    public var kind: Kind
    /// `metadata.name`.
    public var name: String
    /// `metadata.namespace` of a RoleBinding; `nil` for a ClusterRoleBinding (and for a
    /// RoleBinding written without one, until an ``RBACPolicy`` places it in its default namespace).
    public var namespace: String?
    /// The role granted.
    public var roleRef: RoleRef
    /// Who it is granted to.
    public var subjects: [Subject]
    /// The file and line the object came from.
    public var source: SourceLocation?

    /// Creates a binding.
    public init(
        kind: Kind,
        name: String,
        namespace: String? = nil,
        roleRef: RoleRef,
        subjects: [Subject],
        source: SourceLocation? = nil
    ) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.roleRef = roleRef
        self.subjects = subjects
        self.source = source
    }

    /// A RoleBinding in `namespace`.
    public static func roleBinding(_ name: String, namespace: String, roleRef: RoleRef, subjects: [Subject]) -> RBACBinding {
        RBACBinding(kind: .roleBinding, name: name, namespace: namespace, roleRef: roleRef, subjects: subjects)
    }

    /// A ClusterRoleBinding of the ClusterRole `role`.
    public static func clusterRoleBinding(_ name: String, clusterRole role: String, subjects: [Subject]) -> RBACBinding {
        RBACBinding(kind: .clusterRoleBinding, name: name, roleRef: .clusterRole(role), subjects: subjects)
    }

    /// Reads a RoleBinding or ClusterRoleBinding of any `rbac.authorization.k8s.io` version.
    ///
    /// - Throws: ``ManifestError`` naming the object's file and line when `object` is not a
    ///   binding, `roleRef` is missing, or a field has the wrong type.
    public init(_ object: KubeObject) throws(ManifestError) {
        let reader = FieldReader(object)
        guard object.isInGroup(RBACAPI.group), let kind = Kind(rawValue: object.kind) else {
            throw ManifestError(
                .wrongType, at: reader.location, "\(object.displayName) is not a RoleBinding or ClusterRoleBinding",
                hint: "a binding has apiVersion rbac.authorization.k8s.io/v1 and kind RoleBinding or ClusterRoleBinding")
        }
        let roleRef = try RoleRef(object.content["roleRef"], reader: reader)
        var subjects: [Subject] = []
        for (index, entry) in try reader.list(object.content["subjects"], "subjects").enumerated() {
            subjects.append(try Subject(entry, field: "subjects[\(index)]", reader: reader))
        }
        self.init(
            kind: kind, name: object.name, namespace: kind == .roleBinding ? object.namespace : nil, roleRef: roleRef,
            subjects: subjects, source: object.source)
    }

    /// `ClusterRoleBinding "admins"`, `RoleBinding "team-a/deployers"`.
    public var description: String {
        if let namespace { return "\(kind.rawValue) \"\(namespace)/\(name)\"" }
        return "\(kind.rawValue) \"\(name)\""
    }
}
