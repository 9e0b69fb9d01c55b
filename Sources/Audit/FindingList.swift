import KubeModel

/// An audit's findings in the order found, each with the subjects it names as numbers in the
/// audit's ``PermissionTable``, so that the highest severity per subject is found without
/// describing subjects again.
struct FindingList {
    /// The subjects a finding names.
    enum Named {
        /// None (a role's own finding).
        case none
        /// The subject with this number.
        case one(Int)
        /// The subjects of a binding: the list at this position in ``subjectLists``.
        case list(Int)
    }

    /// The findings, suppressed ones included.
    private(set) var all: [Finding] = []
    /// For each finding, the subjects it names.
    private var named: [Named] = []
    /// Lists of subject numbers that findings name.
    private var subjectLists: [[Int]] = []

    /// Makes room for `count` findings in all.
    mutating func reserveCapacity(_ count: Int) {
        all.reserveCapacity(count)
        named.reserveCapacity(count)
    }

    /// Appends `findings` (leaving the array empty: they are moved, not copied), which name the
    /// subjects `subjects`, each of them every subject numbered in `subjects` or the one at
    /// its position (`nil` for every subject).
    mutating func append(moving findings: inout [Finding], naming subjects: [Int], each positions: [Int?]) {
        let list = subjectLists.count
        subjectLists.append(subjects)
        for position in positions { named.append(position.map { .one(subjects[$0]) } ?? .list(list)) }
        all.append(moving: &findings)
    }

    /// Appends `findings` (leaving the array empty), which name no subject.
    mutating func append(moving findings: inout [Finding]) {
        named.append(contentsOf: repeatElement(.none, count: findings.count))
        all.append(moving: &findings)
    }

    /// Appends `finding`, which names the subjects numbered `subjects`.
    mutating func append(_ finding: Finding, naming subjects: [Int]) {
        named.append(.list(subjectLists.count))
        subjectLists.append(subjects)
        all.append(finding)
    }

    /// Sets the suppression of every finding not suppressed yet to `reason(finding)`.
    mutating func suppress(by reason: (Finding) -> String?) {
        for index in all.indices where all[index].suppression == nil {
            all[index].suppression = reason(all[index])
        }
    }

    /// By subject number (below `count`), the highest severity of the live findings naming the
    /// subject: not suppressed, not dormant.
    func highestLiveSeverityBySubject(count: Int) -> [Severity?] {
        var highest = [Severity?](repeating: nil, count: count)
        func raise(_ number: Int, to severity: Severity) {
            highest[number] = max(highest[number] ?? severity, severity)
        }
        // Each finding is read in place, not copied.
        all.withUnsafeBufferPointer { findings in
            for index in findings.indices where findings[index].suppression == nil && !findings[index].isDormant {
                switch named[index] {
                case .none: break
                case .one(let number): raise(number, to: findings[index].severity)
                case .list(let list): for number in subjectLists[list] { raise(number, to: findings[index].severity) }
                }
            }
        }
        return highest
    }

    /// The findings to report and the suppressed ones, each in the order found.
    consuming func partitioned() -> (reported: [Finding], suppressed: [Finding]) {
        // Each finding is tested in place, not copied.
        if !all.withUnsafeBufferPointer({ findings in findings.indices.contains { findings[$0].suppression != nil } }) { return (all, []) }
        var reported: [Finding] = []
        var suppressed: [Finding] = []
        reported.reserveCapacity(all.count)
        for finding in all {
            if finding.suppression == nil {
                reported.append(finding)
            } else {
                suppressed.append(finding)
            }
        }
        return (reported, suppressed)
    }
}
