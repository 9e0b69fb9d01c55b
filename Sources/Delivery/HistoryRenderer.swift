import KubeModel

/// Renders deployment records for `warrant history -o table|json|markdown|html`: who, what, when,
/// from which commit, with what result.
///
/// Records hold what the CI system, `--actor` or a caller said, as given; a record read from the
/// cluster may also have been written by anyone who can edit the history ConfigMap. Every cell of
/// the table, Markdown and HTML renderings therefore goes through ``DisplayText`` (control
/// characters and escape sequences written visibly, Markdown and HTML escaped, cut to
/// ``cellLimit`` characters); the JSON rendering keeps every value as stored (JSON escapes
/// control characters itself).
public enum HistoryRenderer {
    /// An output format.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// Aligned columns for a terminal.
        case table
        /// A JSON array of the records, as stored.
        case json
        /// A Markdown table for a report or a merge request.
        case markdown
        /// An HTML document with one table, for a report.
        case html
    }

    /// The most characters of a field a table, Markdown or HTML cell shows (the JSON rendering
    /// keeps everything).
    public static let cellLimit = 80

    /// The columns of ``rows(_:)``.
    public static let header = ["WHEN", "WHO", "RESULT", "COMMIT", "OBJECTS", "CHANGES", "ID"]

    /// One row per record, oldest first, in the order of ``header``, the values as recorded
    /// (not escaped; ``render(_:format:)`` escapes them). `CHANGES` counts the fields added,
    /// removed or changed (diff lines for records written before fields were counted); a dry
    /// run's objects are the ones it `would apply`.
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
            let table = [header] + rows(records).map { $0.map { DisplayText.escaped($0, limit: cellLimit) } }
            let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
            return table.map { row in
                row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
                }.joined(separator: "  ")
            }.joined(separator: "\n") + "\n"
        case .markdown:
            var lines = ["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: " --- |", count: header.count)]
            lines += rows(records).map { "| " + $0.map { DisplayText.markdown($0, limit: cellLimit) }.joined(separator: " | ") + " |" }
            return lines.joined(separator: "\n") + "\n"
        case .html:
            func row(_ cells: [String], tag: String) -> String {
                "<tr>" + cells.map { "<\(tag)>\(DisplayText.html($0, limit: cellLimit))</\(tag)>" }.joined() + "</tr>"
            }
            var lines = [
                "<!DOCTYPE html>", "<html lang=\"en\">", "<head><meta charset=\"utf-8\"><title>Deployment records</title></head>", "<body>",
                "<table>", "<thead>" + row(header, tag: "th") + "</thead>", "<tbody>",
            ]
            lines += rows(records).map { row($0, tag: "td") }
            lines += ["</tbody>", "</table>", "</body>", "</html>"]
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
