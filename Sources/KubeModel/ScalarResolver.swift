/// Turns untagged plain YAML scalars into typed values the way Kubernetes does.
///
/// kubectl and kube-apiserver read YAML through sigs.k8s.io/yaml, which uses go-yaml v2's
/// resolver (`gopkg.in/yaml.v2/resolve.go`): YAML 1.1 booleans including `yes`/`no`/`on`/`off`/`y`/`n`,
/// `~`/`null`/empty as null, integers through Go's `strconv.ParseInt(s, 0, 64)` after removing
/// `_` (so `0x1F`, `0o17`, `0b101` and a leading-zero `0755` are integers), and floats matching
/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` plus `.inf`/`.nan`. Quoted scalars are always strings.
/// Matching this matters: `enabled: yes` is a Boolean to the API server and a label value `on`
/// is rejected by it, so Warrant must see the same types.
///
/// Numbers JSON cannot carry are errors, never silently changed: `.inf`, `.nan` and a float beyond
/// the 64-bit range (`1e400`) — kubectl refuses the first two ("json: unsupported value: +Inf")
/// and would send the third as a string — and an integer beyond the 64-bit range, which go-yaml
/// reads as a uint64 or a float and kube-apiserver's server-side apply then wraps (a Deployment
/// applied with `replicas: 99999999999999999999` gets 0 replicas; checked on kube-apiserver 1.36).
/// Prefixed integers beyond even the unsigned range stay strings, as in go-yaml.
enum ScalarResolver {
    /// A plain scalar that reads as a number Kubernetes cannot take.
    struct InvalidNumber: Error, Sendable {
        /// What is wrong, naming the text.
        var message: String
        /// What to do.
        var hint: String
    }

    /// The typed value of a plain (unquoted, untagged) scalar.
    ///
    /// - Throws: ``InvalidNumber`` for `.inf`, `.nan` and numbers beyond the 64-bit ranges.
    static func resolve(plain text: String) throws(InvalidNumber) -> JSONValue {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            if text == "~" || text == "null" || text == "Null" || text == "NULL" { return .null }
            if text == "n" || text == "N" || text == "no" || text == "No" || text == "NO" { return .bool(false) }
        case UInt8(ascii: "y"), UInt8(ascii: "Y"):
            if text == "y" || text == "Y" || text == "yes" || text == "Yes" || text == "YES" { return .bool(true) }
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if text == "true" || text == "True" || text == "TRUE" { return .bool(true) }
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if text == "false" || text == "False" || text == "FALSE" { return .bool(false) }
        case UInt8(ascii: "o"), UInt8(ascii: "O"):
            if text == "on" || text == "On" || text == "ON" { return .bool(true) }
            if text == "off" || text == "Off" || text == "OFF" { return .bool(false) }
        case UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try resolveNumber(text) ?? .string(text)
        default:
            break
        }
        return .string(text)
    }

    /// Whether a string would load back as something other than that string when written plain.
    static func needsQuoting(_ text: String) -> Bool {
        guard let value = try? resolve(plain: text) else { return true }
        if case .string = value { return false }
        return true
    }

    private static func resolveNumber(_ text: String) throws(InvalidNumber) -> JSONValue? {
        switch text {
        case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
            throw InvalidNumber(
                message: "'\(text)' is not a number JSON can carry (Kubernetes objects are JSON, which has no infinity or NaN)",
                hint: "write a finite number, or quote the value if it is text")
        default: break
        }
        switch parseGoInteger(text.replacing("_", with: "")) {
        case .integer(let integer): return .integer(integer)
        case .outOfRange:
            throw InvalidNumber(
                message: "the integer \(text) is beyond the 64-bit range Kubernetes reads (-9223372036854775808 to 9223372036854775807)",
                hint: "Kubernetes integer fields hold at most 64 bits (most hold 32); quote the value if it is text")
        case .notInteger: break
        }
        if isYAMLFloat(text), let value = Double(text) {
            guard value.isFinite else {
                throw InvalidNumber(
                    message: "the number \(text) is beyond the range of a 64-bit float",
                    hint: "write a smaller number, or quote the value if it is text")
            }
            return .double(value)
        }
        return nil
    }

    /// What `strconv.ParseInt(s, 0, 64)` (and, where it fails, `ParseUint`) make of a scalar.
    enum GoInteger: Equatable {
        /// It fits 64 signed bits.
        case integer(Int64)
        /// It is written as an integer but does not fit 64 signed bits.
        case outOfRange
        /// It is not an integer (go-yaml then tries a float, else keeps the string).
        case notInteger
    }

    /// `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes, a leading `0`
    /// for octal, else decimal. Beyond 64 bits: decimal and leading-zero octal numbers, and
    /// unsigned prefixed ones up to 2^64-1 (go-yaml's uint64), are out of range; signed or larger
    /// prefixed ones are no integer (go-yaml keeps them as strings).
    static func parseGoInteger(_ text: String) -> GoInteger {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return .notInteger }
        let signed = text.first == "+" || text.first == "-"
        var radix = 10
        var prefixed = true
        let lower = digits.lowercased()
        if lower.hasPrefix("0x") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            radix = 8
            digits = digits.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            radix = 2
            digits = digits.dropFirst(2)
        } else if digits.count > 1, digits.first == "0" {
            radix = 8
            prefixed = false
            digits = digits.dropFirst()
        } else {
            prefixed = false
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.hexDigitValue.map { $0 < radix } == true }) else { return .notInteger }
        guard let magnitude = UInt64(digits, radix: radix) else {
            // More than 64 bits of digits.
            return prefixed ? .notInteger : .outOfRange
        }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return .integer(Int64.min) }
            guard magnitude <= UInt64(Int64.max) else { return prefixed ? .notInteger : .outOfRange }
            return .integer(-Int64(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { return prefixed && signed ? .notInteger : .outOfRange }
        return .integer(Int64(magnitude))
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, go-yaml v2's float pattern.
    static func isYAMLFloat(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func skipDigits() -> Int {
            var count = 0
            while let byte = bytes.first, isDigit(byte) {
                bytes = bytes.dropFirst()
                count += 1
            }
            return count
        }
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard skipDigits() > 0 else { return false }
        } else {
            guard skipDigits() > 0 else { return false }
            if bytes.first == UInt8(ascii: ".") {
                bytes = bytes.dropFirst()
                _ = skipDigits()
            }
        }
        if let exponent = bytes.first, exponent == UInt8(ascii: "e") || exponent == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard skipDigits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
