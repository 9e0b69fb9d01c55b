/// Verification of a chain of deployment records (oldest first).
public enum RecordChain {
    /// The breaks in `records`, oldest first; empty when the chain is intact.
    ///
    /// Each record must match its own digest (else ``ChainProblem/Kind/altered``), and its
    /// `previous` must be the digest of the record before it. The first record's `previous` must
    /// be `nil` (the chain's start) or `anchor`, the digest of the newest record dropped by
    /// rotation (see ``HistoryStore``). A `previous` that names a record elsewhere in the list is
    /// ``ChainProblem/Kind/reordered``; one that names none is a ``ChainProblem/Kind/gap``, as is
    /// a second start (`previous` absent after the first record).
    ///
    /// - Parameters:
    ///   - records: the records, oldest first.
    ///   - anchor: the digest the first record may follow, when older records were dropped.
    public static func verify(_ records: [DeployRecord], anchor: String? = nil) -> [ChainProblem] {
        var problems: [ChainProblem] = []
        var positions: [String: Int] = [:]
        for (index, record) in records.enumerated() where positions[record.digest] == nil {
            positions[record.digest] = index
        }
        for (index, record) in records.enumerated() {
            func report(_ kind: ChainProblem.Kind, _ message: String) {
                problems.append(ChainProblem(kind: kind, index: index, recordID: record.id, message: message))
            }
            let computed = record.computedDigest
            if record.digest != computed {
                report(.altered, "its content was changed after it was written (digest \(short(record.digest)), content hashes to \(short(computed)))")
            }
            let expected = index == 0 ? anchor : records[index - 1].digest
            guard record.previous != expected else { continue }
            guard let previous = record.previous else {
                report(
                    .gap,
                    index == 0
                        ? "the chain should continue from \(short(anchor ?? "")), but this record starts a new chain"
                        : "starts a new chain after record \(index)")
                continue
            }
            if let position = positions[previous], position != index {
                report(.reordered, "follows record \(position + 1) (\(records[position].id)), not the record before it")
            } else {
                report(.gap, "follows a record that is missing (digest \(short(previous)))")
            }
        }
        return problems
    }

    private static func short(_ digest: String) -> String { String(digest.prefix(12)) }
}
