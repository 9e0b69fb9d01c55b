public import Audit
import KubeModel

/// `warrant audit -o gitlab`: GitLab Code Quality JSON (the `codequality` report artifact), so that
/// findings show in merge requests. Severity: low→minor, medium→major, high→critical, critical→blocker.
public enum AuditGitLab {
    /// The report as text.
    public static func render(_ report: AuditReport) -> String {
        var seen: Set<String> = []
        let issues: [JSONValue] = report.findings.map { finding in
            var fingerprint = fnv1a("\(finding.checkID)|\(finding.message)|\(finding.locations.map(\.description).joined(separator: ","))")
            while !seen.insert(fingerprint).inserted { fingerprint = fnv1a(fingerprint + "+") }
            let location = finding.locations.first
            return [
                "type": "issue",
                "check_name": .string("\(finding.checkID) \(finding.check.name)"),
                "description": .string(finding.message),
                "content": ["body": .string("\(finding.check.rationale)\n\nRemediation: \(finding.check.remediation)")],
                "categories": ["Security"],
                "fingerprint": .string(fingerprint),
                "severity": .string(severity(finding.severity)),
                "location": [
                    "path": .string(location?.file ?? "."),
                    "lines": ["begin": .integer(Int64(max(1, location?.line ?? 1)))],
                ],
            ]
        }
        return JSONWriter.write(.array(issues)) + "\n"
    }

    static func severity(_ severity: Severity) -> String {
        switch severity {
        case .low: "minor"
        case .medium: "major"
        case .high: "critical"
        case .critical: "blocker"
        }
    }

    /// A stable 64-bit FNV-1a fingerprint, as 16 hex digits.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
