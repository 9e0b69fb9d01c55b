public import KubeModel

/// Objects written twice in one input: the same API group, kind, namespace and name.
public enum DuplicateObjects {
    /// One object written twice.
    public struct Duplicate: Sendable, Hashable, CustomStringConvertible {
        /// `ClusterRole "x"`, `Role "team/x"`.
        public var object: String
        /// Where it is written first.
        public var earlier: SourceLocation?
        /// Where it is written again: the one that is used.
        public var later: SourceLocation?

        /// `Role "team/x" is written twice, at a.yaml:1 and at b.yaml:9: the later one is used, as kubectl apply would leave it`.
        public var description: String {
            "\(object) is written twice, at \(earlier?.description ?? "-") and at \(later?.description ?? "-"): the later one is used, as 'kubectl apply' would leave it"
        }
    }

    /// `objects` with each object written twice kept once, the later one (in the later one's
    /// place), and the duplicates found, in input order. Namespaced objects are compared with the
    /// namespace they are placed in, so place them first.
    public static func laterWins(_ objects: [KubeObject]) -> (objects: [KubeObject], duplicates: [Duplicate]) {
        struct Key: Hashable {
            var group: String
            var kind: String
            var namespace: String?
            var name: String
        }
        var last: [Key: Int] = [:]
        last.reserveCapacity(objects.count)
        var duplicates: [Duplicate] = []
        var dropped: Set<Int> = []
        for (index, object) in objects.enumerated() {
            let key = Key(group: object.groupKind.group, kind: object.kind, namespace: object.namespace, name: object.name)
            if let earlier = last[key] {
                dropped.insert(earlier)
                let name = object.namespace.map { "\(object.kind) \"\($0)/\(object.name)\"" } ?? "\(object.kind) \"\(object.name)\""
                duplicates.append(Duplicate(object: name, earlier: objects[earlier].source, later: object.source))
            }
            last[key] = index
        }
        guard !dropped.isEmpty else { return (objects, []) }
        return (objects.indices.filter { !dropped.contains($0) }.map { objects[$0] }, duplicates)
    }
}
