import Delivery
import Evidence
import Foundation
import KubeModel
import RBAC
import Reports
import Testing

/// A report with one of everything, and hostile text wherever outside text can appear.
func sampleReport(hostile: Bool = true) -> EvidenceReport {
    let actor = hostile ? "eve\n| forged | row |\u{1b}[31m" : "alice.dev"
    let record = makeRecord(actor: actor)
    let agent = hostile ? "<script>alert(1)</script> kubectl | x" : "kubectl/v1.32.4"
    let deployWrite = write("deployments", "web", group: "apps", at: 3)
    var rogue = write("deployments", "web`|*_[x]", group: "apps", at: 3600)
    rogue.userAgent = agent
    let person = write("configmaps", "settings", user: "bob", at: 100)
    var read = write("secrets", "web-secret", verb: "list", user: "system:serviceaccount:shop:bot", at: 200)
    read.requestURI = "/api/v1/namespaces/shop/secrets"
    let attributor = Attributor(records: [RecordEntry(record: record, verified: true)], rules: AttributionRules())
    let writes = [deployWrite, rogue, person].map { EvidenceReport.Entry(event: $0, attribution: attributor.attribute($0)) }
    let reads = [EvidenceReport.Entry(event: read, attribution: attributor.attribute(read))]
    let chain = ChainReview(
        namespace: "shop", clusterRecords: 1, artifactRecords: 1, dropped: 0,
        problems: [ChainReview.Problem(kind: .differs, recordID: record.id, message: "the cluster's record and the CI artifact's differ")])
    let credential = CredentialReview(
        credential: ciUser, namespace: "shop", deploys: 1, lastDeploy: record.id, lastDeployStarted: record.started, deployOptions: ["--prune"],
        manifestSource: "the 2 object(s) its records applied", derived: [PolicyRule(verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments"])],
        held: [
            PolicyRule(verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments"]), PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["secrets"]),
        ],
        grantedBy: ["RoleBinding shop/ci → Role ci"], overPrivileged: [PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["secrets"])], missing: [],
        clusterWide: [], tokenKind: .secret, tokenSecrets: [CredentialReview.SecretUse(name: "ci-token", created: "2026-11-01T00:00:00Z", requests: 4)],
        requestTokens: 0, notes: [])
    return EvidenceReport(
        generated: MicroTime(deployStart.addingTimeInterval(86_400)), filter: AuditEventFilter(namespaces: ["shop"], since: MicroTime(day: "2026-11-10")),
        namespaces: ["shop"],
        logs: [
            AuditLogFileSummary(
                file: "audit.log.gz", compressed: true, events: 10, kept: 4, first: MicroTime(deployStart), last: MicroTime(deployStart).adding(seconds: 3600))
        ],
        writes: writes, secretReads: reads, deploys: [EvidenceReport.Deploy(record: record, verified: true, requests: 1)], chains: [chain],
        credentials: [credential], rules: AttributionRules(), notes: ["The audit logs end at 2026-11-10T11:00:00Z."])
}

@Suite struct EvidenceRendererTests {
    @Test func theSummaryCountsWhatHappened() {
        let summary = sampleReport().summary
        #expect(summary.changes == 3 && summary.changesByPeople == 2 && summary.unattributedChanges == 1)
        #expect(summary.unattributed == 2)  // the CI token outside the deploy, and the bot's Secret list
        #expect(summary.secretReads == 1 && summary.deploys == 1 && summary.chainsBroken == 1 && summary.overPrivilegedCredentials == 1)
        #expect(summary.people.map(\.name) == ["bob", "eve\n| forged | row |\u{1b}[31m"] || summary.people.count == 2)
        #expect(!sampleReport().passes)
    }

    @Test func markdownCannotBeForgedByWhatARecordOrUserAgentSays() {
        let markdown = EvidenceMarkdown.render(sampleReport())
        #expect(markdown.contains("**Verdict: evidence INCOMPLETE.**"))
        #expect(!markdown.contains("\u{1b}"))
        #expect(!markdown.contains("<script>"))
        #expect(markdown.contains("eve\\n\\| forged \\| row \\|\\u{1b}\\[31m"))
        // Every table row is one line with the table's number of cells.
        for line in markdown.split(separator: "\n") where line.hasPrefix("| 2026-") {
            let cells = line.replacingOccurrences(of: "\\|", with: "").split(separator: "|", omittingEmptySubsequences: false).count - 2
            #expect([4, 6, 7, 9].contains(cells), "\(line)")
        }
        #expect(markdown.contains("## Unattributed requests"))
        #expect(markdown.contains("the deploy credential system:serviceaccount:shop:ci was used outside any recorded deploy"))
        #expect(markdown.contains("more than needed: `list secrets`") || markdown.contains("more than needed: `"))
    }

    @Test func htmlIsOnePageWithNothingToFetchOrRun() {
        let html = EvidenceHTML.render(sampleReport())
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        let lowered = html.lowercased()
        for forbidden in ["<script", "src=", "href=", "@import", "url(", "<link", "<img", "<iframe", "javascript:"] {
            #expect(!lowered.contains(forbidden), "\(forbidden)")
        }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("\u{1b}") && !html.contains("eve\n"))
        #expect(html.contains("@media print"))
        #expect(html.contains("<span class=\"finding\">does not verify</span>"))
    }

    @Test func jsonFollowsItsSchema() throws {
        let value = try JSONValue.parseJSON(Array(EvidenceJSON.render(sampleReport()).utf8), source: "report")
        #expect(value["apiVersion"]?.stringValue == "warrant.dev/v1alpha1" && value["kind"]?.stringValue == "EvidenceReport")
        #expect(value["passes"]?.boolValue == false)
        #expect(value[path: ["period", "since"]]?.stringValue == "2026-11-10T00:00:00Z" && value[path: ["period", "until"]] == .null)
        let summaryKeys = Set(value["summary"]?.objectValue?.keys.map { $0 } ?? [])
        #expect(summaryKeys.isSuperset(of: ["changes", "unattributed", "people", "deploys", "chainsBroken", "refusedRanges", "overPrivilegedCredentials"]))
        let writes = try #require(value["writes"]?.arrayValue)
        #expect(writes.count == 3)
        let rogue = try #require(writes.first { $0[path: ["attribution", "kind"]]?.stringValue == "unattributed" })
        #expect(rogue["user"]?.stringValue == ciUser && rogue["verb"]?.stringValue == "patch" && rogue["change"]?.boolValue == true)
        #expect(rogue[path: ["attribution", "finding"]]?.boolValue == true && rogue[path: ["attribution", "reason"]]?.stringValue != nil)
        let deploy = try #require(writes.first { $0[path: ["attribution", "kind"]]?.stringValue == "deploy" })
        #expect(deploy[path: ["attribution", "record"]]?.stringValue != nil && deploy[path: ["attribution", "verified"]]?.boolValue == true)
        #expect(value["secretReads"]?.arrayValue?.first?["verb"]?.stringValue == "list")
        #expect(value["deploys"]?.arrayValue?.first?["applied"]?.arrayValue?.count == 2)
        #expect(value["chains"]?.arrayValue?.first?["problems"]?.arrayValue?.first?["kind"]?.stringValue == "differs")
        let credential = try #require(value["credentials"]?.arrayValue?.first)
        #expect(credential["overPrivileged"]?.boolValue == true && credential[path: ["token", "kind"]]?.stringValue == "secret")
        #expect(credential["moreThanNeeded"]?.arrayValue?.first?["resources"]?.arrayValue == ["secrets"])
        #expect(value["logs"]?.arrayValue?.first?["compressed"]?.boolValue == true)
        #expect(value[path: ["rules", "clockToleranceSeconds"]] == .double(5))
        // Stored as given: the JSON keeps the actor's exact text, escaped by JSON.
        #expect(value["deploys"]?.arrayValue?.first?["person"]?.stringValue == "eve\n| forged | row |\u{1b}[31m")
    }

    /// The JSON is written piece by piece (requests flushed about every MiB): with no requests, one,
    /// or enough for several pieces, the pieces still make one object with every member.
    @Test(arguments: [0, 1, 5_000])
    func jsonIsOneObjectHoweverManyRequests(count: Int) throws {
        var report = sampleReport(hostile: false)
        report.writes = Array(repeating: report.writes[0], count: count)
        if count == 0 { report.secretReads = [] }
        var pieces: [Int] = []
        var text = ""
        EvidenceJSON.write(report) { piece in
            text += piece
            pieces.append(piece.utf8.count)
        }
        #expect(text == EvidenceJSON.render(report))
        let value = try JSONValue.parseJSON(Array(text.utf8), source: "report")
        #expect(value["writes"]?.arrayValue?.count == count)
        #expect(value["secretReads"]?.arrayValue?.count == (count == 0 ? 0 : 1))
        #expect(value["deploys"]?.arrayValue?.count == 1 && value["notes"]?.arrayValue?.count == 1 && value["summary"] != nil)
        if count == 5_000 {
            #expect(text.utf8.count > 2 << 20)
            #expect(pieces.filter { $0 > 1 << 20 }.count >= 2 && pieces.allSatisfy { $0 < 2 << 20 })
        }
    }

    @Test func aCleanReportPasses() {
        var report = sampleReport(hostile: false)
        report.writes.removeAll { $0.attribution.isFinding }
        report.secretReads = []
        report.chains = [ChainReview(namespace: "shop", clusterRecords: 1, artifactRecords: 0, dropped: 0, problems: [])]
        #expect(report.passes)
        #expect(EvidenceMarkdown.render(report).contains("**Verdict: evidence complete.**"))
        #expect(EvidenceHTML.render(report).contains("class=\"verdict pass\""))
    }
}
