/// One Kubernetes object as loaded from a manifest: its content and where it came from.
///
/// The content is unstructured (``JSONValue``) so that every kind, custom resources included,
/// passes through Warrant unchanged. Accessors read the fields every object has.
public struct KubeObject: Sendable, Hashable {
    /// The whole object, `apiVersion`, `kind`, `metadata` and the rest.
    public var content: JSONValue
    /// The file and line of the document (or `List` item) the object came from; `nil` when built in code.
    public var source: SourceLocation?

    /// Wraps an object value.
    public init(_ content: JSONValue, source: SourceLocation? = nil) {
        self.content = content
        self.source = source
    }

    // The paths of the fields read most, built once.
    private static let namePath = ["metadata", "name"]
    private static let namespacePath = ["metadata", "namespace"]

    /// `apiVersion`, empty when missing.
    public var apiVersion: String { content["apiVersion"]?.stringValue ?? "" }

    /// `kind`, empty when missing.
    public var kind: String { content["kind"]?.stringValue ?? "" }

    /// The group, version and kind from `apiVersion` and `kind`.
    public var groupVersionKind: GroupVersionKind { GroupVersionKind(apiVersion: apiVersion, kind: kind) }

    /// The group and kind.
    public var groupKind: GroupKind { groupVersionKind.groupKind }

    /// Whether ``groupKind``'s group is `group`, found without building it (most group names are
    /// too long to be stored without an allocation).
    package func isInGroup(_ group: String) -> Bool {
        let apiVersion = content["apiVersion"]?.stringValue ?? ""
        guard let slash = apiVersion.lastIndex(of: "/") else { return group.isEmpty }
        return apiVersion[..<slash] == group
    }

    /// `metadata.name`, empty when missing.
    public var name: String { content[path: Self.namePath]?.stringValue ?? "" }

    /// `metadata.namespace`, `nil` when not set.
    public var namespace: String? {
        get { content[path: Self.namespacePath]?.stringValue }
        set { setMetadata("namespace", newValue.map(JSONValue.string)) }
    }

    /// `metadata.labels`, empty when not set.
    public var labels: [String: String] { stringMap(at: "labels") }

    /// `metadata.annotations`, empty when not set.
    public var annotations: [String: String] { stringMap(at: "annotations") }

    /// Sets or removes one member of `metadata`, creating `metadata` when needed.
    ///
    /// `metadata` is changed in place where this object holds the only reference to it, and grows
    /// by exactly the member added: placing every object of a large input in a namespace neither
    /// copies its metadata nor leaves room for members that never come.
    public mutating func setMetadata(_ key: String, _ value: JSONValue?) {
        guard case .object(var object) = content else { return }
        content = .null
        object.modifyMember("metadata") { member in
            guard case .object(var metadata) = member else {
                var metadata = JSONObject()
                metadata[key] = value
                member = .object(metadata)
                return
            }
            member = .null
            if value != nil, !metadata.contains(key) { metadata.reserveCapacity(metadata.count + 1) }
            metadata[key] = value
            member = .object(metadata)
        }
        content = .object(object)
    }

    private func stringMap(at key: String) -> [String: String] {
        guard let object = content[path: ["metadata", key]]?.objectValue else { return [:] }
        var result: [String: String] = [:]
        for (name, value) in object {
            if let string = value.stringValue { result[name] = string }
        }
        return result
    }

    /// `kind/name` or `kind namespace/name`, as in messages.
    public var displayName: String {
        if let namespace { return "\(kind) \(namespace)/\(name)" }
        return "\(kind) \(name)"
    }
}
