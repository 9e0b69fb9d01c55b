/// The status ConfigMap exists but cannot be read as a status.
public struct AgentStatusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// The message.
    public var description: String { message }
}
