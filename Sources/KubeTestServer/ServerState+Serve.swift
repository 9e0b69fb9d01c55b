import KubeModel
import RBAC

extension ServerState {
    static let superuserGroup = "system:masters"

    /// Whether `user` may make `request`: `system:masters` always (kube-apiserver's
    /// `authorizerfactory.NewPrivilegedGroups`), everyone else by RBAC.
    mutating func allows(_ request: AccessRequest) -> Bool {
        request.user.groups.contains(Self.superuserGroup) || policy().allows(request)
    }

    /// The 403 for a denied request, worded as `responsewriters/errors.go` `forbiddenMessage`.
    static func forbidden(_ request: AccessRequest) -> APIError {
        guard request.isResourceRequest else {
            return APIError(
                code: 403, reason: "Forbidden",
                message: "forbidden: User \"\(request.user.name)\" cannot \(request.verb) path \"\(request.path)\"",
                details: JSONObject())
        }
        var resource = request.resource
        if !request.subresource.isEmpty { resource += "/\(request.subresource)" }
        var message = "User \"\(request.user.name)\" cannot \(request.verb) resource \"\(resource)\" in API group \"\(request.apiGroup)\""
        message += request.namespace.isEmpty ? " at the cluster scope" : " in the namespace \"\(request.namespace)\""
        return APIError.forbidden(GroupResource(group: request.apiGroup, resource: request.resource), name: request.name, message)
    }

    static func accessRequest(_ info: RequestInfo, user: UserInfo, verb: String? = nil) -> AccessRequest {
        if !info.isResourceRequest { return AccessRequest(user: user, verb: verb ?? info.verb, nonResourceURL: info.path) }
        return AccessRequest(
            user: user, verb: verb ?? info.verb, apiGroup: info.group, resource: info.resource, subresource: info.subresource,
            name: info.name, namespace: info.namespace)
    }

    /// Serves one authenticated request.
    mutating func serve(_ request: APIRequest, info: RequestInfo, user: UserInfo, serverURL: String) -> APIResponse {
        do throws(APIError) {
            let access = Self.accessRequest(info, user: user)
            guard allows(access) else { throw Self.forbidden(access) }
            guard info.isResourceRequest else {
                return try discovery(request, info: info, serverURL: serverURL)
            }
            guard let kind = kinds.kind(group: info.group, resource: info.resource), kind.versions.contains(info.version) else {
                throw APIError.pathNotFound
            }
            if kind.namespaced && info.namespace.isEmpty && !["list", "watch"].contains(info.verb) { throw APIError.pathNotFound }
            if !kind.namespaced && !info.namespace.isEmpty && kind.resource != "namespaces" { throw APIError.pathNotFound }
            return try serveResource(request, info: info, kind: kind, user: user)
        } catch {
            return .error(error)
        }
    }

    private mutating func serveResource(
        _ request: APIRequest, info: RequestInfo, kind: ResourceKind, user: UserInfo
    ) throws(APIError) -> APIResponse {
        if kind.group == "authorization.k8s.io" || kind.group == "authentication.k8s.io" {
            guard info.verb == "create", info.subresource.isEmpty else { throw APIError.methodNotAllowed }
            return try review(request, info: info, kind: kind, user: user)
        }
        switch (info.subresource, info.verb) {
        case ("", "get"): return .json(try get(info, kind: kind).content)
        case ("", "list"): return .json(try list(request, info: info, kind: kind))
        case ("", "watch"): return .watch(try watch(request, info: info, kind: kind))
        case ("", "create"): return .json(try create(request, info: info, kind: kind, user: user).content, status: request.isDryRun ? 200 : 201)
        case ("", "update"): return try update(request, info: info, kind: kind, user: user)
        case ("", "patch"): return try patch(request, info: info, kind: kind, user: user)
        case ("", "delete"): return .json(try delete(request, info: info, kind: kind, user: user))
        case ("", "deletecollection"): return .json(try deleteCollection(request, info: info, kind: kind, user: user))
        case ("status", "get"): return .json(try get(info, kind: kind).content)
        case ("status", "update"), ("status", "patch"):
            guard kind.subresources.contains("status") else { throw APIError.pathNotFound }
            return try info.verb == "update"
                ? update(request, info: info, kind: kind, user: user) : patch(request, info: info, kind: kind, user: user)
        case ("token", "create") where kind.group.isEmpty && kind.resource == "serviceaccounts":
            return .json(try tokenRequest(request, info: info), status: 201)
        case ("log", "get") where kind.group.isEmpty && kind.resource == "pods":
            _ = try get(info, kind: kind)
            return .full(status: 200, headers: [("Content-Type", "text/plain")], body: [])
        default:
            if !kind.subresources.contains(info.subresource) { throw APIError.pathNotFound }
            throw APIError.methodNotAllowed
        }
    }
}
