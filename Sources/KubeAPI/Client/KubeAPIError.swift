import KubeModel

/// A failed request: a Kubernetes `Status` from the server, or a transport failure.
///
/// The message is the server's (it never holds credentials) or Warrant's; the request's
/// Authorization header is never part of it.
public struct KubeAPIError: Error, Sendable, CustomStringConvertible {
    /// One cause in `details.causes` (422 field errors, 409 field-manager conflicts).
    public struct Cause: Sendable, Hashable {
        /// `FieldManagerConflict`, `FieldValueInvalid`, …
        public var type: String
        /// What is wrong.
        public var message: String
        /// The field, e.g. `.spec.replicas`.
        public var field: String

        /// Creates a cause.
        public init(type: String, message: String, field: String) {
            self.type = type
            self.message = message
            self.field = field
        }
    }

    /// How a request failed without an answer from the API server.
    public enum TransportFailure: String, Sendable, Hashable, CustomStringConvertible {
        /// The server could not be reached: no route, connection refused, name not resolved, the
        /// connection closed or timed out before an answer.
        case unreachable = "Unreachable"
        /// TLS failed: the server's certificate is not trusted or does not name it, or the CA or
        /// client certificate from the configuration is not valid.
        case tls = "TLS"
        /// No complete answer within the request deadline (`--request-timeout`).
        case timeout = "Timeout"

        /// The ``KubeAPIError/reason`` of such a failure.
        public var description: String { rawValue }
    }

    /// The HTTP status code, 0 when the server was not reached.
    public var code: Int
    /// `Forbidden`, `NotFound`, `Conflict`, `AlreadyExists`, `Invalid`, `Gone`, `Unauthorized`,
    /// `TooManyRequests`, `InternalError`, …, or `Unreachable` / `TLS` for transport failures.
    public var reason: String
    /// The message.
    public var message: String
    /// `details.name`, `details.group`, `details.kind`.
    public var name: String?
    public var group: String?
    public var kind: String?
    /// `details.causes`.
    public var causes: [Cause]
    /// Seconds from a `Retry-After` header or `details.retryAfterSeconds`.
    public var retryAfterSeconds: Int?
    /// The request, as `METHOD path`.
    public var request: String
    /// How the request failed when the server gave no answer (``code`` is then 0); `nil` for an
    /// answer.
    public var transportFailure: TransportFailure?
    /// The error underneath a transport failure (a NIO, TLS or HTTP client error), when there is one.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(
        code: Int, reason: String, message: String, request: String, name: String? = nil, group: String? = nil, kind: String? = nil,
        causes: [Cause] = [], retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.request = request
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// A request that got no answer: code 0, ``reason`` the failure's name.
    public static func transport(_ failure: TransportFailure, message: String, request: String, underlying: (any Error)? = nil) -> KubeAPIError {
        var error = KubeAPIError(code: 0, reason: failure.rawValue, message: message, request: request)
        error.transportFailure = failure
        error.underlying = underlying
        return error
    }

    /// The error a response carries: its `Status` body when there is one, else the status code.
    static func from(_ response: KubeResponse, request: KubeRequest) -> KubeAPIError {
        let label = "\(request.method) \(request.path)"
        let retryAfter = response.header("retry-after").flatMap { Int($0) }
        guard let status = try? JSONValue.parseJSON(response.body, source: label), status["kind"]?.stringValue == "Status" else {
            let text = String(decoding: response.body.prefix(300), as: UTF8.self).filter { $0 != "\n" }
            return KubeAPIError(
                code: response.status, reason: Self.reason(forCode: response.status),
                message: text.isEmpty ? "HTTP \(response.status)" : text, request: label, retryAfterSeconds: retryAfter)
        }
        let details = status["details"]
        let causes = (details?["causes"]?.arrayValue ?? []).map { cause in
            Cause(
                type: cause["reason"]?.stringValue ?? cause["type"]?.stringValue ?? "", message: cause["message"]?.stringValue ?? "",
                field: cause["field"]?.stringValue ?? "")
        }
        return KubeAPIError(
            code: Int(status["code"]?.integerValue ?? Int64(response.status)),
            reason: status["reason"]?.stringValue ?? Self.reason(forCode: response.status),
            message: status["message"]?.stringValue ?? "HTTP \(response.status)", request: label, name: details?["name"]?.stringValue,
            group: details?["group"]?.stringValue, kind: details?["kind"]?.stringValue, causes: causes,
            retryAfterSeconds: retryAfter ?? details?["retryAfterSeconds"]?.integerValue.map { Int($0) })
    }

    static func reason(forCode code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "Unknown"
        }
    }

    /// 403.
    public var isForbidden: Bool { code == 403 }
    /// 404.
    public var isNotFound: Bool { code == 404 }
    /// 409 with reason `Conflict` (a stale resourceVersion or field-manager conflicts).
    public var isConflict: Bool { code == 409 && reason == "Conflict" }
    /// 409 with reason `AlreadyExists`.
    public var isAlreadyExists: Bool { code == 409 && reason == "AlreadyExists" }
    /// 410: a watch's resourceVersion is too old.
    public var isGone: Bool { code == 410 }
    /// The server could not be reached, the TLS handshake failed, or no answer came in time.
    public var isTransportFailure: Bool { transportFailure != nil }
    /// The cluster could not be reached or refused the credentials (a transport failure or 401):
    /// what the CLI reports with exit status 3.
    public var isUnreachable: Bool { isTransportFailure || code == 401 }

    public var description: String {
        var text = "\(request): \(message)"
        if code != 0 { text += " (\(code) \(reason))" }
        for cause in causes { text += "\n  - \(cause.field.isEmpty ? "" : cause.field + ": ")\(cause.message)" }
        return text
    }
}
