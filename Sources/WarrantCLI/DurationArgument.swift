import ArgumentParser

/// A duration given on the command line, in kubectl's notation (Go's `time.ParseDuration`):
/// `90s`, `5m`, `1h30m`, `1.5s`, `500ms`; where the flag allows it, a bare integer is seconds and
/// `0` means none (as kubectl's `--request-timeout`).
///
/// Parsing never overflows: a value beyond the flag's bounds is an error that names the flag, the
/// bound and the value; a negative value is named as such.
struct DurationArgument: Sendable, Hashable, CustomStringConvertible {
    /// The duration.
    var duration: Duration

    /// Whole seconds, rounded up (a bound of at least one second keeps this above zero).
    var seconds: Int {
        let (whole, fraction) = duration.components
        return Int(whole) + (fraction > 0 ? 1 : 0)
    }

    /// `1h30m`, `90s`, `500ms`: the shortest exact form, in units kubectl and Warrant both read.
    var description: String {
        let nanoseconds = Self.nanoseconds(duration)
        if nanoseconds == 0 { return "0s" }
        if nanoseconds % 1_000_000_000 != 0 { return "\(nanoseconds / 1_000_000)ms" }
        var seconds = nanoseconds / 1_000_000_000
        var text = ""
        if seconds >= 3600 {
            text += "\(seconds / 3600)h"
            seconds %= 3600
        }
        if seconds >= 60 {
            text += "\(seconds / 60)m"
            seconds %= 60
        }
        if seconds > 0 { text += "\(seconds)s" }
        return text
    }

    /// The largest duration accepted by any flag: the parse stops before Int64 nanoseconds overflow.
    static let ceiling: Duration = .seconds(Int64.max / 1_000_000_000)

    /// Why a value was refused.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// A transform for `@Option(transform:)`: the value parsed and bounded; a refusal is reported by
    /// ArgumentParser with the flag's name (exit 2).
    static func option(
        in range: ClosedRange<Duration>, bareSeconds: Bool = false, allowsZero: Bool = false
    )
        -> @Sendable (String) throws
        -> DurationArgument
    {
        { text in
            do {
                return try parse(text, in: range, bareSeconds: bareSeconds, allowsZero: allowsZero)
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    /// Parses `text` and checks it against `range`.
    ///
    /// - Parameters:
    ///   - bareSeconds: whether a number without a unit is seconds (kubectl's `--request-timeout`).
    ///   - allowsZero: whether `0` is accepted below the range's lower bound (meaning "none").
    static func parse(
        _ text: String, in range: ClosedRange<Duration>, bareSeconds: Bool = false, allowsZero: Bool = false
    ) throws(Problem)
        -> DurationArgument
    {
        let trimmed = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        if trimmed.hasPrefix("-") {
            throw Problem(description: "'\(text)' is negative; give a duration such as \(range.lowerBound.example)")
        }
        let nanoseconds: Int64
        if bareSeconds, !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let seconds = Int64(trimmed), seconds <= Int64.max / 1_000_000_000 else {
                throw Problem(description: "'\(text)' is too long: at most \(DurationArgument(duration: range.upperBound))")
            }
            nanoseconds = seconds * 1_000_000_000
        } else {
            nanoseconds = try goDuration(trimmed, original: text, range: range)
        }
        let value = DurationArgument(duration: .nanoseconds(nanoseconds))
        if nanoseconds == 0 && allowsZero { return value }
        if value.duration < range.lowerBound {
            throw Problem(description: "'\(text)' is too short: at least \(DurationArgument(duration: range.lowerBound))")
        }
        if value.duration > range.upperBound {
            throw Problem(description: "'\(text)' is too long: at most \(DurationArgument(duration: range.upperBound))")
        }
        return value
    }

    /// Go's duration syntax: `[+]` then one or more `number[.fraction]unit` with units ns, us, µs,
    /// ms, s, m, h; `0` alone. Checked arithmetic: an overflow is "too long".
    private static func goDuration(_ text: String, original: String, range: ClosedRange<Duration>) throws(Problem) -> Int64 {
        let invalid = Problem(description: "'\(original)' is not a duration such as 90s, 5m or 1h30m")
        let tooLong = Problem(description: "'\(original)' is too long: at most \(DurationArgument(duration: range.upperBound))")
        var rest = Substring(text)
        if rest.first == "+" { rest = rest.dropFirst() }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { throw invalid }
        var total: Int64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { throw invalid }
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unitText.count)
            let unit: Int64
            switch unitText {
            case "ns": unit = 1
            case "us", "µs", "μs": unit = 1_000
            case "ms": unit = 1_000_000
            case "s": unit = 1_000_000_000
            case "m": unit = 60_000_000_000
            case "h": unit = 3_600_000_000_000
            default: throw invalid
            }
            // Digits beyond 19 cannot fit; leading zeros are harmless.
            let digits = whole.drop { $0 == "0" }
            guard digits.count <= 19, let integer = digits.isEmpty ? 0 : Int64(digits) else { throw tooLong }
            let (scaled, overflow) = integer.multipliedReportingOverflow(by: unit)
            guard !overflow else { throw tooLong }
            var fractional: Int64 = 0
            var scale = unit
            for digit in fraction.prefix(18) {
                scale /= 10
                guard scale > 0 else { break }
                fractional += Int64(digit.wholeNumberValue ?? 0) * scale
            }
            let (sum, sumOverflow) = total.addingReportingOverflow(scaled)
            guard !sumOverflow else { throw tooLong }
            let (next, nextOverflow) = sum.addingReportingOverflow(fractional)
            guard !nextOverflow else { throw tooLong }
            total = next
        }
        return total
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension Duration {
    /// A short example of a duration at least this long, for messages.
    fileprivate var example: String { DurationArgument(duration: max(self, .seconds(1))).description }
}
