/// Something the loader skipped, and why: a folder entry that is not a regular file, a file or
/// folder reached a second time. Commands print these as warnings.
public struct ManifestNotice: Sendable, Hashable, CustomStringConvertible {
    /// The path (line 0).
    public var location: SourceLocation
    /// What happened.
    public var message: String

    /// Creates a notice.
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(location): \(message)" }
}
