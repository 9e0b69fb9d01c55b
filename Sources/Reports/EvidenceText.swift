import Delivery
import Evidence
import KubeModel
import RBAC

/// Wording and escaping shared by the evidence renderers.
///
/// Everything in a report that came from outside — user names, user agents, object names, the
/// actor and commit a CI system or `--actor` put in a record — is shown with its control
/// characters escaped (`\n`, `\u{1b}`) and cut to a length, so that no value can forge a table
/// row, a heading or a terminal sequence.
enum EvidenceText {
    /// `text` with control characters escaped and cut to `limit` characters.
    static func clean(_ text: String, limit: Int = 300) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "…"
                break
            }
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F..<0xA0, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }

    /// A Markdown table cell: cleaned, with `|`, backslashes, backticks and HTML-significant
    /// characters escaped.
    static func cell(_ text: String, limit: Int = 300) -> String {
        var out = ""
        for character in clean(text, limit: limit) {
            switch character {
            case "|": out += "\\|"
            case "`": out += "\\`"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "*": out += "\\*"
            case "_": out += "\\_"
            case "[": out += "\\["
            case "]": out += "\\]"
            default: out.append(character)
            }
        }
        return out
    }

    /// HTML text: cleaned and escaped.
    static func html(_ text: String, limit: Int = 300) -> String {
        DisplayText.htmlEntities(clean(text, limit: limit))
    }

    /// `2026-11-01T00:00:00Z to 2026-11-08T00:00:00Z`, or the open ends named.
    static func period(_ filter: AuditEventFilter) -> String {
        let start = filter.since.map(\.wholeSeconds) ?? "the start of the logs"
        let end = filter.until.map(\.wholeSeconds) ?? "the end of the logs"
        return "\(start) to \(end)"
    }

    /// `patch deployments.apps shop/frontend` (with `(dry run)` when it was one).
    static func request(_ event: AuditEvent) -> String {
        var text = event.verb + " " + (event.objectRef?.displayName ?? event.requestURI)
        if event.isDryRun { text += " (dry run)" }
        return text
    }

    /// The authenticated user, and whom it impersonated.
    static func user(_ event: AuditEvent) -> String {
        var text = event.user.isEmpty ? "(none)" : event.user
        if let impersonated = event.impersonatedUser { text += " as \(impersonated)" }
        return text
    }

    /// `201`, or `403 (refused)`.
    static func status(_ event: AuditEvent) -> String {
        if event.code == 0 { return "-" }
        return event.succeeded ? String(event.code) : "\(event.code) (refused or failed)"
    }

    /// The verdict sentence.
    static func verdict(_ report: EvidenceReport, _ summary: EvidenceReport.Summary) -> String {
        if report.passes {
            return "Every write and Secret read in the period is attributed, and every record chain verifies."
        }
        var parts: [String] = []
        if summary.unattributed > 0 { parts.append("\(summary.unattributed) request(s) cannot be attributed to a person") }
        if summary.chainsBroken > 0 { parts.append("\(summary.chainsBroken) record chain(s) do not verify") }
        return parts.joined(separator: "; ") + "."
    }

    /// The rows of the summary table: label and value.
    static func summaryRows(_ report: EvidenceReport, _ summary: EvidenceReport.Summary) -> [(String, String)] {
        let people =
            summary.people.prefix(10).map { "\($0.name) \($0.changes)" }.joined(separator: ", ")
            + (summary.people.count > 10 ? ", …" : "")
        return [
            ("Changes (accepted writes, dry runs excluded)", String(summary.changes)),
            ("… attributed to people", "\(summary.changesByPeople)\(people.isEmpty ? "" : " (\(people))")"),
            ("… by the control plane", String(summary.changesByControlPlane)),
            ("… by declared automation", String(summary.changesByAutomation)),
            ("… unattributed", String(summary.unattributedChanges)),
            ("Write requests refused or failed (nothing changed)", String(summary.refusedWrites)),
            ("Dry-run writes", String(summary.dryRuns)),
            ("Secret reads", String(summary.secretReads)),
            ("Requests nobody can be named for (findings)", String(summary.unattributed)),
            ("Deploys", "\(summary.deploys) (\(summary.failedDeploys) failed or interrupted)"),
            ("Agent commit ranges refused", String(summary.refusedRanges)),
            ("Record chains", "\(summary.chainsVerified) verified, \(summary.chainsBroken) broken"),
            ("Deploy credentials holding more than they need", "\(summary.overPrivilegedCredentials) of \(report.credentials.count)"),
        ]
    }

    /// The person and details of a deploy, for its row.
    static func deployPerson(_ deploy: EvidenceReport.Deploy) -> String {
        let attribution = deploy.attribution
        guard attribution.namesPerson else { return "no person named" }
        return "\(attribution.person) (\(attribution.personSource))"
    }

    /// Whether a namespace's chain says nothing: verified, no record anywhere.
    static func isEmpty(_ chain: ChainReview) -> Bool {
        chain.verified && chain.clusterRecords == 0 && chain.artifactRecords == 0
    }

    /// The requests that are findings, by time; filtered before they are joined, as a period can
    /// hold hundreds of thousands of writes.
    static func findings(_ report: EvidenceReport) -> [EvidenceReport.Entry] {
        (report.writes.filter(\.attribution.isFinding) + report.secretReads.filter(\.attribution.isFinding)).sorted {
            $0.event.received < $1.event.received
        }
    }

    /// What each deploy changed, by record ID: the requests, in time order.
    static func changesByDeploy(_ report: EvidenceReport) -> [String: [String]] {
        var changes: [String: [String]] = [:]
        for entry in report.writes where entry.isChange {
            if case .deploy(let deploy) = entry.attribution { changes[deploy.recordID, default: []].append(request(entry.event)) }
        }
        return changes
    }

    /// A rule list, one per line.
    static func rules(_ rules: [PolicyRule]) -> [String] { rules.map(\.description) }

    /// What the report proves and what it cannot, for its last section.
    static let limits = [
        "Attribution rests on the API server's audit log and on Warrant's deploy records. A request missing from the log (a policy that does not log it, a lost or deleted file) cannot be checked; the files read and the time they cover are listed.",
        "A deploy record names the person the CI system reported (GITLAB_USER_LOGIN, GITHUB_ACTOR) or the commit signers; whoever controls the pipeline's variables controls that name. The record chain proves the records were not changed after they were written, not that what they say is true.",
        "A person's own credential is attributed to its user name; whether that name is one human is the identity provider's matter.",
        "The user agent is the client's claim and is never used to attribute anything.",
    ]
}
