/// A span of bytes in one line: a JSON string's contents (without quotes) or a number.
struct ByteSpan: Sendable {
    /// Offset of the first byte.
    var start: Int
    /// Offset after the last byte.
    var end: Int
    /// Whether the string holds a backslash escape (then it must be unescaped to read it).
    var escaped: Bool

    var count: Int { end - start }
}

/// Why a line is not the JSON it should be, with the 1-based column.
struct ScanError: Error, Sendable {
    var column: Int
    var message: String
}

/// A forward-only JSON scanner over one line of bytes, for reading a few members of a large
/// object quickly: members that are not asked for are skipped without building any value.
///
/// Skipped values are checked only for their nesting and string quoting; the members that are
/// read are checked in full.
struct JSONLineScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index >= bytes.count }

    func error(_ message: String) -> ScanError { ScanError(column: index + 1, message: message) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
            index += 1
        }
    }

    /// The next non-blank byte, not consumed; `nil` at the end.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(ScanError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else {
            throw error(index < bytes.count ? "expected \(what), found '\(Self.printable(bytes[index]))'" : "expected \(what), found the end of the line")
        }
        index += 1
    }

    /// A string at the cursor; returns the span of its contents.
    mutating func string() throws(ScanError) -> ByteSpan {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string") }
        index += 1
        let start = index
        var escaped = false
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let span = ByteSpan(start: start, end: index, escaped: escaped)
                index += 1
                return span
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            index += 1
        }
        index = start - 1
        throw error("a string is not closed")
    }

    /// A string or `null` (then `nil`).
    mutating func optionalString() throws(ScanError) -> ByteSpan? {
        if peek() == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        return try string()
    }

    /// An integer (`responseStatus.code`).
    mutating func integer() throws(ScanError) -> Int {
        skipWhitespace()
        var value = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index > start, index - start <= 18 else { throw error("expected an integer") }
        // A fraction or exponent: not an integer status code, but valid JSON; skip it.
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                index += 1
                continue
            default:
                break
            }
            break
        }
        return negative ? -value : value
    }

    mutating func literal(_ text: StaticString) throws(ScanError) {
        skipWhitespace()
        let length = text.utf8CodeUnitCount
        guard index + length <= bytes.count else { throw error("expected \(text)") }
        let pointer = text.utf8Start
        for offset in 0..<length where bytes[index + offset] != pointer[offset] { throw error("expected \(text)") }
        index += length
    }

    /// Skips one value of any type.
    mutating func skipValue() throws(ScanError) {
        skipWhitespace()
        guard index < bytes.count else { throw error("expected a value, found the end of the line") }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipNested()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                guard
                    (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                        || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                else { break }
                index += 1
            }
            if index == start + 1 && bytes[start] == UInt8(ascii: "-") { throw error("expected a number") }
        default:
            throw error("expected a value, found '\(Self.printable(bytes[index]))'")
        }
    }

    /// Skips an object or array, following strings so that brackets inside them do not count.
    private mutating func skipNested() throws(ScanError) {
        let start = index
        var depth = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                _ = try string()
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > 512 { throw error("nested more than 512 levels deep") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    index += 1
                    return
                }
            default:
                break
            }
            index += 1
        }
        index = start
        throw error("an object or array is not closed")
    }

    /// Reads an object, calling `member` with each key's span; `member` must consume the value
    /// (read it or ``skipValue()``).
    mutating func object(_ member: (inout JSONLineScanner, ByteSpan) throws(ScanError) -> Void) throws(ScanError) {
        try expect(UInt8(ascii: "{"), "'{'")
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"), "':'")
            try member(&self, key)
            skipWhitespace()
            guard index < bytes.count else { throw error("an object is not closed") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            throw error("expected ',' or '}', found '\(Self.printable(bytes[index]))'")
        }
    }

    /// Reads an array, calling `element` for each value; `element` must consume it.
    mutating func array(_ element: (inout JSONLineScanner) throws(ScanError) -> Void) throws(ScanError) {
        try expect(UInt8(ascii: "["), "'['")
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            guard index < bytes.count else { throw error("an array is not closed") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            throw error("expected ',' or ']', found '\(Self.printable(bytes[index]))'")
        }
    }

    /// Whether `span` holds exactly `literal` (compared as raw bytes: keys and the values
    /// compared this way never need escapes).
    func matches(_ span: ByteSpan, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard span.end - span.start == length, !span.escaped else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<length where bytes[span.start + offset] != pointer[offset] { return false }
        return true
    }

    /// Whether `span` holds exactly `other`'s bytes.
    func matches(_ span: ByteSpan, _ other: [UInt8]) -> Bool {
        guard span.end - span.start == other.count, !span.escaped else { return false }
        for offset in 0..<other.count where bytes[span.start + offset] != other[offset] { return false }
        return true
    }

    /// The string in `span`, unescaped.
    func text(_ span: ByteSpan) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[span.start..<span.end])
        guard span.escaped else { return String(decoding: slice, as: UTF8.self) }
        return Self.unescape(slice)
    }

    /// Decodes JSON string escapes (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX`
    /// with surrogate pairs); a malformed escape is kept as written.
    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = bytes[at + offset]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: return nil
                }
                value = value << 4 | digit
            }
            return value
        }
        func append(_ scalar: UInt32) {
            let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            output.append(contentsOf: Array(String(character).utf8))
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            let next = bytes[index + 1]
            index += 2
            switch next {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                guard let high = hex(index) else {
                    output.append(contentsOf: [UInt8(ascii: "\\"), next])
                    continue
                }
                index += 4
                if (0xD800..<0xDC00).contains(high), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u"), let low = hex(index + 2), (0xDC00..<0xE000).contains(low)
                {
                    index += 6
                    append(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                } else {
                    append(high)
                }
            default:
                output.append(next)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func printable(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "byte 0x" + String(byte, radix: 16)
    }
}
