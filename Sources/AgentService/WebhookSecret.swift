import Foundation

/// The shared secret of the webhook receiver (`--webhook-secret-file`): GitLab's secret token,
/// GitHub's webhook secret. Its bytes never appear in a description, a log line or an error.
public struct WebhookSecret: Sendable, CustomStringConvertible {
    /// The secret, without the surrounding white space and line breaks of the file.
    package let bytes: [UInt8]

    /// The longest secret file read (GitHub and GitLab secrets are far shorter).
    public static let maxFileSize = 64 * 1024

    /// A secret given as bytes (tests).
    package init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads the secret from `file` (a Secret mounted into the pod): white space and line breaks
    /// around it are dropped (a Secret created with `echo` ends with one).
    ///
    /// - Throws: ``WebhookSecretError`` naming the file (never its content) when it cannot be
    ///   read, is empty or is larger than ``maxFileSize``.
    public init(file: String) throws(WebhookSecretError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw WebhookSecretError(file: file, "cannot be read", hint: "mount the Secret holding the webhook secret and give the file's path")
        }
        guard data.count <= Self.maxFileSize else {
            throw WebhookSecretError(file: file, "is larger than \(Self.maxFileSize / 1024) KiB", hint: "the file must hold the webhook secret only")
        }
        var bytes = Array(data)
        let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        while let last = bytes.last, blank.contains(last) { bytes.removeLast() }
        let start = bytes.firstIndex { !blank.contains($0) } ?? bytes.endIndex
        bytes.removeSubrange(..<start)
        guard !bytes.isEmpty else {
            throw WebhookSecretError(file: file, "is empty", hint: "write the secret configured in GitHub or GitLab into it")
        }
        self.bytes = bytes
    }

    /// Never the secret.
    public var description: String { "<webhook secret, \(bytes.count) bytes>" }
}
