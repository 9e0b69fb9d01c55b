public import Foundation

/// A commit's author or committer, as the commit object records it: name, e-mail and time.
///
/// These are what the person who made the commit typed; only a verified signature ties a commit
/// to a key. The record keeps both.
public struct GitIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name (`Alice Example`).
    public var name: String
    /// The e-mail address, without the angle brackets.
    public var email: String
    /// Seconds since 1970-01-01 UTC.
    public var timestamp: Int64
    /// The time zone offset the commit was made in (`+0100`).
    public var timeZone: String

    /// Creates an identity.
    public init(name: String, email: String, timestamp: Int64, timeZone: String) {
        self.name = name
        self.email = email
        self.timestamp = timestamp
        self.timeZone = timeZone
    }

    /// Parses the value of an `author` or `committer` header: `Name <email> 1700000000 +0100`.
    ///
    /// - Returns: `nil` when the line is not of that form.
    public init?(header value: String) {
        guard let open = value.lastIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close else { return nil }
        name = value[..<open].trimmingCharacters(in: .whitespaces)
        email = String(value[value.index(after: open)..<close])
        let rest = value[value.index(after: close)...].split(separator: " ")
        guard rest.count == 2, let timestamp = Int64(rest[0]) else { return nil }
        self.timestamp = timestamp
        timeZone = String(rest[1])
    }

    /// The time as a date.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(timestamp)) }

    /// `Name <email>`.
    public var description: String { "\(name) <\(email)>" }
}
