public import Foundation
public import KubeModel

/// The holder record of a `coordination.k8s.io/v1` Lease: client-go's `LeaderElectionRecord`
/// as its `LeaseLock` keeps it in the Lease's `spec` (client-go `tools/leaderelection/resourcelock`,
/// `LeaseSpecToLeaderElectionRecord` and `LeaderElectionRecordToLeaseSpec`).
public struct LeaseRecord: Sendable, Hashable {
    /// `spec.holderIdentity`: who holds the lease; empty or `nil` when nobody does (released).
    public var holderIdentity: String?
    /// `spec.leaseDurationSeconds`: how long others wait after the last renewal they saw before
    /// they may take the lease.
    public var leaseDurationSeconds: Int?
    /// `spec.acquireTime`: when the current holder took the lease.
    public var acquireTime: Date?
    /// `spec.renewTime`: when the holder last renewed it.
    public var renewTime: Date?
    /// `spec.leaseTransitions`: how often the lease changed holders.
    public var leaseTransitions: Int

    /// Creates a record.
    public init(holderIdentity: String?, leaseDurationSeconds: Int?, acquireTime: Date?, renewTime: Date?, leaseTransitions: Int) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    /// The record in a Lease object (missing fields stay `nil`; unreadable times too).
    public init(lease: KubeObject) {
        let spec = lease.content["spec"]
        holderIdentity = spec?["holderIdentity"]?.stringValue
        leaseDurationSeconds = spec?["leaseDurationSeconds"]?.integerValue.map { Int($0) }
        acquireTime = spec?["acquireTime"]?.stringValue.flatMap(Self.parseMicroTime)
        renewTime = spec?["renewTime"]?.stringValue.flatMap(Self.parseMicroTime)
        leaseTransitions = spec?["leaseTransitions"]?.integerValue.map { Int($0) } ?? 0
    }

    /// Whether someone holds the lease (it may have expired: see ``LeaseLock``).
    public var isHeld: Bool { !(holderIdentity ?? "").isEmpty }

    /// `lease` with this record as its `spec` holder fields (other `spec` fields kept).
    public func applied(to lease: KubeObject) -> KubeObject {
        var result = lease
        var spec = lease.content["spec"]?.objectValue ?? JSONObject()
        spec["holderIdentity"] = holderIdentity.map(JSONValue.string)
        spec["leaseDurationSeconds"] = leaseDurationSeconds.map { .integer(Int64($0)) }
        spec["acquireTime"] = acquireTime.map { .string(Self.microTime($0)) }
        spec["renewTime"] = renewTime.map { .string(Self.microTime($0)) }
        spec["leaseTransitions"] = .integer(Int64(leaseTransitions))
        result.content["spec"] = .object(spec)
        return result
    }

    /// A `metav1.MicroTime` in JSON: RFC 3339 in UTC with exactly six fractional digits
    /// (`2006-01-02T15:04:05.000000Z07:00`, apimachinery `pkg/apis/meta/v1/micro_time.go`);
    /// the API server refuses a Lease whose times lack them.
    public static func microTime(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = min(999_999, Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down)))
        let whole = Date(timeIntervalSince1970: seconds).formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0) ?? .gmt))
        return String(whole.dropLast()) + "." + String(format: "%06d", micros) + "Z"
    }

    /// Reads a MicroTime (or an RFC 3339 time without fractions); `nil` when it is neither.
    public static func parseMicroTime(_ text: String) -> Date? {
        var whole = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: "."), let end = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }) {
            fraction = Double("0" + text[dot..<end]) ?? 0
            whole = String(text[..<dot] + text[end...])
        }
        guard let date = try? Date(whole, strategy: Date.ISO8601FormatStyle()) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
