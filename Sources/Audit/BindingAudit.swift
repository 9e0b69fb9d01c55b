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

        // Kubernetes' own bindings: what they grant their default subjects is Kubernetes'
        // bootstrap policy, reported low; what a cluster adds to them is reported as usual.
        let isDefaultBinding = BootstrapPolicy.defaultBinding(for: binding) != nil
        lazy var subjectsText = Auditor.list(subjects)
        var pending: [(checkID: String, severity: Severity, message: String, subject: Int?, requests: [ClaimedRequest])] = []
        func add(_ checkID: String, _ severity: Severity, _ message: String, subject: Int? = nil, requests: [ClaimedRequest]) {
            pending.append((checkID, severity, message, subject, requests))
        }

        let isClusterAdmin = binding.roleRef.kind == "ClusterRole" && binding.roleRef.name == "cluster-admin"
        let scopeIsCluster = binding.kind == .clusterRoleBinding
        // A request the role allows in the binding's scope: what the binding gives its subjects.
        // A missing cluster-admin is Kubernetes' own, which allows everything.
        let everything = ClaimedRequest(verb: "*", apiGroup: "*", resource: "*", namespace: bindingNamespace ?? "")
        let witness: ClaimedRequest? =
            if let rolePosition {
                scopeIsCluster ? risks[rolePosition].clusterWitness : risks[rolePosition].namespaceWitness?.request(in: bindingNamespace)
            } else {
                isClusterAdmin ? everything : nil
            }

        // Subjects that should never appear, when the binding gives them something. Granting
        // only health and version URLs to everyone, or only what Kubernetes gives every
        // authenticated user, is what Kubernetes itself does, so that is low.
        if let witness {
            let publicInfoOnly = rolePosition.map { risks[$0].publicInfoOnly } ?? false
            let baselineOnly = rolePosition.map { risks[$0].baselineOnly } ?? false
            for (index, subject) in subjects.enumerated() {
                switch (subject.kind, subject.name) {
                case (.group, "system:masters"):
                    add("W202", .critical, "\(bindingName) grants \(roleName) to the system:masters group", subject: index, requests: [witness])
                case (.user, UserInfo.anonymousName), (.group, UserInfo.allUnauthenticated):
                    add(
                        "W203", publicInfoOnly ? .low : .critical,
                        "\(bindingName) grants \(roleName) to \(subject), that is to anyone without credentials", subject: index,
                        requests: [witness])
                case (.group, UserInfo.allAuthenticated), (.group, UserInfo.allServiceAccounts):
                    add("W204", baselineOnly ? .low : .high, "\(bindingName) grants \(roleName) to \(subject)", subject: index, requests: [witness])
                case (.group, let name) where name.hasPrefix(UserInfo.allServiceAccounts + ":"):
                    add(
                        "W204", baselineOnly ? .low : .high,
                        "\(bindingName) grants \(roleName) to every ServiceAccount of namespace \(name.dropFirst(UserInfo.allServiceAccounts.count + 1))",
                        subject: index, requests: [witness])
                case (.serviceAccount, "default"):
                    add(
                        "W205", .medium, "\(bindingName) grants \(roleName) to \(subject), which every pod without its own ServiceAccount uses",
                        subject: index, requests: [witness])
                default:
                    break
                }
            }
        }

        defer { emit() }
        guard let rolePosition else {
            if isClusterAdmin {
                let scopeText = scopeIsCluster ? "cluster-wide" : "in namespace \(bindingNamespace ?? "")"
                add(
                    "W201", scopeIsCluster ? .critical : .high,
                    "\(bindingName) grants cluster-admin (every verb on every resource) \(scopeText) to \(subjectsText)",
                    requests: [everything])
                if scopeIsCluster {
                    add("W125", .high, "\(bindingName) grants cluster-admin in every namespace", requests: [everything])
                    clusterWideGrant = Verdict.ClusterWideGrant(
                        binding: bindingName, role: roleName, subjects: subjects, summary: "cluster-admin: everything", location: binding.source)
                }
            } else {
                let builtin = Auditor.isBuiltin(binding.roleRef)
                add(
                    "W206", builtin ? .low : .medium,
                    builtin
                        ? "\(binding) refers to the built-in \(roleName), which is not in the input; its rules are not analysed"
                        : "\(binding) refers to \(roleName), which does not exist", requests: [])
            }
            return
        }
        if binding.subjects.isEmpty { return }
        liveRole = rolePosition

        // The risks of a role depend only on the role and on whether it is granted cluster-wide,
        // so they are summarised once per role and scope (``RoleRisks``), however many bindings use it.
        let scopeText = scopeIsCluster ? "cluster-wide" : "in namespace \(bindingNamespace ?? "")"
        if isClusterAdmin || risks[rolePosition].grantsEverything {
            add(
                "W201", scopeIsCluster ? .critical : .high,
                "\(bindingName) grants \(roleName) (every verb on every resource) \(scopeText) to \(subjectsText)", requests: [everything])
        }
        if scopeIsCluster, let witness {
            let summary = risks[rolePosition].clusterWideSummary
            add(
                "W125", risks[rolePosition].clusterWideSeverity, "\(bindingName) grants \(roleName) cluster-wide to \(subjectsText): \(summary)",
                requests: [witness])
            clusterWideGrant = Verdict.ClusterWideGrant(
                binding: bindingName, role: roleName, subjects: subjects, summary: summary, location: binding.source)
        }
        let summaries =
            scopeIsCluster
            ? risks[rolePosition].clusterSummaries
            : risks[rolePosition].namespaceSummariesDependOnNamespace
                ? RoleRisks.summarize(risks[rolePosition].grants, scope: .namespace(bindingNamespace)) : risks[rolePosition].namespaceSummaries
        for summary in summaries {
            add(
                summary.checkID, summary.severity, "\(roleName) grants \(summary.details) \(scopeText) to \(subjectsText) through \(bindingName)",
                requests: summary.requests.map { $0.request(in: bindingNamespace) })
        }

        /// Turns the pending findings into findings; a binding that grants everything is one
        /// finding (W201), with the others folded into it.
        func emit() {
            if isDefaultBinding {
                var everyFindingDefault = true
                // What a binding gives as a whole (W125, W202-W205) is Kubernetes' own only when
                // the role is too; a rule's finding when its requests are.
                let roleUnchanged = self.role.map { BootstrapPolicy.isUnchangedDefault(roles[$0]) } ?? false
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
            if let everything = pending.firstIndex(where: { $0.checkID == "W201" }) {
                var folded: [String] = []
                for (index, item) in pending.enumerated() where index != everything && !folded.contains(item.checkID) {
                    folded.append(item.checkID)
                }
                let item = pending[everything]
                append(item.checkID, item.severity, item.message, subject: nil, requests: item.requests, folded: folded.sorted())
                return
            }
            for item in pending { append(item.checkID, item.severity, item.message, subject: item.subject, requests: item.requests, folded: []) }
        }

        func append(_ checkID: String, _ severity: Severity, _ message: String, subject: Int?, requests: [ClaimedRequest], folded: [String]) {
            var finding = Finding(
                checkID: checkID, severity: severity, message: message, locations: locations,
                subjects: subject.map { [subjects[$0]] } ?? subjects, role: roleName, binding: bindingName, namespace: bindingNamespace,
                requests: requests, folded: folded)
            if !bindingAnnotations.isEmpty || !roleAnnotations.isEmpty {
                finding.suppression =
                    Suppressions.reason(annotations: bindingAnnotations, checkID: checkID)
                    ?? Suppressions.reason(annotations: roleAnnotations, checkID: checkID)
            }
            findings.append(finding)
            findingSubjects.append(subject)
        }
    }
}
