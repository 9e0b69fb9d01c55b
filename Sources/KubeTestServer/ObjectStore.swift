import KubeModel

/// Where an object is stored: its resource, namespace (`""` when cluster-scoped) and name.
struct ObjectKey: Sendable, Hashable, Comparable {
    var group: String
    var resource: String
    var namespace: String
    var name: String

    var groupResource: GroupResource { GroupResource(group: group, resource: resource) }

    /// etcd key order: `/registry/<resource>/<namespace>/<name>`.
    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.group, lhs.resource, lhs.namespace, lhs.name) < (rhs.group, rhs.resource, rhs.namespace, rhs.name)
    }
}

/// One change as a watch reports it.
struct WatchEvent: Sendable {
    var type: String
    var object: JSONValue

    var line: [UInt8] {
        Array((JSONWriter.write(["type": .string(type), "object": object], indent: 0) + "\n").utf8)
    }
}

/// The stored objects, the global resourceVersion counter, the event history and the open watches.
///
/// Like etcd behind kube-apiserver, every write takes the next resourceVersion; the history keeps
/// the last ``historyLimit`` events so that a watch can resume, and a watch from before that
/// gets `410 Gone`.
struct ObjectStore: Sendable {
    struct Record: Sendable {
        var resourceVersion: Int
        var type: String
        var key: ObjectKey
        var object: JSONValue
    }

    struct Watcher: Sendable {
        var group: String
        var resource: String
        var namespace: String
        var filter: ListFilter
        var continuation: AsyncStream<WatchEvent>.Continuation
    }

    private(set) var objects: [ObjectKey: KubeObject] = [:]
    private(set) var resourceVersion = 1
    private(set) var history: [Record] = []
    /// The newest resourceVersion dropped from the history.
    private(set) var compactedVersion = 0
    let historyLimit: Int
    var watchers: [Int: Watcher] = [:]
    private var nextWatcher = 0

    init(historyLimit: Int) {
        self.historyLimit = max(1, historyLimit)
    }

    subscript(key: ObjectKey) -> KubeObject? { objects[key] }

    /// The objects of one resource, in key order, in `namespace` (`""` for every namespace).
    func list(group: String, resource: String, namespace: String) -> [(key: ObjectKey, object: KubeObject)] {
        objects.filter { key, _ in
            key.group == group && key.resource == resource && (namespace.isEmpty || key.namespace == namespace)
        }
        .sorted { $0.key < $1.key }
        .map { ($0.key, $0.value) }
    }

    /// Takes the next resourceVersion.
    mutating func nextVersion() -> Int {
        resourceVersion += 1
        return resourceVersion
    }

    /// Stores (or, with `nil`, removes) an object and tells the watches; `object` already carries
    /// the resourceVersion from ``nextVersion()``.
    mutating func write(_ key: ObjectKey, _ object: KubeObject?, type: String, version: Int) {
        let eventObject: KubeObject
        if let object {
            objects[key] = object
            eventObject = object
        } else {
            guard var removed = objects.removeValue(forKey: key) else { return }
            removed.setMetadata("resourceVersion", .string(String(version)))
            eventObject = removed
        }
        history.append(Record(resourceVersion: version, type: type, key: key, object: eventObject.content))
        if history.count > historyLimit {
            let dropped = history.count - historyLimit
            compactedVersion = history[dropped - 1].resourceVersion
            history.removeFirst(dropped)
        }
        for watcher in watchers.values where Self.matches(watcher, key: key, object: eventObject) {
            watcher.continuation.yield(WatchEvent(type: type, object: eventObject.content))
        }
    }

    private static func matches(_ watcher: Watcher, key: ObjectKey, object: KubeObject) -> Bool {
        watcher.group == key.group && watcher.resource == key.resource
            && (watcher.namespace.isEmpty || watcher.namespace == key.namespace) && watcher.filter.matches(object)
    }

    /// Opens a watch: the events after `version` (or, with `nil`, synthetic ADDED events for the
    /// current objects) and a registration for the ones to come.
    mutating func watch(
        group: String, resource: String, namespace: String, filter: ListFilter, from version: Int?
    ) throws(APIError) -> (id: Int, initial: [WatchEvent], stream: AsyncStream<WatchEvent>, continuation: AsyncStream<WatchEvent>.Continuation) {
        var initial: [WatchEvent] = []
        if let version {
            // etcd3/watcher.go and the watch cache answer a compacted revision with 410 Gone.
            guard version >= compactedVersion else {
                throw APIError.expired("too old resource version: \(version) (\(compactedVersion + 1))")
            }
            for record in history where record.resourceVersion > version {
                let watcher = Watcher(group: group, resource: resource, namespace: namespace, filter: filter, continuation: Self.dummy)
                if Self.matches(watcher, key: record.key, object: KubeObject(record.object)) {
                    initial.append(WatchEvent(type: record.type, object: record.object))
                }
            }
        } else {
            for (_, object) in list(group: group, resource: resource, namespace: namespace) where filter.matches(object) {
                initial.append(WatchEvent(type: "ADDED", object: object.content))
            }
        }
        let (stream, continuation) = AsyncStream<WatchEvent>.makeStream()
        nextWatcher += 1
        watchers[nextWatcher] = Watcher(
            group: group, resource: resource, namespace: namespace, filter: filter, continuation: continuation)
        return (nextWatcher, initial, stream, continuation)
    }

    private static let dummy = AsyncStream<WatchEvent>.makeStream().continuation
}
