import Delivery
public import Evidence
import RBAC

/// `warrant evidence -o html`: the same report as ``EvidenceMarkdown`` as one self-contained HTML
/// page — its style inline, no script, no image, font or link to fetch — laid out to print on
/// A4 or Letter (tables repeat their header on each page and rows are not split).
public enum EvidenceHTML {
    /// The report as HTML.
    public static func render(_ report: EvidenceReport) -> String {
        let summary = report.summary
        let title = "Evidence: who changed what in \(report.namespaces.joined(separator: ", "))"
        var out = head(title: title)
        out += introduction(report, summary, title: title)
        out += summarySection(report, summary)
        out += unattributedSection(report)
        out += deploysSection(report)
        out += directChangesSection(report)
        out += secretReadsSection(report)
        out += chainsSection(report)
        out += credentialsSection(report)
        out += logsSection(report)
        out += limitsSection(report, summary)
        return out
    }

    /// The document's head with its inline style, up to the opening `<body>`.
    private static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(EvidenceText.html(title))</title>
        <style>
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
        h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
        h3 { font-size: 1.05rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 12.5px; }
        th, td { border: 1px solid #d0d7de; padding: .25rem .45rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        th { background: #f3f5f7; }
        code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
        .verdict { padding: .6rem .9rem; border-radius: 4px; font-weight: 600; margin: 1rem 0; }
        .pass { background: #dafbe1; border: 1px solid #4ac26b; } .fail { background: #ffebe9; border: 1px solid #ff8182; }
        .finding { color: #a40e26; font-weight: 600; } .muted { color: #57606a; }
        @media print {
          body { margin: 0; max-width: none; font-size: 11px; }
          h2 { break-after: avoid; } tr { break-inside: avoid; } thead { display: table-header-group; }
          .verdict { border-width: 2px; }
        }
        </style>
        </head>
        <body>

        """
    }

    /// The title, the period and the verdict.
    private static func introduction(_ report: EvidenceReport, _ summary: EvidenceReport.Summary, title: String) -> String {
        var out = "<h1>\(EvidenceText.html(title))</h1>\n"
        out +=
            "<p class=\"muted\">Period: \(EvidenceText.html(EvidenceText.period(report.filter))) (UTC, the API server's clock). Generated \(report.generated.wholeSeconds) by Warrant.</p>\n"
        out +=
            "<p class=\"verdict \(report.passes ? "pass" : "fail")\">Verdict: \(report.passes ? "evidence complete" : "evidence INCOMPLETE"). \(EvidenceText.html(EvidenceText.verdict(report, summary)))</p>\n"
        return out
    }

    /// The summary table.
    private static func summarySection(_ report: EvidenceReport, _ summary: EvidenceReport.Summary) -> String {
        var out = "<h2>Summary</h2>\n<table>\n<tbody>\n"
        for (label, value) in EvidenceText.summaryRows(report, summary) {
            out += "<tr><th scope=\"row\">\(EvidenceText.html(label))</th><td>\(EvidenceText.html(value, limit: 600))</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        return out
    }

    /// Writes and Secret reads no deploy or person accounts for.
    private static func unattributedSection(_ report: EvidenceReport) -> String {
        let findings = EvidenceText.findings(report)
        var out = "<h2>Unattributed requests</h2>\n"
        if findings.isEmpty {
            out += "<p>None: every write and Secret read is attributed.</p>\n"
        } else {
            out += table(
                ["Time (UTC)", "User", "Request", "Status", "Source IP", "User agent", "Why"],
                findings.map { entry in
                    let reason: String =
                        switch entry.attribution {
                        case .unattributed(let why): why
                        case .deploy(let deploy): "deploy \(deploy.recordID) names no person"
                        default: entry.attribution.summary
                        }
                    return [
                        entry.event.received.wholeSeconds, EvidenceText.user(entry.event), EvidenceText.request(entry.event), EvidenceText.status(entry.event),
                        entry.event.sourceIP, String(entry.event.userAgent.prefix(80)), reason,
                    ]
                }, findingColumn: 6)
        }
        return out
    }

    /// The deploys in the period.
    private static func deploysSection(_ report: EvidenceReport) -> String {
        var out = "<h2>Deploys</h2>\n"
        if report.deploys.isEmpty {
            out += "<p>No deploy record falls in the period.</p>\n"
        } else {
            out += table(
                ["Record", "Namespace", "Started", "Person", "Commit", "Pipeline", "Result", "Requests", "Verified"],
                report.deploys.map { deploy in
                    let record = deploy.record
                    return [
                        record.id, record.namespace, record.started, EvidenceText.deployPerson(deploy),
                        record.identity.commit.map { String($0.prefix(12)) } ?? "-",
                        record.identity.pipelineURL ?? record.identity.pipelineID ?? "-", record.result.rawValue, String(deploy.requests),
                        deploy.verified ? "yes" : "NO",
                    ]
                })
        }
        return out
    }

    /// Changes by people outside deploys.
    private static func directChangesSection(_ report: EvidenceReport) -> String {
        let direct = report.writes.filter {
            switch $0.attribution {
            case .person, .unauthenticated: true
            default: false
            }
        }
        var out = "<h2>Changes by people, outside deploys</h2>\n"
        if direct.isEmpty {
            out += "<p>None.</p>\n"
        } else {
            out += table(
                ["Time (UTC)", "Person", "Request", "Status", "Source IP", "User agent"],
                direct.map { entry in
                    [
                        entry.event.received.wholeSeconds, EvidenceText.user(entry.event), EvidenceText.request(entry.event), EvidenceText.status(entry.event),
                        entry.event.sourceIP, String(entry.event.userAgent.prefix(80)),
                    ]
                })
        }
        return out
    }

    /// Who read Secrets.
    private static func secretReadsSection(_ report: EvidenceReport) -> String {
        var out = "<h2>Secret reads</h2>\n"
        if report.secretReads.isEmpty {
            out += "<p>None.</p>\n"
        } else {
            out += "<p><code>list</code> and <code>watch</code> return every Secret's contents.</p>\n"
            out += table(
                ["Time (UTC)", "Attributed to", "Request", "Status"],
                report.secretReads.map { entry in
                    [entry.event.received.wholeSeconds, entry.attribution.summary, EvidenceText.request(entry.event), EvidenceText.status(entry.event)]
                })
        }
        return out
    }

    /// Whether each namespace's record chain verifies.
    private static func chainsSection(_ report: EvidenceReport) -> String {
        var out = "<h2>Record chains</h2>\n<ul>\n"
        let empty = report.chains.filter(EvidenceText.isEmpty)
        for chain in report.chains where !EvidenceText.isEmpty(chain) {
            out += "<li><strong>\(EvidenceText.html(chain.namespace))</strong>: "
            out += chain.verified ? "verified" : "<span class=\"finding\">does not verify</span>"
            out += " — \(chain.clusterRecords) record(s) in the cluster"
            if chain.dropped > 0 { out += " (\(chain.dropped) older dropped by rotation, anchored)" }
            if chain.artifactRecords > 0 { out += ", \(chain.artifactRecords) in CI artifacts" }
            out += "."
            var items = chain.problems.map { "<li class=\"finding\">\(EvidenceText.html($0.description, limit: 600))</li>" }
            if !chain.rotatedOut.isEmpty {
                items.append(
                    "<li>kept only in CI artifacts (rotated out of the cluster): \(EvidenceText.html(chain.rotatedOut.joined(separator: ", "), limit: 2000))</li>"
                )
            }
            if !chain.withoutArtifact.isEmpty {
                items.append(
                    "<li>in the cluster but in no CI artifact given: \(EvidenceText.html(chain.withoutArtifact.joined(separator: ", "), limit: 2000))</li>")
            }
            if !items.isEmpty { out += "<ul>" + items.joined() + "</ul>" }
            out += "</li>\n"
        }
        if !empty.isEmpty {
            out +=
                "<li>\(empty.count) namespace(s) hold no deploy record: \(EvidenceText.html(empty.map(\.namespace).joined(separator: ", "), limit: 2000))</li>\n"
        }
        out += "</ul>\n"
        return out
    }

    /// Each deploy credential's Role against what its deploys need, and its tokens.
    private static func credentialsSection(_ report: EvidenceReport) -> String {
        var out = "<h2>Deploy credentials</h2>\n"
        if report.credentials.isEmpty { out += "<p>No credential deployed in the period.</p>\n" }
        for credential in report.credentials {
            out += "<h3>\(EvidenceText.html(credential.credential)) in \(EvidenceText.html(credential.namespace))</h3>\n<ul>\n"
            out +=
                "<li>Deploys in the period: \(credential.deploys); last: \(EvidenceText.html(credential.lastDeploy ?? "-")) (\(EvidenceText.html(credential.lastDeployStarted ?? "-")))</li>\n"
            var token = credential.tokenKind.rawValue
            let secrets = credential.tokenSecrets.map { "Secret \($0.name)\($0.created.map { " created \($0)" } ?? ""), \($0.requests) request(s)" }
            if !secrets.isEmpty { token += " — " + secrets.joined(separator: "; ") }
            if credential.requestTokens > 0 { token += " — \(credential.requestTokens) TokenRequest token(s) seen" }
            out += "<li>Token: \(EvidenceText.html(token, limit: 1000))</li>\n"
            out +=
                "<li>Role now against <code>warrant scope --for warrant \(EvidenceText.html(credential.deployOptions.joined(separator: " ")))</code> for \(EvidenceText.html(credential.manifestSource)): "
            if credential.derived == nil || credential.held == nil {
                out += "not compared"
            } else if credential.overPrivileged.isEmpty && credential.missing.isEmpty && credential.clusterWide.isEmpty {
                out += "holds exactly what it needs"
            } else {
                out += credential.isOverPrivileged ? "<span class=\"finding\">over-privileged</span>" : "holds less than it needs"
                var items: [String] = []
                items += credential.overPrivileged.map { "<li>more than needed: <code>\(EvidenceText.html($0.description))</code></li>" }
                items += credential.clusterWide.map { "<li>cluster-wide: <code>\(EvidenceText.html($0.description))</code></li>" }
                items += credential.missing.map { "<li>missing: <code>\(EvidenceText.html($0.description))</code></li>" }
                out += "<ul>" + items.joined() + "</ul>"
            }
            out += "</li>\n"
            if !credential.grantedBy.isEmpty { out += "<li>Granted by: \(EvidenceText.html(credential.grantedBy.joined(separator: "; "), limit: 2000))</li>\n" }
            for note in credential.notes { out += "<li class=\"muted\">Note: \(EvidenceText.html(note, limit: 600))</li>\n" }
            out += "</ul>\n"
        }
        return out
    }

    /// The audit logs read.
    private static func logsSection(_ report: EvidenceReport) -> String {
        var out = "<h2>Audit logs read</h2>\n"
        out += table(
            ["File", "Compressed", "Events", "Kept", "First", "Last"],
            report.logs.map { log in
                [log.file, log.compressed ? "gzip" : "no", String(log.events), String(log.kept), log.first?.wholeSeconds ?? "-", log.last?.wholeSeconds ?? "-"]
            })
        return out
    }

    /// What the report can and cannot prove, and the closing counts.
    private static func limitsSection(_ report: EvidenceReport, _ summary: EvidenceReport.Summary) -> String {
        var out = "<h2>What this report can and cannot prove</h2>\n<ul>\n"
        for note in report.notes { out += "<li><strong>\(EvidenceText.html(note, limit: 600))</strong></li>\n" }
        for limit in EvidenceText.limits { out += "<li>\(EvidenceText.html(limit, limit: 2000))</li>\n" }
        out +=
            "<li>A request belongs to a deploy when the deploy's credential made it, in the namespace, between the record's start and end (± \(EvidenceMarkdown.formatSeconds(report.rules.clockTolerance)) s for clock skew; the record's own ConfigMap and Event up to \(EvidenceMarkdown.formatSeconds(report.rules.recordWriteAllowance)) s after its end), on an object the record applied or pruned.</li>\n"
        out += "</ul>\n"
        out += "<p class=\"muted\">\(summary.changes) change(s), \(summary.unattributed) finding(s).</p>\n</body>\n</html>\n"
        return out
    }

    private static func table(_ headers: [String], _ rows: [[String]], findingColumn: Int? = nil) -> String {
        var out = "<table>\n<thead><tr>" + headers.map { "<th>\(EvidenceText.html($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>"
            for (index, value) in row.enumerated() {
                out += index == findingColumn ? "<td class=\"finding\">\(EvidenceText.html(value))</td>" : "<td>\(EvidenceText.html(value))</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }
}
