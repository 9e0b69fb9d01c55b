/// A plain-text table in kubectl's style: upper-case headers, left-aligned columns separated by
/// three spaces, no borders, trailing spaces trimmed.
public struct TextTable: Sendable {
    /// The column headers.
    public var headers: [String]
    /// The rows; each has one cell per header.
    public var rows: [[String]]

    /// Creates a table.
    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// Appends a row.
    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table as text, one line per row, each ending in a newline.
    public func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        var output = ""
        for row in [headers] + rows {
            var line = ""
            for (column, cell) in row.enumerated() where column < widths.count {
                line += cell
                if column < widths.count - 1 {
                    line += String(repeating: " ", count: widths[column] - cell.count + 3)
                }
            }
            while line.last == " " { line.removeLast() }
            output += line + "\n"
        }
        return output
    }
}
