import Delivery
public import Evidence
import RBAC

/// `warrant evidence -o markdown`: the report for a merge request or a wiki — verdict, summary,
/// the findings first, then people, deploys, every other change, Secret reads, record chains,
/// credentials, the logs read and the report's limits.
///
/// Changes made by deploys are listed per deploy (the objects, up to ``objectsPerDeploy``);
/// changes by the control plane and declared automation are counted per user. The JSON output
/// holds every request.
public enum EvidenceMarkdown {
    /// How many objects a deploy's row names before "and N more".
    public static let objectsPerDeploy = 20

    /// The report as Markdown.
    public static func render(_ report: EvidenceReport) -> String {
        let summary = report.summary
        var out = "# Evidence: who changed what in \(EvidenceText.cell(report.namespaces.joined(separator: ", ")))\n\n"
        out += "Period: \(EvidenceText.period(report.filter)) (UTC, the API server's clock). Generated \(report.generated.wholeSeconds) by Warrant.\n\n"
        out += "**Verdict: \(report.passes ? "evidence complete" : "evidence INCOMPLETE").** \(EvidenceText.verdict(report, summary))\n\n"

        out += "## Summary\n\n| | |\n| --- | --- |\n"
        for (label, value) in EvidenceText.summaryRows(report, summary) { out += "| \(label) | \(EvidenceText.cell(value, limit: 600)) |\n" }
        out += "\n"

        let findings = EvidenceText.findings(report)
        out += "## Unattributed requests\n\n"
        if findings.isEmpty {
            out += "None: every write and Secret read is attributed.\n\n"
        } else {
            out += "Requests nobody can be named for — the findings an auditor follows up first.\n\n"
            out += "| Time (UTC) | User | Request | Status | Source IP | User agent | Why |\n| --- | --- | --- | --- | --- | --- | --- |\n"
            for entry in findings {
                let event = entry.event
                let reason: String =
                    switch entry.attribution {
                    case .unattributed(let why): why
                    case .deploy(let deploy): "deploy \(deploy.recordID) names no person"
                    default: entry.attribution.summary
                    }
                out +=
                    "| \(event.received.wholeSeconds) | \(EvidenceText.cell(EvidenceText.user(event))) | \(EvidenceText.cell(EvidenceText.request(event))) | \(EvidenceText.status(event)) | \(EvidenceText.cell(event.sourceIP)) | \(EvidenceText.cell(event.userAgent, limit: 80)) | \(EvidenceText.cell(reason)) |\n"
            }
            out += "\n"
        }

        out += "## Deploys\n\n"
        if report.deploys.isEmpty {
            out += "No deploy record falls in the period.\n\n"
        } else {
            out +=
                "| Record | Namespace | Started | Person | Commit | Pipeline | Result | Requests | Verified |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
            for deploy in report.deploys {
                let record = deploy.record
                out +=
                    "| \(EvidenceText.cell(record.id)) | \(EvidenceText.cell(record.namespace)) | \(EvidenceText.cell(record.started)) | \(EvidenceText.cell(EvidenceText.deployPerson(deploy))) | \(EvidenceText.cell(record.identity.commit.map { String($0.prefix(12)) } ?? "-")) | \(EvidenceText.cell(record.identity.pipelineURL ?? record.identity.pipelineID ?? "-")) | \(EvidenceText.cell(record.result.rawValue)) | \(deploy.requests) | \(deploy.verified ? "yes" : "**no**") |\n"
            }
            out += "\n"
            let changesByDeploy = EvidenceText.changesByDeploy(report)
            for deploy in report.deploys where deploy.requests > 0 {
                guard let names = changesByDeploy[deploy.record.id], !names.isEmpty else { continue }
                out +=
                    "- \(EvidenceText.cell(deploy.record.id)): "
                    + names.prefix(objectsPerDeploy).map { "`\(EvidenceText.clean($0, limit: 120).replacing("`", with: "'"))`" }.joined(separator: ", ")
                if names.count > objectsPerDeploy { out += " and \(names.count - objectsPerDeploy) more" }
                out += "\n"
            }
            out += "\n"
        }

        let direct = report.writes.filter {
            switch $0.attribution {
            case .person, .unauthenticated: true
            default: false
            }
        }
        out += "## Changes by people, outside deploys\n\n"
        if direct.isEmpty {
            out += "None.\n\n"
        } else {
            out += "| Time (UTC) | Person | Request | Status | Source IP | User agent |\n| --- | --- | --- | --- | --- | --- |\n"
            for entry in direct {
                let event = entry.event
                out +=
                    "| \(event.received.wholeSeconds) | \(EvidenceText.cell(EvidenceText.user(event))) | \(EvidenceText.cell(EvidenceText.request(event))) | \(EvidenceText.status(event)) | \(EvidenceText.cell(event.sourceIP)) | \(EvidenceText.cell(event.userAgent, limit: 80)) |\n"
            }
            out += "\n"
        }

        var components: [String: Int] = [:]
        for entry in report.writes where entry.isChange {
            switch entry.attribution {
            case .controlPlane(let user): components["control plane: \(user)", default: 0] += 1
            case .automation(let user): components["automation: \(user)", default: 0] += 1
            default: break
            }
        }
        if !components.isEmpty {
            out += "## Control plane and declared automation\n\n| User | Changes |\n| --- | --- |\n"
            for (user, count) in components.sorted(by: { $0.key < $1.key }) { out += "| \(EvidenceText.cell(user)) | \(count) |\n" }
            out += "\n"
        }

        out += "## Secret reads\n\n"
        if report.secretReads.isEmpty {
            out += "None.\n\n"
        } else {
            out += "`list` and `watch` return every Secret's contents.\n\n| Time (UTC) | Attributed to | Request | Status |\n| --- | --- | --- | --- |\n"
            for entry in report.secretReads {
                out +=
                    "| \(entry.event.received.wholeSeconds) | \(EvidenceText.cell(entry.attribution.summary)) | \(EvidenceText.cell(EvidenceText.request(entry.event))) | \(EvidenceText.status(entry.event)) |\n"
            }
            out += "\n"
        }

        out += "## Record chains\n\n"
        let empty = report.chains.filter(EvidenceText.isEmpty)
        for chain in report.chains where !EvidenceText.isEmpty(chain) {
            out +=
                "- **\(EvidenceText.cell(chain.namespace))**: \(chain.verified ? "verified" : "**does not verify**") — \(chain.clusterRecords) record(s) in the cluster"
            if chain.dropped > 0 { out += " (\(chain.dropped) older dropped by rotation, anchored)" }
            if chain.artifactRecords > 0 { out += ", \(chain.artifactRecords) in CI artifacts" }
            out += ".\n"
            for problem in chain.problems { out += "  - \(EvidenceText.cell(problem.description, limit: 600))\n" }
            if !chain.rotatedOut.isEmpty {
                out += "  - kept only in CI artifacts (rotated out of the cluster): \(chain.rotatedOut.map { EvidenceText.cell($0) }.joined(separator: ", "))\n"
            }
            if !chain.withoutArtifact.isEmpty {
                out += "  - in the cluster but in no CI artifact given: \(chain.withoutArtifact.map { EvidenceText.cell($0) }.joined(separator: ", "))\n"
            }
        }
        if !empty.isEmpty {
            out += "- \(empty.count) namespace(s) hold no deploy record: \(EvidenceText.cell(empty.map(\.namespace).joined(separator: ", "), limit: 2000))\n"
        }
        out += "\n"

        out += "## Deploy credentials\n\n"
        if report.credentials.isEmpty { out += "No credential deployed in the period.\n\n" }
        for credential in report.credentials {
            out += "### \(EvidenceText.cell(credential.credential)) in \(EvidenceText.cell(credential.namespace))\n\n"
            out +=
                "- Deploys in the period: \(credential.deploys); last: \(EvidenceText.cell(credential.lastDeploy ?? "-")) (\(EvidenceText.cell(credential.lastDeployStarted ?? "-")))\n"
            out += "- Token: \(credential.tokenKind.rawValue)"
            let secrets = credential.tokenSecrets.map {
                "Secret \(EvidenceText.cell($0.name))\($0.created.map { " created \(EvidenceText.cell($0))" } ?? ""), \($0.requests) request(s)"
            }
            if !secrets.isEmpty { out += " — " + secrets.joined(separator: "; ") }
            if credential.requestTokens > 0 { out += " — \(credential.requestTokens) TokenRequest token(s) seen" }
            out += "\n"
            out +=
                "- Role now against `warrant scope --for warrant \(credential.deployOptions.joined(separator: " "))` for \(EvidenceText.cell(credential.manifestSource)): "
            if credential.derived == nil || credential.held == nil {
                out += "not compared\n"
            } else if credential.overPrivileged.isEmpty && credential.missing.isEmpty && credential.clusterWide.isEmpty {
                out += "holds exactly what it needs\n"
            } else {
                out += credential.isOverPrivileged ? "**over-privileged**\n" : "holds less than it needs\n"
                for rule in credential.overPrivileged { out += "  - more than needed: `\(EvidenceText.clean(rule.description))`\n" }
                for rule in credential.clusterWide { out += "  - cluster-wide: `\(EvidenceText.clean(rule.description))`\n" }
                for rule in credential.missing { out += "  - missing: `\(EvidenceText.clean(rule.description))`\n" }
            }
            if !credential.grantedBy.isEmpty { out += "- Granted by: \(credential.grantedBy.map { EvidenceText.cell($0) }.joined(separator: "; "))\n" }
            for note in credential.notes { out += "- Note: \(EvidenceText.cell(note, limit: 600))\n" }
            out += "\n"
        }

        out += "## Audit logs read\n\n| File | Compressed | Events | Kept | First | Last |\n| --- | --- | --- | --- | --- | --- |\n"
        for log in report.logs {
            out +=
                "| \(EvidenceText.cell(log.file)) | \(log.compressed ? "gzip" : "no") | \(log.events) | \(log.kept) | \(log.first?.wholeSeconds ?? "-") | \(log.last?.wholeSeconds ?? "-") |\n"
        }
        out += "\n"

        out += "## What this report can and cannot prove\n\n"
        for note in report.notes { out += "- **\(EvidenceText.cell(note, limit: 600))**\n" }
        for limit in EvidenceText.limits { out += "- \(limit)\n" }
        out +=
            "- A request belongs to a deploy when the deploy's credential made it, in the namespace, between the record's start and end "
            + "(± \(formatSeconds(report.rules.clockTolerance)) s for clock skew; the record's own ConfigMap and Event up to "
            + "\(formatSeconds(report.rules.recordWriteAllowance)) s after its end), on an object the record applied or pruned.\n"
        return out
    }

    static func formatSeconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
