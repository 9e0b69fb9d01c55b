import KubeModel

/// JSON text written member by member into bytes, exactly as ``JSONWriter/write(_:indent:)``
/// writes the same value with an indent of 4, without building the value first: the reports of a
/// large cluster have tens of thousands of findings and over a hundred megabytes of JSON, written
/// in parts on every core.
struct JSONText {
    /// The text so far, UTF-8.
    var bytes: [UInt8] = []

    /// Appends `text` as it is.
    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends `text` as it is.
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `value` in decimal.
    mutating func append(_ value: Int) {
        append(String(value))
    }

    /// Appends `string` quoted and escaped as ``JSONWriter`` escapes it; runs of bytes that need
    /// no escaping are copied whole.
    mutating func appendQuoted(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                switch byte {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case UInt8(ascii: "\n"): append("\\n")
                case UInt8(ascii: "\r"): append("\\r")
                case UInt8(ascii: "\t"): append("\\t")
                case 0x08: append("\\b")
                case 0x0C: append("\\f")
                default:
                    append("\\u00")
                    if byte < 0x10 { append("0") }
                    append(String(byte, radix: 16))
                }
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A newline and the indentation of `level`.
    mutating func newline(level: Int) {
        let length = 1 + 4 * level
        if length <= Self.indentation.utf8CodeUnitCount {
            // A static string: no reference counting on this, the writer's most frequent call.
            Self.indentation.withUTF8Buffer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<length])) }
        } else {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 4 * level))
        }
    }

    /// A newline and the indentation of the first 12 levels.
    private static let indentation: StaticString = "\n                                                "

    /// Appends `value` at `level`, written by ``JSONWriter``.
    mutating func append(_ value: JSONValue, level: Int) {
        var text = ""
        JSONWriter.write(value, indent: 4, level: level, into: &text)
        append(text)
    }

    /// Writes the members of one object at `level` (its own nesting level), or on one line
    /// without spaces when `compact` (as ``JSONWriter`` writes with no indent).
    struct Object {
        let level: Int
        let compact: Bool
        private var first = true

        init(level: Int, compact: Bool = false) {
            self.level = level
            self.compact = compact
        }

        /// Starts the member `key`; its value is written next, at level `level + 1`.
        mutating func key(_ key: StaticString, into out: inout JSONText) {
            out.bytes.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            if !compact { out.newline(level: level + 1) }
            out.bytes.append(UInt8(ascii: "\""))
            out.append(key)
            out.append(compact ? "\":" : "\": ")
        }

        /// A string member.
        mutating func string(_ key: StaticString, _ value: String, into out: inout JSONText) {
            self.key(key, into: &out)
            out.appendQuoted(value)
        }

        /// A string member, `null` when `value` is `nil`.
        mutating func optionalString(_ key: StaticString, _ value: String?, into out: inout JSONText) {
            self.key(key, into: &out)
            if let value { out.appendQuoted(value) } else { out.append("null") }
        }

        /// A Boolean member.
        mutating func bool(_ key: StaticString, _ value: Bool, into out: inout JSONText) {
            self.key(key, into: &out)
            out.append(value ? "true" : "false")
        }

        /// An integer member.
        mutating func integer(_ key: StaticString, _ value: Int, into out: inout JSONText) {
            self.key(key, into: &out)
            out.append(value)
        }

        /// A member whose value is `value`.
        mutating func value(_ key: StaticString, _ value: JSONValue, into out: inout JSONText) {
            self.key(key, into: &out)
            out.append(value, level: level + 1)
        }

        /// A member whose value is a list of strings.
        mutating func strings(_ key: StaticString, _ values: [String], into out: inout JSONText) {
            array(key, values, into: &out) { value, _, out in out.appendQuoted(value) }
        }

        /// A member whose value is a list of `items`, each written by `element` at level `level + 2`.
        mutating func array<Item>(_ key: StaticString, _ items: [Item], into out: inout JSONText, _ element: (borrowing Item, Int, inout JSONText) -> Void) {
            self.key(key, into: &out)
            out.array(items, level: level + 1, element)
        }

        /// Ends the object.
        func close(into out: inout JSONText) {
            if first {
                out.append("{}")
            } else {
                if !compact { out.newline(level: level) }
                out.bytes.append(UInt8(ascii: "}"))
            }
        }
    }

    /// A list at `level` of `items`, each written by `element` at level `level + 1` (read in
    /// place, not copied).
    mutating func array<Item>(_ items: [Item], level: Int, _ element: (borrowing Item, Int, inout JSONText) -> Void) {
        guard !items.isEmpty else {
            append("[]")
            return
        }
        bytes.append(UInt8(ascii: "["))
        items.withUnsafeBufferPointer { items in
            for index in items.indices {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level: level + 1)
                element(items[index], level + 1, &self)
            }
        }
        newline(level: level)
        bytes.append(UInt8(ascii: "]"))
    }

    /// The text, as a string (the bytes are UTF-8: every string appended is).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// A list at `level` of `items`, written by `element` (at level `level + 1`), handed to `emit`
    /// piece by piece: the elements in batches, each batch in parts on every core, so that only
    /// one batch's text is held at a time.
    static func streamArray<Item: Sendable>(
        _ items: [Item], level: Int, emit: (String) -> Void, _ element: @Sendable (borrowing Item, Int, inout JSONText) -> Void
    ) {
        guard !items.isEmpty else {
            emit("[]")
            return
        }
        emit("[")
        var start = 0
        while start < items.count {
            let end = min(items.count, start + batchSize)
            let base = start
            let parts = ParallelChunks.map(end - start, minimumLength: 256) { range in
                var out = JSONText()
                out.bytes.reserveCapacity(1 << 16)
                items.withUnsafeBufferPointer { items in
                    for offset in range {
                        let index = base + offset
                        if index > 0 { out.bytes.append(UInt8(ascii: ",")) }
                        out.newline(level: level + 1)
                        element(items[index], level + 1, &out)
                    }
                }
                return out.text
            }
            for part in parts { emit(part) }
            start = end
        }
        var end = JSONText()
        end.newline(level: level)
        end.append("]")
        emit(end.text)
    }

    /// Elements written between two hand-overs.
    static let batchSize = 2_048

    /// The text `write` hands over piece by piece, joined once.
    static func collect(_ write: ((String) -> Void) -> Void) -> String {
        var parts: [String] = []
        write { parts.append($0) }
        var text = ""
        text.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count })
        for part in parts { text += part }
        return text
    }
}
