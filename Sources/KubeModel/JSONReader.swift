/// Reads a stream of JSON values (one or more, separated by white space, as kubectl accepts) into
/// ``ParsedDocument``s, keeping key order and line numbers.
struct JSONReader {
    let file: String
    let limits: ManifestLimits
    /// The number of lines before `bytes` in the input they come from, added to every line.
    var lineOffset = 0

    /// Parses `bytes` and hands each top-level value to `body`, in order.
    func read(_ bytes: [UInt8], _ body: (ParsedDocument) throws -> Void) throws {
        if let line = NestingPrescan.lineExceedingLimit(in: bytes) {
            throw ManifestError(
                .tooDeep, at: SourceLocation(file: file, line: line + lineOffset),
                "nesting is deeper than \(limits.maximumDepth) levels",
                hint: "Kubernetes manifests are never this deep; check for runaway brackets")
        }
        try LargeStack.run {
            try bytes.withUnsafeBufferPointer { buffer in
                var parser = Parser(bytes: buffer, file: file, maximumDepth: limits.maximumDepth)
                parser.line += lineOffset
                while true {
                    parser.skipWhitespace()
                    guard !parser.atEnd else { break }
                    parser.lines = [:]
                    let line = parser.line
                    let value = try parser.parseValue(depth: 0, path: [])
                    let lines = parser.lines
                    var listLines: [String: [Int]] = [:]
                    if let elements = value.arrayValue {
                        listLines[""] = elements.indices.map { lines[Parser.key([String($0)])] ?? line }
                    }
                    for (key, member) in value.objectValue ?? JSONObject() {
                        guard let elements = member.arrayValue else { continue }
                        listLines[key] = elements.indices.map { lines[Parser.key([key, String($0)])] ?? line }
                    }
                    try body(
                        ParsedDocument(value: value, line: line, listLines: listLines) { path in
                            lines[Parser.key(path)]
                        })
                }
            }
        }
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        let file: String
        let maximumDepth: Int
        var position = 0
        var line = 1
        /// Lines of values up to a few levels deep, for error messages.
        var lines: [String: Int] = [:]
        static let recordedDepth = 5

        init(bytes: UnsafeBufferPointer<UInt8>, file: String, maximumDepth: Int) {
            self.bytes = bytes
            self.file = file
            self.maximumDepth = maximumDepth
        }

        static func key(_ path: [String]) -> String { path.joined(separator: "\u{0}") }

        var atEnd: Bool { position >= bytes.count }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\n"): line += 1
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): break
                default: return
                }
                position += 1
            }
        }

        func error(_ message: String, hint: String? = nil) -> ManifestError {
            ManifestError(
                .syntax, at: SourceLocation(file: file, line: line), "JSON syntax error: \(message)",
                hint: hint ?? "check the commas, quotes and brackets on this line and the one before")
        }

        private func describeCurrent() -> String {
            guard position < bytes.count else { return "the end of the file" }
            let byte = bytes[position]
            if byte >= 0x20 && byte < 0x7f { return "'\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x\(String(byte, radix: 16))"
        }

        mutating func parseValue(depth: Int, path: [String]) throws -> JSONValue {
            if depth > maximumDepth {
                throw ManifestError(
                    .tooDeep, at: SourceLocation(file: file, line: line),
                    "nesting is deeper than \(maximumDepth) levels",
                    hint: "Kubernetes manifests are never this deep; check for runaway brackets")
            }
            skipWhitespace()
            if path.count <= Self.recordedDepth { lines[Self.key(path)] = line }
            guard position < bytes.count else { throw error("unexpected end of file, expected a value") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                var object = JSONObject()
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return .object(object)
                }
                while true {
                    skipWhitespace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw error("expected a quoted key, found \(describeCurrent())")
                    }
                    let keyLine = line
                    let key = try parseString()
                    if object.contains(key) {
                        throw ManifestError(
                            .syntax, at: SourceLocation(file: file, line: keyLine),
                            "duplicate key '\(key)' in an object",
                            hint: "each key may appear once per object; remove or merge the repeated one")
                    }
                    skipWhitespace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                        throw error("expected ':' after key '\(key)', found \(describeCurrent())")
                    }
                    position += 1
                    let value = try parseValue(depth: depth + 1, path: path.count < Self.recordedDepth ? path + [key] : path)
                    object.appendUnchecked(key, value)
                    skipWhitespace()
                    guard position < bytes.count else { throw error("unexpected end of file, expected ',' or '}'") }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    if bytes[position] == UInt8(ascii: "}") {
                        position += 1
                        return .object(object)
                    }
                    throw error("expected ',' or '}', found \(describeCurrent())")
                }
            case UInt8(ascii: "["):
                position += 1
                var elements: [JSONValue] = []
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(elements)
                }
                while true {
                    let childPath = path.count < Self.recordedDepth ? path + [String(elements.count)] : path
                    elements.append(try parseValue(depth: depth + 1, path: childPath))
                    skipWhitespace()
                    guard position < bytes.count else { throw error("unexpected end of file, expected ',' or ']'") }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    if bytes[position] == UInt8(ascii: "]") {
                        position += 1
                        return .array(elements)
                    }
                    throw error("expected ',' or ']', found \(describeCurrent())")
                }
            case UInt8(ascii: "\""):
                return .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try parseNumber()
            default:
                throw error("expected a value, found \(describeCurrent())")
            }
        }

        private mutating func expectLiteral(_ literal: StaticString) throws {
            let count = literal.utf8CodeUnitCount
            guard position + count <= bytes.count else { throw error("unexpected end of file") }
            for offset in 0..<count where bytes[position + offset] != literal.utf8Start[offset] {
                throw error("expected '\(literal)', found \(describeCurrent())")
            }
            position += count
        }

        private mutating func parseNumber() throws -> JSONValue {
            let start = position
            var isInteger = true
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            func digits(_ parser: inout Parser) -> Int {
                var count = 0
                while parser.position < parser.bytes.count,
                    parser.bytes[parser.position] >= UInt8(ascii: "0"), parser.bytes[parser.position] <= UInt8(ascii: "9")
                {
                    parser.position += 1
                    count += 1
                }
                return count
            }
            let integerDigits = digits(&self)
            guard integerDigits > 0 else { throw error("a number needs digits") }
            if integerDigits > 1, bytes[position - integerDigits] == UInt8(ascii: "0") {
                throw error("a number may not start with 0", hint: "write the number without leading zeros, or quote it")
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                isInteger = false
                position += 1
                guard digits(&self) > 0 else { throw error("a decimal point must be followed by digits") }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                isInteger = false
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                    position += 1
                }
                guard digits(&self) > 0 else { throw error("an exponent must have digits") }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            if isInteger {
                // An integer beyond 64 bits would be read as a float by Kubernetes' decoders and
                // then wrapped by server-side apply (see ScalarResolver).
                guard let integer = Int64(text) else {
                    throw ManifestError(
                        .invalidNumber, at: SourceLocation(file: file, line: line),
                        "the integer \(text) is beyond the 64-bit range Kubernetes reads (-9223372036854775808 to 9223372036854775807)",
                        hint: "Kubernetes integer fields hold at most 64 bits (most hold 32); quote the value if it is text")
                }
                return .integer(integer)
            }
            guard let double = Double(text) else { throw error("'\(text)' is not a number") }
            guard double.isFinite else {
                throw ManifestError(
                    .invalidNumber, at: SourceLocation(file: file, line: line), "the number \(text) is beyond the range of a 64-bit float",
                    hint: "write a smaller number, or quote the value if it is text")
            }
            return .double(double)
        }

        private mutating func parseString() throws -> String {
            position += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var runStart = position
            var result = ""
            func flushRun(_ parser: Parser, into result: inout String) {
                if runStart < parser.position {
                    result += String(decoding: UnsafeBufferPointer(rebasing: parser.bytes[runStart..<parser.position]), as: UTF8.self)
                }
            }
            while true {
                guard position < bytes.count else { throw error("unterminated string", hint: "close the string with '\"'") }
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    flushRun(self, into: &result)
                    position += 1
                    return result
                }
                if byte == UInt8(ascii: "\n") {
                    throw error(
                        "unterminated string (a line break inside a string)",
                        hint: "close the string with '\"' on the same line, or write the line break as \\n")
                }
                if byte < 0x20 {
                    throw error("control character in a string", hint: "escape it (\\n, \\t, \\u00XX)")
                }
                guard byte == UInt8(ascii: "\\") else {
                    position += 1
                    continue
                }
                flushRun(self, into: &result)
                position += 1
                guard position < bytes.count else { throw error("unterminated escape") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): result += "\""
                case UInt8(ascii: "\\"): result += "\\"
                case UInt8(ascii: "/"): result += "/"
                case UInt8(ascii: "b"): result += "\u{8}"
                case UInt8(ascii: "f"): result += "\u{c}"
                case UInt8(ascii: "n"): result += "\n"
                case UInt8(ascii: "r"): result += "\r"
                case UInt8(ascii: "t"): result += "\t"
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                            bytes[position + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired UTF-16 surrogate in \\u escape") }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid UTF-16 surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    scalars.removeAll(keepingCapacity: true)
                    scalars.append(scalar)
                    result += String(scalars)
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
                runStart = position
            }
        }

        private mutating func parseHex4() throws -> UInt32 {
            guard position + 4 <= bytes.count else { throw error("incomplete \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("invalid hex digit in \\u escape")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }
    }
}
