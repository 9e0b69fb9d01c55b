import KubeModel

/// Renders deployment records for `warrant history -o table|json|markdown`: who, what, when,
/// from which commit, with what result.
public enum HistoryRenderer {
    /// An output format.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// Aligned columns for a terminal.
        case table
        /// A JSON array of the records, as stored.
        case json
        /// A Markdown table for a report or a merge request.
        case markdown
    }

    /// The columns of ``rows(_:)``.
    public static let header = ["WHEN", "WHO", "RESULT", "COMMIT", "OBJECTS", "CHANGES", "ID"]

    /// One row per record, oldest first, in the order of ``header``. `CHANGES` counts the fields
    /// added, removed or changed (diff lines for records written before fields were counted); a
    /// dry run's objects are the ones it `would apply`.
    public static func rows(_ records: [DeployRecord]) -> [[String]] {
        records.map { record in
            let who = record.identity.isActorKnown ? record.identity.actor : "unknown (not recorded)"
            let dryRun = record.result == .dryRun
            let pruned = record.pruned.isEmpty ? "" : ", \(record.pruned.count) \(dryRun ? "would prune" : "pruned")"
            let changes = record.diff.fieldsChanged.map { "\($0) field\($0 == 1 ? "" : "s")" } ?? "+\(record.diff.linesAdded) -\(record.diff.linesRemoved)"
            return [
                record.started, who, record.result.rawValue, String((record.identity.commit ?? "-").prefix(12)),
                "\(record.applied.count) \(dryRun ? "would apply" : "applied")\(pruned)", changes, record.id,
            ]
        }
    }

    /// The records in `format`, ending in a newline.
    public static func render(_ records: [DeployRecord], format: Format) -> String {
        switch format {
        case .json:
            return JSONWriter.write(.array(records.map { CanonicalJSON.sorted($0.json) }), indent: 2) + "\n"
        case .table:
            let table = [header] + rows(records)
            let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
            return table.map { row in
                row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
                }.joined(separator: "  ")
            }.joined(separator: "\n") + "\n"
        case .markdown:
            func escape(_ cell: String) -> String { cell.replacing("|", with: "\\|") }
            var lines = ["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: " --- |", count: header.count)]
            lines += rows(records).map { "| " + $0.map(escape).joined(separator: " | ") + " |" }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
