/// One request the server answered, for assertions such as "the dry run wrote nothing".
public struct RecordedRequest: Sendable, Hashable {
    /// The HTTP method (`GET`, `PATCH`, ...).
    public var method: String
    /// The URL path, without the query.
    public var path: String
    /// The query string without `?`, `""` when none.
    public var query: String
    /// The authenticated user name, `nil` when authentication failed.
    public var user: String?
    /// The authorization verb (`get`, `list`, `watch`, `create`, `patch`, ...); for
    /// non-resource URLs the lower-case method.
    public var verb: String
    /// The status code answered (200 for a watch that started; 0 for a dropped connection).
    public var statusCode: Int
    /// The `Content-Type` of the request, `""` when none.
    public var contentType: String

    /// Creates a record.
    public init(method: String, path: String, query: String, user: String?, verb: String, statusCode: Int, contentType: String) {
        self.method = method
        self.path = path
        self.query = query
        self.user = user
        self.verb = verb
        self.statusCode = statusCode
        self.contentType = contentType
    }

    /// Whether the request was meant to change something (`POST`, `PUT`, `PATCH`, `DELETE`),
    /// dry runs included.
    public var isWrite: Bool { ["POST", "PUT", "PATCH", "DELETE"].contains(method) }

    /// Whether the request was a dry run (`dryRun=All`).
    public var isDryRun: Bool { query.split(separator: "&").contains("dryRun=All") }
}
