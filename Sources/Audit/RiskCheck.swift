/// One entry of the audit's risk catalog: a stable ID, a name, severities, and the advice that
/// goes with every finding of it.
public struct RiskCheck: Sendable, Hashable, Identifiable {
    /// What a check looks at.
    public enum Target: String, Sendable, Hashable {
        /// The rules of a Role or ClusterRole.
        case rule
        /// A binding and its subjects.
        case binding
        /// A path from one subject to another's rights.
        case escalation
        /// A tool's own access-control model.
        case tool
    }

    /// The stable ID (`W104`), used in suppressions, SARIF and CI reports.
    public var id: String
    /// A kebab-case name (`secrets-read`).
    public var name: String
    /// A one-line title.
    public var title: String
    /// What the check looks at.
    public var target: Target
    /// The severity when granted within a namespace.
    public var severity: Severity
    /// The severity when granted cluster-wide (through a ClusterRoleBinding).
    public var clusterWideSeverity: Severity
    /// Why it is a risk.
    public var rationale: String
    /// What to do instead.
    public var remediation: String

    /// Creates a catalog entry.
    public init(
        id: String, name: String, title: String, target: Target, severity: Severity, clusterWideSeverity: Severity? = nil,
        rationale: String, remediation: String
    ) {
        self.id = id
        self.name = name
        self.title = title
        self.target = target
        self.severity = severity
        self.clusterWideSeverity = clusterWideSeverity ?? severity
        self.rationale = rationale
        self.remediation = remediation
    }
}
