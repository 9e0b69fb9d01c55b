public import KubeModel

/// A deployment record that cannot be read.
public struct RecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault, e.g. `applied[2].kind`, or where the record came from.
    public var field: String
    /// What is wrong with it.
    public var message: String
    /// Where the record came from (`warrant-history` line 3, a record file's line), when known.
    public var source: SourceLocation?
    /// What to do about it, when there is more to say than the message.
    public var hint: String?

    /// Creates an error.
    public init(field: String, message: String, source: SourceLocation? = nil, hint: String? = nil) {
        self.field = field
        self.message = message
        self.source = source
        self.hint = hint
    }

    /// `source: record field message`, then the hint on an indented line.
    public var description: String {
        let location = source.map { "\($0): " } ?? ""
        return "\(location)deployment record: \(field) \(message)" + (hint.map { "\n  hint: \($0)" } ?? "")
    }
}

/// Reads the members of one JSON object of a record.
struct RecordReader {
    var value: JSONValue
    var field: String

    private func path(_ key: String) -> String { field.isEmpty ? key : "\(field).\(key)" }

    func string(_ key: String) throws(RecordError) -> String {
        guard let string = try optionalString(key) else { throw RecordError(field: path(key), message: "is missing") }
        return string
    }

    func optionalString(_ key: String) throws(RecordError) -> String? {
        guard let member = value[key], !member.isNull else { return nil }
        guard let string = member.stringValue else {
            throw RecordError(field: path(key), message: "is \(member.typeDescription), not a string")
        }
        return string
    }

    func integer(_ key: String) throws(RecordError) -> Int64 {
        guard let member = value[key], !member.isNull else { return 0 }
        guard let integer = member.integerValue else {
            throw RecordError(field: path(key), message: "is \(member.typeDescription), not an integer")
        }
        return integer
    }

    func array(_ key: String) throws(RecordError) -> [JSONValue] {
        guard let member = value[key], !member.isNull else { return [] }
        guard let array = member.arrayValue else {
            throw RecordError(field: path(key), message: "is \(member.typeDescription), not a list")
        }
        return array
    }

    func object(_ key: String) throws(RecordError) -> JSONValue? {
        guard let member = value[key], !member.isNull else { return nil }
        guard member.objectValue != nil else {
            throw RecordError(field: path(key), message: "is \(member.typeDescription), not a mapping")
        }
        return member
    }
}
