/// The health of one object, as kstatus computes it (sigs.k8s.io/cli-utils `pkg/kstatus/status`).
public enum HealthStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The object has reached its desired state.
    case current = "Current"
    /// The object is still being reconciled.
    case inProgress = "InProgress"
    /// Reconciling it failed; waiting longer will not help.
    case failed = "Failed"
    /// The object is being deleted.
    case terminating = "Terminating"
    /// The object does not exist.
    case notFound = "NotFound"
    /// Its status cannot be told (an unknown Pod phase, say).
    case unknown = "Unknown"

    /// The raw value.
    public var description: String { rawValue }

    /// Whether waiting can end: the object is current, failed or gone.
    public var isFinal: Bool { self != .inProgress && self != .terminating && self != .unknown }
}

/// A ``HealthStatus`` with the reason and message that explain it.
public struct HealthResult: Sendable, Hashable, CustomStringConvertible {
    /// The status.
    public var status: HealthStatus
    /// A CamelCase reason, kstatus' where it has one (`LessReady`, `ProgressDeadlineExceeded`).
    public var reason: String
    /// A sentence for people.
    public var message: String

    /// Creates a result.
    public init(_ status: HealthStatus, reason: String = "", _ message: String) {
        self.status = status
        self.reason = reason
        self.message = message
    }

    /// `Status: message`.
    public var description: String { "\(status): \(message)" }
}
