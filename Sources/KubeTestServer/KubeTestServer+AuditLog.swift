import Foundation
public import KubeModel
import RBAC
import Synchronization

/// Where the test server writes its audit log.
public enum AuditLogDestination: Sendable, Hashable {
    /// No audit log.
    case none
    /// Kept in memory: ``KubeTestServer/auditLogLines``.
    case memory
    /// Appended to a file (created with mode 0600), as kube-apiserver's `--audit-log-path`.
    case file(String)
}

/// The audit log: one `audit.k8s.io/v1` `Event` per request at level `Metadata`, one JSON object
/// per line, as kube-apiserver writes with `--audit-log-format=json` and a policy of
///
/// ```yaml
/// apiVersion: audit.k8s.io/v1
/// kind: Policy
/// omitStages: [RequestReceived]
/// rules: [{level: Metadata}]
/// ```
///
/// (the policy of `../shared/kube/cluster.sh`). Members and their order follow
/// `staging/src/k8s.io/apiserver/pkg/apis/audit/v1/types.go` and what kube-apiserver v1.36 writes:
/// a request answered at once gets one `ResponseComplete` event; a watch gets `ResponseStarted`
/// when it starts and `ResponseComplete` when it ends; a request refused by authentication (401)
/// gets one `ResponseStarted` event with an empty `user` (`WithFailedAuthenticationAudit`).
/// The `auditID` is the `Audit-Id` response header.
final class AuditLogSink: Sendable {
    private let destination: AuditLogDestination
    private let lines = Mutex<[String]>([])
    private let descriptor: Int32

    init(_ destination: AuditLogDestination) throws {
        self.destination = destination
        if case .file(let path) = destination {
            descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            guard descriptor >= 0 else {
                throw AuditLogSinkError(message: "cannot open the audit log \(path): \(String(cString: strerror(errno)))")
            }
        } else {
            descriptor = -1
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    var isEnabled: Bool { destination != .none }

    func write(_ event: JSONValue) {
        guard isEnabled else { return }
        let line = JSONWriter.write(event, indent: 0) + "\n"
        lines.withLock { lines in
            if descriptor >= 0 {
                // Under the lock, so that lines are never interleaved.
                var bytes = Array(line.utf8)
                var offset = 0
                while offset < bytes.count {
                    let written = bytes.withUnsafeMutableBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                    if written <= 0 {
                        if errno == EINTR { continue }
                        break
                    }
                    offset += written
                }
            } else {
                lines.append(line)
            }
        }
    }

    var contents: [String] { lines.withLock { $0 } }
}

struct AuditLogSinkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// What the audit log says of one request, filled as the request is served.
struct AuditEntry: Sendable {
    var auditID = ServerState.newUID()
    var received = Date()
    var requestURI: String
    var verb: String
    var user: UserInfo?
    var userUID: String?
    var credentialID: String?
    var legacySecret: String?
    var userAgent: String?
    var objectRef: JSONObject?
    var decision: String?
    var reason = ""
    /// The credential a TokenRequest issued (`authentication.kubernetes.io/issued-credential-id`).
    var issuedCredentialID: String?

    init(request: APIRequest, info: RequestInfo) {
        requestURI = request.uri
        verb = info.verb
        userAgent = request.headers["user-agent"]
        guard info.isResourceRequest else { return }
        var ref = JSONObject()
        ref["resource"] = .string(info.resource)
        if !info.namespace.isEmpty { ref["namespace"] = .string(info.namespace) }
        var name = info.name
        // At Metadata level kube-apiserver still completes the reference from the request body
        // of a create (`audit.LogRequestObject`): a create's name comes from its metadata.
        if name.isEmpty, info.verb == "create", !request.body.isEmpty, request.contentType.contains("json"),
            let body = try? JSONValue.parseJSON(request.body, source: "request"), let bodyName = body[path: ["metadata", "name"]]?.stringValue
        {
            name = bodyName
        }
        if !name.isEmpty { ref["name"] = .string(name) }
        if !info.group.isEmpty { ref["apiGroup"] = .string(info.group) }
        if !info.version.isEmpty { ref["apiVersion"] = .string(info.version) }
        if !info.subresource.isEmpty { ref["subresource"] = .string(info.subresource) }
        objectRef = ref
    }

    /// The event at `stage`, answered with `status` (and the `Status` body of an error).
    func event(stage: String, status: Int, body: [UInt8]) -> JSONValue {
        var event = JSONObject()
        event["kind"] = "Event"
        event["apiVersion"] = "audit.k8s.io/v1"
        event["level"] = "Metadata"
        event["auditID"] = .string(auditID)
        event["stage"] = .string(stage)
        event["requestURI"] = .string(requestURI)
        event["verb"] = .string(verb)
        var userObject = JSONObject()
        if let user {
            userObject["username"] = .string(user.name)
            if let userUID { userObject["uid"] = .string(userUID) }
            userObject["groups"] = .array(user.groups.map(JSONValue.string))
            if let credentialID { userObject["extra"] = ["authentication.kubernetes.io/credential-id": [.string(credentialID)]] }
        }
        event["user"] = .object(userObject)
        event["sourceIPs"] = ["127.0.0.1"]
        if let userAgent { event["userAgent"] = .string(userAgent) }
        if let objectRef { event["objectRef"] = .object(objectRef) }
        var response = JSONObject([("metadata", .object(JSONObject()))])
        if status >= 400, let failure = try? JSONValue.parseJSON(body, source: "response") {
            response["status"] = "Failure"
            if let message = failure["message"]?.stringValue { response["message"] = .string(message) }
            if let reason = failure["reason"]?.stringValue, !reason.isEmpty { response["reason"] = .string(reason) }
        }
        response["code"] = .integer(Int64(status))
        event["responseStatus"] = .object(response)
        event["requestReceivedTimestamp"] = .string(Self.microTime(received))
        event["stageTimestamp"] = .string(Self.microTime(Date()))
        if user != nil {
            var annotations = JSONObject()
            if let legacySecret, let user {
                annotations["authentication.k8s.io/legacy-token"] = .string(user.name)
                annotations["authentication.k8s.io/legacy-token-manual-secret"] = .string(legacySecret)
            }
            if let issuedCredentialID { annotations["authentication.kubernetes.io/issued-credential-id"] = .string(issuedCredentialID) }
            if let decision {
                annotations["authorization.k8s.io/decision"] = .string(decision)
                annotations["authorization.k8s.io/reason"] = .string(reason)
            }
            event["annotations"] = .object(annotations)
        }
        return .object(event)
    }

    /// `metav1.MicroTime`: RFC 3339 in UTC with six fractional digits.
    static func microTime(_ date: Date) -> String {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let seconds = Date(timeIntervalSince1970: TimeInterval(microseconds / 1_000_000))
        let whole = seconds.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0) ?? .gmt))
        let fraction = String(microseconds % 1_000_000)
        return whole.dropLast() + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }
}

extension ServerState {
    /// The reason kube-apiserver's RBAC authorizer gives for allowing `request`
    /// (`plugin/pkg/auth/authorizer/rbac/rbac.go`, `roleBindingDescriber` and
    /// `clusterRoleBindingDescriber`): `RBAC: allowed by RoleBinding "NAME/NS" of ClusterRole
    /// "edit" to ServiceAccount "ci/shop"`; `""` for `system:masters` (the privileged-group
    /// authorizer gives none) and for denials.
    mutating func authorizationReason(_ request: AccessRequest) -> String {
        guard !request.user.groups.contains(Self.superuserGroup) else { return "" }
        let review = policy().effectiveRules(for: request.user, namespace: request.namespace)
        guard let grant = review.grants.first(where: { $0.rule.allows(request) }) else { return "" }
        let subject: String
        switch grant.subject.kind {
        case .serviceAccount:
            subject = "ServiceAccount \"\(grant.subject.name)/\(grant.subject.namespace ?? grant.binding.namespace ?? "")\""
        default:
            subject = "\(grant.subject.kind.rawValue) \"\(grant.subject.name)\""
        }
        let role = "\(grant.binding.roleRef.kind) \"\(grant.binding.roleRef.name)\""
        if grant.binding.kind == .roleBinding {
            return "RBAC: allowed by RoleBinding \"\(grant.binding.name)/\(grant.binding.namespace ?? "")\" of \(role) to \(subject)"
        }
        return "RBAC: allowed by ClusterRoleBinding \"\(grant.binding.name)\" of \(role) to \(subject)"
    }

    /// kube-apiserver's legacy token tracking (`pkg/serviceaccount/legacy.go`, as v1.36 does it):
    /// the first use of a token Secret's token each day labels the Secret
    /// `kubernetes.io/legacy-token-last-used: YYYY-MM-DD`, a patch made by `system:apiserver`.
    /// Returns the Secret's reference when it was labelled now.
    mutating func trackLegacyTokenUse(namespace: String, secretName: String, today: String) -> ObjectKey? {
        let key = ObjectKey(group: "", resource: "secrets", namespace: namespace, name: secretName)
        guard var secret = store[key], secret.labels["kubernetes.io/legacy-token-last-used"] != today else { return nil }
        var labels = secret.content[path: ["metadata", "labels"]]?.objectValue ?? JSONObject()
        labels["kubernetes.io/legacy-token-last-used"] = .string(today)
        secret.setMetadata("labels", .object(labels))
        let version = store.nextVersion()
        secret.setMetadata("resourceVersion", .string(String(version)))
        store.write(key, secret, type: "MODIFIED", version: version)
        return key
    }
}

extension KubeTestServer {
    /// The audit log written so far (with ``AuditLogDestination/memory``): one JSON line per
    /// event, each ending in a newline.
    public var auditLogLines: [String] { auditSink.contents }

    /// The audit log's events written so far (with ``AuditLogDestination/memory``).
    public var auditEvents: [JSONValue] {
        auditLogLines.compactMap { try? JSONValue.parseJSON(Array($0.utf8), source: "audit log") }
    }
}
