/// An audit log Warrant cannot read: the file, line and column where it stops making sense,
/// what is wrong, and what to do.
public struct AuditLogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// The 1-based line, `nil` for problems with the file as a whole.
    public var line: Int?
    /// The 1-based column (byte) in the line, when known.
    public var column: Int?
    /// What is wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(file: String, line: Int? = nil, column: Int? = nil, message: String, hint: String?) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    /// `file:line:column: message` and the hint on a second line.
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(message)" + (hint.map { "\n  hint: \($0)" } ?? "")
    }
}
