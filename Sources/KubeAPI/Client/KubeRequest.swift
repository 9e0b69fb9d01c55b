/// One request to the Kubernetes API, before authentication is added.
public struct KubeRequest: Sendable {
    /// The HTTP method.
    public var method: String
    /// The path, e.g. `/apis/apps/v1/namespaces/shop/deployments/web`.
    public var path: String
    /// Query parameters, in order.
    public var query: [(String, String)]
    /// Extra headers (Accept, Content-Type).
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]?

    /// Creates a request.
    public init(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Whether repeating the request cannot do harm: reads, updates, apply, deletes. A create
    /// (POST) is repeated only when the server said it did not process it (429).
    public var isIdempotent: Bool { method != "POST" }

    /// The path with the query, percent-encoded.
    public var target: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    /// One component of a path (a name, a namespace, a resource), percent-encoded so that it
    /// stays one component: everything but RFC 3986's unreserved characters, `:` and `@` (as in
    /// `system:controller`) is escaped, `/`, `?`, `#`, `%` and spaces included. The API server
    /// decodes it back to the name.
    public static func pathSegment(_ text: String) -> String {
        let plain = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                true
            default:
                false
            }
        }
        return plain ? text : encode(text, keeping: [UInt8(ascii: ":"), UInt8(ascii: "@")])
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (and `keeping`).
    static func encode(_ text: String, keeping: Set<UInt8> = []) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case _ where keeping.contains(byte):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
            }
        }
        return result
    }
}

/// The answer to a ``KubeRequest``.
public struct KubeResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Response headers, lower-cased names.
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.0.lowercased() == lowered }?.1
    }
}

/// Sends requests to the API server: the seam between the client's logic and the network, so
/// that retries, errors and pagination are tested without one.
public protocol KubeTransport: Sendable {
    /// Sends `request` with `authorization` (a bearer token header value, or `nil`).
    func send(_ request: KubeRequest, authorization: String?) async throws -> KubeResponse
    /// Sends `request` and returns the status and the body as it arrives, line by line (watch).
    func stream(_ request: KubeRequest, authorization: String?) async throws -> (status: Int, lines: AsyncThrowingStream<[UInt8], any Error>)
}
