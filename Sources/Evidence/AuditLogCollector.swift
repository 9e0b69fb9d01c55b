/// Gathers the kept events of several audit log files (rotated files, compressed or not, in any
/// order, even overlapping copies) into one list in time order, with one event per request.
///
/// kube-apiserver may log a request at several stages with the same `auditID`; the most complete
/// stage is kept (`ResponseComplete` or `Panic` over `ResponseStarted` over `RequestReceived`).
/// The same event found in two files (a copy of the live log next to its rotated backup) is
/// counted once.
public struct AuditLogCollector: Sendable {
    /// Events per chunk.
    private static let chunkSize = 1 << 14
    /// Where each request's event is, by audit ID: its number in arrival order.
    private var positions: [String: Int] = [:]
    /// The events in arrival order, in chunks of ``chunkSize``: a large period grows chunk by chunk
    /// instead of copying one buffer into another twice its size.
    private var chunks: [[AuditEvent]] = []
    /// Events dropped because another event of the same request was kept.
    public private(set) var duplicates = 0
    /// How many requests are held.
    public private(set) var count = 0

    /// An empty collection.
    public init() {}

    /// Adds an event, keeping one per request.
    public mutating func add(_ event: AuditEvent) {
        if let position = positions[event.auditID] {
            duplicates += 1
            let (chunk, index) = position.quotientAndRemainder(dividingBy: Self.chunkSize)
            if chunks[chunk][index].stage < event.stage { chunks[chunk][index] = event }
            return
        }
        positions[event.auditID] = count
        if chunks.last.map({ $0.count == Self.chunkSize }) ?? true {
            chunks.append([])
            chunks[chunks.count - 1].reserveCapacity(Self.chunkSize)
        }
        chunks[chunks.count - 1].append(event)
        count += 1
    }

    /// The events, by `requestReceivedTimestamp` (ties by audit ID, so the order is stable).
    public func sorted() -> [AuditEvent] {
        chunks.joined().sorted(by: Self.inOrder)
    }

    /// The events by time, handed over: the collector is empty afterwards, and each chunk is
    /// freed as soon as it is copied (no second copy of a large period's events).
    public mutating func takeSorted() -> [AuditEvent] {
        positions = [:]
        var taken: [AuditEvent] = []
        taken.reserveCapacity(count)
        for index in chunks.indices {
            taken += chunks[index]
            chunks[index] = []
        }
        chunks = []
        count = 0
        taken.sort(by: Self.inOrder)
        return taken
    }

    /// The events by time as report entries still to be attributed
    /// (``EvidenceBuilder/build(entries:logs:snapshot:artifacts:generated:notes:)``), handed
    /// over as ``takeSorted()`` hands them over.
    public mutating func takeSortedEntries() -> [EvidenceReport.Entry] {
        positions = [:]
        var taken: [EvidenceReport.Entry] = []
        taken.reserveCapacity(count)
        for index in chunks.indices {
            for event in chunks[index] { taken.append(EvidenceReport.Entry(event: event, attribution: .unauthenticated)) }
            chunks[index] = []
        }
        chunks = []
        count = 0
        taken.sort { Self.inOrder($0.event, $1.event) }
        return taken
    }

    private static func inOrder(_ lhs: AuditEvent, _ rhs: AuditEvent) -> Bool {
        lhs.received != rhs.received ? lhs.received < rhs.received : lhs.auditID < rhs.auditID
    }
}
