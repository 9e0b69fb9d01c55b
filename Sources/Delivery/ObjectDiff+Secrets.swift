import KubeModel

extension ObjectDiff {
    /// `live` and `desired` with a Secret's values masked, as `kubectl diff` masks them
    /// (kubectl `pkg/cmd/diff` `Masker`): every value of `data` and `stringData` becomes `***`,
    /// and a key whose value differs becomes `*** (before)` in `live` and `*** (after)` in
    /// `desired`, so the diff shows which keys changed and never what they hold. Other kinds are
    /// returned as they are.
    static func maskingSecrets(live: KubeObject?, desired: KubeObject) -> (live: KubeObject?, desired: KubeObject) {
        let secret = GroupKind(group: "", kind: "Secret")
        guard desired.groupKind == secret || live?.groupKind == secret else { return (live, desired) }
        var maskedLive = live
        var maskedDesired = desired
        for field in ["data", "stringData"] {
            let before = live?.content[field]?.objectValue
            let after = desired.content[field]?.objectValue
            if var values = before {
                for (key, value) in values { values[key] = .string(after?[key].map { $0 == value ? "***" : "*** (before)" } ?? "***") }
                maskedLive?.content[field] = .object(values)
            }
            if var values = after {
                for (key, value) in values { values[key] = .string(before?[key].map { $0 == value ? "***" : "*** (after)" } ?? "***") }
                maskedDesired.content[field] = .object(values)
            }
        }
        return (maskedLive, maskedDesired)
    }
}
