public import Audit
import KubeModel
import RBAC

/// `warrant audit -o markdown`: a report a CISO can read — verdict, summary, findings with
/// rationale and remediation, a per-subject permission matrix, escalation paths, suppressions.
public enum AuditMarkdown {
    /// The report as Markdown.
    public static func render(_ report: AuditReport, title: String = "Warrant RBAC audit") -> String {
        let verdict = report.verdict
        var out = "# \(title)\n\n"
        out += "**Verdict: \(verdict.isCompliant ? "compliant" : "not compliant")** with namespace-confined, least-privilege CI/CD.\n\n"
        out += "| Question | Answer |\n| --- | --- |\n"
        out +=
            "| Does it need cluster-wide permissions? | \(verdict.clusterWideGrants.isEmpty ? "No" : "**Yes** — \(verdict.clusterWideGrants.count) ClusterRoleBinding(s)") |\n"
        out +=
            "| Does it bring its own access-control model? | \(verdict.ownAccessControl.isEmpty ? "No" : "**Yes** — \(verdict.ownAccessControl.count) reason(s)") |\n"
        out +=
            "| Can a subject gain more rights than it was given? | \(verdict.escalationPathCount == 0 ? "No" : "**Yes** — \(verdict.escalationPathCount) path(s)") |\n"
        out += "| Live critical findings | \(verdict.criticalFindingCount) |\n\n"
        if !verdict.clusterWideGrants.isEmpty {
            out += "## Cluster-wide permissions\n\n| Binding | Role | Subjects | Grants |\n| --- | --- | --- | --- |\n"
            for grant in verdict.clusterWideGrants {
                out +=
                    "| \(cell(grant.binding)) | \(cell(grant.role)) | \(cell(grant.subjects.map(\.description).joined(separator: ", "))) | \(cell(grant.summary)) |\n"
            }
            out += "\n"
        }
        if !verdict.ownAccessControl.isEmpty {
            out += "## Own access-control model\n\n"
            for reason in verdict.ownAccessControl { out += "- \(reason)\n" }
            out += "\n"
        }
        let counts = report.severityCounts
        out += "## Summary\n\n| Severity | Findings |\n| --- | --- |\n"
        for severity in Severity.allCases.reversed() { out += "| \(severity) | \(counts[severity] ?? 0) |\n" }
        out += "| suppressed | \(report.suppressed.count) |\n\n"
        out += "## Findings\n\n"
        if report.findings.isEmpty {
            out += "No findings.\n\n"
        } else {
            out += "| Severity | Check | Finding | Where |\n| --- | --- | --- | --- |\n"
            for finding in report.findings {
                out +=
                    "| \(finding.severity)\(finding.isDormant ? " (dormant)" : "") | \(finding.checkID) \(finding.check.name) | \(cell(finding.message)) | \(cell(finding.locations.map(\.description).joined(separator: ", "))) |\n"
            }
            out += "\n### What the checks mean\n\n"
            var seen: Set<String> = []
            for finding in report.findings where seen.insert(finding.checkID).inserted {
                let check = finding.check
                out += "- **\(check.id) \(check.title).** \(check.rationale) *Remediation:* \(check.remediation)\n"
            }
            out += "\n"
        }
        if !report.subjects.isEmpty {
            var namespaces = Set<String>()
            for subject in report.subjects { for entry in subject.entries { if let namespace = entry.namespace { namespaces.insert(namespace) } } }
            let columns = namespaces.sorted()
            out += "## Permission matrix\n\nRoles each subject holds, cluster-wide and per namespace.\n\n"
            out += "| Subject | Highest severity | cluster-wide |" + columns.map { " \(cell($0)) |" }.joined() + "\n"
            out += "| --- | --- | --- |" + columns.map { _ in " --- |" }.joined() + "\n"
            for subject in report.subjects {
                func roles(_ namespace: String?) -> String {
                    let names = subject.entries.filter { $0.namespace == namespace }.map { $0.role + ($0.roleMissing ? " (missing)" : "") }
                    return names.isEmpty ? "" : cell(names.joined(separator: ", "))
                }
                out +=
                    "| \(cell(subject.subject.description)) | \(subject.highestSeverity?.rawValue ?? "—") | \(roles(nil)) |"
                    + columns.map { " \(roles($0)) |" }.joined() + "\n"
            }
            out += "\n"
        }
        if !report.escalationPaths.isEmpty {
            out += "## Escalation paths\n\n"
            for path in report.escalationPaths { out += "- \(path.description)\(path.reachesClusterWide ? " **(reaches cluster-wide rights)**" : "")\n" }
            out += "\n"
        }
        if !report.suppressed.isEmpty {
            out += "## Suppressed findings\n\n| Check | Finding | Reason |\n| --- | --- | --- |\n"
            for finding in report.suppressed {
                out += "| \(finding.checkID) | \(cell(finding.message)) | \(cell(finding.suppression ?? "")) |\n"
            }
            out += "\n"
        }
        if !verdict.clusterScopedObjects.isEmpty {
            out += "## Cluster-scoped objects (an administrator installs these)\n\n"
            for object in verdict.clusterScopedObjects { out += "- \(object)\n" }
            out += "\n"
        }
        return out
    }

    /// Text safe inside a Markdown table cell.
    static func cell(_ text: String) -> String {
        text.replacing("|", with: "\\|").replacing("\n", with: " ")
    }
}
