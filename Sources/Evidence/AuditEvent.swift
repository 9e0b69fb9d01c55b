/// One request as the Kubernetes API server's audit log records it: the members of an
/// `audit.k8s.io/v1` `Event` that attribution needs.
///
/// The format is kube-apiserver's (`staging/src/k8s.io/apiserver/pkg/apis/audit/v1/types.go`,
/// `Event` and `ObjectReference`), one JSON object per line as `--audit-log-format=json` writes it.
/// Every level from `Metadata` up carries these members; the request and response bodies that
/// `Request` and `RequestResponse` add are skipped unread.
///
/// A request can be logged once per stage (`RequestReceived`, `ResponseStarted` for long-running
/// requests, `ResponseComplete`, `Panic`), all with the same ``auditID``; ``AuditLogCollector``
/// keeps one event per request.
public struct AuditEvent: Sendable, Hashable {
    /// The stage of request handling the event was written at (`Stage` in types.go).
    public enum Stage: String, Sendable, Hashable, CaseIterable, Comparable {
        /// As soon as the request arrived, before it was handled.
        case requestReceived = "RequestReceived"
        /// Response headers sent; long-running requests (watch, exec) only.
        case responseStarted = "ResponseStarted"
        /// The response is complete.
        case responseComplete = "ResponseComplete"
        /// The handler panicked.
        case panic = "Panic"

        /// How much the stage tells about the request's outcome: a later stage replaces an
        /// earlier one of the same request.
        var completeness: Int {
            switch self {
            case .requestReceived: 0
            case .responseStarted: 1
            case .responseComplete, .panic: 2
            }
        }

        public static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.completeness < rhs.completeness }
    }

    /// The object a request was made on (`ObjectReference` in types.go); absent for
    /// non-resource requests such as `/healthz`.
    public struct ObjectRef: Sendable, Hashable {
        /// The resource, plural and lower-case (`deployments`).
        public var resource: String
        /// The API group, `""` for the core group.
        public var apiGroup: String
        /// The API version (`v1`).
        public var apiVersion: String
        /// The namespace, `""` for cluster-scoped requests. A request on a Namespace object
        /// carries the namespace's own name here.
        public var namespace: String
        /// The object's name, `""` for lists and for creates with `generateName`.
        public var name: String
        /// The subresource (`status`, `token`, `exec`), `""` for the object itself.
        public var subresource: String

        /// Creates a reference.
        public init(resource: String, apiGroup: String = "", apiVersion: String = "", namespace: String = "", name: String = "", subresource: String = "") {
            self.resource = resource
            self.apiGroup = apiGroup
            self.apiVersion = apiVersion
            self.namespace = namespace
            self.name = name
            self.subresource = subresource
        }

        /// `resource[.group][/subresource] namespace/name`, for reports.
        public var displayName: String {
            var text = resource
            if !apiGroup.isEmpty { text += ".\(apiGroup)" }
            if !subresource.isEmpty { text += "/\(subresource)" }
            if !name.isEmpty {
                text += " " + (namespace.isEmpty || resource == "namespaces" ? name : "\(namespace)/\(name)")
            } else if !namespace.isEmpty {
                text += " in \(namespace)"
            }
            return text
        }
    }

    /// The request's unique ID (`auditID`), shared by its events at every stage.
    public var auditID: String
    /// The stage the event was written at.
    public var stage: Stage
    /// The audit level: `Metadata`, `Request` or `RequestResponse`.
    public var level: String
    /// The Kubernetes verb (`create`, `patch`, `list`, …; the lower-case HTTP method for
    /// non-resource requests).
    public var verb: String
    /// The request URI as the client sent it, query included.
    public var requestURI: String {
        didSet { isDryRun = Self.asksDryRun(requestURI) }
    }
    /// The authenticated user name; `""` when authentication failed (a 401).
    public var user: String
    /// The user the request impersonated (`Impersonate-User`), `nil` when none.
    public var impersonatedUser: String?
    /// The first source IP (the client, or the first proxy's `X-Forwarded-For` entry).
    public var sourceIP: String
    /// The `User-Agent` the client sent. The client chooses it: it never attributes anything by
    /// itself (``Attributor`` only refuses a deploy the requests of other clients).
    public var userAgent: String
    /// The object, `nil` for non-resource requests.
    public var objectRef: ObjectRef?
    /// The HTTP status answered (`responseStatus.code`), 0 when not recorded yet.
    public var code: Int
    /// When the request reached the API server (`requestReceivedTimestamp`).
    public var received: MicroTime
    /// When the event's stage was reached (`stageTimestamp`).
    public var stageTime: MicroTime
    /// Which token authenticated a ServiceAccount: `secret:<name>` for a long-lived token
    /// Secret (the `authentication.k8s.io/legacy-token-manual-secret` or
    /// `…-autogenerated-secret` annotation kube-apiserver adds), or the token's
    /// `authentication.kubernetes.io/credential-id` (`JTI=…`) for a TokenRequest token; `nil`
    /// when the log does not say.
    public var credentialID: String?
    /// The authorizer's decision (`authorization.k8s.io/decision` annotation): `allow`, `forbid`, or `""`.
    public var decision: String

    /// Creates an event.
    public init(
        auditID: String, stage: Stage = .responseComplete, level: String = "Metadata", verb: String, requestURI: String = "",
        user: String, impersonatedUser: String? = nil, sourceIP: String = "", userAgent: String = "", objectRef: ObjectRef?, code: Int,
        received: MicroTime, stageTime: MicroTime? = nil, credentialID: String? = nil, decision: String = ""
    ) {
        self.auditID = auditID
        self.stage = stage
        self.level = level
        self.verb = verb
        self.requestURI = requestURI
        self.isDryRun = Self.asksDryRun(requestURI)
        self.user = user
        self.impersonatedUser = impersonatedUser
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.objectRef = objectRef
        self.code = code
        self.received = received
        self.stageTime = stageTime ?? received
        self.credentialID = credentialID
        self.decision = decision
    }

    /// The verbs that change something (`create`, `update`, `patch`, `delete`, `deletecollection`).
    public static let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection"]
    /// The verbs that read.
    public static let readVerbs: Set<String> = ["get", "list", "watch"]

    /// Whether the request was meant to change something (dry runs included).
    public var isWrite: Bool { Self.writeVerbs.contains(verb) }

    /// Whether the request read Secrets (`get`, `list` or `watch` on core `secrets`): list and
    /// watch return every Secret's contents.
    public var isSecretRead: Bool {
        guard let objectRef, objectRef.resource == "secrets", objectRef.apiGroup.isEmpty, objectRef.subresource.isEmpty else { return false }
        return Self.readVerbs.contains(verb)
    }

    /// Whether the request asked for `dryRun=All` (nothing stored), read from the request URI.
    public private(set) var isDryRun: Bool

    static func asksDryRun(_ uri: String) -> Bool {
        guard let query = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return false }
        return uri[query...].dropFirst().split(separator: "&").contains { $0 == "dryRun=All" || $0 == "dryRun=all" }
    }

    /// Whether the server answered with success (2xx).
    public var succeeded: Bool { (200..<300).contains(code) }
}
