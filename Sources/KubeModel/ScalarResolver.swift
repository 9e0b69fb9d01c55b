/// Turns untagged plain YAML scalars into typed values the way Kubernetes does.
///
/// kubectl and kube-apiserver read YAML through sigs.k8s.io/yaml, which uses go-yaml v2's
/// resolver (`gopkg.in/yaml.v2/resolve.go`): YAML 1.1 booleans including `yes`/`no`/`on`/`off`/`y`/`n`,
/// `~`/`null`/empty as null, integers through Go's `strconv.ParseInt(s, 0, 64)` after removing
/// `_` (so `0x1F`, `0o17`, `0b101` and a leading-zero `0755` are integers), and floats matching
/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` plus `.inf`/`.nan`. Quoted scalars are always strings.
/// Matching this matters: `enabled: yes` is a Boolean to the API server and a label value `on`
/// is rejected by it, so Warrant must see the same types.
enum ScalarResolver {
    /// The typed value of a plain (unquoted, untagged) scalar.
    static func resolve(plain text: String) -> JSONValue {
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
            return resolveNumber(text) ?? .string(text)
        default:
            break
        }
        return .string(text)
    }

    /// Whether a string would load back as something other than that string when written plain.
    static func needsQuoting(_ text: String) -> Bool {
        if case .string = resolve(plain: text) { return false }
        return true
    }

    private static func resolveNumber(_ text: String) -> JSONValue? {
        switch text {
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        default: break
        }
        if let integer = parseGoInteger(text.replacing("_", with: "")) { return .integer(integer) }
        if isYAMLFloat(text), let value = Double(text) { return .double(value) }
        return nil
    }

    /// `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes, a leading `0` for octal, else decimal.
    static func parseGoInteger(_ text: String) -> Int64? {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var radix = 10
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
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, let magnitude = UInt64(digits, radix: radix) else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
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
