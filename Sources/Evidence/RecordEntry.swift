public import Delivery

/// A deploy record with what is known of its integrity.
public struct RecordEntry: Sendable, Hashable {
    /// The record.
    public var record: DeployRecord
    /// Whether it verified: its digest matches its content and, where it was read from the
    /// cluster, its chain holds.
    public var verified: Bool

    /// Creates an entry.
    public init(record: DeployRecord, verified: Bool) {
        self.record = record
        self.verified = verified
    }
}
