import Crypto
import Foundation
import KubeModel
import RBAC

extension ServerState {
    /// The create-only review kinds of `authorization.k8s.io` and `authentication.k8s.io`
    /// (`pkg/registry/authorization/*`, `pkg/registry/authentication/*`).
    mutating func review(_ request: APIRequest, info: RequestInfo, kind: ResourceKind, user: UserInfo) throws(APIError) -> APIResponse {
        var body = try Self.decodeBody(request)
        let spec = body["spec"] ?? .object(JSONObject())
        var status = JSONObject()
        switch kind.resource {
        case "selfsubjectrulesreviews":
            let namespace = spec["namespace"]?.stringValue ?? ""
            var resourceRules: [JSONValue] = []
            var nonResourceRules: [JSONValue] = []
            let review = policy().effectiveRules(for: user, namespace: namespace)
            for rule in review.rules {
                var value = rule.jsonValue
                if rule.isResourceRule {
                    value["nonResourceURLs"] = nil
                    resourceRules.append(value)
                } else {
                    nonResourceRules.append([
                        "verbs": .array(rule.verbs.map(JSONValue.string)), "nonResourceURLs": .array(rule.nonResourceURLs.map(JSONValue.string)),
                    ])
                }
            }
            status["resourceRules"] = .array(resourceRules)
            status["nonResourceRules"] = .array(nonResourceRules)
            status["incomplete"] = .bool(review.isIncomplete)
            if review.isIncomplete {
                status["evaluationError"] = .string(review.unresolvedBindings.map { Denial.problem(of: $0) }.joined(separator: ", "))
            }
        case "selfsubjectaccessreviews", "subjectaccessreviews", "localsubjectaccessreviews":
            let subject: UserInfo
            if kind.resource == "selfsubjectaccessreviews" {
                subject = user
            } else {
                let groups = (spec["groups"]?.arrayValue ?? []).compactMap(\.stringValue)
                subject = UserInfo(name: spec["user"]?.stringValue ?? "", groups: groups, addingImplicitGroups: false)
                guard subject.name.isEmpty == false || !groups.isEmpty else {
                    throw APIError.invalid(
                        kind: kind.kind, group: kind.group, name: "",
                        [
                            .init(
                                type: "FieldValueRequired", message: "Invalid value: \"\": at least one of user or group must be specified", field: "spec.user")
                        ])
                }
            }
            let access: AccessRequest
            if let attributes = spec["resourceAttributes"] {
                var namespace = attributes["namespace"]?.stringValue ?? ""
                if kind.resource == "localsubjectaccessreviews" {
                    if !namespace.isEmpty && namespace != info.namespace {
                        throw APIError.badRequest("spec.resourceAttributes.namespace must match namespace: \(info.namespace)")
                    }
                    namespace = info.namespace
                }
                access = AccessRequest(
                    user: subject, verb: attributes["verb"]?.stringValue ?? "", apiGroup: attributes["group"]?.stringValue ?? "",
                    resource: attributes["resource"]?.stringValue ?? "", subresource: attributes["subresource"]?.stringValue ?? "",
                    name: attributes["name"]?.stringValue ?? "", namespace: namespace)
            } else if let attributes = spec["nonResourceAttributes"] {
                access = AccessRequest(user: subject, verb: attributes["verb"]?.stringValue ?? "", nonResourceURL: attributes["path"]?.stringValue ?? "")
            } else {
                throw APIError.invalid(
                    kind: kind.kind, group: kind.group, name: "",
                    [
                        .init(
                            type: "FieldValueRequired", message: "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified",
                            field: "spec.resourceAttributes")
                    ])
            }
            if subject.groups.contains(Self.superuserGroup) {
                status["allowed"] = true
            } else {
                let decision = policy().authorize(access)
                status["allowed"] = .bool(decision.isAllowed)
                if decision.isAllowed { status["reason"] = .string("RBAC: allowed by \(decision.reason)") }
            }
        case "selfsubjectreviews":
            var userInfo: JSONValue = ["username": .string(user.name), "groups": .array(user.groups.map(JSONValue.string))]
            if let account = user.serviceAccount,
                let uid = store[ObjectKey(group: "", resource: "serviceaccounts", namespace: account.namespace, name: account.name)]?
                    .content[path: ["metadata", "uid"]]
            {
                userInfo["uid"] = uid
            }
            status["userInfo"] = userInfo
        case "tokenreviews":
            let token = spec["token"]?.stringValue ?? ""
            if let reviewed = authenticate(token: token) {
                status["authenticated"] = true
                status["user"] = ["username": .string(reviewed.name), "groups": .array(reviewed.groups.map(JSONValue.string))]
            } else {
                status["authenticated"] = false
                status["error"] = "invalid bearer token"
            }
        default:
            throw APIError.methodNotAllowed
        }
        body["status"] = .object(status)
        var metadata = body["metadata"]?.objectValue ?? JSONObject()
        metadata["creationTimestamp"] = .null
        body["metadata"] = .object(metadata)
        return .json(body, status: 201)
    }

    /// The user a bearer token authenticates as: a static token, or a live ServiceAccount token
    /// whose account still exists with the same uid.
    func authenticate(token: String) -> UserInfo? {
        if let user = users[token] { return user }
        guard let bound = boundTokens[token] else { return nil }
        if let expires = bound.expires, expires < Date() { return nil }
        let key = ObjectKey(group: "", resource: "serviceaccounts", namespace: bound.namespace, name: bound.name)
        guard store[key]?.content[path: ["metadata", "uid"]]?.stringValue == bound.uid else { return nil }
        return UserInfo.serviceAccount(bound.name, namespace: bound.namespace)
    }

    /// What the audit log says of the credential behind `token`: the ServiceAccount's uid, and
    /// the token Secret (a legacy token) or the `jti` (a TokenRequest token) that authenticated it.
    func credentialDetails(token: String) -> (uid: String, secretName: String?, jti: String?)? {
        guard users[token] == nil, let bound = boundTokens[token] else { return nil }
        return (bound.uid, bound.secretName, bound.jti)
    }

    /// `POST .../serviceaccounts/{name}/token` (`pkg/registry/core/serviceaccount/storage/token.go`).
    mutating func tokenRequest(_ request: APIRequest, info: RequestInfo) throws(APIError) -> JSONValue {
        let accountKey = ObjectKey(group: "", resource: "serviceaccounts", namespace: info.namespace, name: info.name)
        guard let account = store[accountKey] else {
            throw APIError.notFound(GroupResource(group: "", resource: "serviceaccounts"), name: info.name)
        }
        var body: JSONValue = request.body.isEmpty ? ["spec": [:]] : try Self.decodeBody(request)
        let seconds = body[path: ["spec", "expirationSeconds"]]?.integerValue ?? 3600
        guard seconds >= 600 else {
            throw APIError.invalid(
                kind: "TokenRequest", group: "authentication.k8s.io", name: "",
                [
                    .init(
                        type: "FieldValueInvalid", message: "Invalid value: \(seconds): may not specify a duration less than 10 minutes",
                        field: "spec.expirationSeconds")
                ])
        }
        let audiences = body[path: ["spec", "audiences"]]?.arrayValue ?? ["https://kubernetes.default.svc.cluster.local"]
        let expires = Date().addingTimeInterval(TimeInterval(seconds))
        let uid = account.content[path: ["metadata", "uid"]]?.stringValue ?? ""
        let jti = Self.newUID()
        let token = mintToken(namespace: info.namespace, name: info.name, uid: uid, audiences: audiences, expires: expires, jti: jti)
        if !request.isDryRun {
            boundTokens[token] = BoundToken(namespace: info.namespace, name: info.name, uid: uid, expires: expires, jti: jti)
            issuedJTI = jti
        }
        body["apiVersion"] = "authentication.k8s.io/v1"
        body["kind"] = "TokenRequest"
        body["metadata"] = ["name": .string(info.name), "namespace": .string(info.namespace), "creationTimestamp": .string(Self.now)]
        body.setValue(.array(audiences), at: ["spec", "audiences"])
        body.setValue(.integer(seconds), at: ["spec", "expirationSeconds"])
        if body[path: ["spec", "boundObjectRef"]] == nil { body.setValue(.null, at: ["spec", "boundObjectRef"]) }
        body["status"] = ["token": .string(token), "expirationTimestamp": .string(expires.formatted(.iso8601))]
        return body
    }

    /// A token shaped like Kubernetes' ServiceAccount JWTs (the claims of
    /// `pkg/serviceaccount/claims.go`), signed HS256 with a per-server key.
    mutating func mintToken(namespace: String, name: String, uid: String, audiences: [JSONValue], expires: Date?, jti: String = ServerState.newUID()) -> String
    {
        let now = Int64(Date().timeIntervalSince1970)
        var claims: JSONValue = [
            "iss": "https://kubernetes.default.svc.cluster.local",
            "sub": .string(UserInfo.serviceAccountUsername(namespace: namespace, name: name)),
            "aud": .array(audiences), "iat": .integer(now), "nbf": .integer(now),
            "jti": .string(jti),
            "kubernetes.io": ["namespace": .string(namespace), "serviceaccount": ["name": .string(name), "uid": .string(uid)]],
        ]
        if let expires { claims["exp"] = .integer(Int64(expires.timeIntervalSince1970)) }
        func encode(_ value: JSONValue) -> String { Self.base64URL(Array(JSONWriter.write(value, indent: 0).utf8)) }
        let signingInput = encode(["alg": "HS256", "typ": "JWT"]) + "." + encode(claims)
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: tokenKey)
        return signingInput + "." + Self.base64URL(Array(signature))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The legacy token controller (`pkg/controller/serviceaccount/tokens_controller.go`): fills a
    /// `kubernetes.io/service-account-token` Secret with `token`, `ca.crt` and `namespace` and
    /// notes the account's uid. Does nothing when the Secret is gone, already filled, or its
    /// ServiceAccount does not exist.
    mutating func fillTokenSecret(_ key: ObjectKey) {
        guard var secret = store[key], secret.content["type"]?.stringValue == "kubernetes.io/service-account-token",
            secret.content[path: ["data", "token"]] == nil,
            let accountName = secret.annotations["kubernetes.io/service-account.name"],
            let account = store[ObjectKey(group: "", resource: "serviceaccounts", namespace: key.namespace, name: accountName)]
        else { return }
        let uid = account.content[path: ["metadata", "uid"]]?.stringValue ?? ""
        let token = mintToken(namespace: key.namespace, name: accountName, uid: uid, audiences: [], expires: nil)
        boundTokens[token] = BoundToken(namespace: key.namespace, name: accountName, uid: uid, expires: nil, secretName: key.name)
        var data = secret.content["data"]?.objectValue ?? JSONObject()
        data["ca.crt"] = .string(Data(caCertificatePEM.utf8).base64EncodedString())
        data["namespace"] = .string(Data(key.namespace.utf8).base64EncodedString())
        data["token"] = .string(Data(token.utf8).base64EncodedString())
        secret.content["data"] = .object(data)
        var annotations = secret.content[path: ["metadata", "annotations"]]?.objectValue ?? JSONObject()
        annotations["kubernetes.io/service-account.uid"] = .string(uid)
        secret.setMetadata("annotations", .object(annotations))
        let version = store.nextVersion()
        secret.setMetadata("resourceVersion", .string(String(version)))
        store.write(key, secret, type: "MODIFIED", version: version)
    }
}
