/// One break in a chain of deployment records, found by ``RecordChain/verify(_:anchor:)``.
public struct ChainProblem: Sendable, Hashable, CustomStringConvertible {
    /// What kind of break.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The record's content no longer matches its digest: it was changed after it was written.
        case altered
        /// The record's `previous` digest matches no record (nor the anchor): records before it are missing.
        case gap
        /// The record's `previous` digest names a record other than the one before it: records were moved.
        case reordered
    }

    /// The kind of break.
    public var kind: Kind
    /// The position of the record in the list verified.
    public var index: Int
    /// The record's ID.
    public var recordID: String
    /// A sentence for people.
    public var message: String

    /// Creates a problem.
    public init(kind: Kind, index: Int, recordID: String, message: String) {
        self.kind = kind
        self.index = index
        self.recordID = recordID
        self.message = message
    }

    /// `record 3 (id): message`.
    public var description: String { "record \(index + 1) (\(recordID)): \(message)" }
}
