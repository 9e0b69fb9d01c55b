/// Writes ``JSONValue``s as block-style YAML that Warrant, kubectl and the API server read back
/// as the same value.
///
/// Strings are written plain when that is unambiguous under Kubernetes' YAML typing (so `"true"`,
/// `"8080"`, `"on"` and `"0755"` stay quoted), as literal blocks (`|`) when they span lines, and
/// double-quoted with escapes otherwise.
public enum YAMLWriter {
    /// The YAML text of one document, ending in a newline.
    public static func write(_ value: JSONValue) -> String {
        var output = ""
        switch value {
        case .object(let object) where !object.isEmpty:
            writeObject(object, indent: 0, into: &output)
        case .array(let array) where !array.isEmpty:
            writeArray(array, indent: 0, into: &output)
        default:
            writeScalar(value, indent: 0, into: &output)
            output += "\n"
        }
        return output
    }

    /// Several documents separated by `---` lines.
    public static func write(documents: [JSONValue]) -> String {
        documents.map { write($0) }.joined(separator: "---\n")
    }

    private static func spaces(_ count: Int) -> String { String(repeating: " ", count: count) }

    /// Writes the members of a non-empty object, the first one without indentation (the caller
    /// has positioned the cursor), the others at `indent`.
    private static func writeObject(_ object: JSONObject, indent: Int, into output: inout String) {
        var first = true
        for (key, value) in object {
            if !first { output += spaces(indent) }
            first = false
            writeKey(key, into: &output)
            output += ":"
            writeNested(value, indent: indent, isMappingValue: true, into: &output)
        }
    }

    private static func writeArray(_ array: [JSONValue], indent: Int, into output: inout String) {
        var first = true
        for element in array {
            if !first { output += spaces(indent) }
            first = false
            output += "-"
            switch element {
            case .object(let object) where !object.isEmpty:
                output += " "
                writeObject(object, indent: indent + 2, into: &output)
            case .array(let nested) where !nested.isEmpty:
                output += " "
                writeArray(nested, indent: indent + 2, into: &output)
            default:
                output += " "
                writeScalar(element, indent: indent + 2, into: &output)
                output += "\n"
            }
        }
    }

    /// Writes the value after `key:`: scalars on the same line, collections on the next lines.
    /// Lists under a key are written at the key's indentation, as kubectl does.
    private static func writeNested(_ value: JSONValue, indent: Int, isMappingValue: Bool, into output: inout String) {
        switch value {
        case .object(let object) where !object.isEmpty:
            output += "\n" + spaces(indent + 2)
            writeObject(object, indent: indent + 2, into: &output)
        case .array(let array) where !array.isEmpty:
            output += "\n" + spaces(indent)
            writeArray(array, indent: indent, into: &output)
        default:
            output += " "
            writeScalar(value, indent: indent + 2, into: &output)
            output += "\n"
        }
    }

    private static func writeKey(_ key: String, into output: inout String) {
        if isPlainSafe(key) && key != "<<" {
            output += key
        } else {
            writeDoubleQuoted(key, into: &output)
        }
    }

    private static func writeScalar(_ value: JSONValue, indent: Int, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let bool): output += bool ? "true" : "false"
        case .integer(let integer): output += String(integer)
        case .double(let double):
            if double.isNaN {
                output += ".nan"
            } else if double.isInfinite {
                output += double < 0 ? "-.inf" : ".inf"
            } else {
                output += "\(double)"
            }
        case .string(let string): writeString(string, indent: indent, into: &output)
        case .array: output += "[]"
        case .object: output += "{}"
        }
    }

    private static func writeString(_ string: String, indent: Int, into output: inout String) {
        if isPlainSafe(string) {
            output += string
        } else if let block = literalBlock(string, indent: indent) {
            output += block
        } else {
            writeDoubleQuoted(string, into: &output)
        }
    }

    /// A literal block scalar for a multi-line string whose content needs no escaping, else `nil`.
    private static func literalBlock(_ string: String, indent: Int) -> String? {
        guard string.contains("\n"), !string.hasPrefix("\n") else { return nil }
        for scalar in string.unicodeScalars {
            if scalar == "\n" { continue }
            if needsEscape(scalar) || scalar == "\t" || scalar == "\r" { return nil }
        }
        if string.first == " " { return nil }
        var body = Substring(string)
        var trailingNewlines = 0
        while body.last == "\n" {
            body = body.dropLast()
            trailingNewlines += 1
        }
        guard !body.isEmpty else { return nil }
        let chomping = trailingNewlines == 0 ? "-" : trailingNewlines == 1 ? "" : "+"
        var block = "|" + chomping
        let pad = spaces(indent)
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            block += "\n"
            if !line.isEmpty { block += pad + line }
        }
        if trailingNewlines > 1 { block += String(repeating: "\n", count: trailingNewlines - 1) }
        return block
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E: false
        case 0x09, 0x0A: false  // handled by callers
        case 0x00...0x1F, 0x7F, 0x80...0x9F, 0xFEFF, 0x2028, 0x2029, 0xD800...0xDFFF, 0xFFFE, 0xFFFF: true
        default: false
        }
    }

    /// Whether `string` can be written without quotes and read back as the same string.
    static func isPlainSafe(_ string: String) -> Bool {
        guard let first = string.unicodeScalars.first, let last = string.unicodeScalars.last else { return false }
        if first == " " || last == " " || last == ":" { return false }
        switch first {
        case "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`":
            return false
        case "-":
            let scalars = Array(string.unicodeScalars.prefix(3))
            if scalars.count == 1 || scalars[1] == " " { return false }
            if string.hasPrefix("---") { return false }
        case ".":
            if string.hasPrefix("...") { return false }
        default:
            break
        }
        var previous: Unicode.Scalar = " "
        for scalar in string.unicodeScalars {
            if scalar == "\n" || scalar == "\t" || scalar == "\r" || needsEscape(scalar) { return false }
            if scalar == "#" && previous == " " { return false }
            if scalar == " " && previous == ":" { return false }
            previous = scalar
        }
        return !ScalarResolver.needsQuoting(string)
    }

    private static func writeDoubleQuoted(_ string: String, into output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if needsEscape(scalar) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    output += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
