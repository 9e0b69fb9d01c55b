/// Gathers the kept events of several audit log files (rotated files, compressed or not, in any
/// order, even overlapping copies) into one list in time order, with one event per request.
///
/// kube-apiserver may log a request at several stages with the same `auditID`; the most complete
/// stage is kept (`ResponseComplete` or `Panic` over `ResponseStarted` over `RequestReceived`).
/// The same event found in two files (a copy of the live log next to its rotated backup) is
/// counted once.
public struct AuditLogCollector: Sendable {
    private var positions: [String: Int] = [:]
    private var events: [AuditEvent] = []
    /// Events dropped because another event of the same request was kept.
    public private(set) var duplicates = 0

    /// An empty collection.
    public init() {}

    /// Adds an event, keeping one per request.
    public mutating func add(_ event: AuditEvent) {
        if let position = positions[event.auditID] {
            duplicates += 1
            if events[position].stage < event.stage { events[position] = event }
            return
        }
        positions[event.auditID] = events.count
        events.append(event)
    }

    /// The events, by `requestReceivedTimestamp` (ties by audit ID, so the order is stable).
    public func sorted() -> [AuditEvent] {
        events.sorted(by: Self.inOrder)
    }

    /// The events by time, handed over: the collector is empty afterwards (no second copy of a
    /// large period's events).
    public mutating func takeSorted() -> [AuditEvent] {
        positions = [:]
        var taken: [AuditEvent] = []
        swap(&taken, &events)
        taken.sort(by: Self.inOrder)
        return taken
    }

    private static func inOrder(_ lhs: AuditEvent, _ rhs: AuditEvent) -> Bool {
        lhs.received != rhs.received ? lhs.received < rhs.received : lhs.auditID < rhs.auditID
    }

    /// How many requests are held.
    public var count: Int { events.count }
}
