public import Foundation

/// A point in time with microsecond precision, as the API server stamps audit events
/// (`metav1.MicroTime`, RFC 3339 with six fractional digits, always UTC:
/// `2026-12-06T07:11:36.179790Z`).
///
/// Kept as microseconds since the Unix epoch so that a million events compare and sort without
/// `Date` arithmetic or a formatter.
public struct MicroTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    /// The time `microseconds` after the epoch.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// The time of `date`, to the microsecond.
    public init(_ date: Date) {
        microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    /// The time as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    /// This time moved by `seconds` (negative: earlier).
    public func adding(seconds: Double) -> MicroTime {
        MicroTime(microseconds: microseconds + Int64((seconds * 1_000_000).rounded()))
    }

    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool { lhs.microseconds < rhs.microseconds }

    /// RFC 3339 in UTC with six fractional digits, as kube-apiserver writes it.
    public var description: String { Self.format(self, fraction: true) }

    /// RFC 3339 in UTC with whole seconds (`2026-12-06T07:11:36Z`).
    public var wholeSeconds: String { Self.format(self, fraction: false) }

    /// Parses RFC 3339: `YYYY-MM-DDTHH:MM:SS`, an optional fraction (any number of digits,
    /// kept to the microsecond), and `Z` or `±HH:MM`; lower-case `t` and `z` are accepted as
    /// RFC 3339 allows. Returns `nil` for anything else.
    public init?(rfc3339 text: String) {
        var copy = text
        guard let parsed = copy.withUTF8({ Self.parse(UnsafeBufferPointer(rebasing: $0[...])) }) else { return nil }
        self = parsed
    }

    /// Parses a date as `--since`/`--until` take it: RFC 3339, or a day `YYYY-MM-DD` (its
    /// midnight in UTC).
    public init?(day text: String) {
        if let exact = MicroTime(rfc3339: text) {
            self = exact
        } else if let midnight = MicroTime(rfc3339: text + "T00:00:00Z") {
            self = midnight
        } else {
            return nil
        }
    }

    /// Parses RFC 3339 from raw bytes (see ``init(rfc3339:)``).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> MicroTime? {
        let count = bytes.count
        guard count >= 20 else { return nil }
        func digits(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<(start + length) {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = digits(0, 4), bytes[4] == UInt8(ascii: "-"), let month = digits(5, 2), bytes[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"), let hour = digits(11, 2),
            bytes[13] == UInt8(ascii: ":"), let minute = digits(14, 2), bytes[16] == UInt8(ascii: ":"), let second = digits(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var micros = 0
        if index < count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100_000
            let start = index
            while index < count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                micros += Int(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard count - index == 6, let offsetHours = digits(index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
                let offsetMinutes = digits(index + 4, 2)
            else { return nil }
            offsetSeconds = (offsetHours * 60 + offsetMinutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == count else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return MicroTime(microseconds: seconds * 1_000_000 + Int64(micros))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day number (the inverse of ``daysFromCivil(year:month:day:)``).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func format(_ time: MicroTime, fraction: Bool) -> String {
        var seconds = time.microseconds / 1_000_000
        var micros = time.microseconds % 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let date = civil(fromDays: Int(days))
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        var text = "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T"
        text += "\(pad(Int(secondOfDay / 3600), 2)):\(pad(Int(secondOfDay / 60 % 60), 2)):\(pad(Int(secondOfDay % 60), 2))"
        if fraction { text += ".\(pad(Int(micros), 6))" }
        return text + "Z"
    }
}
