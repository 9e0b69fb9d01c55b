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
        build(
            entries: events.map { EvidenceReport.Entry(event: $0, attribution: .unauthenticated) }, logs: logs, snapshot: snapshot,
            artifacts: artifacts, generated: generated, notes: extraNotes)
    }

    /// The report, from the kept events as entries whose attributions are still to be made
    /// (``AuditLogCollector/takeSortedEntries()``): each is attributed in place and the writes
    /// stay in the same buffer, so a large period's events are held once, not once as events and
    /// once more as entries.
    ///
    /// - Parameters:
    ///   - entries: the kept events, one per request, by time; their attributions are replaced.
    ///   - logs: what each audit log file held.
    ///   - snapshot: what was read from the cluster; its namespaces are the ones reviewed.
    ///   - artifacts: records from `--record-file`, any namespaces, any order.
    ///   - generated: when the report is made.
    ///   - notes: limits to state in the report besides those found here.
    public func build(
        entries: consuming [EvidenceReport.Entry], logs: [AuditLogFileSummary], snapshot: ClusterSnapshot, artifacts: [DeployRecord],
        generated: MicroTime, notes extraNotes: [String] = []
    ) -> EvidenceReport {
        var notes = snapshot.notes + extraNotes
        let namespaces = snapshot.namespaces.map(\.namespace)
        var chains: [ChainReview] = []
        var recordEntries: [RecordEntry] = []
        for namespace in snapshot.namespaces {
            let (review, records) = ChainReview.review(
                namespace: namespace.namespace, history: namespace.historyConfigMaps, historyError: namespace.historyError,
                artifacts: artifacts.filter { $0.namespace == namespace.namespace }, historyName: rules.historyName)
            chains.append(review)
            recordEntries += records
        }
        for entry in recordEntries where entry.record.credential.isEmpty || entry.record.credential == "unknown" {
            notes.append(
                "Deploy record \(entry.record.id) in \(entry.record.namespace) does not name the credential it used (the API server did not answer SelfSubjectReview), so no request can be matched to it."
            )
        }
        let attributor = Attributor(records: recordEntries, rules: rules, kinds: kinds)
        var requestsPerRecord: [String: Int] = [:]
        var secretReads: [EvidenceReport.Entry] = []
        // Every request of the deploy credentials, reads included, for their reviews.
        let deployCredentials = Set(recordEntries.map(\.record.credential))
        var byDeployCredential: [String: [AuditEvent]] = [:]
        for index in entries.indices {
            let event = entries[index].event
            let attribution = attributor.attribute(event)
            if case .deploy(let deploy) = attribution { requestsPerRecord[deploy.recordID, default: 0] += 1 }
            entries[index].attribution = attribution
            if !event.isWrite && event.isSecretRead { secretReads.append(entries[index]) }
            if deployCredentials.contains(event.user) { byDeployCredential[event.user, default: []].append(event) }
        }
        // The writes are most of a period's events: kept in the same buffer, in place.
        var writes = consume entries
        writes.removeAll { !$0.event.isWrite }

        var deploys: [EvidenceReport.Deploy] = []
        var byCredential: [String: [DeployRecord]] = [:]
        for entry in recordEntries.sorted(by: { $0.record.started < $1.record.started }) {
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
                    events: byDeployCredential[first.credential] ?? [], rules: rules, kinds: kinds))
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
