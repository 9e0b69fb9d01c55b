import Foundation
import KubeModel

/// Why a ``LeaseLock`` could not be taken or was lost.
public struct LeaseError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Kind: String, Sendable, Hashable {
        /// Someone else holds the lease, and waiting for it took longer than allowed.
        case held
        /// The holder could not renew the lease in time (or saw another holder take it) and
        /// stopped before the lease could expire in others' eyes.
        case lost
        /// The lock's settings break client-go's rules (see ``LeaseLock/Configuration``).
        case invalidConfiguration = "invalid-configuration"
    }

    /// What kind of problem this is.
    public var kind: Kind
    /// `namespace/name` of the Lease.
    public var lease: String
    /// The holder record last seen, when there is one.
    public var holder: LeaseRecord?
    /// What went wrong, in words.
    public var message: String
    /// The API error underneath, where there is one.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ kind: Kind, lease: String, holder: LeaseRecord? = nil, message: String, underlying: (any Error)? = nil) {
        self.kind = kind
        self.lease = lease
        self.holder = holder
        self.message = message
        self.underlying = underlying
    }

    /// The message, with the holder's identity escaped: anyone who can write the Lease can put
    /// any text into it.
    public var description: String { message }

    /// `held by ID since TIME (renewed TIME)`, the holder's identity escaped (``DisplayText``).
    public static func describe(_ record: LeaseRecord) -> String {
        let holder = DisplayText.escaped(record.holderIdentity ?? "", limit: 120)
        var text = "held by \(holder)"
        if let acquired = record.acquireTime { text += " since \(timestamp(acquired))" }
        if let renewed = record.renewTime { text += " (renewed \(timestamp(renewed)))" }
        return text
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0) ?? .gmt))
    }
}
