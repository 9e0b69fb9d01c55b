public import Delivery

/// The evidence for a period: every write to the namespaces attributed to a person, a deploy
/// record, the control plane, or flagged as unattributed; Secret reads; the deploys; each record
/// chain verified against the CI artifacts; each deploy credential reviewed.
///
/// Renderers (`EvidenceMarkdown`, `EvidenceHTML`, `EvidenceJSON` in `Reports`) present it;
/// ``passes`` decides the exit code.
public struct EvidenceReport: Sendable {
    /// One request and who it is attributed to.
    public struct Entry: Sendable, Hashable {
        /// The request as the audit log records it.
        public var event: AuditEvent
        /// Who it is attributed to.
        public var attribution: Attribution

        /// Creates an entry.
        public init(event: AuditEvent, attribution: Attribution) {
            self.event = event
            self.attribution = attribution
        }

        /// Whether the request changed something: a write the server accepted, not a dry run.
        public var isChange: Bool { event.isWrite && event.succeeded && !event.isDryRun }
    }

    /// A deploy in the period.
    public struct Deploy: Sendable, Hashable {
        /// The record.
        public var record: DeployRecord
        /// Whether it verified.
        public var verified: Bool
        /// Requests attributed to it.
        public var requests: Int

        /// Creates an entry.
        public init(record: DeployRecord, verified: Bool, requests: Int) {
            self.record = record
            self.verified = verified
            self.requests = requests
        }

        /// The person it is attributed to.
        public var attribution: DeployAttribution { Attributor.attribution(RecordEntry(record: record, verified: verified)) }
    }

    /// Counts for the period.
    public struct Summary: Sendable, Hashable {
        /// Write requests (accepted or not, dry runs included).
        public var writeRequests = 0
        /// Changes: accepted writes that were not dry runs.
        public var changes = 0
        /// Changes attributed to a person (through a deploy record or their own credential).
        public var changesByPeople = 0
        /// Changes by the control plane.
        public var changesByControlPlane = 0
        /// Changes by declared automation.
        public var changesByAutomation = 0
        /// Changes nobody can be named for.
        public var unattributedChanges = 0
        /// Write requests refused or failed (status ≥ 400): nothing changed.
        public var refusedWrites = 0
        /// Dry-run writes.
        public var dryRuns = 0
        /// Every request that is a finding: unattributed writes (accepted or not) and Secret reads.
        public var unattributed = 0
        /// Secret reads.
        public var secretReads = 0
        /// Changes per person, most first.
        public var people: [PersonCount] = []
        /// Deploys in the period.
        public var deploys = 0
        /// Deploys that failed or were interrupted.
        public var failedDeploys = 0
        /// Agent runs that refused a commit range (records with result `refused`).
        public var refusedRanges = 0
        /// Record chains that verify, and those that do not.
        public var chainsVerified = 0
        /// See ``chainsVerified``.
        public var chainsBroken = 0
        /// Deploy credentials that hold more than they need.
        public var overPrivilegedCredentials = 0
    }

    /// A person and the changes attributed to them.
    public struct PersonCount: Sendable, Hashable {
        /// The person.
        public var name: String
        /// Their changes.
        public var changes: Int
    }

    /// When the report was made.
    public var generated: MicroTime
    /// The period (`--since`, `--until`), by `requestReceivedTimestamp`.
    public var filter: AuditEventFilter
    /// The namespaces reviewed.
    public var namespaces: [String]
    /// The audit log files read.
    public var logs: [AuditLogFileSummary]
    /// Write requests, by time.
    public var writes: [Entry]
    /// Secret reads, by time.
    public var secretReads: [Entry]
    /// Deploys whose run overlaps the period.
    public var deploys: [Deploy]
    /// Record chains, one per namespace.
    public var chains: [ChainReview]
    /// Deploy credentials.
    public var credentials: [CredentialReview]
    /// The rules attribution used.
    public var rules: AttributionRules
    /// Limits of this report: what could not be read or checked.
    public var notes: [String]

    /// Creates a report.
    public init(
        generated: MicroTime, filter: AuditEventFilter, namespaces: [String], logs: [AuditLogFileSummary], writes: [Entry], secretReads: [Entry],
        deploys: [Deploy], chains: [ChainReview], credentials: [CredentialReview], rules: AttributionRules, notes: [String]
    ) {
        self.generated = generated
        self.filter = filter
        self.namespaces = namespaces
        self.logs = logs
        self.writes = writes
        self.secretReads = secretReads
        self.deploys = deploys
        self.chains = chains
        self.credentials = credentials
        self.rules = rules
        self.notes = notes
    }

    /// The counts.
    public var summary: Summary {
        var summary = Summary()
        var people: [String: Int] = [:]
        for entry in writes {
            summary.writeRequests += 1
            if entry.event.isDryRun { summary.dryRuns += 1 }
            if !entry.event.succeeded { summary.refusedWrites += 1 }
            if entry.attribution.isFinding { summary.unattributed += 1 }
            guard entry.isChange else { continue }
            summary.changes += 1
            if let person = entry.attribution.person {
                summary.changesByPeople += 1
                people[person, default: 0] += 1
            } else if case .controlPlane = entry.attribution {
                summary.changesByControlPlane += 1
            } else if case .automation = entry.attribution {
                summary.changesByAutomation += 1
            } else {
                summary.unattributedChanges += 1
            }
        }
        summary.secretReads = secretReads.count
        summary.unattributed += secretReads.filter { $0.attribution.isFinding }.count
        summary.people = people.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { PersonCount(name: $0.key, changes: $0.value) }
        summary.deploys = deploys.count
        summary.failedDeploys = deploys.filter { $0.record.result == .failed || $0.record.result == .interrupted }.count
        summary.refusedRanges = deploys.filter { $0.record.result.rawValue == "refused" }.count
        summary.chainsVerified = chains.filter(\.verified).count
        summary.chainsBroken = chains.count - summary.chainsVerified
        summary.overPrivilegedCredentials = credentials.filter(\.isOverPrivileged).count
        return summary
    }

    /// Whether the evidence holds: nothing unattributed and every chain verifies. `warrant
    /// evidence` exits 1 otherwise.
    public var passes: Bool {
        !writes.contains { $0.attribution.isFinding } && !secretReads.contains { $0.attribution.isFinding } && chains.allSatisfy(\.verified)
    }

    /// The earliest and latest request in the logs read.
    public var logCoverage: (first: MicroTime, last: MicroTime)? {
        guard let first = logs.compactMap(\.first).min(), let last = logs.compactMap(\.last).max() else { return nil }
        return (first, last)
    }
}
