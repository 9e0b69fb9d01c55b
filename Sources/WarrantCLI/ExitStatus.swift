/// The exit codes every Warrant command uses.
///
/// | code | meaning |
/// | --- | --- |
/// | 0 | success; nothing at or above the failure threshold |
/// | 1 | findings at or above the threshold, a check that did not hold, or an operation that failed |
/// | 2 | invalid input or usage: a manifest, flag or file Warrant cannot use (checked before any request) |
/// | 3 | the cluster or API could not be reached, refused the credentials, or did not answer in time |
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Success.
    case success = 0
    /// Findings at or above the threshold, or an operation failed.
    case failure = 1
    /// Invalid input or usage.
    case invalidInput = 2
    /// The cluster or API was unreachable or refused the request.
    case unreachable = 3
}

/// Thrown by a command to end with a given status after it has printed its result: a check that
/// did not hold (`can` answering no, `scope --compare` finding a difference, findings at or above
/// `--fail-on`). Errors are not printed by the command but thrown as values (`CommandError`).
public struct CommandExit: Error, Sendable {
    /// The status to exit with.
    public var status: ExitStatus

    /// Ends the command with `status`.
    public init(_ status: ExitStatus) {
        self.status = status
    }
}
