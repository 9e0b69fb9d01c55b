import RBAC

/// What each subject may do, gathered binding by binding in input order.
///
/// Subjects are identified by their description (`ServiceAccount "ci/deployer"`), as the report
/// names them, and numbered in the order first seen.
struct PermissionTable {
    /// The subjects' descriptions, by number.
    private(set) var keys: [String] = []
    private var numbersByKey: [String: Int] = [:]
    private var subjects: [Subject] = []
    private var entries: [[SubjectPermissions.Entry]] = []
    /// For each subject and entry, the position of the entry's role in the policy, `nil` when it is missing.
    private var entryRoles: [[Int?]] = []

    /// The number of subjects.
    var count: Int { keys.count }

    /// An empty table with room for `capacity` subjects.
    init(capacity: Int) {
        keys.reserveCapacity(capacity)
        numbersByKey.reserveCapacity(capacity)
        subjects.reserveCapacity(capacity)
        entries.reserveCapacity(capacity)
        entryRoles.reserveCapacity(capacity)
    }

    /// Adds what `audit`'s binding gives each of its subjects, and returns their numbers.
    mutating func add(_ audit: BindingAudit) -> [Int] {
        var numbers: [Int] = []
        numbers.reserveCapacity(audit.subjectKeys.count)
        for (index, key) in audit.subjectKeys.enumerated() {
            let number = number(of: key)
            if number == subjects.count {
                subjects.append(audit.subjects[index])
                entries.append([])
                entryRoles.append([])
            }
            entries[number].append(audit.entry)
            entryRoles[number].append(audit.role)
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

    /// Every subject's permissions in the order first seen, with `highest` (by number) as its
    /// highest severity; each subject's entries cluster-wide first, then by namespace, bindings in
    /// input order otherwise. `entryRoles` holds each entry's role position in the same order.
    func subjects(highest: [Severity?]) -> (list: [SubjectPermissions], entryRoles: [[Int?]]) {
        var list: [SubjectPermissions] = []
        var roles: [[Int?]] = []
        list.reserveCapacity(count)
        roles.reserveCapacity(count)
        for number in subjects.indices {
            let entries = entries[number]
            guard entries.count > 1 else {
                list.append(SubjectPermissions(subject: subjects[number], entries: entries, highestSeverity: highest[number]))
                roles.append(entryRoles[number])
                continue
            }
            let order = entries.indices.sorted { lhs, rhs in
                switch (entries[lhs].namespace, entries[rhs].namespace) {
                case (nil, nil): return lhs < rhs
                case (nil, _): return true
                case (_, nil): return false
                case (let left?, let right?): return left != right ? left < right : lhs < rhs
                }
            }
            list.append(SubjectPermissions(subject: subjects[number], entries: order.map { entries[$0] }, highestSeverity: highest[number]))
            roles.append(order.map { entryRoles[number][$0] })
        }
        return (list, roles)
    }
}
