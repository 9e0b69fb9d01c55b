public import Audit
import KubeModel

/// `warrant audit -o junit`: JUnit XML for CI test reports (GitLab, Jenkins, GitHub test reporters).
///
/// One test case per catalog check that found nothing (passed), one per finding: a failure when
/// its severity is at or above the `--fail-on` threshold, passed with the finding in
/// `system-out` below it, and skipped when suppressed.
public enum AuditJUnit {
    /// The XML document.
    public static func render(_ report: AuditReport, failOn threshold: Severity?) -> String {
        var cases: [String] = []
        var failures = 0
        var skipped = 0
        let found = Set(report.findings.map(\.checkID) + report.suppressed.map(\.checkID))
        for check in RiskCatalog.checks where !found.contains(check.id) {
            cases.append("    <testcase classname=\"warrant.\(check.id)\" name=\"\(escape(check.id + " " + check.name + ": no findings"))\"/>")
        }
        for finding in report.findings {
            let check = finding.check
            let name = escape("\(check.id) \(check.name): \(finding.message)")
            let location = finding.locations.map(\.description).joined(separator: ", ")
            let body = escape("[\(finding.severity)] \(finding.message)\nat \(location)\n\n\(check.rationale)\nRemediation: \(check.remediation)")
            if let threshold, finding.severity >= threshold {
                failures += 1
                cases.append(
                    "    <testcase classname=\"warrant.\(check.id)\" name=\"\(name)\" file=\"\(escape(finding.locations.first?.file ?? ""))\">\n"
                        + "      <failure type=\"\(finding.severity)\" message=\"\(escape(finding.message))\">\(body)</failure>\n    </testcase>")
            } else {
                cases.append("    <testcase classname=\"warrant.\(check.id)\" name=\"\(name)\">\n      <system-out>\(body)</system-out>\n    </testcase>")
            }
        }
        for finding in report.suppressed {
            skipped += 1
            let check = finding.check
            cases.append(
                "    <testcase classname=\"warrant.\(check.id)\" name=\"\(escape("\(check.id) \(check.name): \(finding.message)"))\">\n"
                    + "      <skipped message=\"\(escape(finding.suppression ?? "suppressed"))\"/>\n    </testcase>")
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="warrant audit" tests="\(cases.count)" failures="\(failures)" errors="0" skipped="\(skipped)">
              <testsuite name="warrant audit" tests="\(cases.count)" failures="\(failures)" errors="0" skipped="\(skipped)">
            \(cases.joined(separator: "\n"))
              </testsuite>
            </testsuites>

            """
    }

    /// Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold.
    static func escape(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\n": output += "&#10;"
            case "\t": output += "&#9;"
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
