/// The webhook secret file cannot be used; names the file, never its content.
public struct WebhookSecretError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public let file: String
    /// What is wrong.
    public let message: String
    /// What to do.
    public let hint: String

    init(file: String, _ message: String, hint: String) {
        self.file = file
        self.message = message
        self.hint = hint
    }

    /// `--webhook-secret-file FILE: MESSAGE (HINT)`.
    public var description: String { "--webhook-secret-file \(file): \(message) (\(hint))" }
}
