/// A change a hook registered with ``KubeTestServer/onChange(_:)`` is told about.
public struct ChangeEvent: Sendable, Hashable {
    /// What happened to the object.
    public enum Kind: String, Sendable, Hashable {
        /// The object was created.
        case created
        /// The object was updated (update, patch or apply that changed it).
        case updated
        /// The object was deleted; changes a hook makes to it are ignored.
        case deleted
    }

    /// What happened.
    public var kind: Kind
    /// The object's API group (`""` for the core group).
    public var group: String
    /// The object's resource (`deployments`).
    public var resource: String

    /// Creates an event.
    public init(kind: Kind, group: String, resource: String) {
        self.kind = kind
        self.group = group
        self.resource = resource
    }
}
