public import Audit
import KubeModel
import RBAC

/// `warrant audit` default output: the verdict, then findings grouped by severity, then
/// permissions per subject and escalation paths. Coloured only when asked (a terminal without
/// `NO_COLOR`).
public enum AuditText {
    /// The report as text.
    ///
    /// - Parameters:
    ///   - colour: whether to use ANSI colours.
    ///   - showPermissions: whether to list every subject's permissions.
    public static func render(_ report: AuditReport, colour: Bool, showPermissions: Bool = true) -> String {
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        func severityLabel(_ severity: Severity) -> String {
            let label = severity.rawValue.uppercased().padding(8)
            switch severity {
            case .critical: return paint(label, "1;31")
            case .high: return paint(label, "31")
            case .medium: return paint(label, "33")
            case .low: return paint(label, "2")
            }
        }
        var out = ""
        let verdict = report.verdict
        out += "VERDICT: " + (verdict.isCompliant ? paint("COMPLIANT", "1;32") : paint("NOT COMPLIANT", "1;31")) + "\n"
        out += "  Needs cluster-wide permissions:    \(verdict.clusterWideGrants.isEmpty ? "no" : "yes (\(verdict.clusterWideGrants.count) ClusterRoleBinding\(verdict.clusterWideGrants.count == 1 ? "" : "s"))")\n"
        for grant in verdict.clusterWideGrants {
            out += "    - \(grant.binding) → \(grant.role) for \(grant.subjects.map(\.description).joined(separator: ", ")): \(grant.summary)\n"
        }
        out += "  Brings its own access control:     \(verdict.ownAccessControl.isEmpty ? "no" : "yes")\n"
        for reason in verdict.ownAccessControl { out += "    - \(reason)\n" }
        out += "  Escalation paths:                  \(verdict.escalationPathCount)\n"
        out += "  Live critical findings:            \(verdict.criticalFindingCount)\n"
        if !verdict.clusterScopedObjects.isEmpty {
            out += "  Cluster-scoped objects (need an administrator): \(verdict.clusterScopedObjects.count)\n"
        }
        let counts = report.severityCounts
        let summary = Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
        out += "\nFINDINGS (\(summary); \(report.suppressed.count) suppressed)\n"
        if report.findings.isEmpty { out += "  none\n" }
        for finding in report.findings {
            out += "\(severityLabel(finding.severity))  \(finding.checkID) \(finding.check.name)\(finding.isDormant ? " (dormant)" : "")\n"
            out += "          \(finding.message)\n"
            if !finding.locations.isEmpty { out += "          at \(finding.locations.map(\.description).joined(separator: ", "))\n" }
        }
        if !report.suppressed.isEmpty {
            out += "\nSUPPRESSED\n"
            for finding in report.suppressed {
                out += "  \(finding.checkID) \(finding.message)\n          \(finding.suppression ?? "")\n"
            }
        }
        if !report.escalationPaths.isEmpty {
            out += "\nESCALATION PATHS\n"
            for path in report.escalationPaths { out += "  \(path.description)\n" }
        }
        if showPermissions && !report.subjects.isEmpty {
            out += "\nPERMISSIONS BY SUBJECT\n"
            for subject in report.subjects {
                out += "  \(subject.subject)\(subject.highestSeverity.map { " [\($0)]" } ?? "")\n"
                for entry in subject.entries {
                    let scope = (entry.namespace.map { "in \($0)" } ?? "cluster-wide").padding(22)
                    out += "    \(scope) \(entry.role) via \(entry.binding)\(entry.roleMissing ? " (role missing)" : "")\n"
                }
            }
        }
        return out
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
