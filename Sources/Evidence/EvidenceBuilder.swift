public import Delivery
public import KubeModel

/// Builds an ``EvidenceReport`` from values: the audit events kept, what was read from the
/// cluster, and the CI artifacts. Pure: no network, no files.
public struct EvidenceBuilder: Sendable {
    /// The namespaces and period.
    public var filter: AuditEventFilter
    /// Attribution settings.
    public var rules: AttributionRules
    /// Kinds and their resources (built-in, plus what the cluster serves).
    public var kinds: KindTable

    /// Creates a builder.
    public init(filter: AuditEventFilter, rules: AttributionRules = AttributionRules(), kinds: KindTable = .builtin) {
        self.filter = filter
        self.rules = rules
        self.kinds = kinds
    }

    /// The report.
    ///
    /// - Parameters:
    ///   - events: the kept events, one per request, by time (``AuditLogCollector/sorted()``).
    ///   - logs: what each audit log file held.
    ///   - snapshot: what was read from the cluster; its namespaces are the ones reviewed.
    ///   - artifacts: records from `--record-file`, any namespaces, any order.
    ///   - generated: when the report is made.
    ///   - notes: limits to state in the report besides those found here.
    public func build(
        events: [AuditEvent], logs: [AuditLogFileSummary], snapshot: ClusterSnapshot, artifacts: [DeployRecord], generated: MicroTime,
        notes extraNotes: [String] = []
    ) -> EvidenceReport {
        var notes = snapshot.notes + extraNotes
        let namespaces = snapshot.namespaces.map(\.namespace)
        var chains: [ChainReview] = []
        var entries: [RecordEntry] = []
        for namespace in snapshot.namespaces {
            let (review, records) = ChainReview.review(
                namespace: namespace.namespace, history: namespace.historyConfigMaps, historyError: namespace.historyError,
                artifacts: artifacts.filter { $0.namespace == namespace.namespace }, historyName: rules.historyName)
            chains.append(review)
            entries += records
        }
        for entry in entries where entry.record.credential.isEmpty || entry.record.credential == "unknown" {
            notes.append(
                "Deploy record \(entry.record.id) in \(entry.record.namespace) does not name the credential it used (the API server did not answer SelfSubjectReview), so no request can be matched to it.")
        }
        let attributor = Attributor(records: entries, rules: rules, kinds: kinds)
        var writes: [EvidenceReport.Entry] = []
        var secretReads: [EvidenceReport.Entry] = []
        // Sized once: the writes are most of a period's events, and an array grown by doubling
        // would hold up to twice their size, and both buffers while it grows.
        writes.reserveCapacity(events.count(where: \.isWrite))
        var requestsPerRecord: [String: Int] = [:]
        for event in events {
            let attribution = attributor.attribute(event)
            if case .deploy(let deploy) = attribution { requestsPerRecord[deploy.recordID, default: 0] += 1 }
            let entry = EvidenceReport.Entry(event: event, attribution: attribution)
            if event.isWrite {
                writes.append(entry)
            } else if event.isSecretRead {
                secretReads.append(entry)
            }
        }

        var deploys: [EvidenceReport.Deploy] = []
        var byCredential: [String: [DeployRecord]] = [:]
        for entry in entries.sorted(by: { $0.record.started < $1.record.started }) {
            let record = entry.record
            byCredential["\(record.namespace)\u{0}\(record.credential)", default: []].append(record)
            if overlapsPeriod(record) {
                deploys.append(EvidenceReport.Deploy(record: record, verified: entry.verified, requests: requestsPerRecord[record.id] ?? 0))
            }
        }
        var credentials: [CredentialReview] = []
        let inPeriod = Dictionary(grouping: deploys.filter { $0.record.result != .dryRun }) { "\($0.record.namespace)\u{0}\($0.record.credential)" }
        for key in inPeriod.keys.sorted() {
            guard let records = byCredential[key], let first = records.first, !first.credential.isEmpty, first.credential != "unknown" else { continue }
            let snapshotNamespace = snapshot.namespaces.first { $0.namespace == first.namespace }
            credentials.append(
                CredentialReview.review(
                    credential: first.credential, namespace: first.namespace, records: records.filter { $0.result != .dryRun },
                    inPeriod: inPeriod[key]?.count ?? 0, snapshot: snapshotNamespace, clusterRBAC: snapshot.clusterRBAC,
                    events: events.filter { $0.user == first.credential }, rules: rules, kinds: kinds))
        }

        notes += coverageNotes(logs)
        return EvidenceReport(
            generated: generated, filter: filter, namespaces: namespaces, logs: logs, writes: writes, secretReads: secretReads, deploys: deploys,
            chains: chains, credentials: credentials, rules: rules, notes: notes)
    }

    private func overlapsPeriod(_ record: DeployRecord) -> Bool {
        guard let started = MicroTime(rfc3339: record.started) else { return false }
        let finished = MicroTime(rfc3339: record.finished) ?? started
        if let until = filter.until, started >= until { return false }
        if let since = filter.since, finished.adding(seconds: 1) < since { return false }
        return true
    }

    /// What the logs cannot show: a period they do not cover, cut-off lines.
    private func coverageNotes(_ logs: [AuditLogFileSummary]) -> [String] {
        var notes: [String] = []
        let first = logs.compactMap(\.first).min()
        let last = logs.compactMap(\.last).max()
        if let first, let last {
            if let since = filter.since, since < first {
                notes.append(
                    "The audit logs start at \(first.wholeSeconds), after the period's start (\(since.wholeSeconds)): requests before that are not covered.")
            }
            if let until = filter.until, last < until {
                notes.append(
                    "The audit logs end at \(last.wholeSeconds), before the period's end (\(until.wholeSeconds)): later requests are not covered.")
            }
        } else {
            notes.append("The audit logs hold no events: no request can be attributed or ruled out.")
        }
        for log in logs where log.incompleteLastLine {
            notes.append("The last line of \(log.file) was cut off (the file was copied while it was written) and was skipped.")
        }
        return notes
    }
}
