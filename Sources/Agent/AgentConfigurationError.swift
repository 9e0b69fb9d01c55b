/// A setting of `warrant agent run` that cannot be used: where it came from, what is wrong and
/// what to do. Never contains the content of a credential file.
public struct AgentConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The setting, when one is to blame.
    public var setting: AgentSetting?
    /// Where the value came from: a flag, or a file and line; `nil` for a missing setting.
    public var origin: AgentSettings.Origin?
    /// What is wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ setting: AgentSetting?, at origin: AgentSettings.Origin?, _ message: String, hint: String? = nil) {
        self.setting = setting
        self.origin = origin
        self.message = message
        self.hint = hint
    }

    /// `agent.yaml:3: repo: message`, `--repo: message`, or `repo: message` for a missing one,
    /// with the hint on its own line.
    public var description: String {
        var text: String
        switch origin {
        case .file(let location)?:
            text = "\(location): " + (setting.map { "\($0): " } ?? "") + message
        case .flag(let flag)?:
            text = "\(flag): \(message)"
        case nil:
            text = (setting.map { "\($0.flag): " } ?? "") + message
        }
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// All problems found in one configuration, reported together.
public struct AgentConfigurationErrors: Error, Sendable, CustomStringConvertible {
    /// The problems, in setting order.
    public var errors: [AgentConfigurationError]

    /// Wraps problems.
    public init(_ errors: [AgentConfigurationError]) {
        self.errors = errors
    }

    /// One problem per paragraph.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
