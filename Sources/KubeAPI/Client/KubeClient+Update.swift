public import KubeModel

extension KubeClient {
    /// Replaces `object` (`PUT`): a compare-and-swap when it carries `metadata.resourceVersion`,
    /// which must be the version stored, or the server answers 409 `Conflict` ("the object has
    /// been modified") and nothing changes. Read, change and update again on a conflict.
    ///
    /// `metadata.managedFields` is left out of the request, so that the server keeps the field
    /// ownership it has and records this write as an `Update` by `fieldManager`. An update never
    /// conflicts with other field managers, unlike server-side apply: two writers (`warrant`
    /// and `warrant-agent`, say) can both keep one object this way. Objects that do not exist
    /// are not created (404), except for kinds whose `AllowCreateOnUpdate` is true (RBAC).
    ///
    /// - Throws: ``KubeAPIError``; `isConflict` for a stale `resourceVersion`.
    public func update(_ object: KubeObject, fieldManager: String, dryRun: Bool = false) async throws -> KubeObject {
        let mapping = try await mapping(for: object.groupKind)
        var query = [("fieldManager", fieldManager)]
        if dryRun { query.append(("dryRun", "All")) }
        var content = object.content
        content["apiVersion"] = .string(object.apiVersion.isEmpty ? mapping.apiVersion : object.apiVersion)
        content.setValue(nil, at: ["metadata", "managedFields"])
        let request = KubeRequest(
            method: "PUT", path: mapping.objectPath(namespace: object.namespace, name: object.name), query: query,
            headers: Self.jsonHeaders + [("Content-Type", "application/json")], body: Self.body(content))
        return KubeObject(try await json(request))
    }
}
