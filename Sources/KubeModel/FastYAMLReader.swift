/// A fast reader for the YAML that Kubernetes manifests are made of, with Yams as the fallback.
///
/// Parsing with Yams builds a node tree of classes before Warrant converts it, which dominates the
/// time of every command on large inputs. This reader handles the subset nearly every manifest
/// uses — block mappings and sequences, single-line plain and quoted scalars, literal and folded
/// block scalars, single-line flow collections, comments and document markers — straight from the
/// bytes into ``JSONValue``. On anything else (anchors, aliases, tags, complex keys, multi-line
/// plain or quoted scalars, multi-line flow collections, tabs, directives, merge keys, duplicate
/// keys, explicit indentation indicators) it gives up, and the file is read by ``YAMLReader``,
/// which also produces every error message. Differential tests and the fuzzer check that whatever
/// this reader accepts, Yams reads the same way.
struct FastYAMLReader {
    /// Thrown when the input needs the full YAML parser.
    struct Unsupported: Error {}

    private struct Line {
        var start: Int
        var end: Int  // exclusive, without the line break (and without a trailing CR)
        var indent: Int
        var hasBreak: Bool
        var isBlank: Bool  // empty, spaces only, or a comment
        var hasTab: Bool
    }

    /// One document: its value, its first line, and the lines of its top-level lists' elements.
    typealias Document = (value: JSONValue, line: Int, listLines: [String: [Int]])

    /// A file is read in parts (on every core) of at least this many bytes each.
    static let bytesPerPart = 1 << 20

    private let bytes: UnsafeBufferPointer<UInt8>
    /// The lines read: the file's, or a part's.
    private let lines: [Line]
    /// The number of lines in the file before ``lines``.
    private let lineOffset: Int
    private var current = 0
    private let maximumDepth: Int
    /// Lines of the elements of the current document's top-level lists.
    private var rootListLines: [String: [Int]] = [:]
    /// The element lines of the sequence read last (the outermost, as inner ones finish first).
    private var lastSequenceLines: [Int] = []
    /// Keys and strings read so far, so that repeats share one copy.
    private let strings = StringTable()

    private init(bytes: UnsafeBufferPointer<UInt8>, lines: [Line], lineOffset: Int, maximumDepth: Int) {
        self.bytes = bytes
        self.lines = lines
        self.lineOffset = lineOffset
        self.maximumDepth = maximumDepth
    }

    /// The documents of `bytes` (valid UTF-8), or ``Unsupported``.
    ///
    /// A large file is cut at `---` lines into parts that are read concurrently. Every construct
    /// this reader accepts ends before a `---` line at column 0, so each part reads exactly the
    /// documents, lines included, that reading the whole file would give.
    /// `lineOffset` is the number of lines before `bytes` in the input they come from.
    static func documents(_ bytes: [UInt8], maximumDepth: Int, lineOffset: Int = 0) throws(Unsupported) -> [Document] {
        let parts = parts(bytes)
        let lineParts = ParallelChunks.perform(parts.count) { index in
            bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(Unsupported) in try Self.lines(buffer, parts[index]) }
            }
        }
        var lines: [[Line]] = []
        var lineOffsets: [Int] = []
        for part in lineParts {
            lineOffsets.append((lineOffsets.last ?? lineOffset) + (lines.last?.count ?? 0))
            lines.append(try part.get())
        }
        var results = ParallelChunks.perform(parts.count) { [lines, lineOffsets] index in
            bytes.withUnsafeBufferPointer { buffer in
                var reader = FastYAMLReader(bytes: buffer, lines: lines[index], lineOffset: lineOffsets[index], maximumDepth: maximumDepth)
                return Result { () throws(Unsupported) in try reader.readDocuments() }
            }
        }
        var documents: [Document] = []
        documents.reserveCapacity(results.reduce(0) { $0 + ((try? $1.get())?.count ?? 0) })
        for index in results.indices {
            var part = try results[index].get()
            results[index] = .success([])  // so that the part is moved, not copied
            documents.append(moving: &part)
        }
        return documents
    }

    /// The bytes cut into parts, each after the first starting at a `---` line (as ``isMarker(_:_:)``
    /// finds them: three dashes at the start of a line, then the end of the line or a space).
    private static func parts(_ bytes: [UInt8]) -> [Range<Int>] {
        let dash = UInt8(ascii: "-")
        func isMarker(_ start: Int) -> Bool {
            guard bytes[start - 1] == 0x0A, start + 2 < bytes.count, bytes[start] == dash, bytes[start + 1] == dash, bytes[start + 2] == dash
            else { return false }
            return start + 3 == bytes.count || [0x0A, 0x0D, 0x20].contains(bytes[start + 3])
        }
        var starts = [0]
        for target in ParallelChunks.ranges(bytes.count, minimumLength: bytesPerPart).dropFirst().map(\.lowerBound) {
            var index = max(target, starts[starts.count - 1] + 1)
            while index < bytes.count, !isMarker(index) { index += 1 }
            if index < bytes.count { starts.append(index) }
        }
        return starts.indices.map { starts[$0]..<($0 + 1 < starts.count ? starts[$0 + 1] : bytes.count) }
    }

    // MARK: Lines

    /// The lines of `bytes[range]`, which starts at the start of a line and ends after a line
    /// break or at the end of the bytes.
    private static func lines(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(Unsupported) -> [Line] {
        var lines: [Line] = []
        var start = range.lowerBound
        let limit = range.upperBound
        let count = bytes.count
        // One line per line break and one after the last: counted first, so that the list is
        // allocated once at its size (guessed from the bytes, it grew to twice that).
        var breaks = 1
        for index in range where bytes[index] == 0x0A { breaks += 1 }
        lines.reserveCapacity(breaks)
        while start < limit {
            var end = start
            var hasTab = false
            while end < limit, bytes[end] != 0x0A {
                let byte = bytes[end]
                if byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xE2 || byte == 0xEF {
                    // libyaml accepts only printable characters (YAML 1.1 c-printable): leave control
                    // characters, C1 controls, U+FEFF and U+FFFE/U+FFFF to it, and tabs outside block
                    // scalars too; and the line separators U+2028 and U+2029, which it counts as
                    // line breaks.
                    switch byte {
                    case 0x09: hasTab = true
                    case 0x0D:
                        // A CR alone is a line break to libyaml; only CRLF is handled here.
                        if end + 1 >= count || bytes[end + 1] != 0x0A { throw Unsupported() }
                    case 0xC2: if end + 1 < count, bytes[end + 1] >= 0x80, bytes[end + 1] <= 0x9F { throw Unsupported() }
                    case 0xE2: if end + 2 < count, bytes[end + 1] == 0x80, bytes[end + 2] == 0xA8 || bytes[end + 2] == 0xA9 { throw Unsupported() }
                    case 0xEF:
                        if end + 2 < count, bytes[end + 1] == 0xBF, bytes[end + 2] >= 0xBE { throw Unsupported() }
                        if end + 2 < count, bytes[end + 1] == 0xBB, bytes[end + 2] == 0xBF { throw Unsupported() }
                    default: throw Unsupported()
                    }
                }
                end += 1
            }
            let hasBreak = end < count
            var contentEnd = end
            if contentEnd > start, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            var indent = 0
            while start + indent < contentEnd, bytes[start + indent] == 0x20 { indent += 1 }
            if start + indent < contentEnd, bytes[start + indent] == 0x09 { throw Unsupported() }
            let first = start + indent < contentEnd ? bytes[start + indent] : 0
            lines.append(
                Line(start: start, end: contentEnd, indent: indent, hasBreak: hasBreak, isBlank: first == 0 || first == 0x23, hasTab: hasTab))
            start = end + 1
        }
        return lines
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
    }

    private func isMarker(_ line: Line, _ character: UInt8) -> Bool {
        guard line.indent == 0, line.end - line.start >= 3,
            bytes[line.start] == character, bytes[line.start + 1] == character, bytes[line.start + 2] == character
        else { return false }
        return line.end - line.start == 3 || bytes[line.start + 3] == 0x20
    }

    /// Skips blank and comment lines.
    private mutating func skipBlank() {
        while current < lines.count, lines[current].isBlank { current += 1 }
    }

    // MARK: Documents

    private mutating func readDocuments() throws(Unsupported) -> [Document] {
        var documents: [Document] = []
        while true {
            skipBlank()
            guard current < lines.count else { break }
            let line = lines[current]
            if bytes[line.start + line.indent] == UInt8(ascii: "%") { throw Unsupported() }
            if isMarker(line, UInt8(ascii: "-")) {
                // `--- # comment` is fine; `--- value` is not handled here.
                try expectEndOfLine(line, from: line.start + 3)
                current += 1
                continue
            }
            if isMarker(line, UInt8(ascii: ".")) {
                // libyaml's handling of `...` depends on what came before; leave it to libyaml.
                throw Unsupported()
            }
            let startLine = lineOffset + current + 1
            rootListLines = [:]
            let value = try readBlock(column: line.indent, offset: line.start + line.indent, depth: 0)
            skipBlank()
            if current < lines.count {
                let next = lines[current]
                guard isMarker(next, UInt8(ascii: "-")) || isMarker(next, UInt8(ascii: ".")) else { throw Unsupported() }
            }
            documents.append((value, startLine, rootListLines))
        }
        return documents
    }

    private func expectEndOfLine(_ line: Line, from position: Int) throws(Unsupported) {
        var index = position
        while index < line.end, bytes[index] == 0x20 { index += 1 }
        guard index == line.end || (bytes[index] == 0x23 && index > position) else { throw Unsupported() }
    }

    // MARK: Block structure

    /// Reads the node that starts at `offset` on the current line, at `column`.
    private mutating func readBlock(column: Int, offset: Int, depth: Int) throws(Unsupported) -> JSONValue {
        guard depth <= maximumDepth else { throw Unsupported() }
        let line = lines[current]
        guard !line.hasTab else { throw Unsupported() }
        let byte = bytes[offset]
        if byte == UInt8(ascii: "-"), offset + 1 == line.end || bytes[offset + 1] == 0x20 {
            return try readSequence(column: column, offset: offset, depth: depth)
        }
        if try mappingKeyEnd(line: line, from: offset) != nil {
            return try readMapping(column: column, offset: offset, depth: depth)
        }
        let value = try readInlineValue(line: line, from: offset, depth: depth)
        current += 1
        return value
    }

    private mutating func readSequence(column: Int, offset: Int, depth: Int) throws(Unsupported) -> JSONValue {
        var elements: [JSONValue] = []
        var elementLines: [Int] = []
        var position = offset
        while true {
            let line = lines[current]
            guard !line.hasTab else { throw Unsupported() }
            elementLines.append(lineOffset + current + 1)
            var rest = position + 1
            while rest < line.end, bytes[rest] == 0x20 { rest += 1 }
            if rest == line.end || bytes[rest] == 0x23 {
                current += 1
                skipBlank()
                if current < lines.count, lines[current].indent > column { elementLines[elementLines.count - 1] = lineOffset + current + 1 }
                elements.append(try readNested(parentColumn: column, allowSequenceAtParent: false, depth: depth + 1))
            } else if bytes[rest] == UInt8(ascii: "-"), rest + 1 == line.end || bytes[rest + 1] == 0x20 {
                throw Unsupported()
            } else if try mappingKeyEnd(line: line, from: rest) != nil {
                elements.append(try readMapping(column: rest - line.start, offset: rest, depth: depth + 1))
            } else if bytes[rest] == UInt8(ascii: "|") || bytes[rest] == UInt8(ascii: ">") {
                elements.append(.string(try readBlockScalar(line: line, indicator: rest, parentColumn: column)))
            } else {
                elements.append(try readInlineValue(line: line, from: rest, depth: depth + 1))
                current += 1
            }
            skipBlank()
            guard current < lines.count else { break }
            let next = lines[current]
            if next.indent < column { break }
            guard next.indent == column else { throw Unsupported() }
            let start = next.start + next.indent
            guard bytes[start] == UInt8(ascii: "-"), start + 1 == next.end || bytes[start + 1] == 0x20 else { break }
            position = start
        }
        if depth == 0 { rootListLines[""] = elementLines }
        lastSequenceLines = elementLines
        // Kept in an allocation of their size (appending grows it by doubling): the parsed tree
        // is most of what a command holds.
        elements.trimCapacity()
        return .array(elements)
    }

    private mutating func readMapping(column: Int, offset: Int, depth: Int) throws(Unsupported) -> JSONValue {
        var object = JSONObject()
        var position = offset
        while true {
            let line = lines[current]
            guard !line.hasTab else { throw Unsupported() }
            guard let (key, afterColon) = try mappingKeyEnd(line: line, from: position) else { throw Unsupported() }
            if key == "<<" || object.contains(key) { throw Unsupported() }
            var rest = afterColon
            while rest < line.end, bytes[rest] == 0x20 { rest += 1 }
            let value: JSONValue
            if rest == line.end || bytes[rest] == 0x23 {
                current += 1
                lastSequenceLines = []
                value = try readNested(parentColumn: column, allowSequenceAtParent: true, depth: depth + 1)
                if depth == 0, case .array(let elements) = value, lastSequenceLines.count == elements.count {
                    // Lines of a top-level list's elements, for `List` items and auxiliary files.
                    rootListLines[key] = lastSequenceLines
                }
            } else if bytes[rest] == UInt8(ascii: "|") || bytes[rest] == UInt8(ascii: ">") {
                value = .string(try readBlockScalar(line: line, indicator: rest, parentColumn: column))
            } else {
                value = try readInlineValue(line: line, from: rest, depth: depth + 1)
                if depth == 0, case .array(let elements) = value {
                    rootListLines[key] = Array(repeating: lineOffset + current + 1, count: elements.count)
                }
                current += 1
            }
            object.appendUnchecked(key, value)
            skipBlank()
            guard current < lines.count else { break }
            let next = lines[current]
            if next.indent < column { break }
            guard next.indent == column else { throw Unsupported() }
            position = next.start + next.indent
            if isMarker(next, UInt8(ascii: "-")) || isMarker(next, UInt8(ascii: ".")) { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "-"), position + 1 == next.end || bytes[position + 1] == 0x20 { break }
        }
        object.trimCapacity()
        return .object(object)
    }

    /// Reads what follows `key:` or `-` on later lines: a more indented node, a sequence at the
    /// parent's column (`key:` followed by `- item`), or null.
    private mutating func readNested(parentColumn: Int, allowSequenceAtParent: Bool, depth: Int) throws(Unsupported) -> JSONValue {
        skipBlank()
        guard current < lines.count else { return .null }
        let line = lines[current]
        let start = line.start + line.indent
        if isMarker(line, UInt8(ascii: "-")) || isMarker(line, UInt8(ascii: ".")) { return .null }
        if line.indent > parentColumn {
            return try readBlock(column: line.indent, offset: start, depth: depth)
        }
        if allowSequenceAtParent, line.indent == parentColumn, bytes[start] == UInt8(ascii: "-"),
            start + 1 == line.end || bytes[start + 1] == 0x20
        {
            return try readSequence(column: parentColumn, offset: start, depth: depth)
        }
        return .null
    }

    /// When a mapping entry starts at `from`: its key and the position after the `:`.
    private func mappingKeyEnd(line: Line, from: Int) throws(Unsupported) -> (String, Int)? {
        let first = bytes[from]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            guard let (quotedKey, end) = try quoted(line: line, from: from) else { return nil }
            let key = strings.intern(quotedKey)
            var index = end
            while index < line.end, bytes[index] == 0x20 { index += 1 }
            guard index < line.end, bytes[index] == UInt8(ascii: ":"), index + 1 == line.end || bytes[index + 1] == 0x20 else { return nil }
            return (key, index + 1)
        }
        switch first {
        case UInt8(ascii: "?"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"),
            UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "#"),
            UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ":"):
            // A flow collection or an indicator: not a plain key (flow mappings as keys are not handled).
            for index in from..<line.end where bytes[index] == UInt8(ascii: ":") && (index + 1 == line.end || bytes[index + 1] == 0x20) {
                if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") { throw Unsupported() }
            }
            return nil
        default:
            break
        }
        var index = from
        while index < line.end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":"), index + 1 == line.end || bytes[index + 1] == 0x20 {
                var keyEnd = index
                while keyEnd > from, bytes[keyEnd - 1] == 0x20 { keyEnd -= 1 }
                guard keyEnd > from else { throw Unsupported() }
                return (strings.intern(text(from, keyEnd)), index + 1)
            }
            if byte == 0x23, index > from, bytes[index - 1] == 0x20 { return nil }
            index += 1
        }
        return nil
    }

    // MARK: Scalars

    /// A value that ends on this line: quoted, flow or plain, followed only by a comment.
    private func readInlineValue(line: Line, from: Int, depth: Int) throws(Unsupported) -> JSONValue {
        let first = bytes[from]
        switch first {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            guard let (string, end) = try quoted(line: line, from: from) else { throw Unsupported() }
            try expectEndOfLine(line, from: end)
            return .string(strings.intern(string))
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            var index = from
            let value = try flow(line: line, index: &index, depth: depth)
            try expectEndOfLine(line, from: index)
            return value
        case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "%"),
            UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "]"),
            UInt8(ascii: "}"), UInt8(ascii: "#"):
            throw Unsupported()
        case UInt8(ascii: "-"):
            if from + 1 == line.end || bytes[from + 1] == 0x20 { throw Unsupported() }
        default:
            break
        }
        var end = from
        var index = from
        while index < line.end {
            let byte = bytes[index]
            if byte == 0x23, bytes[index - 1] == 0x20 { break }
            if byte == UInt8(ascii: ":"), index + 1 == line.end || bytes[index + 1] == 0x20 { throw Unsupported() }
            if byte != 0x20 { end = index + 1 }
            index += 1
        }
        do {
            return try ScalarResolver.resolve(plain: strings.intern(text(from, end)))
        } catch {
            throw Unsupported()  // the full parser reports it with its line
        }
    }

    /// A single-line quoted scalar at `from`: its value and the position after the closing quote,
    /// or `nil` when it does not close on this line.
    private func quoted(line: Line, from: Int) throws(Unsupported) -> (String, Int)? {
        let quote = bytes[from]
        var index = from + 1
        var runStart = index
        var result = ""
        while index < line.end {
            let byte = bytes[index]
            if quote == UInt8(ascii: "'") {
                if byte == UInt8(ascii: "'") {
                    result += text(runStart, index)
                    if index + 1 < line.end, bytes[index + 1] == UInt8(ascii: "'") {
                        result += "'"
                        index += 2
                        runStart = index
                        continue
                    }
                    return (result, index + 1)
                }
            } else if byte == UInt8(ascii: "\"") {
                result += text(runStart, index)
                return (result, index + 1)
            } else if byte == UInt8(ascii: "\\") {
                result += text(runStart, index)
                guard index + 1 < line.end else { throw Unsupported() }
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case UInt8(ascii: "\""): result += "\""
                case UInt8(ascii: "\\"): result += "\\"
                case UInt8(ascii: "/"): result += "/"
                case UInt8(ascii: "n"): result += "\n"
                case UInt8(ascii: "t"): result += "\t"
                case UInt8(ascii: "r"): result += "\r"
                case UInt8(ascii: "0"): result += "\u{0}"
                case UInt8(ascii: " "): result += " "
                case UInt8(ascii: "u"), UInt8(ascii: "x"), UInt8(ascii: "U"):
                    let digits = escape == UInt8(ascii: "x") ? 2 : escape == UInt8(ascii: "u") ? 4 : 8
                    guard index + digits <= line.end, let code = UInt32(text(index, index + digits), radix: 16),
                        let scalar = Unicode.Scalar(code)
                    else { throw Unsupported() }
                    result.unicodeScalars.append(scalar)
                    index += digits
                default:
                    throw Unsupported()
                }
                runStart = index
                continue
            }
            index += 1
        }
        throw Unsupported()  // continues on the next line
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at `indicator`; reads its lines.
    private mutating func readBlockScalar(line: Line, indicator: Int, parentColumn: Int) throws(Unsupported) -> String {
        let literal = bytes[indicator] == UInt8(ascii: "|")
        var index = indicator + 1
        var chomping: UInt8 = 0
        if index < line.end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            chomping = bytes[index]
            index += 1
        }
        try expectEndOfLine(line, from: index)
        current += 1
        // Content indentation: the first non-empty line's.
        var probe = current
        var leadingEmpty = 0
        while probe < lines.count, lines[probe].start + lines[probe].indent == lines[probe].end {
            if lines[probe].indent > 0 { throw Unsupported() }
            leadingEmpty += 1
            probe += 1
        }
        guard probe < lines.count, lines[probe].indent > parentColumn else { throw Unsupported() }
        let contentIndent = lines[probe].indent
        var contentLines: [(text: String, empty: Bool, moreIndented: Bool)] = Array(repeating: ("", true, false), count: leadingEmpty)
        current = probe
        var lastHadBreak = true
        while current < lines.count {
            let candidate = lines[current]
            let isEmpty = candidate.start + candidate.indent == candidate.end
            if isEmpty {
                if candidate.indent > contentIndent {
                    contentLines.append((text(candidate.start + contentIndent, candidate.end), false, true))
                } else {
                    contentLines.append(("", true, false))
                }
            } else {
                if candidate.indent < contentIndent { break }
                for position in candidate.start..<candidate.end where bytes[position] == 0x0D { throw Unsupported() }
                contentLines.append((text(candidate.start + contentIndent, candidate.end), false, candidate.indent > contentIndent))
            }
            lastHadBreak = candidate.hasBreak
            current += 1
        }
        var trailing = 0
        while let last = contentLines.last, last.empty {
            contentLines.removeLast()
            trailing += 1
        }
        guard !contentLines.isEmpty, lastHadBreak || trailing > 0 else { throw Unsupported() }
        var body = ""
        if literal {
            body = contentLines.map(\.text).joined(separator: "\n")
        } else {
            if contentLines.contains(where: { $0.moreIndented || $0.text.first == "\t" }) { throw Unsupported() }
            var pendingEmpty = 0
            var first = true
            for line in contentLines {
                if line.empty {
                    pendingEmpty += 1
                    continue
                }
                if !first { body += pendingEmpty == 0 ? " " : String(repeating: "\n", count: pendingEmpty) }
                body += line.text
                pendingEmpty = 0
                first = false
            }
        }
        switch chomping {
        case UInt8(ascii: "-"): return body
        case UInt8(ascii: "+"): return body + String(repeating: "\n", count: trailing + 1)
        default: return body + "\n"
        }
    }

    // MARK: Flow collections (one line)

    private func flow(line: Line, index: inout Int, depth: Int) throws(Unsupported) -> JSONValue {
        guard depth <= maximumDepth else { throw Unsupported() }
        let open = bytes[index]
        let close = open == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
        index += 1
        var elements: [JSONValue] = []
        var object = JSONObject()
        func skipSpaces() {
            while index < line.end, bytes[index] == 0x20 { index += 1 }
        }
        skipSpaces()
        if index < line.end, bytes[index] == close {
            index += 1
            return open == UInt8(ascii: "[") ? .array([]) : .object(object)
        }
        while true {
            skipSpaces()
            guard index < line.end else { throw Unsupported() }
            if open == UInt8(ascii: "[") {
                elements.append(try flowScalarOrCollection(line: line, index: &index, depth: depth, isKey: false))
            } else {
                let keyValue = try flowScalarOrCollection(line: line, index: &index, depth: depth, isKey: true)
                guard case .string(let key) = keyValue, !object.contains(key), key != "<<" else { throw Unsupported() }
                skipSpaces()
                guard index < line.end, bytes[index] == UInt8(ascii: ":") else { throw Unsupported() }
                index += 1
                skipSpaces()
                guard index < line.end else { throw Unsupported() }
                let value: JSONValue
                if bytes[index] == UInt8(ascii: ",") || bytes[index] == close {
                    value = .null
                } else {
                    value = try flowScalarOrCollection(line: line, index: &index, depth: depth, isKey: false)
                }
                object.appendUnchecked(key, value)
            }
            skipSpaces()
            guard index < line.end else { throw Unsupported() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipSpaces()
                if index < line.end, bytes[index] == close {
                    index += 1
                    break
                }
                continue
            }
            guard bytes[index] == close else { throw Unsupported() }
            index += 1
            break
        }
        return open == UInt8(ascii: "[") ? .array(elements) : .object(object)
    }

    private func flowScalarOrCollection(line: Line, index: inout Int, depth: Int, isKey: Bool) throws(Unsupported) -> JSONValue {
        let first = bytes[index]
        switch first {
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard !isKey else { throw Unsupported() }
            return try flow(line: line, index: &index, depth: depth + 1)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            guard let (string, end) = try quoted(line: line, from: index) else { throw Unsupported() }
            index = end
            return .string(strings.intern(string))
        case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "%"),
            UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "#"), UInt8(ascii: ","),
            UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw Unsupported()
        case UInt8(ascii: "-"):
            if index + 1 < line.end, bytes[index + 1] == 0x20 { throw Unsupported() }
        default:
            break
        }
        let start = index
        var end = index
        while index < line.end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "[")
                || byte == UInt8(ascii: "{")
            {
                break
            }
            if byte == UInt8(ascii: ":") {
                if isKey && (index + 1 == line.end || bytes[index + 1] == 0x20) { break }
                throw Unsupported()
            }
            if byte == 0x23, bytes[index - 1] == 0x20 { throw Unsupported() }
            if byte != 0x20 { end = index + 1 }
            index += 1
        }
        guard end > start else { throw Unsupported() }
        let plain = strings.intern(text(start, end))
        guard !isKey else { return .string(plain) }
        do {
            return try ScalarResolver.resolve(plain: plain)
        } catch {
            throw Unsupported()  // the full parser reports it with its line
        }
    }
}
