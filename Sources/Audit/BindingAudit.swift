import KubeModel
import RBAC

/// What one binding contributes to the audit: its findings, what it gives its subjects, and its
/// cluster-wide grant.
///
/// A binding's contribution depends only on the binding, its role's ``RoleRisks`` and the
/// suppression annotations, so bindings are audited in parts on every core, and their
/// contributions joined in input order.
struct BindingAudit: Sendable {
    /// The binding's subjects, a ServiceAccount's namespace filled in.
    var subjects: [Subject]
    /// Their descriptions, which identify a subject across bindings.
    var subjectKeys: [String]
    /// What the binding gives each of its subjects.
    var entry: SubjectPermissions.Entry
    /// The position of the role in the policy, `nil` when it is missing.
    var role: Int?
    /// The position of the role in the policy when the binding makes it live (the role exists
    /// and the binding has subjects).
    var liveRole: Int?
    /// The findings, in the order found.
    var findings: [Finding] = []
    /// For each finding, the position in ``subjects`` of the subject it names, `nil` when it names them all.
    var findingSubjects: [Int?] = []
    /// The grant, when the binding is a ClusterRoleBinding of a role that exists (or of cluster-admin).
    var clusterWideGrant: Verdict.ClusterWideGrant?

    /// The audits of every binding of `policy`, in parts on every core, in binding order.
    static func all(in policy: RBACPolicy, roles: [RoleRisks], annotations: [String: [String: String]]) -> [BindingAudit] {
        let (bindings, boundRoles, policyRoles) = (policy.bindings, policy.boundRoles, policy.roles)
        return ParallelChunks.array(bindings.count, minimumLength: 512) { position in
            let role = boundRoles[position] >= 0 ? boundRoles[position] : nil
            return BindingAudit(binding: bindings[position], role: role, of: policyRoles, risks: roles, annotations: annotations)
        }
    }

    /// Audits `binding`, whose role is at position `rolePosition` in `roles` (`nil` when it is
    /// missing), with the roles' `risks` at the same positions.
    init(binding: RBACBinding, role rolePosition: Int?, of roles: [RBACRole], risks: [RoleRisks], annotations: [String: [String: String]]) {
        let bindingNamespace = binding.kind == .roleBinding ? binding.namespace : nil
        let subjects = binding.subjects.map { Auditor.resolve($0, namespace: bindingNamespace) }
        let roleName = rolePosition.map { risks[$0].name } ?? "\(binding.roleRef.kind) \"\(binding.roleRef.name)\""
        let bindingName = binding.description
        let locations = [rolePosition.flatMap { roles[$0].source }, binding.source].compactMap { $0 }
        let bindingAnnotations =
            annotations.isEmpty
            ? [:] : annotations[Auditor.key(kind: binding.kind.rawValue, namespace: binding.namespace ?? "", name: binding.name)] ?? [:]
        let roleAnnotations = rolePosition.map { risks[$0].annotations } ?? [:]
        self.subjects = subjects
        subjectKeys = subjects.map(\.description)
        self.role = rolePosition
        entry = SubjectPermissions.Entry(
            namespace: bindingNamespace, role: roleName, binding: bindingName, rules: rolePosition.map { roles[$0].rules } ?? [],
            location: binding.source, roleMissing: rolePosition == nil && !Auditor.isBuiltin(binding.roleRef))

        lazy var subjectsText = Auditor.list(subjects)
        func add(_ checkID: String, _ severity: Severity, _ message: String, subject: Int? = nil) {
            var finding = Finding(
                checkID: checkID, severity: severity, message: message, locations: locations,
                subjects: subject.map { [subjects[$0]] } ?? subjects, role: roleName, binding: bindingName, namespace: bindingNamespace)
            if !bindingAnnotations.isEmpty || !roleAnnotations.isEmpty {
                finding.suppression = Suppressions.reason(annotations: bindingAnnotations, checkID: checkID)
                    ?? Suppressions.reason(annotations: roleAnnotations, checkID: checkID)
            }
            findings.append(finding)
            findingSubjects.append(subject)
        }

        // Subjects that should never appear. Granting only health and version URLs to everyone
        // is what Kubernetes itself does (system:public-info-viewer), so that is low.
        let publicInfoOnly = rolePosition.map { risks[$0].publicInfoOnly } ?? false
        for (index, subject) in subjects.enumerated() {
            switch (subject.kind, subject.name) {
            case (.group, "system:masters"):
                add("W202", .critical, "\(bindingName) grants \(roleName) to the system:masters group", subject: index)
            case (.user, UserInfo.anonymousName), (.group, UserInfo.allUnauthenticated):
                add(
                    "W203", publicInfoOnly ? .low : .critical,
                    "\(bindingName) grants \(roleName) to \(subject), that is to anyone without credentials", subject: index)
            case (.group, UserInfo.allAuthenticated), (.group, UserInfo.allServiceAccounts):
                add("W204", publicInfoOnly ? .low : .high, "\(bindingName) grants \(roleName) to \(subject)", subject: index)
            case (.group, let name) where name.hasPrefix(UserInfo.allServiceAccounts + ":"):
                add(
                    "W204", publicInfoOnly ? .low : .high,
                    "\(bindingName) grants \(roleName) to every ServiceAccount of namespace \(name.dropFirst(UserInfo.allServiceAccounts.count + 1))",
                    subject: index)
            case (.serviceAccount, "default"):
                add(
                    "W205", .medium, "\(bindingName) grants \(roleName) to \(subject), which every pod without its own ServiceAccount uses",
                    subject: index)
            default:
                break
            }
        }

        let isClusterAdmin = binding.roleRef.kind == "ClusterRole" && binding.roleRef.name == "cluster-admin"
        guard let rolePosition else {
            if isClusterAdmin {
                add("W201", binding.kind == .clusterRoleBinding ? .critical : .high, "\(bindingName) grants cluster-admin to \(subjectsText)")
                if binding.kind == .clusterRoleBinding {
                    add("W125", .high, "\(bindingName) grants cluster-admin in every namespace")
                    clusterWideGrant = Verdict.ClusterWideGrant(
                        binding: bindingName, role: roleName, subjects: subjects, summary: "cluster-admin: everything", location: binding.source)
                }
            } else {
                let builtin = Auditor.isBuiltin(binding.roleRef)
                add(
                    "W206", builtin ? .low : .medium,
                    builtin
                        ? "\(binding) refers to the built-in \(roleName), which is not in the input; its rules are not analysed"
                        : "\(binding) refers to \(roleName), which does not exist")
            }
            return
        }
        if binding.subjects.isEmpty { return }
        liveRole = rolePosition

        // The risks of a role depend only on the role and on whether it is granted cluster-wide,
        // so they are summarised once per role and scope (``RoleRisks``), however many bindings use it.
        let scopeIsCluster = binding.kind == .clusterRoleBinding
        let scopeText = scopeIsCluster ? "cluster-wide" : "in namespace \(bindingNamespace ?? "")"
        if isClusterAdmin || risks[rolePosition].grantsEverything {
            add("W201", scopeIsCluster ? .critical : .high, "\(bindingName) grants \(roleName) (every verb on every resource) \(scopeText) to \(subjectsText)")
        }
        if scopeIsCluster {
            let summary = risks[rolePosition].clusterWideSummary
            add("W125", risks[rolePosition].clusterWideSeverity, "\(bindingName) grants \(roleName) cluster-wide to \(subjectsText): \(summary)")
            clusterWideGrant = Verdict.ClusterWideGrant(
                binding: bindingName, role: roleName, subjects: subjects, summary: summary, location: binding.source)
        }
        for summary in scopeIsCluster ? risks[rolePosition].clusterSummaries : risks[rolePosition].namespaceSummaries {
            add(summary.checkID, summary.severity, "\(roleName) grants \(summary.details) \(scopeText) to \(subjectsText) through \(bindingName)")
        }
    }
}
