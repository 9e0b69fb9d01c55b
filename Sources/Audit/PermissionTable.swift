import KubeModel
import RBAC

/// What each subject may do, gathered binding by binding in input order.
///
/// Subjects are identified by their description (`ServiceAccount "ci/deployer"`), as the report
/// names them, and numbered in the order first seen. Only the numbering is done binding by
/// binding; the subjects' entries are gathered afterwards, subject by subject, in parts.
struct PermissionTable {
    /// The subjects' descriptions, by number.
    private(set) var keys: [String] = []
    private var numbersByKey: [String: Int] = [:]
    /// For each subject, every binding naming it (once per mention), in input order, with the
    /// position of the first mention among the binding's subjects.
    private var mentions: [[Int]] = []
    private var firstMentions: [(binding: Int, position: Int)] = []

    /// The number of subjects.
    var count: Int { keys.count }

    /// An empty table with room for `capacity` subjects.
    init(capacity: Int) {
        keys.reserveCapacity(capacity)
        numbersByKey.reserveCapacity(capacity)
        mentions.reserveCapacity(capacity)
        firstMentions.reserveCapacity(capacity)
    }

    /// Adds the subjects described `keys` of the binding at `binding`, and returns their numbers.
    mutating func add(_ keys: [String], binding: Int) -> [Int] {
        var numbers: [Int] = []
        numbers.reserveCapacity(keys.count)
        for (position, key) in keys.enumerated() {
            let number = number(of: key)
            if number == mentions.count {
                mentions.append([])
                firstMentions.append((binding, position))
            }
            mentions[number].append(binding)
            numbers.append(number)
        }
        return numbers
    }

    /// The number of the subject described `key`, a new one (the count so far) when it is new.
    private mutating func number(of key: String) -> Int {
        // One lookup that inserts when the key is missing.
        func assign(_ number: inout Int) -> Int {
            if number < 0 {
                number = keys.count
                keys.append(key)
            }
            return number
        }
        return assign(&numbersByKey[key, default: -1])
    }

    /// The numbers of `subjects` (each is in the table when a binding names it).
    func numbers(of subjects: [Subject]) -> [Int] {
        subjects.compactMap { numbersByKey[$0.description] }
    }

    /// Every subject's permissions in the order first seen, from `audits` (the bindings the table
    /// was built from), with `highest` (by number) as its highest severity; each subject's
    /// entries cluster-wide first, then by namespace, bindings in input order otherwise.
    /// `entryRoles` holds each entry's role position (`nil` when missing) in the same order.
    func subjects(of audits: [BindingAudit], highest: [Severity?]) -> (list: [SubjectPermissions], entryRoles: [[Int?]]) {
        let subjects = ParallelChunks.array(count, minimumLength: 1_024) { number in
            let mentions = mentions[number]
            let first = firstMentions[number]
            let subject = audits[first.binding].subjects[first.position]
            guard mentions.count > 1 else {
                return (
                    SubjectPermissions(subject: subject, entries: [audits[first.binding].entry], highestSeverity: highest[number]),
                    [audits[first.binding].role]
                )
            }
            let order = mentions.indices.sorted { lhs, rhs in
                switch (audits[mentions[lhs]].entry.namespace, audits[mentions[rhs]].entry.namespace) {
                case (nil, nil): return lhs < rhs
                case (nil, _): return true
                case (_, nil): return false
                case (let left?, let right?): return left != right ? left < right : lhs < rhs
                }
            }
            return (
                SubjectPermissions(subject: subject, entries: order.map { audits[mentions[$0]].entry }, highestSeverity: highest[number]),
                order.map { audits[mentions[$0]].role }
            )
        }
        return (subjects.map(\.0), subjects.map(\.1))
    }
}
