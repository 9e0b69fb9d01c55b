public import Audit
public import KubeModel

/// `warrant audit -o sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).
///
/// Every catalog check is a rule with its title, rationale (full description) and remediation
/// (help); results carry the finding's file and line, `level` from the severity (critical and
/// high: error, medium: warning, low: note) and GitHub's `security-severity`. Suppressed findings
/// are included with a `suppressions` entry, as SARIF intends.
public enum AuditSARIF {
    /// The SARIF log as text: `JSONWriter.write(value(report, toolVersion:))`, the results
    /// written in parts on every core.
    public static func render(_ report: AuditReport, toolVersion: String) -> String {
        JSONText.collect { write(report, toolVersion: toolVersion, to: $0) }
    }

    /// The SARIF log as a value.
    public static func value(_ report: AuditReport, toolVersion: String) -> JSONValue {
        let ruleIndex = Dictionary(uniqueKeysWithValues: RiskCatalog.checks.enumerated().map { ($0.element.id, $0.offset) })
        func result(_ finding: Finding) -> JSONValue {
            var object = JSONObject()
            object["ruleId"] = .string(finding.checkID)
            object["ruleIndex"] = .integer(Int64(ruleIndex[finding.checkID] ?? 0))
            object["level"] = .string(level(finding.severity))
            object["message"] = ["text": .string(finding.message)]
            object["locations"] = .array(
                finding.locations.map { location in
                    var physical = JSONObject()
                    physical["artifactLocation"] = ["uri": .string(uri(location.file))]
                    if location.line > 0 { physical["region"] = ["startLine": .integer(Int64(location.line))] }
                    return ["physicalLocation": .object(physical)]
                })
            var properties = JSONObject()
            properties["severity"] = .string(finding.severity.rawValue)
            properties["dormant"] = .bool(finding.isDormant)
            properties["security-severity"] = .string(securitySeverity(finding.severity))
            if !finding.folded.isEmpty { properties["folded"] = .array(finding.folded.map(JSONValue.string)) }
            object["properties"] = .object(properties)
            if let reason = finding.suppression { object["suppressions"] = suppressionsValue(reason) }
            return .object(object)
        }
        return [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                [
                    "tool": toolValue(toolVersion: toolVersion),
                    "results": .array(report.findings.map(result) + report.suppressed.map(result)),
                    "columnKind": "unicodeCodePoints",
                ]
            ],
        ]
    }

    /// The `tool` of the run: warrant, with every catalog check as a rule.
    static func toolValue(toolVersion: String) -> JSONValue {
        let rules: [JSONValue] = RiskCatalog.checks.map { check in
            [
                "id": .string(check.id),
                "name": .string(pascalCase(check.name)),
                "shortDescription": ["text": .string(check.title)],
                "fullDescription": ["text": .string(check.rationale)],
                "help": [
                    "text": .string("\(check.rationale)\n\nRemediation: \(check.remediation)"),
                    "markdown": .string("**\(check.title)**\n\n\(check.rationale)\n\n**Remediation:** \(check.remediation)"),
                ],
                "defaultConfiguration": ["level": .string(level(check.severity))],
                "properties": [
                    "tags": ["security", "kubernetes", "rbac"],
                    "security-severity": .string(securitySeverity(check.severity)),
                    "problem.severity": .string(level(check.severity) == "note" ? "recommendation" : level(check.severity)),
                ],
            ]
        }
        return [
            "driver": [
                "name": "warrant", "version": .string(toolVersion), "semanticVersion": .string(toolVersion),
                "informationUri": "https://github.com/warrant-dev/warrant", "rules": .array(rules),
            ]
        ]
    }

    /// The `suppressions` of a suppressed finding.
    static func suppressionsValue(_ reason: String) -> JSONValue {
        [["kind": .string(reason.hasPrefix("annotation") ? "inSource" : "external"), "justification": .string(reason)]]
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low: "note"
        }
    }

    static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        }
    }

    static func pascalCase(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Whether `byte` stands for itself in a URI path: letters, digits, `-._~/`.
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
            true
        default: false
        }
    }

    /// A relative or absolute path as a URI reference: characters outside the unreserved and path
    /// sets are percent-encoded (`<stdin>` becomes `%3Cstdin%3E`).
    static func uri(_ path: String) -> String {
        if path.utf8.allSatisfy(isUnreserved) { return path }
        var output = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return output
    }
}
