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
        var out = TextPieces()
        let verdict = report.verdict
        out += "VERDICT: " + (verdict.isCompliant ? paint("COMPLIANT", "1;32", colour) : paint("NOT COMPLIANT", "1;31", colour)) + "\n"
        out +=
            "  Needs cluster-wide permissions:    \(verdict.clusterWideGrants.isEmpty ? "no" : "yes (\(verdict.clusterWideGrants.count) ClusterRoleBinding\(verdict.clusterWideGrants.count == 1 ? "" : "s"))")\n"
        out.append(verdict.clusterWideGrants) { grant, out in
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
        let labels = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, severityLabel($0, colour)) })
        out.append(report.findings) { finding, out in
            out += labels[finding.severity] ?? ""
            out += "  "
            out += finding.checkID
            out += " "
            out += finding.check.name
            if finding.isDormant { out += " (dormant)" }
            out += "\n          "
            out += finding.message
            out += "\n"
            if !finding.folded.isEmpty {
                out += "          also: "
                for (index, id) in finding.folded.enumerated() {
                    if index > 0 { out += ", " }
                    out += id
                    out += " "
                    out += RiskCatalog.check(id).name
                }
                out += "\n"
            }
            if !finding.locations.isEmpty {
                out += "          at "
                for (index, location) in finding.locations.enumerated() {
                    if index > 0 { out += ", " }
                    location.write(to: &out)
                }
                out += "\n"
            }
        }
        if !report.suppressed.isEmpty {
            out += "\nSUPPRESSED\n"
            for finding in report.suppressed {
                out += "  \(finding.checkID) \(finding.message)\n          \(finding.suppression ?? "")\n"
            }
        }
        if !report.escalationPaths.isEmpty {
            out += "\nESCALATION PATHS\n"
            out.append(report.escalationPaths) { path, out in
                out += "  "
                path.write(to: &out)
                out += "\n"
            }
        }
        if showPermissions && !report.subjects.isEmpty {
            out += "\nPERMISSIONS BY SUBJECT\n"
            out.append(report.subjects) { subject, out in
                out += "  "
                subject.subject.write(to: &out)
                if let severity = subject.highestSeverity {
                    out += " ["
                    out += severity.rawValue
                    out += "]"
                }
                out += "\n"
                for entry in subject.entries {
                    out += "    "
                    out += (entry.namespace.map { "in \($0)" } ?? "cluster-wide").padding(22)
                    out += " "
                    out += entry.role
                    out += " via "
                    out += entry.binding
                    if entry.roleMissing { out += " (role missing)" }
                    out += "\n"
                }
            }
        }
        return out.joined()
    }

    private static func paint(_ text: String, _ code: String, _ colour: Bool) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private static func severityLabel(_ severity: Severity, _ colour: Bool) -> String {
        let label = severity.rawValue.uppercased().padding(8)
        switch severity {
        case .critical: return paint(label, "1;31", colour)
        case .high: return paint(label, "31", colour)
        case .medium: return paint(label, "33", colour)
        case .low: return paint(label, "2", colour)
        }
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
