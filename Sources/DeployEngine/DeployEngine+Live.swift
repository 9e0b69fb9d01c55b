import Delivery
import KubeAPI
import KubeModel

extension DeployEngine {
    /// What the set looks like live before the deploy: read once, by the apply (to skip
    /// unchanged objects) and by the prune (to find members that left the manifests).
    struct LiveSet: Sendable {
        /// Each member's live state, by ``DeployEngine/key(_:)``.
        var lookups: [String: Lookup] = [:]
        /// The set's live members of each listed kind (every member kind but Secret).
        var listed: [GroupKind: [KubeObject]] = [:]
        /// The ApplySet parent ConfigMap; read only when pruning.
        var parent: KubeObject?
    }

    /// A member's live state before the deploy.
    enum Lookup: Sendable {
        /// Read: the live object.
        case found(KubeObject)
        /// Read: it does not exist.
        case absent
        /// Not in the set's list: new, or existing without the label (adopted by this apply).
        case notInSet
    }

    private static let secret = GroupKind(group: "", kind: "Secret")

    /// Reads the live set concurrently: one list per kind by the ApplySet's part-of label
    /// (instead of a request per object), Secrets one by one (a list would return every Secret's
    /// contents), and the parent when pruning. With ``DeployConfiguration/diff``, objects not in
    /// the set are read too, to diff against what is there.
    func readLiveSet(of members: [KubeObject], applySet: ApplySet, client: KubeClient) async throws -> LiveSet {
        enum Read: Sendable {
            case list(GroupKind, [KubeObject])
            case object(String, KubeObject?)
            case parent(KubeObject?)
        }
        var seen: Set<GroupKind> = []
        let kinds = members.map(\.groupKind).filter { $0 != Self.secret && seen.insert($0).inserted }
        let selector = ListOptions(labelSelector: "\(ApplySet.partOfLabel)=\(applySet.id)")
        let namespace = self.namespace
        let parentName = configuration.applySetName
        var live = LiveSet()
        try await withThrowingTaskGroup(of: Read.self) { group in
            for kind in kinds {
                group.addTask { .list(kind, try await client.list(kind, namespace: namespace, options: selector).objects) }
            }
            for object in members where object.groupKind == Self.secret {
                group.addTask { .object(Self.key(object), try await client.get(Self.secret, namespace: namespace, name: object.name)) }
            }
            if configuration.prune {
                group.addTask { .parent(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: parentName)) }
            }
            for try await read in group {
                switch read {
                case .list(let kind, let objects):
                    live.listed[kind] = objects
                    for object in objects { live.lookups[Self.key(object)] = .found(object) }
                case .object(let key, let object):
                    live.lookups[key] = object.map(Lookup.found) ?? .absent
                case .parent(let parent):
                    live.parent = parent
                }
            }
        }
        let unread = members.filter { live.lookups[Self.key($0)] == nil }
        guard configuration.diff else {
            for object in unread { live.lookups[Self.key(object)] = .notInSet }
            return live
        }
        try await withThrowingTaskGroup(of: (String, KubeObject?).self) { group in
            for object in unread {
                group.addTask { (Self.key(object), try await client.get(object.groupKind, namespace: namespace, name: object.name)) }
            }
            for try await (key, object) in group { live.lookups[key] = object.map(Lookup.found) ?? .absent }
        }
        return live
    }
}
