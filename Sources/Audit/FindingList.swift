/// An audit's findings in the order found, each with the subjects it names as numbers in the
/// audit's ``PermissionTable``, so that the highest severity per subject is found without
/// describing subjects again.
struct FindingList {
    /// The findings, suppressed ones included.
    var all: [Finding] = []
    /// For each finding, the numbers of the subjects it names.
    private var subjects: [[Int]] = []

    /// Appends `findings`, which name the subjects numbered `subjects`, one list per finding.
    mutating func append(_ findings: [Finding], subjects: [[Int]]) {
        all.append(contentsOf: findings)
        self.subjects.append(contentsOf: subjects)
    }

    /// By subject number (below `count`), the highest severity of the live findings naming the
    /// subject: not suppressed, not dormant.
    func highestLiveSeverityBySubject(count: Int) -> [Severity?] {
        var highest = [Severity?](repeating: nil, count: count)
        for (finding, numbers) in zip(all, subjects) where finding.suppression == nil && !finding.isDormant {
            for number in numbers {
                highest[number] = max(highest[number] ?? finding.severity, finding.severity)
            }
        }
        return highest
    }

    /// The findings to report and the suppressed ones, each in the order found.
    consuming func partitioned() -> (reported: [Finding], suppressed: [Finding]) {
        if !all.contains(where: { $0.suppression != nil }) { return (all, []) }
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
