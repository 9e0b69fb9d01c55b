/// How bad a finding is, from `low` to `critical`; ordered so that `critical > high`.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    /// Worth knowing; no direct risk.
    case low
    /// A risk within the namespace or one that needs another step to exploit.
    case medium
    /// Takes over the namespace, reads its secrets, or reaches out of it.
    case high
    /// Takes over the cluster or bypasses its access control.
    case critical

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// One level lower, `low` at the bottom.
    public var lowered: Severity {
        switch self {
        case .critical: .high
        case .high: .medium
        case .medium, .low: .low
        }
    }

    /// The severity's name.
    public var description: String { rawValue }
}
