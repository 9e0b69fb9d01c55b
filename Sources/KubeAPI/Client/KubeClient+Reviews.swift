import KubeModel
public import RBAC

extension KubeClient {
    /// The caller's rules in `namespace` (SelfSubjectRulesReview), and whether the server said
    /// the list may be incomplete.
    public func selfSubjectRules(namespace: String) async throws -> (rules: [PolicyRule], incomplete: Bool) {
        let review: JSONValue = [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": ["namespace": .string(namespace)],
        ]
        let answer = try await json(
            KubeRequest(
                method: "POST", path: "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                headers: Self.jsonHeaders + [("Content-Type", "application/json")], body: Self.body(review)))
        func strings(_ value: JSONValue?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }
        var rules: [PolicyRule] = []
        for rule in answer[path: ["status", "resourceRules"]]?.arrayValue ?? [] {
            rules.append(
                PolicyRule(
                    verbs: strings(rule["verbs"]), apiGroups: strings(rule["apiGroups"]), resources: strings(rule["resources"]),
                    resourceNames: strings(rule["resourceNames"])))
        }
        for rule in answer[path: ["status", "nonResourceRules"]]?.arrayValue ?? [] {
            rules.append(PolicyRule(verbs: strings(rule["verbs"]), nonResourceURLs: strings(rule["nonResourceURLs"])))
        }
        return (rules, answer[path: ["status", "incomplete"]]?.boolValue ?? false)
    }

    /// Whether the caller may do `attributes` (SelfSubjectAccessReview), and the server's reason.
    public func selfSubjectAccess(_ attributes: AccessAttributes) async throws -> (allowed: Bool, reason: String) {
        let review: JSONValue = ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": attributes.spec]
        return try await accessReview(path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review)
    }

    /// Whether `user` with `groups` may do `attributes` (SubjectAccessReview; the caller needs
    /// `create` on `subjectaccessreviews`).
    public func subjectAccess(_ attributes: AccessAttributes, user: String, groups: [String]) async throws -> (allowed: Bool, reason: String) {
        guard case .object(var spec) = attributes.spec else { return (false, "") }
        spec["user"] = .string(user)
        if !groups.isEmpty { spec["groups"] = .array(groups.map(JSONValue.string)) }
        let review: JSONValue = ["apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": .object(spec)]
        return try await accessReview(path: "/apis/authorization.k8s.io/v1/subjectaccessreviews", review)
    }

    private func accessReview(path: String, _ review: JSONValue) async throws -> (allowed: Bool, reason: String) {
        let answer = try await json(
            KubeRequest(method: "POST", path: path, headers: Self.jsonHeaders + [("Content-Type", "application/json")], body: Self.body(review)))
        return (answer[path: ["status", "allowed"]]?.boolValue ?? false, answer[path: ["status", "reason"]]?.stringValue ?? "")
    }

    /// A token for ServiceAccount `namespace/name` (TokenRequest), valid for `expirationSeconds`;
    /// returns the token and its expiry as the server wrote it.
    public func requestToken(namespace: String, serviceAccount: String, expirationSeconds: Int) async throws -> (token: String, expiration: String) {
        let request: JSONValue = [
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "spec": ["expirationSeconds": .integer(Int64(expirationSeconds))],
        ]
        let path = "/api/v1/namespaces/\(KubeRequest.pathSegment(namespace))/serviceaccounts/\(KubeRequest.pathSegment(serviceAccount))/token"
        let answer = try await json(
            KubeRequest(method: "POST", path: path, headers: Self.jsonHeaders + [("Content-Type", "application/json")], body: Self.body(request)))
        guard let token = answer[path: ["status", "token"]]?.stringValue, !token.isEmpty else {
            throw KubeAPIError(code: 200, reason: "BadResponse", message: "the TokenRequest answer holds no token", request: "POST \(path)")
        }
        return (token, answer[path: ["status", "expirationTimestamp"]]?.stringValue ?? "")
    }
}

/// What an access review asks: a resource request or a non-resource URL.
public struct AccessAttributes: Sendable, Hashable {
    public var verb: String
    public var group: String
    public var resource: String
    public var subresource: String
    public var name: String
    public var namespace: String
    public var nonResourceURL: String?

    /// A resource request.
    public init(verb: String, group: String = "", resource: String, subresource: String = "", name: String = "", namespace: String = "") {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.name = name
        self.namespace = namespace
        self.nonResourceURL = nil
    }

    /// A non-resource request such as `GET /healthz`.
    public init(verb: String, nonResourceURL: String) {
        self.verb = verb
        self.group = ""
        self.resource = ""
        self.subresource = ""
        self.name = ""
        self.namespace = ""
        self.nonResourceURL = nonResourceURL
    }

    var spec: JSONValue {
        if let nonResourceURL {
            return ["nonResourceAttributes": ["verb": .string(verb), "path": .string(nonResourceURL)]]
        }
        var attributes = JSONObject()
        attributes["verb"] = .string(verb)
        attributes["group"] = .string(group)
        attributes["resource"] = .string(resource)
        if !subresource.isEmpty { attributes["subresource"] = .string(subresource) }
        if !name.isEmpty { attributes["name"] = .string(name) }
        if !namespace.isEmpty { attributes["namespace"] = .string(namespace) }
        return ["resourceAttributes": .object(attributes)]
    }
}
