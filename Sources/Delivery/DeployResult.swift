/// How a deploy ended.
public enum DeployResult: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Applied (and pruned, and healthy when waited for).
    case succeeded
    /// Stopped by an error; the message says which.
    case failed
    /// Nothing was changed: `--dry-run`.
    case dryRun = "dry-run"
    /// Stopped by a signal or a timeout before finishing.
    case interrupted
    /// Nothing was applied: the change was refused before the deploy (an agent's commit whose
    /// signature did not verify); the message says why.
    case refused

    /// The raw value.
    public var description: String { rawValue }
}
