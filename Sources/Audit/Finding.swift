public import KubeModel
public import RBAC

/// One risk found by `warrant audit`: which check, how severe, what and where.
///
/// A finding is live when a binding makes the risky rule apply to someone, and dormant when the
/// role is bound to nobody (it then carries ``Severity/low``). Locations point at the role and,
/// for live findings, at the binding that makes it live.
public struct Finding: Sendable, Hashable {
    /// The catalog check, by ID.
    public var checkID: String
    /// The severity of this occurrence (scope, name restrictions and dormancy applied).
    public var severity: Severity
    /// What was found, in one sentence naming the objects.
    public var message: String
    /// Where: the role first, then the binding, when known.
    public var locations: [SourceLocation]
    /// The subjects the finding applies to (empty for dormant findings).
    public var subjects: [Subject]
    /// The role involved, `Kind namespace/name`.
    public var role: String?
    /// The binding involved, `Kind namespace/name`.
    public var binding: String?
    /// The namespace the rights apply in, `nil` for cluster-wide.
    public var namespace: String?
    /// Whether no binding makes it apply to anyone.
    public var isDormant: Bool
    /// Why it is suppressed, when it is; suppressed findings are listed but do not fail the audit.
    public var suppression: String?
    /// The requests that give the capability: the authorizer allows each of them for each of
    /// ``subjects`` (empty when the finding claims no capability, such as a role's own finding).
    public var requests: [ClaimedRequest]
    /// The checks folded into this finding (a binding that grants everything is reported once,
    /// with the checks its grant also fires listed here), by ID.
    public var folded: [String]

    /// Creates a finding.
    public init(
        checkID: String, severity: Severity, message: String, locations: [SourceLocation] = [], subjects: [Subject] = [],
        role: String? = nil, binding: String? = nil, namespace: String? = nil, isDormant: Bool = false, suppression: String? = nil,
        requests: [ClaimedRequest] = [], folded: [String] = []
    ) {
        self.checkID = checkID
        self.severity = severity
        self.message = message
        self.locations = locations
        self.subjects = subjects
        self.role = role
        self.binding = binding
        self.namespace = namespace
        self.isDormant = isDormant
        self.suppression = suppression
        self.requests = requests
        self.folded = folded
    }

    /// The catalog entry of this finding.
    public var check: RiskCheck { RiskCatalog.check(checkID) }
}
