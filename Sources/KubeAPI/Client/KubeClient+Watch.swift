public import KubeModel

/// One change seen by a watch.
public struct WatchEvent: Sendable {
    /// `ADDED`, `MODIFIED`, `DELETED` or `BOOKMARK`.
    public var type: String
    /// The object (for a bookmark, only its resourceVersion is meaningful).
    public var object: KubeObject
}

extension KubeClient {
    /// Watches `kind` in `namespace` from `resourceVersion` (or from a fresh list, whose objects
    /// arrive as `ADDED`), as an async sequence. Bookmarks keep the position current; when the
    /// server answers 410 Gone (the position is too old), the watch lists again and goes on, so
    /// the sequence never silently misses a change. Cancel the consuming task to stop.
    public func watch(
        _ kind: GroupKind, namespace: String?, options: ListOptions = ListOptions(), resourceVersion: String? = nil
    ) -> AsyncThrowingStream<WatchEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let mapping = try await mapping(for: kind)
                    var position = resourceVersion
                    while !Task.isCancelled {
                        if position == nil {
                            let listed = try await list(kind, namespace: namespace, options: options)
                            for object in listed.objects { continuation.yield(WatchEvent(type: "ADDED", object: object)) }
                            position = listed.resourceVersion
                        }
                        var query = options.query + [("watch", "true"), ("allowWatchBookmarks", "true")]
                        if let position { query.append(("resourceVersion", position)) }
                        let request = KubeRequest(method: "GET", path: mapping.collectionPath(namespace: namespace), query: query, headers: Self.jsonHeaders)
                        let authorization: String? =
                            if case .bearer(let token) = try await credentials.current() { "Bearer \(token)" } else { nil }
                        let (status, lines) = try await transport.stream(request, authorization: authorization)
                        if status == 410 {
                            position = nil
                            continue
                        }
                        guard (200..<300).contains(status) else {
                            var body: [UInt8] = []
                            for try await line in lines { body += line }
                            throw KubeAPIError.from(KubeResponse(status: status, body: body), request: request)
                        }
                        var gone = false
                        for try await line in lines {
                            let event = try JSONValue.parseJSON(line, source: "watch \(mapping.resource)")
                            let type = event["type"]?.stringValue ?? ""
                            let object = event["object"] ?? .null
                            if type == "ERROR" {
                                if object["code"]?.integerValue == 410 {
                                    gone = true
                                    break
                                }
                                throw KubeAPIError.from(
                                    KubeResponse(status: Int(object["code"]?.integerValue ?? 500), body: Self.body(object)), request: request)
                            }
                            if let version = object[path: ["metadata", "resourceVersion"]]?.stringValue { position = version }
                            continuation.yield(WatchEvent(type: type, object: KubeObject(object)))
                        }
                        if gone { position = nil }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
