import Foundation
import KubeModel

/// An open watch: the events to send first, then the live ones.
struct WatchStream: Sendable {
    var id: Int
    var initial: [WatchEvent]
    var events: AsyncStream<WatchEvent>
    var continuation: AsyncStream<WatchEvent>.Continuation
    var timeout: Duration?
    var bookmarks: Bool
    /// `apiVersion` and `kind` of bookmark objects.
    var apiVersion: String
    var kind: String
}

extension ServerState {
    static func key(_ info: RequestInfo, kind: ResourceKind, name: String? = nil) -> ObjectKey {
        ObjectKey(group: kind.group, resource: kind.resource, namespace: kind.namespaced ? info.namespace : "", name: name ?? info.name)
    }

    func get(_ info: RequestInfo, kind: ResourceKind) throws(APIError) -> KubeObject {
        guard let object = store[Self.key(info, kind: kind)] else { throw APIError.notFound(info.groupResource, name: info.name) }
        return object
    }

    /// Whether list items carry `apiVersion` and `kind`: kube-apiserver's typed lists of built-in
    /// kinds leave them out, custom resource lists keep them.
    func listItemsKeepTypeMeta(_ kind: ResourceKind) -> Bool {
        KindTable.builtin.kind(GroupKind(group: kind.group, kind: kind.kind)) == nil
    }

    func list(_ request: APIRequest, info: RequestInfo, kind: ResourceKind) throws(APIError) -> JSONValue {
        let filter = try ListFilter(labelSelector: request.query["labelSelector"], fieldSelector: request.query["fieldSelector"])
        var items = store.list(group: kind.group, resource: kind.resource, namespace: info.namespace).filter { filter.matches($0.object) }
        var metadata: JSONValue = ["resourceVersion": .string(String(store.resourceVersion))]
        if let token = request.query["continue"], !token.isEmpty {
            guard let start = Self.decodeContinue(token) else {
                throw APIError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
            }
            items = items.filter { "\($0.key.namespace)/\($0.key.name)" > start }
        }
        if let limitText = request.query["limit"], let limit = Int(limitText), limit > 0, items.count > limit {
            let last = items[limit - 1].key
            metadata["continue"] = .string(Self.encodeContinue("\(last.namespace)/\(last.name)"))
            metadata["remainingItemCount"] = .integer(Int64(items.count - limit))
            items = Array(items.prefix(limit))
        }
        // `Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`: metadata only
        // (kube-apiserver's `handlers/response.go` transform; kubectl and controllers use it).
        if (request.headers["accept"] ?? "").contains("as=PartialObjectMetadataList") {
            let metadataOnly: [JSONValue] = items.map { item in
                ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": item.object.content["metadata"] ?? .object(JSONObject())]
            }
            return [
                "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                "items": metadataOnly.isEmpty ? .null : .array(metadataOnly),
            ]
        }
        let keepTypeMeta = listItemsKeepTypeMeta(kind)
        let values: [JSONValue] = items.map { item in
            var content = item.object.content
            if !keepTypeMeta {
                content["apiVersion"] = nil
                content["kind"] = nil
            }
            return content
        }
        let apiVersion = kind.group.isEmpty ? info.version : "\(kind.group)/\(info.version)"
        return [
            "kind": .string("\(kind.kind)List"), "apiVersion": .string(apiVersion), "metadata": metadata,
            "items": .array(values),
        ]
    }

    /// Continue tokens are opaque to clients; here base64 of the last key returned.
    static func encodeContinue(_ key: String) -> String { Data(key.utf8).base64EncodedString() }

    static func decodeContinue(_ token: String) -> String? {
        Data(base64Encoded: token).flatMap { String(data: $0, encoding: .utf8) }
    }

    mutating func watch(_ request: APIRequest, info: RequestInfo, kind: ResourceKind) throws(APIError) -> WatchStream {
        var filter = try ListFilter(labelSelector: request.query["labelSelector"], fieldSelector: request.query["fieldSelector"])
        if !info.name.isEmpty && request.query["fieldSelector"] == nil {
            filter.fields.append((["metadata", "name"], info.name, false))
        }
        let versionText = request.query["resourceVersion"] ?? ""
        var from: Int?
        if !versionText.isEmpty && versionText != "0" {
            guard let version = Int(versionText) else {
                throw APIError.badRequest("resourceVersion: Invalid value: \"\(versionText)\": must be an integer")
            }
            from = version
        }
        if request.query["sendInitialEvents"] == "true" { from = nil }
        let apiVersion = kind.group.isEmpty ? info.version : "\(kind.group)/\(info.version)"
        var timeout: Duration?
        if let seconds = request.query["timeoutSeconds"].flatMap(Int.init), seconds > 0 { timeout = .seconds(seconds) }
        let bookmarks = request.query["allowWatchBookmarks"] == "true"
        do {
            let opened = try store.watch(group: kind.group, resource: kind.resource, namespace: info.namespace, filter: filter, from: from)
            var initial = opened.initial
            if request.query["sendInitialEvents"] == "true" && bookmarks {
                // KEP-3157 watch-list: the end of the initial events is marked by an annotated bookmark.
                initial.append(WatchEvent(type: "BOOKMARK", object: bookmarkObject(apiVersion: apiVersion, kind: kind.kind, initialEventsEnd: true)))
            }
            return WatchStream(
                id: opened.id, initial: initial, events: opened.stream, continuation: opened.continuation, timeout: timeout,
                bookmarks: bookmarks, apiVersion: apiVersion, kind: kind.kind)
        } catch {
            // A watch from a compacted version starts, then sends one ERROR event (etcd3 watcher).
            let (stream, continuation) = AsyncStream<WatchEvent>.makeStream()
            continuation.finish()
            return WatchStream(
                id: -1, initial: [WatchEvent(type: "ERROR", object: error.status)], events: stream, continuation: continuation,
                timeout: nil, bookmarks: false, apiVersion: apiVersion, kind: kind.kind)
        }
    }

    func bookmarkObject(apiVersion: String, kind: String, initialEventsEnd: Bool = false) -> JSONValue {
        var metadata: JSONValue = ["resourceVersion": .string(String(store.resourceVersion))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return ["kind": .string(kind), "apiVersion": .string(apiVersion), "metadata": metadata]
    }
}
