/// Which audit events ``AuditLogReader`` keeps: writes to the namespaces in the period, and
/// reads of Secrets there. Everything else is counted and dropped before a string is made.
public struct AuditEventFilter: Sendable, Hashable {
    /// The namespaces; `nil` for every namespace (`-A`).
    public var namespaces: Set<String>?
    /// The start of the period (inclusive), by `requestReceivedTimestamp`; `nil` for no start.
    public var since: MicroTime?
    /// The end of the period (exclusive); `nil` for no end.
    public var until: MicroTime?

    /// Creates a filter.
    public init(namespaces: Set<String>?, since: MicroTime? = nil, until: MicroTime? = nil) {
        self.namespaces = namespaces
        self.since = since
        self.until = until
    }

    /// Whether `time` falls in the period.
    public func contains(_ time: MicroTime) -> Bool {
        if let since, time < since { return false }
        if let until, time >= until { return false }
        return true
    }

    /// The filter with its namespaces as bytes, for comparing spans.
    func compiled() -> CompiledAuditEventFilter {
        CompiledAuditEventFilter(filter: self, namespaceBytes: namespaces.map { $0.sorted().map { Array($0.utf8) } })
    }
}

/// An ``AuditEventFilter`` ready to compare raw spans.
struct CompiledAuditEventFilter: Sendable {
    let filter: AuditEventFilter
    let namespaceBytes: [[UInt8]]?

    /// Whether the event is a write or a Secret read in one of the namespaces (the time is
    /// checked by the caller, once the timestamp is parsed).
    func isRelevant(_ event: RawAuditEvent, _ scanner: JSONLineScanner) -> Bool {
        guard event.hasObjectRef, let verb = event.verb else { return false }
        if let namespaceBytes {
            guard let namespace = event.namespace else { return false }
            if namespace.escaped {
                guard filter.namespaces?.contains(scanner.text(namespace)) == true else { return false }
            } else if !namespaceBytes.contains(where: { scanner.matches(namespace, $0) }) {
                return false
            }
        } else if event.namespace == nil || event.namespace?.count == 0 {
            return false
        }
        if Self.isWriteVerb(verb, scanner) { return true }
        guard scanner.matches(verb, "get") || scanner.matches(verb, "list") || scanner.matches(verb, "watch") else { return false }
        guard let resource = event.resource, scanner.matches(resource, "secrets") else { return false }
        if let group = event.apiGroup, group.count > 0 { return false }
        if let subresource = event.subresource, subresource.count > 0 { return false }
        return true
    }

    static func isWriteVerb(_ verb: ByteSpan, _ scanner: JSONLineScanner) -> Bool {
        switch verb.count {
        case 5: scanner.matches(verb, "patch")
        case 6: scanner.matches(verb, "create") || scanner.matches(verb, "update") || scanner.matches(verb, "delete")
        case 16: scanner.matches(verb, "deletecollection")
        default: false
        }
    }
}
