/// The commits an agent is asked to trust: those reachable from ``tip`` and not from ``base``.
///
/// `base` is the last applied commit; `nil` on the first run, when only the tip is verified and
/// trust starts there.
public struct CommitRange: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The last applied commit, or `nil` on the first run.
    public var base: CommitID?
    /// The new tip of the branch.
    public var tip: CommitID

    /// Creates a range.
    public init(base: CommitID?, tip: CommitID) {
        self.base = base
        self.tip = tip
    }

    /// Whether this is the first run, where trust starts at the tip.
    public var startsTrust: Bool { base == nil }

    /// `base..tip` as Git writes it, or just the tip on the first run.
    public var description: String {
        guard let base else { return tip.short }
        return "\(base.short)..\(tip.short)"
    }
}
