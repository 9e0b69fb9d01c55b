public import RBAC

/// The `coordination.k8s.io/v1` Lease the agent's replicas elect a leader with, by name, in the
/// agent's namespace (issue 15: only the leader polls and applies).
///
/// The lock (KubeAPI's `LeaseLock`, client-go's leader-election semantics) reads the Lease,
/// creates it when missing with a server-side apply (authorized as `create` with the Lease's
/// name, unlike client-go's `POST`, which RBAC sees without a name), and updates it to acquire,
/// renew and release: `get`, `create`, `patch` and `update` on this one Lease by name, nothing
/// on other Leases.
public struct AgentLease: Sendable, Hashable {
    /// The Lease's default name.
    public static let defaultName = "warrant-agent"

    /// The Lease's name.
    public var name: String
    /// The namespace.
    public var namespace: String

    /// Creates a Lease reference.
    public init(name: String = AgentLease.defaultName, namespace: String) {
        self.name = name
        self.namespace = namespace
    }

    /// The rules leader election needs: this one Lease, by name.
    public var rules: [PolicyRule] {
        [PolicyRule(verbs: ["create", "get", "patch", "update"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [name])]
    }
}
