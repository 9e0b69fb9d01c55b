import KubeModel

/// What the API layer answers: a complete response, a watch stream, or nothing (a dropped connection).
enum APIResponse: Sendable {
    case full(status: Int, headers: [(String, String)], body: [UInt8])
    case watch(WatchStream)
    case drop

    static func json(_ value: JSONValue, status: Int = 200, contentType: String = "application/json") -> APIResponse {
        .full(status: status, headers: [("Content-Type", contentType)], body: Array(JSONWriter.write(value, indent: 0).utf8))
    }

    static func error(_ error: APIError) -> APIResponse {
        var headers = [("Content-Type", "application/json")]
        if let retryAfter = error.retryAfter { headers.append(("Retry-After", String(retryAfter))) }
        return .full(status: error.code, headers: headers, body: Array(JSONWriter.write(error.status, indent: 0).utf8))
    }

    var statusCode: Int {
        switch self {
        case .full(let status, _, _): status
        case .watch: 200
        case .drop: 0
        }
    }
}
