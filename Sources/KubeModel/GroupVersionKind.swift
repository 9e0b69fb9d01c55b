/// The type of a Kubernetes object: API group, version and kind.
public struct GroupVersionKind: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The API group, `""` for the core group.
    public var group: String
    /// The version within the group (`v1`, `v1beta1`).
    public var version: String
    /// The kind (`Deployment`).
    public var kind: String

    /// Creates a group-version-kind.
    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// Splits an `apiVersion` (`apps/v1`, or `v1` for the core group) and pairs it with a kind.
    public init(apiVersion: String, kind: String) {
        if let slash = apiVersion.lastIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
        self.kind = kind
    }

    /// The `apiVersion` field value: `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The group and kind without the version.
    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }

    /// `Kind.version.group` as kubectl prints it, `Kind.version` for the core group.
    public var description: String { group.isEmpty ? "\(kind).\(version)" : "\(kind).\(version).\(group)" }

    public static func < (lhs: GroupVersionKind, rhs: GroupVersionKind) -> Bool {
        (lhs.group, lhs.kind, lhs.version) < (rhs.group, rhs.kind, rhs.version)
    }
}

/// A kind within an API group, independent of version.
public struct GroupKind: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The API group, `""` for the core group.
    public var group: String
    /// The kind.
    public var kind: String

    /// Creates a group-kind.
    public init(group: String, kind: String) {
        self.group = group
        self.kind = kind
    }

    /// `Kind.group` as kubectl and ApplySet annotations write it, or `Kind` for the core group.
    public var description: String { group.isEmpty ? kind : "\(kind).\(group)" }

    public static func < (lhs: GroupKind, rhs: GroupKind) -> Bool {
        (lhs.group, lhs.kind) < (rhs.group, rhs.kind)
    }
}
