public import Delivery
public import KubeModel

/// The record chain of one namespace, verified, and cross-checked against the CI artifacts
/// (`--record-file`).
public struct ChainReview: Sendable, Hashable {
    /// A problem with the chain: each makes the report fail.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// What kind of problem.
        public enum Kind: String, Sendable, Hashable {
            /// A record's content no longer matches its digest.
            case altered
            /// A record is missing before this one (or a second chain starts).
            case gap
            /// The records are out of order.
            case reordered
            /// The history could not be read or holds a line that is not a record.
            case unreadable
            /// The cluster's record and the CI artifact's record of the same ID differ.
            case differs
            /// A CI artifact holds a record the cluster's history lost (not by rotation).
            case missingFromCluster = "missing-from-cluster"
            /// A CI artifact's record does not match its own digest.
            case alteredArtifact = "altered-artifact"
        }

        /// The kind.
        public var kind: Kind
        /// The record, when one is concerned.
        public var recordID: String?
        /// What is wrong.
        public var message: String

        /// Creates a problem.
        public init(kind: Kind, recordID: String?, message: String) {
            self.kind = kind
            self.recordID = recordID
            self.message = message
        }

        public var description: String { "\(kind.rawValue)\(recordID.map { " \($0)" } ?? ""): \(message)" }
    }

    /// The namespace.
    public var namespace: String
    /// Records in the cluster's history.
    public var clusterRecords: Int
    /// Records of this namespace in the CI artifacts.
    public var artifactRecords: Int
    /// Records the history dropped by rotation (its `warrant.dev/history-dropped` annotation).
    public var dropped: Int
    /// Problems; empty when the chain verifies.
    public var problems: [Problem]
    /// Records in the cluster that no CI artifact has (listed only when artifacts of this
    /// namespace were given).
    public var withoutArtifact: [String]
    /// Records only the artifacts still have because rotation dropped them from the cluster.
    public var rotatedOut: [String]

    /// Whether the chain verifies and agrees with the artifacts.
    public var verified: Bool { problems.isEmpty }

    /// Creates a review.
    public init(
        namespace: String, clusterRecords: Int, artifactRecords: Int, dropped: Int, problems: [Problem], withoutArtifact: [String] = [],
        rotatedOut: [String] = []
    ) {
        self.namespace = namespace
        self.clusterRecords = clusterRecords
        self.artifactRecords = artifactRecords
        self.dropped = dropped
        self.problems = problems
        self.withoutArtifact = withoutArtifact
        self.rotatedOut = rotatedOut
    }

    /// Verifies a namespace's history with `RecordChain` and cross-checks `artifacts` (the
    /// namespace's records from `--record-file`, in any order).
    ///
    /// - Returns: the review, and every record to attribute with, each once: the cluster's copy
    ///   when it verifies, else an intact artifact copy, else the altered one marked unverified.
    public static func review(
        namespace: String, history: [KubeObject]?, historyError: String?, artifacts: [DeployRecord], historyName: String = "warrant-history"
    ) -> (review: ChainReview, records: [RecordEntry]) {
        var problems: [Problem] = []
        var clusterRecords: [DeployRecord] = []
        var dropped = 0
        var verifiedIDs: Set<String> = []
        let store = HistoryStore(name: historyName, namespace: namespace)
        if let history {
            do {
                clusterRecords = try store.records(from: history)
                let anchor = store.anchor(in: history)
                let head = history.first { $0.kind == "ConfigMap" && $0.name == historyName }
                dropped = Int(head?.annotations[HistoryStore.droppedAnnotation] ?? "") ?? 0
                let breaks = RecordChain.verify(clusterRecords, anchor: anchor)
                var broken: Set<Int> = []
                for problem in breaks {
                    broken.insert(problem.index)
                    let kind: Problem.Kind =
                        switch problem.kind {
                        case .altered: .altered
                        case .gap: .gap
                        case .reordered: .reordered
                        }
                    problems.append(Problem(kind: kind, recordID: problem.recordID, message: problem.message))
                }
                for (index, record) in clusterRecords.enumerated() where !broken.contains(index) && record.isIntact {
                    verifiedIDs.insert(record.id)
                }
            } catch {
                problems.append(Problem(kind: .unreadable, recordID: nil, message: "the history of \(namespace) holds a line that is not a record: \(error)"))
            }
        } else {
            problems.append(
                Problem(kind: .unreadable, recordID: nil, message: "the history of \(namespace) could not be read: \(historyError ?? "unknown reason")"))
        }

        var byID: [String: DeployRecord] = [:]
        for record in clusterRecords where byID[record.id] == nil { byID[record.id] = record }
        var artifactByID: [String: DeployRecord] = [:]
        for record in artifacts {
            if !record.isIntact {
                problems.append(
                    Problem(
                        kind: .alteredArtifact, recordID: record.id,
                        message: "the CI artifact's copy was changed after it was written (its digest does not match)"))
            }
            if let existing = artifactByID[record.id], existing.digest != record.digest {
                problems.append(Problem(kind: .differs, recordID: record.id, message: "two CI artifacts hold different records with this ID"))
            }
            artifactByID[record.id] = record
        }
        var withoutArtifact: [String] = []
        var rotatedOut: [String] = []
        if !artifacts.isEmpty {
            let oldestKept = clusterRecords.compactMap { MicroTime(rfc3339: $0.started) }.min()
            for record in clusterRecords where artifactByID[record.id] == nil { withoutArtifact.append(record.id) }
            for record in artifacts.sorted(by: { $0.started < $1.started }) {
                if let cluster = byID[record.id] {
                    if cluster.digest != record.digest || cluster.computedDigest != record.computedDigest {
                        problems.append(
                            Problem(
                                kind: .differs, recordID: record.id,
                                message:
                                    "the cluster's record and the CI artifact's differ (digest \(cluster.digest.prefix(12)) against \(record.digest.prefix(12)))"
                            ))
                    }
                    continue
                }
                let started = MicroTime(rfc3339: record.started)
                if history != nil, dropped > 0, let started, oldestKept.map({ started < $0 }) ?? true {
                    rotatedOut.append(record.id)
                } else if history != nil {
                    problems.append(
                        Problem(
                            kind: .missingFromCluster, recordID: record.id,
                            message: "a CI artifact holds this record but the cluster's history does not, and rotation does not explain it"))
                }
            }
        }

        var entries: [RecordEntry] = []
        var seen: Set<String> = []
        for record in clusterRecords where seen.insert(record.id).inserted {
            if verifiedIDs.contains(record.id) {
                entries.append(RecordEntry(record: record, verified: true))
            } else if let copy = artifactByID[record.id], copy.isIntact {
                entries.append(RecordEntry(record: copy, verified: false))
            } else {
                entries.append(RecordEntry(record: record, verified: false))
            }
        }
        for record in artifacts where seen.insert(record.id).inserted {
            entries.append(RecordEntry(record: record, verified: record.isIntact))
        }
        let review = ChainReview(
            namespace: namespace, clusterRecords: clusterRecords.count, artifactRecords: artifacts.count, dropped: dropped, problems: problems,
            withoutArtifact: withoutArtifact, rotatedOut: rotatedOut)
        return (review, entries)
    }
}
