public import KubeModel

/// A Role (namespaced) or ClusterRole: a named set of ``PolicyRule``s.
public struct RBACRole: Sendable, Hashable, CustomStringConvertible {
    /// Role or ClusterRole.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A Role: rules that apply in its namespace.
        case role = "Role"
        /// A ClusterRole: rules that apply cluster-wide through a ClusterRoleBinding, or in one
        /// namespace through a RoleBinding.
        case clusterRole = "ClusterRole"
    }

    /// Role or ClusterRole.
    public var kind: Kind
    /// `metadata.name`.
    public var name: String
    /// `metadata.namespace` of a Role; `nil` for a ClusterRole (and for a Role written without
    /// one, until an ``RBACPolicy`` places it in its default namespace).
    public var namespace: String?
    /// The rules; for an aggregated ClusterRole inside an ``RBACPolicy``, the aggregated rules.
    public var rules: [PolicyRule]
    /// A ClusterRole's `aggregationRule`, `nil` when it has none.
    public var aggregationRule: AggregationRule?
    /// `metadata.labels`, which aggregation selects on.
    public var labels: [String: String]
    /// The file and line the object came from.
    public var source: SourceLocation?

    /// Creates a role.
    public init(
        kind: Kind,
        name: String,
        namespace: String? = nil,
        rules: [PolicyRule] = [],
        aggregationRule: AggregationRule? = nil,
        labels: [String: String] = [:],
        source: SourceLocation? = nil
    ) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.rules = rules
        self.aggregationRule = aggregationRule
        self.labels = labels
        self.source = source
    }

    /// A Role in `namespace`.
    public static func role(_ name: String, namespace: String, rules: [PolicyRule]) -> RBACRole {
        RBACRole(kind: .role, name: name, namespace: namespace, rules: rules)
    }

    /// A ClusterRole.
    public static func clusterRole(_ name: String, rules: [PolicyRule], labels: [String: String] = [:]) -> RBACRole {
        RBACRole(kind: .clusterRole, name: name, rules: rules, labels: labels)
    }

    /// Reads a Role or ClusterRole of any `rbac.authorization.k8s.io` version.
    ///
    /// - Throws: ``ManifestError`` naming the object's file and line when `object` is not a Role
    ///   or ClusterRole, or a field has the wrong type (`verbs: get` instead of a list, say).
    public init(_ object: KubeObject) throws(ManifestError) {
        let reader = FieldReader(object)
        guard object.isInGroup(RBACAPI.group), let kind = Kind(rawValue: object.kind) else {
            throw ManifestError(
                .wrongType, at: reader.location, "\(object.displayName) is not a Role or ClusterRole",
                hint: "a role has apiVersion rbac.authorization.k8s.io/v1 and kind Role or ClusterRole")
        }
        var rules: [PolicyRule] = []
        for (index, entry) in try reader.list(object.content["rules"], "rules").enumerated() {
            rules.append(try PolicyRule(entry, field: "rules[\(index)]", reader: reader))
        }
        var aggregationRule: AggregationRule?
        if kind == .clusterRole, let aggregation = try reader.object(object.content["aggregationRule"], "aggregationRule") {
            aggregationRule = try AggregationRule(aggregation, reader: reader)
        }
        self.init(
            kind: kind, name: object.name, namespace: kind == .role ? object.namespace : nil, rules: rules,
            aggregationRule: aggregationRule, labels: object.labels, source: object.source)
    }

    /// `ClusterRole "admin"`, `Role "team-a/deployer"`.
    public var description: String {
        if let namespace { return "\(kind.rawValue) \"\(namespace)/\(name)\"" }
        return "\(kind.rawValue) \"\(name)\""
    }
}
