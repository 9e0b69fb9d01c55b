public import KubeModel

/// Options of a list or watch.
public struct ListOptions: Sendable {
    /// `labelSelector`, e.g. `app=web,tier!=db`.
    public var labelSelector: String?
    /// `fieldSelector`, e.g. `metadata.name=web`.
    public var fieldSelector: String?
    /// Objects per page (`limit`); every page is fetched.
    public var pageSize: Int?

    /// Creates options.
    public init(labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int? = 500) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
        return query
    }
}

/// How a delete propagates to dependents.
public enum PropagationPolicy: String, Sendable {
    case foreground = "Foreground"
    case background = "Background"
    case orphan = "Orphan"
}

extension KubeClient {
    /// The object `namespace/name` of `kind`, or `nil` when it does not exist.
    public func get(_ kind: GroupKind, namespace: String?, name: String) async throws -> KubeObject? {
        let mapping = try await mapping(for: kind)
        do {
            return KubeObject(try await json(KubeRequest(method: "GET", path: mapping.objectPath(namespace: namespace, name: name), headers: Self.jsonHeaders)))
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    /// Every object of `kind` in `namespace` (nil: all namespaces, or cluster-scoped), following
    /// `continue` tokens across pages; also the list's resourceVersion, to watch from.
    public func list(
        _ kind: GroupKind, namespace: String?, options: ListOptions = ListOptions()
    ) async throws -> (
        objects: [KubeObject], resourceVersion: String
    ) {
        let mapping = try await mapping(for: kind)
        var objects: [KubeObject] = []
        var token: String?
        var resourceVersion = ""
        repeat {
            var query = options.query
            if let size = options.pageSize { query.append(("limit", String(size))) }
            if let token { query.append(("continue", token)) }
            let page = try await json(
                KubeRequest(method: "GET", path: mapping.collectionPath(namespace: namespace), query: query, headers: Self.jsonHeaders))
            for item in page["items"]?.arrayValue ?? [] {
                var object = KubeObject(item)
                // List items carry no apiVersion/kind; fill them in as kubectl does.
                if object.content["apiVersion"] == nil { object.content["apiVersion"] = .string(mapping.apiVersion) }
                if object.content["kind"] == nil { object.content["kind"] = .string(mapping.kind) }
                objects.append(object)
            }
            resourceVersion = page[path: ["metadata", "resourceVersion"]]?.stringValue ?? resourceVersion
            token = page[path: ["metadata", "continue"]]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return (objects, resourceVersion)
    }

    /// Creates `object` (POST); `dryRun` validates and authorizes without storing.
    public func create(_ object: KubeObject, dryRun: Bool = false, fieldManager: String = "warrant") async throws -> KubeObject {
        let mapping = try await mapping(for: object.groupKind)
        var query = [("fieldManager", fieldManager)]
        if dryRun { query.append(("dryRun", "All")) }
        let request = KubeRequest(
            method: "POST", path: mapping.collectionPath(namespace: object.namespace), query: query,
            headers: Self.jsonHeaders + [("Content-Type", "application/json")], body: Self.body(object.content))
        return KubeObject(try await json(request))
    }

    /// Server-side apply: `PATCH` with `application/apply-patch+yaml` (a JSON body), creating the
    /// object when it does not exist. Conflicts with other field managers throw a 409
    /// ``KubeAPIError`` whose `causes` name each field and manager, unless `force`.
    /// The object is sent to the path of its own API version: a group may serve several
    /// (`autoscaling/v1` and `v2`) and the server refuses a body whose version differs from the path's.
    public func apply(_ object: KubeObject, fieldManager: String, force: Bool = false, dryRun: Bool = false) async throws -> KubeObject {
        var mapping = try await mapping(for: object.groupKind)
        if !object.apiVersion.isEmpty { mapping.version = object.groupVersionKind.version }
        var query = [("fieldManager", fieldManager)]
        if force { query.append(("force", "true")) }
        if dryRun { query.append(("dryRun", "All")) }
        var content = object.content
        content["apiVersion"] = .string(object.apiVersion.isEmpty ? mapping.apiVersion : object.apiVersion)
        let request = KubeRequest(
            method: "PATCH", path: mapping.objectPath(namespace: object.namespace, name: object.name), query: query,
            headers: Self.jsonHeaders + [("Content-Type", "application/apply-patch+yaml")], body: Self.body(content))
        return KubeObject(try await json(request))
    }

    /// Deletes `namespace/name`; `false` when it did not exist. Preconditions make the delete
    /// fail (409) if the object was replaced or changed since it was read.
    @discardableResult
    public func delete(
        _ kind: GroupKind, namespace: String?, name: String, propagationPolicy: PropagationPolicy = .background,
        preconditionUID: String? = nil, preconditionResourceVersion: String? = nil, dryRun: Bool = false
    ) async throws -> Bool {
        let mapping = try await mapping(for: kind)
        var options: JSONObject = JSONObject()
        options["apiVersion"] = "v1"
        options["kind"] = "DeleteOptions"
        options["propagationPolicy"] = .string(propagationPolicy.rawValue)
        if preconditionUID != nil || preconditionResourceVersion != nil {
            var preconditions = JSONObject()
            if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
            if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
            options["preconditions"] = .object(preconditions)
        }
        if dryRun { options["dryRun"] = ["All"] }
        do {
            _ = try await send(
                KubeRequest(
                    method: "DELETE", path: mapping.objectPath(namespace: namespace, name: name),
                    headers: Self.jsonHeaders + [("Content-Type", "application/json")], body: Self.body(.object(options))))
            return true
        } catch let error as KubeAPIError where error.isNotFound {
            return false
        }
    }
}
