public import RBAC

/// A request the audit claims a subject may make: the attributes kube-apiserver's authorizer
/// sees (verb, API group, resource, subresource, object name, namespace, or a non-resource URL),
/// shaped as the API server shapes them.
///
/// Every finding that names subjects lists the requests that give it its capability, and the
/// audit reports it only when the authorizer allows each of them for each of its subjects. A
/// SubjectAccessReview of the same attributes asks a real API server the same question.
///
/// Shapes follow kube-apiserver: a cluster-scoped resource carries no namespace; a request on a
/// Namespace object is in that namespace; impersonating users and groups (core group), UIDs and
/// user extras (`authentication.k8s.io`) carries no namespace, impersonating a ServiceAccount
/// carries its namespace and name; approving a certificate asks `approve` on `signers` with the
/// signer's name. An empty ``name`` means "every name": only a rule without `resourceNames`
/// allows it. A `*` in ``verb``, ``apiGroup`` or ``resource`` asks for the wildcard itself, which
/// only a rule that lists `*` allows (as `kubectl auth can-i '*' '*'` does).
public struct ClaimedRequest: Sendable, Hashable, CustomStringConvertible {
    /// The verb (`get`, `impersonate`, `approve`, `*`).
    public var verb: String
    /// The API group, `""` for the core group.
    public var apiGroup: String
    /// The resource (`secrets`, `*`), `""` for a non-resource request.
    public var resource: String
    /// The subresource (`exec`, `approval`), or `""`.
    public var subresource: String
    /// The object name, `""` for every name (or a request on a collection).
    public var name: String
    /// The namespace, `""` for cluster-scoped resources and for every namespace.
    public var namespace: String
    /// The URL of a non-resource request, `""` for a resource request.
    public var path: String

    /// A resource request.
    public init(verb: String, apiGroup: String = "", resource: String, subresource: String = "", name: String = "", namespace: String = "") {
        self.verb = verb
        self.apiGroup = apiGroup
        self.resource = resource
        self.subresource = subresource
        self.name = name
        self.namespace = namespace
        self.path = ""
    }

    /// A non-resource request (`get /healthz`).
    public init(verb: String, path: String) {
        self.verb = verb
        self.apiGroup = ""
        self.resource = ""
        self.subresource = ""
        self.name = ""
        self.namespace = ""
        self.path = path
    }

    /// Whether this is a resource request.
    public var isResourceRequest: Bool { path.isEmpty }

    /// The same request made by `user`, for ``RBACPolicy/authorize(_:)``.
    public func by(_ user: UserInfo) -> AccessRequest {
        guard isResourceRequest else { return AccessRequest(user: user, verb: verb, nonResourceURL: path) }
        return AccessRequest(
            user: user, verb: verb, apiGroup: apiGroup, resource: resource, subresource: subresource, name: name, namespace: namespace)
    }

    /// The identity that stands for `subject` when a claim about it is checked: a user by its
    /// name, a ServiceAccount by its user name, a group through a user that is only in it. No
    /// implicit groups are added, so that only bindings naming the subject itself allow a claim.
    public static func user(for subject: Subject) -> UserInfo {
        switch subject.kind {
        case .user: UserInfo(name: subject.name, addingImplicitGroups: false)
        case .serviceAccount:
            UserInfo(name: UserInfo.serviceAccountUsername(namespace: subject.namespace ?? "", name: subject.name), addingImplicitGroups: false)
        default: UserInfo(name: "warrant:member-of-\(subject.name)", groups: [subject.name], addingImplicitGroups: false)
        }
    }

    /// `list secrets in namespace "team"`, `approve signers.certificates.k8s.io "example.com/x" cluster-wide`.
    public var description: String {
        guard isResourceRequest else { return "\(verb) \(path)" }
        var text = verb + " "
        text += ClaimedRequest.qualified(resource: resource, subresource: subresource, group: apiGroup)
        if !name.isEmpty { text += " \"\(name)\"" }
        text += namespace.isEmpty ? " cluster-wide" : " in namespace \"\(namespace)\""
        return text
    }

    /// `secrets`, `deployments.apps`, `certificatesigningrequests.certificates.k8s.io/approval`,
    /// `*/scale`, `* (every API group)`: a resource as kubectl names it, its API group named
    /// whenever it is not the core group.
    static func qualified(resource: String, subresource: String, group: String) -> String {
        if resource == "*" {
            let text = "'" + (subresource.isEmpty ? "*" : "*/" + subresource) + "'"
            switch group {
            case "": return text
            case "*": return text + " in every API group"
            default: return text + " in API group " + group
            }
        }
        var text = resource
        if group == "*" {
            if !subresource.isEmpty { text += "/" + subresource }
            return text + " in every API group"
        }
        if !group.isEmpty { text += "." + group }
        if !subresource.isEmpty { text += "/" + subresource }
        return text
    }
}
