public import Audit
import KubeModel
import RBAC

/// ``AuditJSON/render(_:)`` without building the whole value: the same text, member by member,
/// the long lists written in parts on every core.
extension AuditJSON {
    /// The report as indented JSON text, as `JSONWriter.write(value(report))` writes it, handed
    /// to `emit` piece by piece (only one batch of a long list is held at a time).
    public static func write(_ report: AuditReport, to emit: (String) -> Void) {
        var out = ""
        var root = JSONText.Object(level: 0)
        root.value("verdict", verdictValue(report), into: &out)
        root.value("summary", summaryValue(report), into: &out)
        func list(_ key: String, count: Int, _ element: @Sendable (Int, Int, inout String) -> Void) {
            root.key(key, into: &out)
            emit(out)
            out = ""
            JSONText.streamArray(count: count, level: 1, emit: emit, element)
        }
        let findings = report.findings
        list("findings", count: findings.count) { index, level, out in writeFinding(findings[index], level: level, into: &out) }
        let suppressed = report.suppressed
        list("suppressed", count: suppressed.count) { index, level, out in writeFinding(suppressed[index], level: level, into: &out) }
        let subjects = report.subjects
        list("subjects", count: subjects.count) { index, level, out in writeSubjectPermissions(subjects[index], level: level, into: &out) }
        let roles = boundRoles(report)
        list("roles", count: roles.count) { index, level, out in
            var object = JSONText.Object(level: level)
            object.string("role", roles[index].role, into: &out)
            object.array("rules", roles[index].rules, into: &out, writeRule)
            object.close(into: &out)
        }
        let paths = report.escalationPaths
        list("escalationPaths", count: paths.count) { index, level, out in writePath(paths[index], level: level, into: &out) }
        root.value("counts", countsValue(report), into: &out)
        root.close(into: &out)
        out += "\n"
        emit(out)
    }

    /// A rule as ``PolicyRule/jsonValue`` is written: empty fields left out.
    static func writeRule(_ rule: PolicyRule, level: Int, into out: inout String) {
        var object = JSONText.Object(level: level)
        for (key, values) in [
            ("apiGroups", rule.apiGroups), ("resources", rule.resources), ("resourceNames", rule.resourceNames),
            ("nonResourceURLs", rule.nonResourceURLs), ("verbs", rule.verbs),
        ] where !values.isEmpty {
            object.array(key, values, into: &out) { value, _, out in JSONWriter.writeString(value, into: &out) }
        }
        object.close(into: &out)
    }

    static func writeFinding(_ finding: Finding, level: Int, into out: inout String) {
        let check = finding.check
        var object = JSONText.Object(level: level)
        object.string("id", check.id, into: &out)
        object.string("name", check.name, into: &out)
        object.string("title", check.title, into: &out)
        object.string("severity", finding.severity.rawValue, into: &out)
        object.string("message", finding.message, into: &out)
        object.bool("dormant", finding.isDormant, into: &out)
        object.array("locations", finding.locations, into: &out) { location, _, out in JSONWriter.writeString(location.description, into: &out) }
        object.array("subjects", finding.subjects, into: &out, writeSubject)
        object.optionalString("role", finding.role, into: &out)
        object.optionalString("binding", finding.binding, into: &out)
        object.optionalString("namespace", finding.namespace, into: &out)
        object.array("requests", finding.requests, into: &out, writeRequest)
        if !finding.folded.isEmpty {
            object.array("folded", finding.folded, into: &out) { id, _, out in JSONWriter.writeString(id, into: &out) }
        }
        if let reason = finding.suppression { object.string("reason", reason, into: &out) }
        object.close(into: &out)
    }

    static func writeSubject(_ subject: Subject, level: Int, into out: inout String) {
        var object = JSONText.Object(level: level)
        object.string("kind", subject.kind.rawValue, into: &out)
        object.string("name", subject.name, into: &out)
        if let namespace = subject.namespace, !namespace.isEmpty { object.string("namespace", namespace, into: &out) }
        object.close(into: &out)
    }

    static func writeRequest(_ request: ClaimedRequest, level: Int, into out: inout String) {
        var object = JSONText.Object(level: level)
        object.string("verb", request.verb, into: &out)
        if request.isResourceRequest {
            object.string("apiGroup", request.apiGroup, into: &out)
            object.string("resource", request.resource, into: &out)
            if !request.subresource.isEmpty { object.string("subresource", request.subresource, into: &out) }
            if !request.name.isEmpty { object.string("name", request.name, into: &out) }
            if !request.namespace.isEmpty { object.string("namespace", request.namespace, into: &out) }
        } else {
            object.string("nonResourceURL", request.path, into: &out)
        }
        object.close(into: &out)
    }

    static func writeSubjectPermissions(_ entry: SubjectPermissions, level: Int, into out: inout String) {
        var object = JSONText.Object(level: level)
        object.key("subject", into: &out)
        writeSubject(entry.subject, level: level + 1, into: &out)
        object.optionalString("highestSeverity", entry.highestSeverity?.rawValue, into: &out)
        object.array("permissions", entry.entries, into: &out) { item, level, out in
            var permission = JSONText.Object(level: level)
            permission.string("scope", item.namespace == nil ? "cluster" : "namespace", into: &out)
            permission.optionalString("namespace", item.namespace, into: &out)
            permission.string("role", item.role, into: &out)
            permission.string("binding", item.binding, into: &out)
            permission.bool("roleMissing", item.roleMissing, into: &out)
            permission.close(into: &out)
        }
        object.close(into: &out)
    }

    static func writePath(_ path: EscalationPath, level: Int, into out: inout String) {
        var object = JSONText.Object(level: level)
        object.key("from", into: &out)
        writeSubject(path.from, level: level + 1, into: &out)
        object.key("to", into: &out)
        writeSubject(path.to, level: level + 1, into: &out)
        object.array("steps", path.steps, into: &out) { step, level, out in
            var object = JSONText.Object(level: level)
            object.string("means", step.means, into: &out)
            object.key("gains", into: &out)
            writeSubject(step.gains, level: level + 1, into: &out)
            object.array("requests", step.requests, into: &out, writeRequest)
            object.close(into: &out)
        }
        object.bool("reachesClusterWide", path.reachesClusterWide, into: &out)
        object.close(into: &out)
    }
}
