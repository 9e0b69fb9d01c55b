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
        let facts = Facts(binding: binding, role: rolePosition, risks: risks)
        self.subjects = facts.subjects
        subjectKeys = facts.subjects.map(\.description)
        self.role = rolePosition
        entry = SubjectPermissions.Entry(
            namespace: facts.namespace, role: facts.roleName, binding: facts.bindingName, rules: rolePosition.map { roles[$0].rules } ?? [],
            location: binding.source, roleMissing: rolePosition == nil && !Auditor.isBuiltin(binding.roleRef))

        var pending = Self.subjectFindings(facts, role: rolePosition, risks: risks)
        if let rolePosition {
            if !binding.subjects.isEmpty {
                liveRole = rolePosition
                pending += liveRoleFindings(facts, role: rolePosition, risks: risks)
            }
        } else {
            pending += missingRoleFindings(facts)
        }
        // Kubernetes' own bindings: what they grant their default subjects is Kubernetes'
        // bootstrap policy, reported low; what a cluster adds to them is reported as usual.
        if BootstrapPolicy.defaultBinding(for: binding) != nil {
            markKubernetesDefaults(&pending, facts, roles: roles)
        }
        emit(pending, facts, roles: roles, risks: risks, annotations: annotations)
    }

    /// What the findings of one binding say about it, worked out once.
    private struct Facts {
        let binding: RBACBinding
        /// The RoleBinding's namespace, `nil` for a ClusterRoleBinding.
        let namespace: String?
        let subjects: [Subject]
        let roleName: String
        let bindingName: String
        let isClusterAdmin: Bool
        let scopeIsCluster: Bool
        /// Every verb on every resource in the binding's scope.
        let everything: ClaimedRequest
        /// A request the role allows in the binding's scope: what the binding gives its subjects.
        /// A missing cluster-admin is Kubernetes' own, which allows everything.
        let witness: ClaimedRequest?

        init(binding: RBACBinding, role rolePosition: Int?, risks: [RoleRisks]) {
            let namespace = binding.kind == .roleBinding ? binding.namespace : nil
            let isClusterAdmin = binding.roleRef.kind == "ClusterRole" && binding.roleRef.name == "cluster-admin"
            let scopeIsCluster = binding.kind == .clusterRoleBinding
            let everything = ClaimedRequest(verb: "*", apiGroup: "*", resource: "*", namespace: namespace ?? "")
            self.binding = binding
            self.namespace = namespace
            subjects = binding.subjects.map { Auditor.resolve($0, namespace: namespace) }
            roleName = rolePosition.map { risks[$0].name } ?? "\(binding.roleRef.kind) \"\(binding.roleRef.name)\""
            bindingName = binding.description
            self.isClusterAdmin = isClusterAdmin
            self.scopeIsCluster = scopeIsCluster
            self.everything = everything
            witness =
                if let rolePosition {
                    scopeIsCluster ? risks[rolePosition].clusterWitness : risks[rolePosition].namespaceWitness?.request(in: namespace)
                } else {
                    isClusterAdmin ? everything : nil
                }
        }

        /// `cluster-wide` or `in namespace NS`.
        var scopeText: String { scopeIsCluster ? "cluster-wide" : "in namespace \(namespace ?? "")" }
    }

    /// A finding before the binding's findings are folded and their suppressions looked up.
    private struct PendingFinding {
        var checkID: String
        var severity: Severity
        var message: String
        /// The position of the subject it names, `nil` when it names them all.
        var subject: Int? = nil
        var requests: [ClaimedRequest]
    }

    /// Subjects that should never appear, when the binding gives them something. Granting only
    /// health and version URLs to everyone, or only what Kubernetes gives every authenticated
    /// user, is what Kubernetes itself does, so that is low.
    private static func subjectFindings(_ facts: Facts, role rolePosition: Int?, risks: [RoleRisks]) -> [PendingFinding] {
        guard let witness = facts.witness else { return [] }
        let (bindingName, roleName) = (facts.bindingName, facts.roleName)
        let publicInfoOnly = rolePosition.map { risks[$0].publicInfoOnly } ?? false
        let baselineOnly = rolePosition.map { risks[$0].baselineOnly } ?? false
        var pending: [PendingFinding] = []
        for (index, subject) in facts.subjects.enumerated() {
            switch (subject.kind, subject.name) {
            case (.group, "system:masters"):
                pending.append(
                    PendingFinding(
                        checkID: "W202", severity: .critical, message: "\(bindingName) grants \(roleName) to the system:masters group", subject: index,
                        requests: [witness]))
            case (.user, UserInfo.anonymousName), (.group, UserInfo.allUnauthenticated):
                pending.append(
                    PendingFinding(
                        checkID: "W203", severity: publicInfoOnly ? .low : .critical,
                        message: "\(bindingName) grants \(roleName) to \(subject), that is to anyone without credentials", subject: index,
                        requests: [witness]))
            case (.group, UserInfo.allAuthenticated), (.group, UserInfo.allServiceAccounts):
                pending.append(
                    PendingFinding(
                        checkID: "W204", severity: baselineOnly ? .low : .high, message: "\(bindingName) grants \(roleName) to \(subject)", subject: index,
                        requests: [witness]))
            case (.group, let name) where name.hasPrefix(UserInfo.allServiceAccounts + ":"):
                pending.append(
                    PendingFinding(
                        checkID: "W204", severity: baselineOnly ? .low : .high,
                        message:
                            "\(bindingName) grants \(roleName) to every ServiceAccount of namespace \(name.dropFirst(UserInfo.allServiceAccounts.count + 1))",
                        subject: index, requests: [witness]))
            case (.serviceAccount, "default"):
                pending.append(
                    PendingFinding(
                        checkID: "W205", severity: .medium,
                        message: "\(bindingName) grants \(roleName) to \(subject), which every pod without its own ServiceAccount uses", subject: index,
                        requests: [witness]))
            default:
                break
            }
        }
        return pending
    }

    /// The findings of a binding whose role is not in the input: cluster-admin (Kubernetes' own,
    /// which allows everything) or a role that is built in or does not exist.
    private mutating func missingRoleFindings(_ facts: Facts) -> [PendingFinding] {
        let (binding, bindingName, roleName, everything) = (facts.binding, facts.bindingName, facts.roleName, facts.everything)
        guard facts.isClusterAdmin else {
            let builtin = Auditor.isBuiltin(binding.roleRef)
            return [
                PendingFinding(
                    checkID: "W206", severity: builtin ? .low : .medium,
                    message: builtin
                        ? "\(binding) refers to the built-in \(roleName), which is not in the input; its rules are not analysed"
                        : "\(binding) refers to \(roleName), which does not exist", requests: [])
            ]
        }
        var pending = [
            PendingFinding(
                checkID: "W201", severity: facts.scopeIsCluster ? .critical : .high,
                message: "\(bindingName) grants cluster-admin (every verb on every resource) \(facts.scopeText) to \(Auditor.list(facts.subjects))",
                requests: [everything])
        ]
        if facts.scopeIsCluster {
            pending.append(
                PendingFinding(checkID: "W125", severity: .high, message: "\(bindingName) grants cluster-admin in every namespace", requests: [everything]))
            clusterWideGrant = Verdict.ClusterWideGrant(
                binding: bindingName, role: roleName, subjects: facts.subjects, summary: "cluster-admin: everything", location: binding.source)
        }
        return pending
    }

    /// The findings of a binding that makes its role live: everything (W201), the cluster-wide
    /// grant (W125) and the role's risks in the binding's scope.
    ///
    /// The risks of a role depend only on the role and on whether it is granted cluster-wide, so
    /// they are summarised once per role and scope (``RoleRisks``), however many bindings use it.
    private mutating func liveRoleFindings(_ facts: Facts, role rolePosition: Int, risks: [RoleRisks]) -> [PendingFinding] {
        let (bindingName, roleName, scopeText) = (facts.bindingName, facts.roleName, facts.scopeText)
        let roleRisks = risks[rolePosition]
        lazy var subjectsText = Auditor.list(facts.subjects)
        var pending: [PendingFinding] = []
        if facts.isClusterAdmin || roleRisks.grantsEverything {
            pending.append(
                PendingFinding(
                    checkID: "W201", severity: facts.scopeIsCluster ? .critical : .high,
                    message: "\(bindingName) grants \(roleName) (every verb on every resource) \(scopeText) to \(subjectsText)",
                    requests: [facts.everything]))
        }
        if facts.scopeIsCluster, let witness = facts.witness {
            let summary = roleRisks.clusterWideSummary
            pending.append(
                PendingFinding(
                    checkID: "W125", severity: roleRisks.clusterWideSeverity,
                    message: "\(bindingName) grants \(roleName) cluster-wide to \(subjectsText): \(summary)", requests: [witness]))
            clusterWideGrant = Verdict.ClusterWideGrant(
                binding: bindingName, role: roleName, subjects: facts.subjects, summary: summary, location: facts.binding.source)
        }
        let summaries =
            facts.scopeIsCluster
            ? roleRisks.clusterSummaries
            : roleRisks.namespaceSummariesDependOnNamespace
                ? RoleRisks.summarize(roleRisks.grants, scope: .namespace(facts.namespace)) : roleRisks.namespaceSummaries
        for summary in summaries {
            pending.append(
                PendingFinding(
                    checkID: summary.checkID, severity: summary.severity,
                    message: "\(roleName) grants \(summary.details) \(scopeText) to \(subjectsText) through \(bindingName)",
                    requests: summary.requests.map { $0.request(in: facts.namespace) }))
        }
        return pending
    }

    /// Lowers to low the findings of one of Kubernetes' own bindings that its bootstrap policy
    /// explains; when all of them are, the binding is marked as Kubernetes' default.
    private mutating func markKubernetesDefaults(_ pending: inout [PendingFinding], _ facts: Facts, roles: [RBACRole]) {
        let binding = facts.binding
        var everyFindingDefault = true
        // What a binding gives as a whole (W125, W202-W205) is Kubernetes' own only when
        // the role is too; a rule's finding when its requests are.
        let roleUnchanged = role.map { BootstrapPolicy.isUnchangedDefault(roles[$0]) } ?? false
        for index in pending.indices {
            let named = pending[index].subject.map { [subjects[$0]] } ?? subjects
            let wholeBinding = ["W125", "W202", "W203", "W204", "W205"].contains(pending[index].checkID)
            let isDefault =
                !pending[index].requests.isEmpty && (!wholeBinding || roleUnchanged)
                && named.allSatisfy { subject in
                    BootstrapPolicy.isDefaultSubject(subject, of: binding)
                        && pending[index].requests.allSatisfy { BootstrapPolicy.defaultPolicy.allows($0.by(ClaimedRequest.user(for: subject))) }
                }
            if isDefault {
                pending[index].severity = .low
                pending[index].message += " (Kubernetes' default policy)"
            } else {
                everyFindingDefault = false
            }
        }
        if everyFindingDefault && subjects.allSatisfy({ BootstrapPolicy.isDefaultSubject($0, of: binding) }) {
            entry.isKubernetesDefault = true
            clusterWideGrant = nil
        }
    }

    /// Turns the pending findings into findings, with their suppressions; a binding that grants
    /// everything is one finding (W201), with the others folded into it.
    private mutating func emit(
        _ pending: [PendingFinding], _ facts: Facts, roles: [RBACRole], risks: [RoleRisks], annotations: [String: [String: String]]
    ) {
        let binding = facts.binding
        let locations = [role.flatMap { roles[$0].source }, binding.source].compactMap { $0 }
        let bindingAnnotations =
            annotations.isEmpty
            ? [:] : annotations[Auditor.key(kind: binding.kind.rawValue, namespace: binding.namespace ?? "", name: binding.name)] ?? [:]
        let roleAnnotations = role.map { risks[$0].annotations } ?? [:]
        func append(_ item: PendingFinding, subject: Int?, folded: [String]) {
            var finding = Finding(
                checkID: item.checkID, severity: item.severity, message: item.message, locations: locations,
                subjects: subject.map { [subjects[$0]] } ?? subjects, role: facts.roleName, binding: facts.bindingName, namespace: facts.namespace,
                requests: item.requests, folded: folded)
            if !bindingAnnotations.isEmpty || !roleAnnotations.isEmpty {
                finding.suppression =
                    Suppressions.reason(annotations: bindingAnnotations, checkID: item.checkID)
                    ?? Suppressions.reason(annotations: roleAnnotations, checkID: item.checkID)
            }
            findings.append(finding)
            findingSubjects.append(subject)
        }
        if let everything = pending.firstIndex(where: { $0.checkID == "W201" }) {
            var folded: [String] = []
            for (index, item) in pending.enumerated() where index != everything && !folded.contains(item.checkID) {
                folded.append(item.checkID)
            }
            append(pending[everything], subject: nil, folded: folded.sorted())
            return
        }
        for item in pending { append(item, subject: item.subject, folded: []) }
    }
}
