/// Writes ``JSONValue``s as JSON text, keeping key order.
public enum JSONWriter {
    /// The JSON text of `value`: indented with `indent` spaces per level (kubectl uses 4), or
    /// compact on one line when `indent` is 0. Non-finite numbers, which JSON cannot express, are
    /// written as `null`.
    public static func write(_ value: JSONValue, indent: Int = 4) -> String {
        var output = ""
        write(value, indent: indent, level: 0, into: &output)
        return output
    }

    package static func write(_ value: JSONValue, indent: Int, level: Int, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let bool): output += bool ? "true" : "false"
        case .integer(let integer): output += String(integer)
        case .double(let double): output += double.isFinite ? "\(double)" : "null"
        case .string(let string): writeString(string, into: &output)
        case .array(let elements):
            guard !elements.isEmpty else {
                output += "[]"
                return
            }
            output += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output += "," }
                newline(indent: indent, level: level + 1, into: &output)
                write(element, indent: indent, level: level + 1, into: &output)
            }
            newline(indent: indent, level: level, into: &output)
            output += "]"
        case .object(let object):
            guard !object.isEmpty else {
                output += "{}"
                return
            }
            output += "{"
            var first = true
            for (key, member) in object {
                if !first { output += "," }
                first = false
                newline(indent: indent, level: level + 1, into: &output)
                writeString(key, into: &output)
                output += indent > 0 ? ": " : ":"
                write(member, indent: indent, level: level + 1, into: &output)
            }
            newline(indent: indent, level: level, into: &output)
            output += "}"
        }
    }

    /// Newline-plus-indentation strings for the first levels, so that deep documents do not build
    /// a new padding string per line.
    private static let newlines: [String] = (0..<32).map { "\n" + String(repeating: " ", count: $0) }

    private static func newline(indent: Int, level: Int, into output: inout String) {
        guard indent > 0 else { return }
        let width = indent * level
        if width < newlines.count {
            output += newlines[width]
        } else {
            output += "\n"
            output += String(repeating: " ", count: width)
        }
    }

    /// Writes a quoted, escaped JSON string. Runs of bytes that need no escaping are copied
    /// whole (every byte that needs it is ASCII, so UTF-8 is never split).
    package static func writeString(_ string: String, into output: inout String) {
        output += "\""
        let utf8 = string.utf8
        var runStart = utf8.startIndex
        var index = runStart
        while index != utf8.endIndex {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                utf8.formIndex(after: &index)
                continue
            }
            if runStart != index { output += string[runStart..<index] }
            switch byte {
            case UInt8(ascii: "\""): output += "\\\""
            case UInt8(ascii: "\\"): output += "\\\\"
            case UInt8(ascii: "\n"): output += "\\n"
            case UInt8(ascii: "\r"): output += "\\r"
            case UInt8(ascii: "\t"): output += "\\t"
            case 0x08: output += "\\b"
            case 0x0C: output += "\\f"
            default:
                output += "\\u00"
                output += byte < 0x10 ? "0" : ""
                output += String(byte, radix: 16)
            }
            utf8.formIndex(after: &index)
            runStart = index
        }
        if runStart != utf8.endIndex { output += string[runStart..<utf8.endIndex] }
        output += "\""
    }

    /// A scalar as a user would type it (`true`, `8080`, `text`), for hints; collections as compact JSON.
    public static func plainText(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): string
        case .integer(let integer): String(integer)
        case .double(let double): "\(double)"
        case .bool(let bool): bool ? "true" : "false"
        case .null: "null"
        default: write(value, indent: 0)
        }
    }
}
