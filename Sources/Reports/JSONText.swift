import KubeModel

/// JSON text written member by member, exactly as ``JSONWriter/write(_:indent:)`` writes the
/// same value with an indent of 4, without building the value first: the reports of a large
/// cluster have tens of thousands of findings, written in parts on every core.
struct JSONText {
    /// Writes the members of one object at `level` (its own nesting level).
    struct Object {
        let level: Int
        private var first = true

        init(level: Int) {
            self.level = level
        }

        /// Starts the member `key`; its value is written next, at level `level + 1`.
        mutating func key(_ key: String, into out: inout String) {
            out += first ? "{" : ","
            first = false
            JSONText.newline(level: level + 1, into: &out)
            JSONWriter.writeString(key, into: &out)
            out += ": "
        }

        /// A string member.
        mutating func string(_ key: String, _ value: String, into out: inout String) {
            self.key(key, into: &out)
            JSONWriter.writeString(value, into: &out)
        }

        /// A string member, `null` when `value` is `nil`.
        mutating func optionalString(_ key: String, _ value: String?, into out: inout String) {
            self.key(key, into: &out)
            if let value { JSONWriter.writeString(value, into: &out) } else { out += "null" }
        }

        /// A Boolean member.
        mutating func bool(_ key: String, _ value: Bool, into out: inout String) {
            self.key(key, into: &out)
            out += value ? "true" : "false"
        }

        /// A member whose value is `value`.
        mutating func value(_ key: String, _ value: JSONValue, into out: inout String) {
            self.key(key, into: &out)
            JSONWriter.write(value, indent: 4, level: level + 1, into: &out)
        }

        /// A member whose value is a list of `items`, each written by `element` at level `level + 2`.
        mutating func array<Item>(_ key: String, _ items: [Item], into out: inout String, _ element: (Item, Int, inout String) -> Void) {
            self.key(key, into: &out)
            JSONText.array(items, level: level + 1, into: &out, element)
        }

        /// Ends the object.
        func close(into out: inout String) {
            if first {
                out += "{}"
            } else {
                JSONText.newline(level: level, into: &out)
                out += "}"
            }
        }
    }

    /// A list at `level` of `items`, each written by `element` at level `level + 1`.
    static func array<Item>(_ items: [Item], level: Int, into out: inout String, _ element: (Item, Int, inout String) -> Void) {
        guard !items.isEmpty else {
            out += "[]"
            return
        }
        out += "["
        for (index, item) in items.enumerated() {
            if index > 0 { out += "," }
            newline(level: level + 1, into: &out)
            element(item, level + 1, &out)
        }
        newline(level: level, into: &out)
        out += "]"
    }

    /// A list at `level` of `count` elements, written by `element` (at level `level + 1`), handed
    /// to `emit` piece by piece: the elements in batches, each batch in parts on every core, so
    /// that only one batch's text is held at a time.
    static func streamArray(count: Int, level: Int, emit: (String) -> Void, _ element: @Sendable (Int, Int, inout String) -> Void) {
        guard count > 0 else {
            emit("[]")
            return
        }
        emit("[")
        var start = 0
        while start < count {
            let end = min(count, start + batchSize)
            let base = start
            for part in ParallelChunks.map(end - start, minimumLength: 512, { range in
                var out = ""
                for offset in range {
                    let index = base + offset
                    if index > 0 { out += "," }
                    newline(level: level + 1, into: &out)
                    element(index, level + 1, &out)
                }
                return out
            }) {
                emit(part)
            }
            start = end
        }
        var end = ""
        newline(level: level, into: &end)
        emit(end + "]")
    }

    /// Elements written between two hand-overs.
    static let batchSize = 8_192

    /// Newline-plus-indentation strings for the first levels.
    private static let newlines: [String] = (0..<8).map { "\n" + String(repeating: " ", count: 4 * $0) }

    static func newline(level: Int, into out: inout String) {
        if level < newlines.count {
            out += newlines[level]
        } else {
            out += "\n" + String(repeating: " ", count: 4 * level)
        }
    }

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
