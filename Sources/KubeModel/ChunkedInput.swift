/// Cuts one input (a file, standard input) into pieces of whole documents as it is read, so that
/// a large input is parsed piece by piece and never held whole, and counts its size against the
/// limit as it goes: a stream that never ends (`/dev/zero`) or a 300 MB line stops at the limit.
///
/// YAML is cut before a `---` line (three dashes at the start of a line, then a space, a line
/// break or the end), which starts a new document wherever it appears in YAML that parses at all;
/// a cut is never placed right after a directive (`%YAML`), which belongs to the document that
/// follows. A JSON stream is cut between top-level values. Each piece knows the line and byte
/// offset it starts at, so that every location and error names the line in the whole input.
struct ChunkedInput {
    /// One piece: whole documents, their first line, and their offset in the input.
    struct Chunk {
        var bytes: [UInt8]
        /// The number of lines before the piece (its first line is `lineOffset + 1`).
        var lineOffset: Int
        /// The offset of the piece's first byte in the input (after a byte order mark).
        var byteOffset: Int
    }

    /// Pieces are cut once this many bytes are buffered (a single larger document stays whole).
    static let defaultPieceSize = 4 << 20

    private let read: (Int) throws(ManifestError) -> [UInt8]
    private let file: String
    private let limit: Int
    private let pieceSize: Int
    private var buffer: [UInt8] = []
    private var atEnd = false
    private var started = false
    /// The number of input bytes read so far (the byte order mark included), checked against the limit.
    private var total = 0
    private var lineOffset = 0
    private var byteOffset = 0
    /// Whether the input is JSON, decided on its first bytes; `nil` until then.
    private(set) var isJSON: Bool?
    private let nameSaysJSON: Bool?
    /// Where the search for a cut goes on in ``buffer``.
    private var scanned = 0
    /// The last cut found in ``buffer``: an offset where a piece may end.
    private var lastCut = 0
    private var json = JSONScanner()

    /// Creates a reader over `read`, which returns at most the number of bytes asked for and an
    /// empty array at the end of the input.
    ///
    /// - Parameters:
    ///   - file: names the input in errors.
    ///   - limit: the largest input accepted, in bytes.
    init(file: String, limit: Int, pieceSize: Int = defaultPieceSize, read: @escaping (Int) throws(ManifestError) -> [UInt8]) {
        self.read = read
        self.file = file
        self.limit = limit
        self.pieceSize = max(1, pieceSize)
        let lower = file.lowercased()
        if lower.hasSuffix(".json") {
            nameSaysJSON = true
        } else if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            nameSaysJSON = false
        } else {
            nameSaysJSON = nil
        }
    }

    /// The next piece, or `nil` at the end of the input.
    ///
    /// - Throws: ``ManifestError`` `too-large` when the input exceeds the limit, or the reader's error.
    mutating func next() throws(ManifestError) -> Chunk? {
        while true {
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                return take(buffer.count)
            }
            if buffer.count >= pieceSize {
                findCuts()
                if lastCut > 0 { return take(lastCut) }
            }
            try fill()
        }
    }

    /// Reads the next block into the buffer.
    private mutating func fill() throws(ManifestError) {
        let want = min(pieceSize, max(1, limit + 1 - total))
        let bytes = try read(want)
        if bytes.isEmpty {
            atEnd = true
            findCuts()
            return
        }
        total += bytes.count
        if total > limit {
            throw ManifestError(
                .tooLarge, at: SourceLocation(file: file, line: 0),
                "the input is larger than \(Self.describe(limit))",
                hint: file == "<stdin>" ? "split the input; Warrant reads at most \(Self.describe(limit)) from standard input" : "split it into smaller files")
        }
        buffer.append(contentsOf: bytes)
        if !started, buffer.count >= 3 || atEnd {
            started = true
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { buffer.removeFirst(3) }
        }
        if isJSON == nil, let first = buffer.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            isJSON = nameSaysJSON ?? (first == UInt8(ascii: "{") || first == UInt8(ascii: "["))
        }
    }

    /// Hands out `buffer[..<end]` as a piece and keeps the rest.
    private mutating func take(_ end: Int) -> Chunk {
        let bytes = Array(buffer[..<end])
        buffer.removeFirst(end)
        let chunk = Chunk(bytes: bytes, lineOffset: lineOffset, byteOffset: byteOffset)
        lineOffset += isJSON == true ? LineBreaks.newlines(in: bytes) : LineBreaks.yamlBreaks(in: bytes)
        byteOffset += end
        scanned = max(0, scanned - end)
        lastCut = 0
        json.rebase(by: end)
        return chunk
    }

    private static func describe(_ limit: Int) -> String {
        limit >= 1 << 20 && limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
    }

    // MARK: Finding cuts

    private mutating func findCuts() {
        guard let isJSON else { return }
        if isJSON {
            while scanned < buffer.count {
                if json.consume(buffer[scanned]) { lastCut = scanned + 1 }
                scanned += 1
            }
            return
        }
        // A `---` line needs three more bytes to be recognised, and the byte after them.
        let end = atEnd ? buffer.count : max(0, buffer.count - 4)
        while scanned < end {
            if buffer[scanned] == 0x0A, isDocumentStart(at: scanned + 1), !followsDirective(scanned + 1) {
                lastCut = scanned + 1
            }
            scanned += 1
        }
    }

    /// Whether a `---` line starts at `start` (three dashes, then a space, a line break or the end).
    private func isDocumentStart(at start: Int) -> Bool {
        guard start + 2 < buffer.count, buffer[start] == 0x2D, buffer[start + 1] == 0x2D, buffer[start + 2] == 0x2D else { return false }
        return start + 3 == buffer.count || [0x0A, 0x0D, 0x20].contains(buffer[start + 3])
    }

    /// Whether the last line before `start` that is neither blank nor a comment is a directive.
    private func followsDirective(_ start: Int) -> Bool {
        var lineEnd = start - 1  // the line break before `start`
        while lineEnd > 0 {
            var lineStart = lineEnd
            while lineStart > 0, buffer[lineStart - 1] != 0x0A { lineStart -= 1 }
            var first = lineStart
            while first < lineEnd, buffer[first] == 0x20 || buffer[first] == 0x0D { first += 1 }
            if first < lineEnd, buffer[first] != UInt8(ascii: "#") { return buffer[lineStart] == UInt8(ascii: "%") }
            lineEnd = lineStart - 1
        }
        return false
    }
}

/// Follows the top-level values of a JSON stream byte by byte, to know where one ends.
struct JSONScanner {
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var inScalar = false

    /// Reads one byte; `true` when a top-level value ends with it (so a piece may end after it).
    mutating func consume(_ byte: UInt8) -> Bool {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
                return depth == 0
            }
            return false
        }
        switch byte {
        case UInt8(ascii: "\""):
            inString = true
            inScalar = false
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            inScalar = false
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth = max(0, depth - 1)
            inScalar = false
            return depth == 0
        case 0x20, 0x0A, 0x0D, 0x09:
            // The end of a top-level number or literal.
            let ended = inScalar && depth == 0
            inScalar = false
            return ended
        default:
            if depth == 0 { inScalar = true }
        }
        return false
    }

    /// Nothing to move: the scanner keeps no offsets.
    mutating func rebase(by _: Int) {}
}

/// Counts lines the way each reader does, so that a piece's first line is the line the whole
/// input would give it.
enum LineBreaks {
    /// Line feeds: how the JSON reader counts.
    static func newlines(in bytes: [UInt8]) -> Int {
        bytes.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    /// Line breaks as libyaml counts them: CR LF, CR, LF, NEL (U+0085), LS (U+2028) and PS (U+2029).
    /// The fast YAML reader leaves every input with a lone CR, NEL, LS or PS to libyaml, so on the
    /// inputs it reads this is the number of line feeds.
    static func yamlBreaks(in bytes: [UInt8]) -> Int {
        var count = 0
        var index = 0
        let end = bytes.count
        while index < end {
            switch bytes[index] {
            case 0x0A:
                count += 1
            case 0x0D:
                count += 1
                if index + 1 < end, bytes[index + 1] == 0x0A { index += 1 }
            case 0xC2:
                if index + 1 < end, bytes[index + 1] == 0x85 { count += 1 }
            case 0xE2:
                if index + 2 < end, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 { count += 1 }
            default:
                break
            }
            index += 1
        }
        return count
    }
}
