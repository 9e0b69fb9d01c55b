import Delivery
public import Evidence
import KubeModel
import RBAC

/// `warrant evidence -o json`: the whole report, every request included, as one JSON object,
/// written piece by piece (``write(_:to:)``).
///
/// Schema (`apiVersion: warrant.dev/v1alpha1`, `kind: EvidenceReport`; members are only ever
/// added). Times are RFC 3339 in UTC: requests with microseconds (the API server's
/// `MicroTime`), the rest with whole seconds; absent values are `null`.
///
/// - `generated` (time), `period` (`since`, `until`: time or null), `namespaces` (strings),
///   `passes` (bool: nothing unattributed and every chain verifies; the exit code is 1 otherwise);
/// - `summary`: `changes`, `changesByPeople`, `changesByControlPlane`, `changesByAutomation`,
///   `unattributedChanges`, `writeRequests`, `refusedWrites`, `dryRuns`, `secretReads`,
///   `unattributed` (every finding: writes and Secret reads), `deploys`, `failedDeploys`,
///   `refusedRanges`, `chainsVerified`, `chainsBroken`, `overPrivilegedCredentials` (integers),
///   `people` (list of `name`, `changes`);
/// - `writes` and `secretReads`: lists of requests, each `time` (`requestReceivedTimestamp`),
///   `auditID`, `stage`, `verb`, `namespace`, `apiGroup`, `resource`, `subresource`, `name`,
///   `user`, `impersonatedUser`, `status` (HTTP code), `change` (bool: accepted and not a dry
///   run), `dryRun` (bool), `sourceIP`, `userAgent`, `credentialID` (`secret:NAME` or `JTI=…`),
///   and `attribution`: `kind` (`deploy`, `person`, `control-plane`, `automation`,
///   `unattributed`, `unauthenticated`), `finding` (bool), `person`, `user`, `reason`, and for
///   `deploy`: `record`, `personSource`, `commit`, `pipeline`, `verified`;
/// - `deploys`: `id`, `namespace`, `credential`, `started`, `finished`, `result`, `message`,
///   `person`, `personSource`, `namesPerson`, `commit`, `pipeline`, `project`, `verified`,
///   `requests` (attributed to it), `applied` and `pruned` (lists of `group`, `kind`, `name`);
/// - `chains`: `namespace`, `verified`, `clusterRecords`, `artifactRecords`, `dropped`,
///   `problems` (list of `kind` — `altered`, `gap`, `reordered`, `unreadable`, `differs`,
///   `missing-from-cluster`, `altered-artifact` — `record`, `message`), `withoutArtifact`,
///   `rotatedOut` (record IDs);
/// - `credentials`: `credential`, `namespace`, `deploys`, `lastDeploy`, `lastDeployStarted`,
///   `deployOptions`, `manifestSource`, `overPrivileged` (bool), `derivedRules`, `heldRules`
///   (PolicyRule objects as in a Role, or null when not known), `moreThanNeeded`, `missing`,
///   `clusterWide` (PolicyRule lists), `grantedBy` (strings), `token` (`kind`: `secret`,
///   `tokenRequest`, `both`, `unknown`; `secrets`: list of `name`, `created`, `requests`;
///   `tokenRequestTokens`: count), `notes`;
/// - `logs`: `file`, `compressed`, `events`, `kept`, `first`, `last`, `incompleteLastLine`;
/// - `rules`: `clockToleranceSeconds`, `recordWriteAllowanceSeconds`, `automation`, `applySets`;
/// - `notes`: the report's limits found while making it.
public enum EvidenceJSON {
    /// Writes the report as indented JSON, piece by piece: the requests (`writes`, `secretReads`)
    /// one compact object per line, written straight into text in batches, each batch in parts on
    /// every core, and handed over about every MiB, so that a period with hundreds of thousands of
    /// requests never holds its whole text or tree in memory.
    public static func write(_ report: EvidenceReport, to output: (String) -> Void) {
        let envelope = JSONWriter.write(.object(envelope(report)))
        // The envelope's closing brace comes after the request lists.
        output(String(envelope.dropLast(envelope.hasSuffix("\n}") ? 2 : 1)) + ",\n")
        for (name, entries, last) in [("writes", report.writes, false), ("secretReads", report.secretReads, true)] {
            output("    \"\(name)\": ")
            // Each request on its own line as compact JSON; the text handed over about every MiB.
            var piece = ""
            JSONText.streamArray(
                entries, level: 1,
                emit: { part in
                    piece += part
                    if piece.utf8.count > 1 << 20 {
                        output(piece)
                        piece = ""
                    }
                }
            ) { entry, _, out in line(entry, into: &out) }
            output(piece + "\(last ? "" : ",")\n")
        }
        output("}\n")
    }

    /// The report as JSON text (see ``write(_:to:)``).
    public static func render(_ report: EvidenceReport) -> String {
        var text = ""
        write(report) { text += $0 }
        return text
    }

    /// Every member but the request lists.
    private static func envelope(_ report: EvidenceReport) -> JSONObject {
        let summary = report.summary
        var root = JSONObject()
        root["apiVersion"] = "warrant.dev/v1alpha1"
        root["kind"] = "EvidenceReport"
        root["generated"] = .string(report.generated.wholeSeconds)
        root["period"] = ["since": time(report.filter.since), "until": time(report.filter.until)]
        root["namespaces"] = .array(report.namespaces.map(JSONValue.string))
        root["passes"] = .bool(report.passes)
        root["summary"] = .object(
            JSONObject([
                ("changes", int(summary.changes)), ("changesByPeople", int(summary.changesByPeople)),
                ("changesByControlPlane", int(summary.changesByControlPlane)), ("changesByAutomation", int(summary.changesByAutomation)),
                ("unattributedChanges", int(summary.unattributedChanges)), ("writeRequests", int(summary.writeRequests)),
                ("refusedWrites", int(summary.refusedWrites)), ("dryRuns", int(summary.dryRuns)), ("secretReads", int(summary.secretReads)),
                ("unattributed", int(summary.unattributed)), ("deploys", int(summary.deploys)), ("failedDeploys", int(summary.failedDeploys)),
                ("refusedRanges", int(summary.refusedRanges)), ("chainsVerified", int(summary.chainsVerified)),
                ("chainsBroken", int(summary.chainsBroken)), ("overPrivilegedCredentials", int(summary.overPrivilegedCredentials)),
                ("people", .array(summary.people.map { ["name": .string($0.name), "changes": int($0.changes)] })),
            ]))
        root["deploys"] = .array(report.deploys.map(deploy))
        root["chains"] = .array(report.chains.map(chain))
        root["credentials"] = .array(report.credentials.map(credential))
        root["logs"] = .array(
            report.logs.map { log in
                .object(
                    JSONObject([
                        ("file", .string(log.file)), ("compressed", .bool(log.compressed)), ("events", int(log.events)), ("kept", int(log.kept)),
                        ("first", log.first.map { .string($0.description) } ?? .null), ("last", log.last.map { .string($0.description) } ?? .null),
                        ("incompleteLastLine", .bool(log.incompleteLastLine)),
                    ]))
            })
        root["rules"] = .object(
            JSONObject([
                ("clockToleranceSeconds", .double(report.rules.clockTolerance)),
                ("recordWriteAllowanceSeconds", .double(report.rules.recordWriteAllowance)),
                ("automation", .array(report.rules.automation.map(JSONValue.string))),
                ("applySets", .array(report.rules.applySetNames.map(JSONValue.string))),
            ]))
        root["notes"] = .array(report.notes.map(JSONValue.string))
        return root
    }

    private static func int(_ value: Int) -> JSONValue { .integer(Int64(value)) }

    private static func time(_ value: MicroTime?) -> JSONValue { value.map { .string($0.wholeSeconds) } ?? .null }

    private static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// One request as compact JSON (as ``JSONWriter`` writes it with no indent), written
    /// member by member without building the value.
    private static func line(_ entry: EvidenceReport.Entry, into out: inout JSONText) {
        let event = entry.event
        let ref = event.objectRef
        var object = JSONText.Object(level: 0, compact: true)
        object.string("time", event.received.description, into: &out)
        object.string("auditID", event.auditID, into: &out)
        object.string("stage", event.stage.rawValue, into: &out)
        object.string("verb", event.verb, into: &out)
        object.string("namespace", ref?.namespace ?? "", into: &out)
        object.string("apiGroup", ref?.apiGroup ?? "", into: &out)
        object.string("resource", ref?.resource ?? "", into: &out)
        object.string("subresource", ref?.subresource ?? "", into: &out)
        object.string("name", ref?.name ?? "", into: &out)
        object.string("user", event.user, into: &out)
        object.optionalString("impersonatedUser", event.impersonatedUser, into: &out)
        object.integer("status", event.code, into: &out)
        object.bool("change", entry.isChange, into: &out)
        object.bool("dryRun", event.isDryRun, into: &out)
        object.string("sourceIP", event.sourceIP, into: &out)
        object.string("userAgent", event.userAgent, into: &out)
        object.optionalString("credentialID", event.credentialID, into: &out)
        object.key("attribution", into: &out)
        var attribution = JSONText.Object(level: 0, compact: true)
        attribution.string("kind", entry.attribution.kind, into: &out)
        attribution.bool("finding", entry.attribution.isFinding, into: &out)
        attribution.optionalString("person", entry.attribution.person, into: &out)
        switch entry.attribution {
        case .deploy(let deploy):
            attribution.string("record", deploy.recordID, into: &out)
            attribution.string("personSource", deploy.personSource, into: &out)
            attribution.optionalString("commit", deploy.commit, into: &out)
            attribution.optionalString("pipeline", deploy.pipeline, into: &out)
            attribution.bool("verified", deploy.verified, into: &out)
            if !deploy.namesPerson { attribution.string("reason", "the deploy record names no person", into: &out) }
        case .controlPlane(let user), .automation(let user):
            attribution.string("user", user, into: &out)
        case .unattributed(let reason):
            attribution.string("reason", reason, into: &out)
        case .person, .unauthenticated:
            break
        }
        attribution.close(into: &out)
        object.close(into: &out)
    }

    private static func deploy(_ deploy: EvidenceReport.Deploy) -> JSONValue {
        let record = deploy.record
        let attribution = deploy.attribution
        func objects(_ list: [RecordedObject]) -> JSONValue {
            .array(list.map { ["group": .string($0.reference.group), "kind": .string($0.reference.kind), "name": .string($0.reference.name)] })
        }
        return .object(
            JSONObject([
                ("id", .string(record.id)), ("namespace", .string(record.namespace)), ("credential", .string(record.credential)),
                ("started", .string(record.started)), ("finished", .string(record.finished)), ("result", .string(record.result.rawValue)),
                ("message", .string(record.message)), ("person", .string(attribution.person)), ("personSource", .string(attribution.personSource)),
                ("namesPerson", .bool(attribution.namesPerson)), ("commit", optional(record.identity.commit)),
                ("pipeline", optional(record.identity.pipelineURL ?? record.identity.pipelineID)), ("project", optional(record.identity.project)),
                ("verified", .bool(deploy.verified)), ("requests", int(deploy.requests)), ("applied", objects(record.applied)),
                ("pruned", objects(record.pruned)),
            ]))
    }

    private static func chain(_ chain: ChainReview) -> JSONValue {
        .object(
            JSONObject([
                ("namespace", .string(chain.namespace)), ("verified", .bool(chain.verified)), ("clusterRecords", int(chain.clusterRecords)),
                ("artifactRecords", int(chain.artifactRecords)), ("dropped", int(chain.dropped)),
                (
                    "problems",
                    .array(
                        chain.problems.map { ["kind": .string($0.kind.rawValue), "record": optional($0.recordID), "message": .string($0.message)] })
                ),
                ("withoutArtifact", .array(chain.withoutArtifact.map(JSONValue.string))),
                ("rotatedOut", .array(chain.rotatedOut.map(JSONValue.string))),
            ]))
    }

    private static func credential(_ credential: CredentialReview) -> JSONValue {
        func rules(_ list: [PolicyRule]?) -> JSONValue { list.map { .array($0.map(\.jsonValue)) } ?? .null }
        let kind: String =
            switch credential.tokenKind {
            case .secret: "secret"
            case .tokenRequest: "tokenRequest"
            case .both: "both"
            case .unknown: "unknown"
            }
        return .object(
            JSONObject([
                ("credential", .string(credential.credential)), ("namespace", .string(credential.namespace)), ("deploys", int(credential.deploys)),
                ("lastDeploy", optional(credential.lastDeploy)), ("lastDeployStarted", optional(credential.lastDeployStarted)),
                ("deployOptions", .array(credential.deployOptions.map(JSONValue.string))), ("manifestSource", .string(credential.manifestSource)),
                ("overPrivileged", .bool(credential.isOverPrivileged)), ("derivedRules", rules(credential.derived)),
                ("heldRules", rules(credential.held)), ("moreThanNeeded", rules(credential.overPrivileged)), ("missing", rules(credential.missing)),
                ("clusterWide", rules(credential.clusterWide)), ("grantedBy", .array(credential.grantedBy.map(JSONValue.string))),
                (
                    "token",
                    .object(
                        JSONObject([
                            ("kind", .string(kind)),
                            (
                                "secrets",
                                .array(
                                    credential.tokenSecrets.map {
                                        ["name": .string($0.name), "created": optional($0.created), "requests": int($0.requests)]
                                    })
                            ),
                            ("tokenRequestTokens", int(credential.requestTokens)),
                        ]))
                ),
                ("notes", .array(credential.notes.map(JSONValue.string))),
            ]))
    }
}
