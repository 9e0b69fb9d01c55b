public import KubeAPI
import KubeModel
public import RBAC

/// The agent's status ConfigMap: where ``AgentStatus`` is kept, by name, in the agent's namespace.
public struct AgentStatusStore: Sendable, Hashable {
    /// The ConfigMap's default name.
    public static let defaultName = "warrant-agent-status"
    /// The key of the status JSON in the ConfigMap's data.
    public static let dataKey = "status.json"

    /// The ConfigMap's name.
    public var name: String
    /// The namespace.
    public var namespace: String

    /// Creates a store.
    public init(name: String = AgentStatusStore.defaultName, namespace: String) {
        self.name = name
        self.namespace = namespace
    }

    /// The rules the agent needs for its status: read, create and update this one ConfigMap
    /// (server-side apply is a `patch`, and a `create` when the object does not exist yet).
    public var rules: [PolicyRule] {
        [PolicyRule(verbs: ["create", "get", "patch"], apiGroups: [""], resources: ["configmaps"], resourceNames: [name])]
    }

    /// Reads the status; `nil` when the ConfigMap does not exist yet.
    ///
    /// - Throws: ``KubeAPIError``, or a decoding error when the ConfigMap holds no valid status.
    public func read(client: KubeClient) async throws -> AgentStatus? {
        guard let object = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: name) else { return nil }
        guard let text = object.content[path: ["data", Self.dataKey]]?.stringValue else {
            throw AgentStatusError(message: "ConfigMap \(namespace)/\(name) has no \(Self.dataKey)")
        }
        do {
            return try AgentStatus(decoding: text)
        } catch {
            throw AgentStatusError(message: "ConfigMap \(namespace)/\(name): \(Self.dataKey) is not an agent status: \(error)")
        }
    }

    /// Writes the status with server-side apply.
    public func write(_ status: AgentStatus, client: KubeClient, fieldManager: String) async throws {
        let object = KubeObject([
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": ["app.kubernetes.io/managed-by": "warrant", "app.kubernetes.io/component": "agent-status"],
            ],
            "data": .object(JSONObject([(Self.dataKey, .string(status.encoded()))])),
        ])
        _ = try await client.apply(object, fieldManager: fieldManager, force: true)
    }
}
