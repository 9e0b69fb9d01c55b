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
    /// The lowercase hex SHA-256 of the canonical compact JSON of the desired object, or `nil`:
    /// always for Secrets (see ``init(_:action:)``), and for pruned objects.
    public var digest: String?

    /// Creates an entry.
    public init(reference: ObjectReference, action: Action, digest: String?) {
        self.reference = reference
        self.action = action
        self.digest = digest
    }

    /// The entry of `object`, with the digest of its content, except for a Secret.
    ///
    /// A Secret gets no content digest, only its name and what was done to it (created or
    /// configured: its content changed). An unsalted digest of a Secret lets anyone who can read
    /// the history ConfigMap (or a record file kept as a CI artifact) test guesses of its values
    /// offline: a password, a token with a known prefix, a value from a small set. A keyed digest
    /// would need a key that the deploy credential reads and readers of ConfigMaps do not, i.e.
    /// one more Secret to create, grant and rotate, for a comparison the record already answers
    /// (an unchanged Secret is not applied, so a Secret in ``DeployRecord/applied`` did change).
    /// The record's own digest does not depend on it: `warrant history --verify` is unaffected.
    public init(_ object: KubeObject, action: Action) {
        let isSecret = object.groupKind == GroupKind(group: "", kind: "Secret")
        self.init(reference: ObjectReference(object), action: action, digest: isSecret ? nil : CanonicalJSON.digest(object.content))
    }

    /// The entry's members, in canonical order (``CanonicalJSON``), so that a record's text is
    /// written without a sorted copy of its list.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("action", .string(action.rawValue))]
        members.reserveCapacity(6)
        if let digest { members.append(("digest", .string(digest))) }
        if !reference.group.isEmpty { members.append(("group", .string(reference.group))) }
        members.append(("kind", .string(reference.kind)))
        members.append(("name", .string(reference.name)))
        if let namespace = reference.namespace { members.append(("namespace", .string(namespace))) }
        return .object(JSONObject(members))
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
