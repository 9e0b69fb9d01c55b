/// The settings of attribution: how much clock difference to allow, and which users are
/// automation the auditor accepts.
public struct AttributionRules: Sendable, Hashable {
    /// Seconds a request may fall before a record's `started` or after its `finished` and still
    /// belong to it. A record's times come from the clock of the machine that ran the deploy
    /// (whole seconds, rounded down), the audit log's from the API server's; the two differ by
    /// the clocks' skew (none on one machine, usually well under a second with NTP). Default 5.
    public var clockTolerance: Double
    /// Seconds after `finished` in which the record's own writes (the `warrant-history`
    /// ConfigMap and the deploy's Event) may still arrive: `warrant deploy` takes `finished`
    /// before it writes the record. Default 60.
    public var recordWriteAllowance: Double
    /// Users whose requests are automation the auditor accepts (`--automation`): exact names, or
    /// a prefix ending in `*` (`system:serviceaccount:argocd:*`).
    public var automation: [String]
    /// The ApplySet parent ConfigMaps `warrant deploy --prune` writes (`--applyset`), counted as
    /// the record's own objects. Default `warrant-applyset`.
    public var applySetNames: [String]
    /// The history ConfigMap's name (`warrant-history`; its archives are `-1`, `-2`, …).
    public var historyName: String

    /// Creates rules.
    public init(
        clockTolerance: Double = 5, recordWriteAllowance: Double = 60, automation: [String] = [], applySetNames: [String] = ["warrant-applyset"],
        historyName: String = "warrant-history"
    ) {
        self.clockTolerance = clockTolerance
        self.recordWriteAllowance = recordWriteAllowance
        self.automation = automation
        self.applySetNames = applySetNames
        self.historyName = historyName
    }

    /// Whether `user` is declared automation.
    public func isAutomation(_ user: String) -> Bool {
        automation.contains { pattern in
            pattern.hasSuffix("*") ? user.hasPrefix(pattern.dropLast()) : user == pattern
        }
    }
}
