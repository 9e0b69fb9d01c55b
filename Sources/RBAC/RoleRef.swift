import KubeModel

/// The role a binding grants: a Role in the binding's namespace or a ClusterRole.
public struct RoleRef: Sendable, Hashable, CustomStringConvertible {
    /// `rbac.authorization.k8s.io`.
    public var apiGroup: String
    /// `Role` or `ClusterRole`; any other kind never resolves.
    public var kind: String
    /// The role's name.
    public var name: String

    /// Creates a reference.
    public init(kind: String, name: String, apiGroup: String = RBACAPI.group) {
        self.apiGroup = apiGroup
        self.kind = kind
        self.name = name
    }

    /// A reference to the Role `name` in the binding's namespace.
    public static func role(_ name: String) -> RoleRef { RoleRef(kind: RBACRole.Kind.role.rawValue, name: name) }

    /// A reference to the ClusterRole `name`.
    public static func clusterRole(_ name: String) -> RoleRef { RoleRef(kind: RBACRole.Kind.clusterRole.rawValue, name: name) }

    /// `ClusterRole "admin"`.
    public var description: String { "\(kind) \"\(name)\"" }

    /// Reads a binding's `roleRef`.
    init(_ value: JSONValue?, reader: FieldReader) throws(ManifestError) {
        guard let object = try reader.object(value, "roleRef") else {
            throw ManifestError(
                .missingField, at: reader.location, "\(reader.objectName) has no roleRef",
                hint: "add 'roleRef:' with apiGroup: rbac.authorization.k8s.io, kind (Role or ClusterRole) and name")
        }
        let value = JSONValue.object(object)
        let kind = try reader.requiredString(value["kind"], "roleRef.kind", hint: "set roleRef.kind to Role or ClusterRole")
        let name = try reader.requiredString(value["name"], "roleRef.name", hint: "set roleRef.name to the role's name")
        let apiGroup = try reader.string(value["apiGroup"], "roleRef.apiGroup") ?? RBACAPI.group
        self.init(kind: kind, name: name, apiGroup: apiGroup)
    }
}
