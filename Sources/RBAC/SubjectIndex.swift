/// Bindings by the user names and groups their subjects designate, so that a request looks up
/// the few bindings that can apply instead of scanning all of them.
///
/// ServiceAccount subjects are filed under their user name (`system:serviceaccount:ns:name`),
/// which is how kube-apiserver matches them. Lists hold binding positions in ascending order.
struct SubjectIndex: Sendable {
    private(set) var byUser: [String: [Int]] = [:]
    private(set) var byGroup: [String: [Int]] = [:]
    /// Every binding filed, in order.
    private(set) var all: [Int] = []

    /// Files binding `position`, whose ServiceAccount subjects without a namespace take
    /// `namespace` (`""` for a ClusterRoleBinding: they match nobody).
    mutating func add(_ position: Int, subjects: [Subject], namespace: String) {
        all.append(position)
        // Each subject is read in place, not copied.
        subjects.withUnsafeBufferPointer { subjects in
            for index in subjects.indices {
                switch subjects[index].kind {
                case .user:
                    Self.append(position, to: &byUser, key: subjects[index].name)
                case .group:
                    Self.append(position, to: &byGroup, key: subjects[index].name)
                case .serviceAccount:
                    if let username = subjects[index].serviceAccountUsername(defaultNamespace: namespace) {
                        Self.append(position, to: &byUser, key: username)
                    }
                default:
                    break
                }
            }
        }
    }

    private static func append(_ position: Int, to index: inout [String: [Int]], key: String) {
        if index[key]?.last == position { return }
        index[key, default: []].append(position)
    }

    /// Calls `body` with each list of bindings that may apply to `user`; a binding may be in several.
    @inline(__always)
    func forEachCandidateList(of user: UserInfo, _ body: ([Int]) -> Void) {
        if let list = byUser[user.name] { body(list) }
        for group in user.groups {
            if let list = byGroup[group] { body(list) }
        }
    }

    /// The bindings that may apply to `user`, in order, each once.
    func candidates(of user: UserInfo) -> [Int] {
        var result: [Int] = []
        forEachCandidateList(of: user) { result.append(contentsOf: $0) }
        result.sort()
        var unique: [Int] = []
        unique.reserveCapacity(result.count)
        for position in result where unique.last != position { unique.append(position) }
        return unique
    }
}
