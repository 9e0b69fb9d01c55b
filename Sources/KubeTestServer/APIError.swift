import KubeModel

/// A failed request as kube-apiserver reports it: an HTTP status code and a `Status` body.
///
/// The reasons, messages and details follow `k8s.io/apimachinery/pkg/api/errors/errors.go`
/// (`NewNotFound`, `NewAlreadyExists`, `NewConflict`, `NewForbidden`, `NewInvalid`, ...).
struct APIError: Error, Sendable {
    var code: Int
    var reason: String
    var message: String
    var details: JSONObject?
    var retryAfter: Int?

    /// The `Status` object.
    var status: JSONValue {
        var object: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": .object(JSONObject())]
        object["status"] = "Failure"
        object["message"] = .string(message)
        object["reason"] = .string(reason)
        if let details { object["details"] = .object(details) }
        object["code"] = .integer(Int64(code))
        return object
    }

    /// `details` naming one object: `{name, group, kind: resource}` as Kubernetes fills them.
    static func details(_ resource: GroupResource, name: String) -> JSONObject {
        var details = JSONObject()
        if !name.isEmpty { details["name"] = .string(name) }
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        details["kind"] = .string(resource.resource)
        return details
    }

    static func notFound(_ resource: GroupResource, name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(resource.qualified) \"\(name)\" not found",
            details: details(resource, name: name))
    }

    /// A path the server does not serve (`errors.NewGenericServerResponse(404, ...)` as the mux answers).
    static let pathNotFound = APIError(
        code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: JSONObject())

    static func alreadyExists(_ resource: GroupResource, name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(resource.qualified) \"\(name)\" already exists",
            details: details(resource, name: name))
    }

    static func conflict(_ resource: GroupResource, name: String, _ why: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource.qualified) \"\(name)\": \(why)",
            details: details(resource, name: name))
    }

    static func staleResourceVersion(_ resource: GroupResource, name: String) -> APIError {
        conflict(
            resource, name: name,
            "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// `errors.NewForbidden`: `<resource> "<name>" is forbidden: <why>`.
    static func forbidden(_ resource: GroupResource, name: String, _ why: String) -> APIError {
        var message = resource.qualified
        message += name.isEmpty ? " is forbidden: \(why)" : " \"\(name)\" is forbidden: \(why)"
        return APIError(code: 403, reason: "Forbidden", message: message, details: details(resource, name: name))
    }

    static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static let methodNotAllowed = APIError(
        code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource",
        details: JSONObject())

    static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, "
                + "application/strategic-merge-patch+json",
            details: JSONObject([("causes", [["reason": "UnexpectedServerResponse", "message": .string(contentType)]] as JSONValue)]))
    }

    /// One entry of `details.causes` of an Invalid error.
    struct Cause: Sendable {
        var type: String
        var message: String
        var field: String
    }

    /// `errors.NewInvalid`: `Kind.group "name" is invalid: field: Detail, field: Detail`.
    static func invalid(kind: String, group: String, name: String, _ causes: [Cause]) -> APIError {
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        let text = causes.map { "\($0.field): \($0.message)" }
        let joined = text.count == 1 ? text[0] : "[" + text.joined(separator: ", ") + "]"
        var details = JSONObject()
        if !name.isEmpty { details["name"] = .string(name) }
        if !group.isEmpty { details["group"] = .string(group) }
        details["kind"] = .string(kind)
        details["causes"] = .array(
            causes.map {
                ["reason": .string($0.type), "message": .string($0.message), "field": .string($0.field)]
            })
        return APIError(
            code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(joined)", details: details)
    }

    /// `errors.NewResourceExpired`: a watch or continue token older than the retained history.
    static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    static func internalError(_ message: String) -> APIError {
        APIError(
            code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
            details: JSONObject([("causes", [["message": .string(message)]] as JSONValue)]))
    }

    /// An injected failure with the status code `code`.
    static func injected(_ code: Int, retryAfter: Int?) -> APIError {
        switch code {
        case 429:
            var details = JSONObject()
            if let retryAfter { details["retryAfterSeconds"] = .integer(Int64(retryAfter)) }
            return APIError(
                code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.",
                details: details, retryAfter: retryAfter)
        case 503:
            return APIError(
                code: 503, reason: "ServiceUnavailable", message: "The server is currently unable to handle the request",
                retryAfter: retryAfter)
        case 504:
            return APIError(
                code: 504, reason: "Timeout",
                message: "The server was unable to return a response in the time allotted, but may still be processing the request", retryAfter: retryAfter)
        case 500:
            return APIError(code: 500, reason: "InternalError", message: "Internal error occurred: injected fault", retryAfter: retryAfter)
        case 409:
            // As a stale resourceVersion is refused (registry `Store.Update`).
            return APIError(
                code: 409, reason: "Conflict",
                message: "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again",
                retryAfter: retryAfter)
        default:
            return APIError(code: code, reason: "Unknown", message: "injected fault \(code)", retryAfter: retryAfter)
        }
    }
}

/// A resource in an API group: `deployments` in `apps`.
struct GroupResource: Sendable, Hashable {
    var group: String
    var resource: String

    /// `deployments.apps`, or `configmaps` in the core group.
    var qualified: String { group.isEmpty ? resource : "\(resource).\(group)" }
}
