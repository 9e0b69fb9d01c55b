public import KubeModel

/// One object a deploy applied or pruned, with the digest of its content.
public struct RecordedObject: Sendable, Hashable {
    /// What the deploy did with the object.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// Created: it did not exist.
        case created
        /// Changed by the apply.
        case configured
        /// Applied without a change.
        case unchanged
        /// Deleted because it left the manifests.
        case pruned
    }

    /// The object.
    public var reference: ObjectReference
    /// What happened to it.
    public var action: Action
    /// The lowercase hex SHA-256 of the canonical compact JSON of the desired object (for pruned
    /// objects, of the live object deleted), or `nil` when unknown (a Secret pruned by name).
    public var digest: String?

    /// Creates an entry.
    public init(reference: ObjectReference, action: Action, digest: String?) {
        self.reference = reference
        self.action = action
        self.digest = digest
    }

    /// The entry of `object`, with the digest of its content.
    public init(_ object: KubeObject, action: Action) {
        self.init(reference: ObjectReference(object), action: action, digest: CanonicalJSON.digest(object.content))
    }

    var json: JSONValue {
        var object = JSONObject([("kind", .string(reference.kind)), ("name", .string(reference.name)), ("action", .string(action.rawValue))])
        if !reference.group.isEmpty { object["group"] = .string(reference.group) }
        if let namespace = reference.namespace { object["namespace"] = .string(namespace) }
        if let digest { object["digest"] = .string(digest) }
        return .object(object)
    }

    init(json: JSONValue, field: String) throws(RecordError) {
        let reader = RecordReader(value: json, field: field)
        guard let action = Action(rawValue: try reader.string("action")) else {
            throw RecordError(field: "\(field).action", message: "is not one of created, configured, unchanged, pruned")
        }
        self.init(
            reference: ObjectReference(
                group: try reader.optionalString("group") ?? "", kind: try reader.string("kind"),
                namespace: try reader.optionalString("namespace"), name: try reader.string("name")),
            action: action, digest: try reader.optionalString("digest"))
    }
}
