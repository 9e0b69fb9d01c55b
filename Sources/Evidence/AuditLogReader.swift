import Foundation

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
    public init(file: String, compressed: Bool, events: Int = 0, kept: Int = 0, first: MicroTime? = nil, last: MicroTime? = nil, incompleteLastLine: Bool = false) {
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
/// ``AuditEventFilter`` keeps. Memory stays at one chunk (4 MiB, more only for a longer line)
/// whatever the file's size; events that are not kept are never turned into strings.
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
        var capacity = 4 << 20
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var start = 0
        var end = 0
        var scanFrom = 0
        var lineNumber = 0
        var atEnd = false
        while true {
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            if scanFrom < end, let newline = memchr(base + scanFrom, 0x0A, end - scanFrom) {
                let newlineIndex = UnsafeRawPointer(newline) - UnsafeRawPointer(base)
                lineNumber += 1
                try line(UnsafeBufferPointer(start: base + start, count: newlineIndex - start), number: lineNumber, last: false)
                start = newlineIndex + 1
                scanFrom = start
                continue
            }
            if atEnd {
                if start < end {
                    lineNumber += 1
                    try line(UnsafeBufferPointer(start: base + start, count: end - start), number: lineNumber, last: true)
                }
                break
            }
            if start > 0 {
                memmove(base, base + start, end - start)
                end -= start
                start = 0
            }
            if end == capacity {
                guard capacity < Self.maximumLineLength else {
                    throw AuditLogError(
                        file: name, line: lineNumber + 1, message: "has a line longer than \(Self.maximumLineLength >> 20) MiB",
                        hint: "this is not an audit log of JSON lines; check the file")
                }
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2, alignment: 64)
                larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
                buffer.deallocate()
                buffer = larger
                capacity *= 2
            }
            scanFrom = end
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<capacity]))
            if count == 0 { atEnd = true } else { end += count }
        }
        return summary

        func line(_ raw: UnsafeBufferPointer<UInt8>, number: Int, last: Bool) throws(AuditLogError) {
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
                    summary.incompleteLastLine = true
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
                throw AuditLogError(
                    file: name, line: number, message: "has no valid requestReceivedTimestamp", hint: "each event needs its RFC 3339 timestamps")
            }
            summary.events += 1
            if summary.first.map({ received < $0 }) ?? true { summary.first = received }
            if summary.last.map({ received > $0 }) ?? true { summary.last = received }
            guard compiled.isRelevant(event, scanner), filter.contains(received) else { return }
            let materialized = try Self.materialize(event, scanner, received: received, file: name, line: number)
            summary.kept += 1
            try body(materialized)
        }
    }

    /// The event's strings, made only for events that are kept.
    private static func materialize(
        _ event: RawAuditEvent, _ scanner: JSONLineScanner, received: MicroTime, file: String, line: Int
    ) throws(AuditLogError) -> AuditEvent {
        func text(_ span: ByteSpan?) -> String { span.map(scanner.text) ?? "" }
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
            credential = "secret:" + scanner.text(secret)
        } else if let id = event.credentialID {
            credential = scanner.text(id)
        }
        let objectRef = AuditEvent.ObjectRef(
            resource: text(event.resource), apiGroup: text(event.apiGroup), apiVersion: text(event.objectAPIVersion), namespace: text(event.namespace),
            name: text(event.name), subresource: text(event.subresource))
        return AuditEvent(
            auditID: scanner.text(auditID), stage: stage, level: text(event.level), verb: text(event.verb), requestURI: text(event.requestURI),
            user: text(event.user), impersonatedUser: event.impersonatedUser.map(scanner.text), sourceIP: text(event.sourceIP),
            userAgent: text(event.userAgent), objectRef: event.hasObjectRef ? objectRef : nil, code: event.code, received: received,
            stageTime: stageTime, credentialID: credential, decision: text(event.decision))
    }
}
