/// A Git object name: 40 (SHA-1) or 64 (SHA-256) lowercase hexadecimal digits.
public struct CommitID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The full hexadecimal name.
    public let hex: String

    /// Validates a full object name (upper case is folded to lower case).
    ///
    /// - Returns: `nil` unless `text` is 40 or 64 hexadecimal digits.
    public init?(_ text: some StringProtocol) {
        let lower = text.lowercased()
        guard lower.utf8.count == 40 || lower.utf8.count == 64,
            lower.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        hex = lower
    }

    /// The first 12 digits, for messages.
    public var short: String { String(hex.prefix(12)) }

    /// The full name.
    public var description: String { hex }

    public static func < (lhs: CommitID, rhs: CommitID) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = CommitID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a Git object name"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
