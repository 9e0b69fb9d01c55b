/// One question to the authorizer: may this user do this verb on this resource or URL?
///
/// The fields are those of kube-apiserver's authorization attributes. A resource request names
/// an API group, a resource (with an optional subresource), an optional object name and a
/// namespace (`""` for cluster-scoped resources and for requests across all namespaces); a
/// non-resource request names a URL path. Verbs are those RBAC sees: `get`, `list`, `watch`,
/// `create`, `update`, `patch`, `delete`, `deletecollection`, plus special ones such as `bind`,
/// `escalate`, `impersonate`, `use`, `approve`.
public struct AccessRequest: Sendable, Hashable, CustomStringConvertible {
    /// Who asks.
    public let user: UserInfo
    /// The verb.
    public let verb: String
    /// `true` for a resource request, `false` for a non-resource URL.
    public let isResourceRequest: Bool
    /// The API group (`""` for the core group).
    public let apiGroup: String
    /// The resource, lower-case plural (`pods`); never contains `/`.
    public let resource: String
    /// The subresource (`exec`, `status`), or `""`.
    public let subresource: String
    /// The object name, or `""` for requests on a collection (`create`, `list`, ...).
    public let name: String
    /// The request's namespace, or `""`.
    public let namespace: String
    /// The URL path of a non-resource request, `""` for a resource request.
    public let path: String

    /// A resource request.
    ///
    /// Two rules of kube-apiserver's request parsing apply here: a request on a Namespace object
    /// itself (core `namespaces`, name `foo`, with or without subresource) is in namespace `foo`,
    /// so that a RoleBinding in `foo` can grant it; and `resource` may be written
    /// `resource/subresource` (`pods/exec`) when `subresource` is empty.
    ///
    /// - Parameters:
    ///   - user: who asks.
    ///   - verb: the verb.
    ///   - apiGroup: the API group, `""` for the core group.
    ///   - resource: the resource (`pods`, `deployments`), or `resource/subresource`.
    ///   - subresource: the subresource, or `""`.
    ///   - name: the object name; leave it empty for `create`, `list`, `watch` and
    ///     `deletecollection` unless a `list`/`watch` selects one name with a
    ///     `metadata.name` field selector, which the API server passes on as the name.
    ///   - namespace: the namespace, `""` for cluster-scoped resources and all-namespace requests.
    public init(
        user: UserInfo,
        verb: String,
        apiGroup: String = "",
        resource: String,
        subresource: String = "",
        name: String = "",
        namespace: String = ""
    ) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = true
        self.apiGroup = apiGroup
        if let slash = resource.firstIndex(of: "/") {
            let rest = String(resource[resource.index(after: slash)...])
            self.resource = String(resource[..<slash])
            self.subresource = subresource.isEmpty ? rest : "\(rest)/\(subresource)"
        } else {
            self.resource = resource
            self.subresource = subresource
        }
        self.name = name
        if apiGroup.isEmpty && self.resource == "namespaces" && !name.isEmpty {
            self.namespace = name
        } else {
            self.namespace = namespace
        }
        self.path = ""
    }

    /// A non-resource request (`get /healthz`, `get /apis/*`).
    public init(user: UserInfo, verb: String, nonResourceURL path: String) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = false
        self.apiGroup = ""
        self.resource = ""
        self.subresource = ""
        self.name = ""
        self.namespace = ""
        self.path = path
    }

    /// The same request made by `user`.
    public func by(_ user: UserInfo) -> AccessRequest {
        if isResourceRequest {
            return AccessRequest(
                user: user, verb: verb, apiGroup: apiGroup, resource: resource, subresource: subresource, name: name,
                namespace: namespace)
        }
        return AccessRequest(user: user, verb: verb, nonResourceURL: path)
    }

    /// What is asked, without the user: `get pods/log "web" in namespace "shop"`,
    /// `list deployments.apps cluster-wide`, `get nonResourceURL "/healthz"`.
    public var action: String {
        guard isResourceRequest else { return "\(verb) nonResourceURL \"\(path)\"" }
        var text = "\(verb) \(resource)"
        if !apiGroup.isEmpty { text += ".\(apiGroup)" }
        if !subresource.isEmpty { text += "/\(subresource)" }
        if !name.isEmpty { text += " \"\(name)\"" }
        text += namespace.isEmpty ? " cluster-wide" : " in namespace \"\(namespace)\""
        return text
    }

    /// `user alice (groups: ...) to get pods in namespace "shop"`.
    public var description: String { "user \(user) to \(action)" }
}
