public import KubeModel

/// Identifies one object in a namespace: its group, kind, namespace and name (the version does
/// not matter: the same object is served under every version of its group).
public struct ObjectReference: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The API group, empty for the core group.
    public var group: String
    /// The kind, e.g. `Deployment`.
    public var kind: String
    /// The namespace, `nil` for cluster-scoped objects.
    public var namespace: String?
    /// The name.
    public var name: String

    /// Creates a reference.
    public init(group: String, kind: String, namespace: String?, name: String) {
        self.group = group
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The reference of `object`.
    public init(_ object: KubeObject) {
        self.init(group: object.groupKind.group, kind: object.kind, namespace: object.namespace, name: object.name)
    }

    /// The group and kind.
    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }

    /// `Kind.group/name` (`Kind/name` for the core group), the form of Warrant's member list.
    public var description: String { "\(groupKind)/\(name)" }

    /// Orders by group, kind, namespace, then name.
    public static func < (lhs: ObjectReference, rhs: ObjectReference) -> Bool {
        (lhs.group, lhs.kind, lhs.namespace ?? "", lhs.name) < (rhs.group, rhs.kind, rhs.namespace ?? "", rhs.name)
    }
}
