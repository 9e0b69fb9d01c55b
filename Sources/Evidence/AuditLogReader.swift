import Foundation
import KubeModel

/// What one audit log file held.
public struct AuditLogFileSummary: Sendable, Hashable {
    /// The file as named.
    public var file: String
    /// Whether it was gzip-compressed.
    public var compressed: Bool
    /// Events (lines) read.
    public var events: Int
    /// Events kept: writes and Secret reads in the namespaces and the period.
    public var kept: Int
    /// The earliest and latest `requestReceivedTimestamp` in the file, `nil` when it is empty.
    public var first: MicroTime?
    /// See ``first``.
    public var last: MicroTime?
    /// Whether the last line was cut off (the file was copied while the API server wrote it)
    /// and therefore skipped.
    public var incompleteLastLine: Bool

    /// Creates a summary.
    public init(
        file: String, compressed: Bool, events: Int = 0, kept: Int = 0, first: MicroTime? = nil, last: MicroTime? = nil, incompleteLastLine: Bool = false
    ) {
        self.file = file
        self.compressed = compressed
        self.events = events
        self.kept = kept
        self.first = first
        self.last = last
        self.incompleteLastLine = incompleteLastLine
    }
}

/// Streams an audit log — JSON lines of `audit.k8s.io/v1` `Event`s as kube-apiserver writes them
/// with `--audit-log-path` and `--audit-log-format=json` — and hands over the events an
/// ``AuditEventFilter`` keeps. Memory stays at one chunk (``chunkSize``, more only for a longer
/// line) whatever the file's size; events that are not kept are never turned into strings.
public struct AuditLogReader: Sendable {
    /// The longest line read (a `RequestResponse` event of a large object can take a few MiB).
    public static let maximumLineLength = 64 << 20

    /// Which events to keep.
    public var filter: AuditEventFilter

    /// A reader keeping what `filter` keeps.
    public init(filter: AuditEventFilter) {
        self.filter = filter
    }

    /// Opens an audit log file, decompressing it when it is gzip (by its first bytes, not its name).
    ///
    /// - Throws: ``AuditLogError`` when the file cannot be opened.
    public static func open(path: String) throws(AuditLogError) -> (source: any ByteSource, compressed: Bool) {
        let file = try FileByteSource(path: path)
        if GzipByteSource<FileByteSource>.isGzip(file.prefix(2)) {
            return (try GzipByteSource(file, name: path), true)
        }
        return (file, false)
    }

    /// Reads the file at `path` (see ``open(path:)``).
    ///
    /// - Throws: ``AuditLogError`` naming the file and line of anything that is not an audit event.
    public func read(path: String, _ body: (AuditEvent) throws(AuditLogError) -> Void) throws(AuditLogError) -> AuditLogFileSummary {
        var (source, compressed) = try Self.open(path: path)
        return try read(&source, name: path, compressed: compressed, body)
    }

    /// Reads `source` to its end, calling `body` with every event kept, in file order.
    ///
    /// The source is read in chunks of ``chunkSize``; the complete lines of a chunk are cut into
    /// one piece per core and parsed concurrently (ParallelChunks), and the pieces' events handed
    /// over in file order, so the result is the same on any number of cores. The next chunk is
    /// read on a thread of its own while a chunk is parsed: decompressing a gzip log costs about
    /// as much as parsing it, and the two overlap.
    ///
    /// - Parameters:
    ///   - source: the bytes.
    ///   - name: names the input in errors and the summary.
    ///   - compressed: recorded in the summary.
    /// - Throws: ``AuditLogError`` naming the line of anything that is not an audit event.
    public func read<Source: ByteSource>(
        _ source: inout Source, name: String, compressed: Bool = false, _ body: (AuditEvent) throws(AuditLogError) -> Void
    ) throws(AuditLogError) -> AuditLogFileSummary {
        var summary = AuditLogFileSummary(file: name, compressed: compressed)
        let compiled = filter.compiled()
        var current = ChunkBuffer(capacity: Self.chunkSize)
        var next = ChunkBuffer(capacity: Self.chunkSize)
        defer {
            current.deallocate()
            next.deallocate()
        }
        var linesBefore = 0
        var atEnd = try current.fill(from: &source)
        while true {
            // The complete lines: up to the last newline (everything, at the end).
            let complete = atEnd ? current.end : current.endOfLastLine
            if complete == 0 && !atEnd {
                guard current.capacity < Self.maximumLineLength else {
                    throw AuditLogError(
                        file: name, line: linesBefore + 1, message: "has a line longer than \(Self.maximumLineLength >> 20) MiB",
                        hint: "this is not an audit log of JSON lines; check the file")
                }
                current.grow()
                atEnd = try current.fill(from: &source)
                continue
            }
            let region = Region(base: current.bytes, count: complete)
            let pieces: [Piece]
            var nextRead: Result<Bool, AuditLogError> = .success(true)
            if atEnd {
                pieces = Self.parse(region, endsFile: true, compiled: compiled, name: name)
            } else {
                // The incomplete last line starts the next chunk.
                next.start(after: current, from: complete)
                (pieces, nextRead) = Self.fill(&next, from: &source) {
                    Self.parse(region, endsFile: false, compiled: compiled, name: name)
                }
            }
            for piece in pieces {
                summary.events += piece.events
                summary.kept += piece.kept.count
                if let first = piece.first, summary.first.map({ first < $0 }) ?? true { summary.first = first }
                if let last = piece.last, summary.last.map({ last > $0 }) ?? true { summary.last = last }
                if piece.incompleteLastLine { summary.incompleteLastLine = true }
                for event in piece.kept { try body(event) }
                if var error = piece.error {
                    error.line = (error.line ?? 0) + linesBefore
                    throw error
                }
                linesBefore += piece.lines
            }
            if atEnd { return summary }
            atEnd = try nextRead.get()
            swap(&current, &next)
        }
    }

    /// Fills `buffer` from `source` on a thread of its own while `work` runs on the caller's, and
    /// returns what `work` returned and whether the source ended.
    private static func fill<Source: ByteSource, Value>(
        _ buffer: inout ChunkBuffer, from source: inout Source, during work: () -> Value
    ) -> (Value, Result<Bool, AuditLogError>) {
        withUnsafeMutablePointer(to: &source) { source in
            let job = FillJob(buffer: buffer, source: source)
            let finished = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                job.run()
                finished.signal()
            }
            let value = work()
            finished.wait()
            buffer = job.buffer
            return (value, job.outcome)
        }
    }

    /// A read of one chunk, handed to the thread that does it. Only that thread touches the
    /// source and the buffer until it signals; the caller waits for the signal before either
    /// is used again.
    private final class FillJob<Source: ByteSource>: @unchecked Sendable {
        var buffer: ChunkBuffer
        let source: UnsafeMutablePointer<Source>
        var outcome: Result<Bool, AuditLogError> = .success(true)

        init(buffer: ChunkBuffer, source: UnsafeMutablePointer<Source>) {
            self.buffer = buffer
            self.source = source
        }

        func run() {
            do {
                outcome = .success(try buffer.fill(from: &source.pointee))
            } catch {
                outcome = .failure(error)
            }
        }
    }

    /// The memory a chunk is read into, and how much of it holds bytes.
    private struct ChunkBuffer {
        private(set) var memory: UnsafeMutableRawBufferPointer
        /// Bytes held: `memory[0..<end]`.
        private(set) var end = 0

        init(capacity: Int) {
            memory = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        }

        var capacity: Int { memory.count }

        var bytes: UnsafePointer<UInt8> { UnsafePointer(memory.baseAddress!.assumingMemoryBound(to: UInt8.self)) }

        /// Where the last complete line ends (after its newline); 0 when there is none.
        var endOfLastLine: Int {
            var index = end - 1
            while index >= 0 {
                if bytes[index] == 0x0A { return index + 1 }
                index -= 1
            }
            return 0
        }

        /// Reads until the buffer is full or the source ends; returns whether it ended.
        mutating func fill<Source: ByteSource>(from source: inout Source) throws(AuditLogError) -> Bool {
            while end < capacity {
                let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: memory[end..<capacity]))
                if count == 0 { return true }
                end += count
            }
            return false
        }

        /// Twice the room, the bytes kept (for a line longer than the buffer).
        mutating func grow() {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2, alignment: 64)
            larger.baseAddress!.copyMemory(from: memory.baseAddress!, byteCount: end)
            memory.deallocate()
            memory = larger
        }

        /// Starts over with the bytes of `other` from `offset` on (an incomplete line), with at
        /// least `other`'s room.
        mutating func start(after other: ChunkBuffer, from offset: Int) {
            end = 0
            while capacity < other.capacity { grow() }
            end = other.end - offset
            memory.baseAddress!.copyMemory(from: other.memory.baseAddress! + offset, byteCount: end)
        }

        func deallocate() { memory.deallocate() }
    }

    /// How much is read at a time: 8 MiB (more only for a longer line).
    public static let chunkSize = 8 << 20

    /// A run of complete lines in the read buffer, handed to the threads that parse it.
    private struct Region: @unchecked Sendable {
        // Read only, while the buffer stays allocated and unchanged (during `parse`).
        let base: UnsafePointer<UInt8>
        let count: Int
    }

    /// What one piece of a chunk held.
    private struct Piece: Sendable {
        var lines = 0
        var events = 0
        var kept: [AuditEvent] = []
        var first: MicroTime?
        var last: MicroTime?
        var incompleteLastLine = false
        /// The first bad line, its number counted from the piece's start.
        var error: AuditLogError?
        /// One copy of each repeated string (users, user agents, resources) of the piece's events.
        var strings = StringInterner()
    }

    /// Parses the lines of `region`, cut into one piece per core at line boundaries.
    private static func parse(_ region: Region, endsFile: Bool, compiled: CompiledAuditEventFilter, name: String) -> [Piece] {
        var bounds = [0]
        let width = region.count < 1 << 20 ? 1 : ParallelChunks.width
        for piece in 1..<max(1, width) {
            var cut = region.count * piece / width
            while cut < region.count && region.base[cut - 1] != 0x0A { cut += 1 }
            if cut > bounds.last! && cut < region.count { bounds.append(cut) }
        }
        bounds.append(region.count)
        let ranges = (0..<(bounds.count - 1)).map { bounds[$0]..<bounds[$0 + 1] }
        return ParallelChunks.perform(ranges.count) { index in
            var piece = parsePiece(region, range: ranges[index], endsFile: endsFile && index == ranges.count - 1, compiled: compiled, name: name)
            piece.strings = StringInterner()
            return piece
        }
    }

    private static func parsePiece(_ region: Region, range: Range<Int>, endsFile: Bool, compiled: CompiledAuditEventFilter, name: String) -> Piece {
        var piece = Piece()
        var start = range.lowerBound
        while start < range.upperBound {
            var stop = range.upperBound
            if let newline = memchr(region.base + start, 0x0A, range.upperBound - start) {
                stop = UnsafeRawPointer(newline) - UnsafeRawPointer(region.base)
            }
            let terminated = stop < range.upperBound
            piece.lines += 1
            do {
                try line(
                    UnsafeBufferPointer(start: region.base + start, count: stop - start), number: piece.lines, last: endsFile && !terminated,
                    compiled: compiled, name: name, into: &piece)
            } catch {
                piece.error = error
                return piece
            }
            start = stop + 1
        }
        return piece
    }

    private static func line(
        _ raw: UnsafeBufferPointer<UInt8>, number: Int, last: Bool, compiled: CompiledAuditEventFilter, name: String, into piece: inout Piece
    ) throws(AuditLogError) {
        var length = raw.count
        while length > 0, raw[length - 1] == 0x0D || raw[length - 1] == 0x20 || raw[length - 1] == 0x09 { length -= 1 }
        let bytes = UnsafeBufferPointer(rebasing: raw[0..<length])
        var scanner = JSONLineScanner(bytes)
        guard scanner.peek() != nil else { return }
        let event: RawAuditEvent
        do {
            event = try AuditLineParser.parse(&scanner)
        } catch {
            if last {
                piece.incompleteLastLine = true
                return
            }
            throw AuditLogError(
                file: name, line: number, column: error.column, message: "is not a JSON audit event: \(error.message)",
                hint: "each line must be one audit.k8s.io/v1 Event, as kube-apiserver writes with --audit-log-format=json")
        }
        guard let kind = event.kind, scanner.matches(kind, "Event"), let apiVersion = event.apiVersion,
            scanner.matches(apiVersion, "audit.k8s.io/v1")
        else {
            let found = [event.apiVersion.map(scanner.text), event.kind.map(scanner.text)].compactMap { $0 }.joined(separator: " ")
            throw AuditLogError(
                file: name, line: number, message: "is \(found.isEmpty ? "a JSON object without apiVersion and kind" : found), not an audit.k8s.io/v1 Event",
                hint: "read the API server's audit log (--audit-log-path), written by Kubernetes 1.24 or later")
        }
        guard let receivedSpan = event.received ?? event.stageTimestamp,
            let received = MicroTime.parse(UnsafeBufferPointer(rebasing: bytes[receivedSpan.start..<receivedSpan.end]))
        else {
            throw AuditLogError(file: name, line: number, message: "has no valid requestReceivedTimestamp", hint: "each event needs its RFC 3339 timestamps")
        }
        piece.events += 1
        if piece.first.map({ received < $0 }) ?? true { piece.first = received }
        if piece.last.map({ received > $0 }) ?? true { piece.last = received }
        guard compiled.isRelevant(event, scanner), compiled.filter.contains(received) else { return }
        piece.kept.append(try materialize(event, scanner, received: received, file: name, line: number, strings: &piece.strings))
    }

    /// The event's strings, made only for events that are kept.
    private static func materialize(
        _ event: RawAuditEvent, _ scanner: JSONLineScanner, received: MicroTime, file: String, line: Int, strings: inout StringInterner
    ) throws(AuditLogError) -> AuditEvent {
        func text(_ span: ByteSpan?) -> String { span.map { strings(scanner.text($0)) } ?? "" }
        guard let auditID = event.auditID, auditID.count > 0 else {
            throw AuditLogError(file: file, line: line, message: "has no auditID", hint: "each event needs the auditID kube-apiserver gives every request")
        }
        let stageText = text(event.stage)
        guard let stage = AuditEvent.Stage(rawValue: stageText) else {
            throw AuditLogError(
                file: file, line: line, message: "has stage '\(stageText)', not RequestReceived, ResponseStarted, ResponseComplete or Panic", hint: nil)
        }
        var stageTime = received
        if let span = event.stageTimestamp, let parsed = MicroTime.parse(UnsafeBufferPointer(rebasing: scanner.bytes[span.start..<span.end])) {
            stageTime = parsed
        }
        var credential: String?
        if let secret = event.legacySecret {
            credential = strings("secret:" + scanner.text(secret))
        } else if let id = event.credentialID {
            credential = strings(scanner.text(id))
        }
        let objectRef = AuditEvent.ObjectRef(
            resource: text(event.resource), apiGroup: text(event.apiGroup), apiVersion: text(event.objectAPIVersion), namespace: text(event.namespace),
            name: text(event.name), subresource: text(event.subresource))
        return AuditEvent(
            auditID: scanner.text(auditID), stage: stage, level: text(event.level), verb: text(event.verb),
            requestURI: event.requestURI.map(scanner.text) ?? "", user: text(event.user),
            impersonatedUser: event.impersonatedUser.map { strings(scanner.text($0)) },
            sourceIP: text(event.sourceIP), userAgent: text(event.userAgent), objectRef: event.hasObjectRef ? objectRef : nil, code: event.code,
            received: received, stageTime: stageTime, credentialID: credential, decision: text(event.decision))
    }
}
