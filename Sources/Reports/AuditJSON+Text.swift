public import Audit
import KubeModel
import RBAC

/// ``AuditJSON/render(_:)`` without building the whole value: the same text, member by member,
/// the long lists written in parts on every core and handed over batch by batch.
extension AuditJSON {
    /// The report as indented JSON text, as `JSONWriter.write(value(report))` writes it, handed
    /// to `emit` piece by piece (only one batch of a long list is held at a time).
    public static func write(_ report: AuditReport, to emit: (String) -> Void) {
        var out = JSONText()
        var root = JSONText.Object(level: 0)
        root.value("verdict", verdictValue(report), into: &out)
        root.value("summary", summaryValue(report), into: &out)
        func list<Item: Sendable>(_ key: StaticString, _ items: [Item], _ element: @Sendable (borrowing Item, Int, inout JSONText) -> Void) {
            root.key(key, into: &out)
            emit(out.text)
            out = JSONText()
            JSONText.streamArray(items, level: 1, emit: emit, element)
        }
        list("findings", report.findings, writeFinding)
        list("suppressed", report.suppressed, writeFinding)
        list("subjects", report.subjects, writeSubjectPermissions)
        list("roles", boundRoles(report).map(BoundRole.init)) { role, level, out in
            var object = JSONText.Object(level: level)
            object.string("role", role.role, into: &out)
            object.array("rules", role.rules, into: &out, writeRule)
            object.close(into: &out)
        }
        list("escalationPaths", report.escalationPaths, writePath)
        root.value("counts", countsValue(report), into: &out)
        root.close(into: &out)
        out.append("\n")
        emit(out.text)
    }

    /// A bound role and its rules.
    struct BoundRole: Sendable {
        var role: String
        var rules: [PolicyRule]

        init(_ pair: (role: String, rules: [PolicyRule])) {
            role = pair.role
            rules = pair.rules
        }
    }

    static func writeFinding(_ finding: borrowing Finding, level: Int, into out: inout JSONText) {
        let check = finding.check
        var object = JSONText.Object(level: level)
        object.string("id", check.id, into: &out)
        object.string("name", check.name, into: &out)
        object.string("title", check.title, into: &out)
        object.string("severity", finding.severity.rawValue, into: &out)
        object.string("message", finding.message, into: &out)
        object.bool("dormant", finding.isDormant, into: &out)
        object.array("locations", finding.locations, into: &out) { location, _, out in out.appendQuoted(location.description) }
        object.array("subjects", finding.subjects, into: &out, writeSubject)
        object.optionalString("role", finding.role, into: &out)
        object.optionalString("binding", finding.binding, into: &out)
        object.optionalString("namespace", finding.namespace, into: &out)
        object.array("requests", finding.requests, into: &out, writeRequest)
        if !finding.folded.isEmpty { object.strings("folded", finding.folded, into: &out) }
        if let reason = finding.suppression { object.string("reason", reason, into: &out) }
        object.close(into: &out)
    }

    static func writeSubject(_ subject: borrowing Subject, level: Int, into out: inout JSONText) {
        var object = JSONText.Object(level: level)
        object.string("kind", subject.kind.rawValue, into: &out)
        object.string("name", subject.name, into: &out)
        if let namespace = subject.namespace, !namespace.isEmpty { object.string("namespace", namespace, into: &out) }
        object.close(into: &out)
    }

    static func writeRequest(_ request: borrowing ClaimedRequest, level: Int, into out: inout JSONText) {
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

    /// A rule as ``PolicyRule/jsonValue`` is written: empty fields left out.
    static func writeRule(_ rule: borrowing PolicyRule, level: Int, into out: inout JSONText) {
        var object = JSONText.Object(level: level)
        if !rule.apiGroups.isEmpty { object.strings("apiGroups", rule.apiGroups, into: &out) }
        if !rule.resources.isEmpty { object.strings("resources", rule.resources, into: &out) }
        if !rule.resourceNames.isEmpty { object.strings("resourceNames", rule.resourceNames, into: &out) }
        if !rule.nonResourceURLs.isEmpty { object.strings("nonResourceURLs", rule.nonResourceURLs, into: &out) }
        if !rule.verbs.isEmpty { object.strings("verbs", rule.verbs, into: &out) }
        object.close(into: &out)
    }

    static func writeSubjectPermissions(_ entry: borrowing SubjectPermissions, level: Int, into out: inout JSONText) {
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

    static func writePath(_ path: borrowing EscalationPath, level: Int, into out: inout JSONText) {
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
