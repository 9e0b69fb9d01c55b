public import Audit
public import KubeModel
import RBAC

/// `warrant audit -o json`: the whole report as one JSON object.
///
/// Schema (stable; fields are only ever added):
/// - `verdict`: `compliant` (bool), `clusterWidePermissions` (list of `binding`, `role`,
///   `subjects`, `summary`, `location`), `ownAccessControl` (list of strings),
///   `escalationPaths` (count), `criticalFindings` (count), `clusterScopedObjects` (list);
/// - `summary`: finding counts per severity plus `suppressed` and `dormant`;
/// - `findings` and `suppressed`: lists of `id`, `name`, `title`, `severity`, `message`,
///   `dormant`, `locations` (`file:line` strings), `subjects`, `role`, `binding`, `namespace`,
///   `requests` (the requests the finding's subjects may make that give the capability: `verb`,
///   `apiGroup`, `resource`, optional `subresource`, `name`, `namespace`, or `nonResourceURL`),
///   `folded` (when a binding that grants everything stands for other checks: their IDs), and
///   for suppressed ones `reason`;
/// - `subjects`: `subject` (`kind`, `name`, `namespace`), `highestSeverity`, and `permissions`:
///   `scope` (`cluster` or `namespace`), `namespace`, `role`, `binding`, `roleMissing`;
/// - `roles`: each bound role once, `role` and its `rules` (aggregation resolved);
/// - `escalationPaths`: `from`, `to`, `steps` (`means`, `gains`, `requests`), `reachesClusterWide`;
/// - `counts`: objects analysed per RBAC kind.
public enum AuditJSON {
    /// The report as a ``JSONValue``.
    public static func value(_ report: AuditReport) -> JSONValue {
        var root = JSONObject()
        root["verdict"] = verdictValue(report)
        root["summary"] = summaryValue(report)
        root["findings"] = .array(report.findings.map(findingValue))
        root["suppressed"] = .array(report.suppressed.map(findingValue))
        root["subjects"] = .array(
            report.subjects.map { entry in
                [
                    "subject": subjectValue(entry.subject),
                    "highestSeverity": entry.highestSeverity.map { .string($0.rawValue) } ?? .null,
                    "permissions": .array(
                        entry.entries.map { item in
                            [
                                "scope": .string(item.namespace == nil ? "cluster" : "namespace"),
                                "namespace": item.namespace.map(JSONValue.string) ?? .null,
                                "role": .string(item.role), "binding": .string(item.binding), "roleMissing": .bool(item.roleMissing),
                            ]
                        }),
                ]
            })
        root["roles"] = .array(boundRoles(report).map { ["role": .string($0.role), "rules": .array($0.rules.map(\.jsonValue))] })
        root["escalationPaths"] = .array(
            report.escalationPaths.map { path in
                [
                    "from": subjectValue(path.from), "to": subjectValue(path.to),
                    "steps": .array(
                        path.steps.map { ["means": .string($0.means), "gains": subjectValue($0.gains), "requests": .array($0.requests.map(requestValue))] }),
                    "reachesClusterWide": .bool(path.reachesClusterWide),
                ]
            })
        root["counts"] = countsValue(report)
        return .object(root)
    }

    static func verdictValue(_ report: AuditReport) -> JSONValue {
        let verdict = report.verdict
        return [
            "compliant": .bool(verdict.isCompliant),
            "clusterWidePermissions": .array(
                verdict.clusterWideGrants.map { grant in
                    [
                        "binding": .string(grant.binding), "role": .string(grant.role),
                        "subjects": .array(grant.subjects.map(subjectValue)), "summary": .string(grant.summary),
                        "location": grant.location.map { .string($0.description) } ?? .null,
                    ]
                }),
            "ownAccessControl": .array(verdict.ownAccessControl.map(JSONValue.string)),
            "escalationPaths": .integer(Int64(verdict.escalationPathCount)),
            "criticalFindings": .integer(Int64(verdict.criticalFindingCount)),
            "clusterScopedObjects": .array(verdict.clusterScopedObjects.map(JSONValue.string)),
        ]
    }

    static func summaryValue(_ report: AuditReport) -> JSONValue {
        var summary = JSONObject()
        let counts = report.severityCounts
        for severity in Severity.allCases.reversed() { summary[severity.rawValue] = .integer(Int64(counts[severity] ?? 0)) }
        summary["dormant"] = .integer(Int64(report.findings.filter(\.isDormant).count))
        summary["suppressed"] = .integer(Int64(report.suppressed.count))
        return .object(summary)
    }

    /// Each bound role once, with its rules, in the order the subjects name them.
    static func boundRoles(_ report: AuditReport) -> [(role: String, rules: [PolicyRule])] {
        var roles: [(role: String, rules: [PolicyRule])] = []
        var seenRoles: Set<String> = []
        for subject in report.subjects {
            for item in subject.entries where !item.roleMissing && seenRoles.insert(item.role).inserted {
                roles.append((item.role, item.rules))
            }
        }
        return roles
    }

    static func countsValue(_ report: AuditReport) -> JSONValue {
        var countObject = JSONObject()
        for (kind, count) in report.counts.sorted(by: { $0.key < $1.key }) { countObject[kind] = .integer(Int64(count)) }
        return .object(countObject)
    }

    /// The report as indented JSON text: `JSONWriter.write(value(report))`, written member by
    /// member, the long lists in parts on every core.
    public static func render(_ report: AuditReport) -> String {
        JSONText.collect { write(report, to: $0) }
    }

    static func subjectValue(_ subject: Subject) -> JSONValue {
        var object = JSONObject()
        object["kind"] = .string(subject.kind.rawValue)
        object["name"] = .string(subject.name)
        if let namespace = subject.namespace, !namespace.isEmpty { object["namespace"] = .string(namespace) }
        return .object(object)
    }

    static func findingValue(_ finding: Finding) -> JSONValue {
        let check = finding.check
        var object = JSONObject()
        object["id"] = .string(check.id)
        object["name"] = .string(check.name)
        object["title"] = .string(check.title)
        object["severity"] = .string(finding.severity.rawValue)
        object["message"] = .string(finding.message)
        object["dormant"] = .bool(finding.isDormant)
        object["locations"] = .array(finding.locations.map { .string($0.description) })
        object["subjects"] = .array(finding.subjects.map(subjectValue))
        object["role"] = finding.role.map(JSONValue.string) ?? .null
        object["binding"] = finding.binding.map(JSONValue.string) ?? .null
        object["namespace"] = finding.namespace.map(JSONValue.string) ?? .null
        object["requests"] = .array(finding.requests.map(requestValue))
        if !finding.folded.isEmpty { object["folded"] = .array(finding.folded.map(JSONValue.string)) }
        if let reason = finding.suppression { object["reason"] = .string(reason) }
        return .object(object)
    }

    /// A claimed request: `verb`, then `apiGroup`, `resource`, `subresource`, `name`, `namespace`
    /// (empty ones left out but for the group), or `nonResourceURL`.
    static func requestValue(_ request: ClaimedRequest) -> JSONValue {
        var object = JSONObject()
        object["verb"] = .string(request.verb)
        guard request.isResourceRequest else {
            object["nonResourceURL"] = .string(request.path)
            return .object(object)
        }
        object["apiGroup"] = .string(request.apiGroup)
        object["resource"] = .string(request.resource)
        if !request.subresource.isEmpty { object["subresource"] = .string(request.subresource) }
        if !request.name.isEmpty { object["name"] = .string(request.name) }
        if !request.namespace.isEmpty { object["namespace"] = .string(request.namespace) }
        return .object(object)
    }
}
