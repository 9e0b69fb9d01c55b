public import Audit
import KubeModel

/// ``AuditSARIF/render(_:toolVersion:)`` without building the whole log: the same text, the
/// results written in parts on every core and handed over batch by batch.
extension AuditSARIF {
    /// The SARIF log as text, as `JSONWriter.write(value(report, toolVersion:))` writes it,
    /// handed to `emit` piece by piece (only one batch of results is held at a time).
    public static func write(_ report: AuditReport, toolVersion: String, to emit: (String) -> Void) {
        var out = JSONText()
        var root = JSONText.Object(level: 0)
        root.string("$schema", "https://json.schemastore.org/sarif-2.1.0.json", into: &out)
        root.string("version", "2.1.0", into: &out)
        root.key("runs", into: &out)
        out.append("[")
        out.newline(level: 2)
        var run = JSONText.Object(level: 2)
        run.value("tool", toolValue(toolVersion: toolVersion), into: &out)
        run.key("results", into: &out)
        emit(out.text)
        out = JSONText()
        let ruleIndex = Dictionary(uniqueKeysWithValues: RiskCatalog.checks.enumerated().map { ($0.element.id, $0.offset) })
        JSONText.streamArray(report.findings + report.suppressed, level: 3, emit: emit) { finding, level, out in
            writeResult(finding, ruleIndex: ruleIndex[finding.checkID] ?? 0, level: level, into: &out)
        }
        run.string("columnKind", "unicodeCodePoints", into: &out)
        run.close(into: &out)
        out.newline(level: 1)
        out.append("]")
        root.close(into: &out)
        out.append("\n")
        emit(out.text)
    }

    static func writeResult(_ finding: borrowing Finding, ruleIndex: Int, level: Int, into out: inout JSONText) {
        var object = JSONText.Object(level: level)
        object.string("ruleId", finding.checkID, into: &out)
        object.integer("ruleIndex", ruleIndex, into: &out)
        object.string("level", Self.level(finding.severity), into: &out)
        object.key("message", into: &out)
        var message = JSONText.Object(level: level + 1)
        message.string("text", finding.message, into: &out)
        message.close(into: &out)
        object.array("locations", finding.locations, into: &out) { location, level, out in
            var entry = JSONText.Object(level: level)
            entry.key("physicalLocation", into: &out)
            var physical = JSONText.Object(level: level + 1)
            physical.key("artifactLocation", into: &out)
            var artifact = JSONText.Object(level: level + 2)
            artifact.string("uri", uri(location.file), into: &out)
            artifact.close(into: &out)
            if location.line > 0 {
                physical.key("region", into: &out)
                var region = JSONText.Object(level: level + 2)
                region.integer("startLine", location.line, into: &out)
                region.close(into: &out)
            }
            physical.close(into: &out)
            entry.close(into: &out)
        }
        object.key("properties", into: &out)
        var properties = JSONText.Object(level: level + 1)
        properties.string("severity", finding.severity.rawValue, into: &out)
        properties.bool("dormant", finding.isDormant, into: &out)
        properties.string("security-severity", securitySeverity(finding.severity), into: &out)
        if !finding.folded.isEmpty { properties.strings("folded", finding.folded, into: &out) }
        properties.close(into: &out)
        if let reason = finding.suppression { object.value("suppressions", suppressionsValue(reason), into: &out) }
        object.close(into: &out)
    }
}
