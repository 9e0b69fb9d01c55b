/// Where something was read from: a file (or `-` for standard input) and a 1-based line.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The path as the user gave it (relative paths stay relative), `<stdin>` for standard input.
    public var file: String
    /// The 1-based line, or 0 when the whole file is meant.
    public var line: Int

    /// Creates a location.
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`, or just `file` when the line is unknown.
    public var description: String {
        var text = ""
        write(to: &text)
        return text
    }

    /// Appends ``description`` to `text`, without building it on its own (reports write tens of
    /// thousands of locations).
    package func write(to text: inout String) {
        text += file
        if line > 0 {
            text += ":"
            text += String(line)
        }
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line) < (rhs.file, rhs.line)
    }
}
