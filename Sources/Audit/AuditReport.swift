public import KubeModel
public import RBAC

/// Everything `warrant audit` found: findings, effective permissions per subject, escalation
/// paths and the compliance verdict. Renderers in `Reports` turn it into text, JSON, SARIF,
/// JUnit, Markdown or GitLab Code Quality.
public struct AuditReport: Sendable {
    /// Live and dormant findings that are not suppressed, most severe first.
    public var findings: [Finding]
    /// Suppressed findings, listed but never failing the audit.
    public var suppressed: [Finding]
    /// What each subject may do, where, and through which binding.
    public var subjects: [SubjectPermissions]
    /// Ways a subject can gain the rights of another one with more.
    public var escalationPaths: [EscalationPath]
    /// The answers to the compliance questions.
    public var verdict: Verdict
    /// How many Roles, ClusterRoles, RoleBindings and ClusterRoleBindings were analysed.
    public var counts: [String: Int]

    /// Creates a report.
    public init(
        findings: [Finding], suppressed: [Finding], subjects: [SubjectPermissions], escalationPaths: [EscalationPath],
        verdict: Verdict, counts: [String: Int]
    ) {
        self.findings = findings
        self.suppressed = suppressed
        self.subjects = subjects
        self.escalationPaths = escalationPaths
        self.verdict = verdict
        self.counts = counts
    }

    /// The findings at or above `threshold` (none when `threshold` is `nil`, as for `--fail-on none`).
    public func findings(atOrAbove threshold: Severity?) -> [Finding] {
        guard let threshold else { return [] }
        return findings.filter { $0.severity >= threshold }
    }

    /// The number of findings per severity.
    public var severityCounts: [Severity: Int] {
        // Counted by position in `Severity.allCases`, not hashed: reports hold tens of thousands.
        var counts = [Int](repeating: 0, count: Severity.allCases.count)
        for finding in findings {
            switch finding.severity {
            case .low: counts[0] += 1
            case .medium: counts[1] += 1
            case .high: counts[2] += 1
            case .critical: counts[3] += 1
            }
        }
        var result: [Severity: Int] = [:]
        for (severity, count) in zip([Severity.low, .medium, .high, .critical], counts) where count > 0 { result[severity] = count }
        return result
    }
}

/// What one subject may do: every binding that names it, with the role's rules and where they apply.
public struct SubjectPermissions: Sendable, Hashable {
    /// One binding's contribution.
    public struct Entry: Sendable, Hashable {
        /// The namespace the rules apply in, `nil` for cluster-wide.
        public var namespace: String?
        /// The role, `ClusterRole "edit"`.
        public var role: String
        /// The binding, `RoleBinding "shop/deployers"`.
        public var binding: String
        /// The role's rules, empty when the role does not exist.
        public var rules: [PolicyRule]
        /// Where the binding is written.
        public var location: SourceLocation?
        /// Whether the role is missing.
        public var roleMissing: Bool
        /// Whether the binding is one of Kubernetes' own, granting its default subject what
        /// Kubernetes grants it (``BootstrapPolicy``).
        public var isKubernetesDefault = false
    }

    /// The subject, a ServiceAccount's namespace filled in.
    public var subject: Subject
    /// Its bindings, cluster-wide ones first.
    public var entries: [Entry]
    /// The highest severity among live findings naming this subject, if any.
    public var highestSeverity: Severity?

    /// Whether any entry applies cluster-wide.
    public var isClusterWide: Bool { entries.contains { $0.namespace == nil && !$0.roleMissing } }
}

/// A chain of steps by which one subject gains another's rights.
public struct EscalationPath: Sendable, Hashable {
    /// One step: what the subject can do and whose rights that yields.
    public struct Step: Sendable, Hashable {
        /// The means (`create pods in shop`, `impersonate users`).
        public var means: String
        /// The subject gained.
        public var gains: Subject
        /// The requests the step makes (the subject before it is allowed each of them).
        public var requests: [ClaimedRequest]

        /// Creates a step.
        public init(means: String, gains: Subject, requests: [ClaimedRequest] = []) {
            self.means = means
            self.gains = gains
            self.requests = requests
        }
    }

    /// Where the path starts.
    public var from: Subject
    /// The steps, at least one.
    public var steps: [Step]
    /// Whether the end of the path holds cluster-wide rights.
    public var reachesClusterWide: Bool
    /// The highest severity of the end subject's findings.
    public var endSeverity: Severity?

    /// The subject at the end.
    public var to: Subject { steps.last?.gains ?? from }

    /// `ServiceAccount "a/x" → create pods in a → ServiceAccount "a/admin"`.
    public var description: String {
        var text = ""
        write(to: &text)
        return text
    }

    /// Appends ``description`` to `text`, without building it on its own (reports write tens of
    /// thousands of paths).
    package func write(to text: inout String) {
        from.write(to: &text)
        for step in steps {
            text += " → "
            text += step.means
            text += " → "
            step.gains.write(to: &text)
        }
    }
}

/// The answers to the questions compliance guidance asks of any CI/CD tool.
public struct Verdict: Sendable, Hashable {
    /// One cluster-wide grant: a ClusterRoleBinding and what it gives to whom.
    public struct ClusterWideGrant: Sendable, Hashable {
        /// The binding.
        public var binding: String
        /// The role.
        public var role: String
        /// The subjects.
        public var subjects: [Subject]
        /// A summary of the riskiest rules (`'*' verbs on '*' resources`).
        public var summary: String
        /// Where the binding is written.
        public var location: SourceLocation?
    }

    /// Does the tool need cluster-wide permissions? Every cluster-wide grant, empty for no.
    public var clusterWideGrants: [ClusterWideGrant]
    /// Does it bring its own access-control model? One sentence per reason, empty for no.
    public var ownAccessControl: [String]
    /// How many escalation paths lead beyond a subject's own rights.
    public var escalationPathCount: Int
    /// Live critical findings.
    public var criticalFindingCount: Int
    /// Cluster-scoped objects a cluster administrator must install (ClusterRoles, CRDs, webhooks...).
    public var clusterScopedObjects: [String]

    /// Compliant when nothing is granted cluster-wide, no own access control is detected, no
    /// escalation path exists and no live finding is critical.
    public var isCompliant: Bool {
        clusterWideGrants.isEmpty && ownAccessControl.isEmpty && escalationPathCount == 0 && criticalFindingCount == 0
    }
}
