public import KubeAPI

/// What ``DeployError`` and ``CredentialError`` have in common: a message, the items involved,
/// what to do next, the error underneath, and whether it is the API server's.
///
/// The explanation a person reads (``description``), the API server's error (``apiError``) and
/// whether the cluster could not be reached (``isUnreachable``) are written once, here.
public protocol ExplainedError: Error, CustomStringConvertible {
    /// What went wrong; may end with a colon when ``details`` follow.
    var message: String { get }
    /// The items involved, one line each.
    var details: [String] { get }
    /// What to do next, one line.
    var hint: String? { get }
    /// The error underneath, where there is one.
    var underlying: (any Error)? { get }
    /// Whether the error is the API server's answer or a failure to reach it (the `api` code).
    var isAPIFailure: Bool { get }
}

extension ExplainedError {
    /// The API server's error, when this is one.
    public var apiError: KubeAPIError? { underlying as? KubeAPIError }

    /// Whether the cluster could not be reached or refused the credentials (a transport failure
    /// or 401): exit status 3 for the CLI.
    public var isUnreachable: Bool {
        guard isAPIFailure, let apiError else { return false }
        return apiError.isUnreachable
    }

    /// The message, each detail as `  - detail`, and the hint indented, on lines of their own.
    public var description: String {
        var text = message
        for detail in details { text += "\n  - \(detail)" }
        if let hint { text += "\n  \(hint)" }
        return text
    }
}
