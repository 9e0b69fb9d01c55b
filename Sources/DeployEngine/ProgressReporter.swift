/// Where an engine sends what it is doing, as values: the caller decides how (or whether) to
/// show them.
///
/// `warrant deploy` prints each event as a line on standard error; a long-running agent logs
/// them; tests collect them. The handler is called on the engine's task, in order, and must not
/// block for long.
public struct ProgressReporter<Event: Sendable>: Sendable {
    private let handler: @Sendable (Event) -> Void

    /// A reporter that hands every event to `handler`.
    public init(_ handler: @escaping @Sendable (Event) -> Void) {
        self.handler = handler
    }

    /// Reports one event.
    public func report(_ event: Event) {
        handler(event)
    }

    /// A reporter that drops every event.
    public static var silent: ProgressReporter<Event> { ProgressReporter { _ in } }
}

/// The progress of a deploy (``DeployEngine``).
public typealias DeployReporter = ProgressReporter<DeployEvent>

/// The progress of installing a credential (``CredentialInstaller``).
public typealias CredentialReporter = ProgressReporter<CredentialEvent>
