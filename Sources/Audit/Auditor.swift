import Foundation
public import KubeModel
public import RBAC

/// Runs the risk catalog over a set of RBAC objects (and the objects around them) and answers
/// the compliance questions. Pure: no I/O, same input, same report.
public struct Auditor: Sendable {
    /// Accepted findings.
    public var suppressions: Suppressions

    /// Creates an auditor.
    public init(suppressions: Suppressions = Suppressions()) {
        self.suppressions = suppressions
    }

    /// ClusterRoles every cluster has, which bindings in manifests may name without defining.
    static let builtinClusterRoles: Set<String> = ["cluster-admin", "admin", "edit", "view"]

    /// Audits `policy`, built from `objects` (which also supply ServiceAccounts, annotations and
    /// the tools' own configuration). `kinds` tells which objects are cluster-scoped (custom
    /// resources included when their CRDs are in it).
    public func audit(objects: [KubeObject], policy: RBACPolicy, kinds: KindTable = .builtin) -> AuditReport {
        var annotations: [String: [String: String]] = [:]
        // Only objects that suppress something need remembering; ClusterRoles and
        // ClusterRoleBindings have no namespace, Roles and RoleBindings the policy's default one.
        for object in objects where RBACAPI.isRBACObject(object) && object.content[path: ["metadata", "annotations", Suppressions.annotation]] != nil {
            let clusterScoped = object.kind == "ClusterRole" || object.kind == "ClusterRoleBinding"
            let namespace = clusterScoped ? "" : object.namespace ?? policy.defaultNamespace
            annotations[Self.key(kind: object.kind, namespace: namespace, name: object.name)] = object.annotations
        }
        var raw: [Finding] = []
        var hitsByRole: [Int: [RuleInspector.Hit]] = [:]
        var riskSummaries: [String: [RoleRiskSummary]] = [:]
        var hitsByRoleName: [String: [RuleInspector.Hit]] = [:]
        var ruleCache: [PolicyRule: [RuleInspector.Hit]] = [:]
        let rolePositions = Dictionary(policy.roles.enumerated().map { (Self.roleKey($0.element), $0.offset) }, uniquingKeysWith: { first, _ in first })
        func hits(_ role: RBACRole, key: String) -> [RuleInspector.Hit] {
            let position = rolePositions[key] ?? -1
            if let cached = hitsByRole[position] { return cached }
            let computed = RuleInspector.inspect(role, cache: &ruleCache)
            hitsByRole[position] = computed
            return computed
        }

        var boundRoleKeys: Set<String> = []
        var aggregatorsSeen: Set<String> = []
        var subjects: [String: SubjectPermissions] = [:]
        var subjectOrder: [String] = []
        var clusterWide: [Verdict.ClusterWideGrant] = []

        for binding in policy.bindings {
            let role = policy.role(for: binding)
            let bindingNamespace = binding.kind == .roleBinding ? binding.namespace : nil
            let resolvedSubjects = binding.subjects.map { Self.resolve($0, namespace: bindingNamespace) }
            let roleName = role.map(\.description) ?? "\(binding.roleRef.kind) \"\(binding.roleRef.name)\""
            let bindingName = binding.description
            lazy var subjectsText = Self.list(resolvedSubjects)
            let locations = [role?.source, binding.source].compactMap { $0 }
            let bindingAnnotations =
                annotations.isEmpty ? [:] : annotations[Self.key(kind: binding.kind.rawValue, namespace: binding.namespace ?? "", name: binding.name)] ?? [:]
            let roleAnnotations =
                annotations.isEmpty ? [:] : role.flatMap { annotations[Self.key(kind: $0.kind.rawValue, namespace: $0.namespace ?? "", name: $0.name)] } ?? [:]
            func add(_ checkID: String, _ severity: Severity, _ message: String, subjects: [Subject] = resolvedSubjects) {
                var finding = Finding(
                    checkID: checkID, severity: severity, message: message, locations: locations, subjects: subjects,
                    role: roleName, binding: bindingName, namespace: bindingNamespace)
                finding.suppression = Suppressions.reason(annotations: bindingAnnotations, checkID: checkID)
                    ?? Suppressions.reason(annotations: roleAnnotations, checkID: checkID)
                raw.append(finding)
            }

            for subject in resolvedSubjects {
                let key = subject.description
                if subjects[key] == nil {
                    subjects[key] = SubjectPermissions(subject: subject, entries: [], highestSeverity: nil)
                    subjectOrder.append(key)
                }
                subjects[key]?.entries.append(
                    SubjectPermissions.Entry(
                        namespace: bindingNamespace, role: roleName, binding: bindingName, rules: role?.rules ?? [],
                        location: binding.source, roleMissing: role == nil && !Self.isBuiltin(binding.roleRef)))
            }

            // Subjects that should never appear. Granting only health and version URLs to everyone
            // is what Kubernetes itself does (system:public-info-viewer), so that is low.
            let publicInfoOnly = role.map { $0.rules.allSatisfy { !$0.isResourceRule && $0.verbs.allSatisfy { $0 == "get" } } } ?? false
            for subject in resolvedSubjects {
                switch (subject.kind, subject.name) {
                case (.group, "system:masters"):
                    add("W202", .critical, "\(bindingName) grants \(roleName) to the system:masters group", subjects: [subject])
                case (.user, UserInfo.anonymousName), (.group, UserInfo.allUnauthenticated):
                    add(
                        "W203", publicInfoOnly ? .low : .critical,
                        "\(bindingName) grants \(roleName) to \(subject), that is to anyone without credentials", subjects: [subject])
                case (.group, UserInfo.allAuthenticated), (.group, UserInfo.allServiceAccounts):
                    add("W204", publicInfoOnly ? .low : .high, "\(bindingName) grants \(roleName) to \(subject)", subjects: [subject])
                case (.group, let name) where name.hasPrefix(UserInfo.allServiceAccounts + ":"):
                    add(
                        "W204", publicInfoOnly ? .low : .high,
                        "\(bindingName) grants \(roleName) to every ServiceAccount of namespace \(name.dropFirst(UserInfo.allServiceAccounts.count + 1))",
                        subjects: [subject])
                case (.serviceAccount, "default"):
                    add("W205", .medium, "\(bindingName) grants \(roleName) to \(subject), which every pod without its own ServiceAccount uses", subjects: [subject])
                default:
                    break
                }
            }

            let isClusterAdmin = binding.roleRef.kind == "ClusterRole" && binding.roleRef.name == "cluster-admin"
            guard let role else {
                if isClusterAdmin {
                    add("W201", binding.kind == .clusterRoleBinding ? .critical : .high, "\(bindingName) grants cluster-admin to \(subjectsText)")
                    if binding.kind == .clusterRoleBinding {
                        add("W125", .high, "\(bindingName) grants cluster-admin in every namespace")
                        clusterWide.append(
                            Verdict.ClusterWideGrant(
                                binding: bindingName, role: roleName, subjects: resolvedSubjects, summary: "cluster-admin: everything",
                                location: binding.source))
                    }
                } else {
                    let builtin = Self.isBuiltin(binding.roleRef)
                    add(
                        "W206", builtin ? .low : .medium,
                        builtin
                            ? "\(binding) refers to the built-in \(roleName), which is not in the input; its rules are not analysed"
                            : "\(binding) refers to \(roleName), which does not exist")
                }
                continue
            }
            if binding.subjects.isEmpty { continue }
            let roleKey = Self.roleKey(role)
            boundRoleKeys.insert(roleKey)
            if role.kind == .clusterRole, role.aggregationRule != nil, aggregatorsSeen.insert(role.name).inserted {
                for source in policy.aggregationSources(ofClusterRole: role.name) { boundRoleKeys.insert("ClusterRole//\(source)") }
            }

            let roleHits = hits(role, key: roleKey)
            if hitsByRoleName[roleName] == nil { hitsByRoleName[roleName] = roleHits }
            let scopeIsCluster = binding.kind == .clusterRoleBinding
            let scopeText = scopeIsCluster ? "cluster-wide" : "in namespace \(bindingNamespace ?? "")"
            // The risks of a role depend only on the role and on whether it is granted cluster-wide,
            // so they are summarised once per role and scope, however many bindings use the role.
            let summaryKey = "\(scopeIsCluster ? "c" : "n")|\(roleKey)"
            let summaries: [RoleRiskSummary]
            if let cached = riskSummaries[summaryKey] {
                summaries = cached
            } else {
                summaries = Self.summarize(roleHits, clusterWide: scopeIsCluster)
                riskSummaries[summaryKey] = summaries
            }
            if isClusterAdmin || summaries.contains(where: { $0.checkID == "W100" }) {
                add("W201", scopeIsCluster ? .critical : .high, "\(bindingName) grants \(roleName) (every verb on every resource) \(scopeText) to \(subjectsText)")
            }
            if scopeIsCluster {
                let risky = roleHits.filter { RiskCatalog.check($0.checkID).severity >= .high }
                let writes = role.rules.contains { rule in
                    rule.verbs.contains { ["*", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate"].contains($0) }
                }
                let summary = risky.isEmpty ? Self.summarize(role.rules) : risky.prefix(3).map(\.detail).joined(separator: "; ")
                add("W125", writes || !risky.isEmpty ? .high : .medium, "\(bindingName) grants \(roleName) cluster-wide to \(subjectsText): \(summary)")
                clusterWide.append(
                    Verdict.ClusterWideGrant(
                        binding: bindingName, role: roleName, subjects: resolvedSubjects, summary: summary, location: binding.source))
            }
            for summary in summaries {
                add(summary.checkID, summary.severity, "\(roleName) grants \(summary.details) \(scopeText) to \(subjectsText) through \(bindingName)")
            }
        }

        // Roles bound to nobody: their risks are dormant.
        for role in policy.roles {
            let roleAnnotations = annotations[Self.key(kind: role.kind.rawValue, namespace: role.namespace ?? "", name: role.name)] ?? [:]
            if role.kind == .clusterRole {
                let aggregating = role.labels.filter { $0.key.hasPrefix("rbac.authorization.k8s.io/aggregate-to-") && $0.value == "true" }.map(\.key).sorted()
                let builtinTargets = aggregating.filter { ["admin", "edit", "view"].contains($0.replacingOccurrences(of: "rbac.authorization.k8s.io/aggregate-to-", with: "")) }
                if !builtinTargets.isEmpty && !role.rules.isEmpty {
                    var finding = Finding(
                        checkID: "W124", severity: .high,
                        message: "\(role) is labelled \(builtinTargets.joined(separator: ", ")): its rules join the built-in roles in every namespace",
                        locations: [role.source].compactMap { $0 }, role: role.description)
                    finding.suppression = Suppressions.reason(annotations: roleAnnotations, checkID: "W124")
                    raw.append(finding)
                }
            }
            let roleKey = Self.roleKey(role)
            guard !boundRoleKeys.contains(roleKey) else { continue }
            var seen: Set<String> = []
            for hit in hits(role, key: roleKey) where seen.insert(hit.checkID).inserted {
                var finding = Finding(
                    checkID: hit.checkID, severity: .low,
                    message: "\(role) grants \(hit.detail), but no binding in the input uses it (dormant)",
                    locations: [role.source].compactMap { $0 }, role: role.description, namespace: role.namespace, isDormant: true)
                finding.suppression = Suppressions.reason(annotations: roleAnnotations, checkID: hit.checkID)
                raw.append(finding)
            }
        }

        // Tools that bring their own access control.
        let detections = ToolDetection.detect(objects: objects, findings: raw)
        raw.append(contentsOf: detections.map(\.finding))

        // Suppressions from the ignore file.
        for index in raw.indices where raw[index].suppression == nil {
            raw[index].suppression = suppressions.reason(for: raw[index])
        }
        var live = raw.filter { $0.suppression == nil }
        let suppressed = raw.filter { $0.suppression != nil }

        // Highest severity per subject, for escalation paths and the permission matrix.
        var highest: [String: Severity] = [:]
        for finding in live where !finding.isDormant {
            for subject in finding.subjects {
                highest[subject.description] = max(highest[subject.description] ?? finding.severity, finding.severity)
            }
        }
        var subjectList = subjectOrder.compactMap { subjects[$0] }
        for index in subjectList.indices {
            subjectList[index].highestSeverity = highest[subjectList[index].subject.description]
            // Cluster-wide entries first, then by namespace; bindings in input order otherwise.
            let entries = subjectList[index].entries
            if entries.count > 1 {
                subjectList[index].entries = entries.indices.sorted { lhs, rhs in
                    switch (entries[lhs].namespace, entries[rhs].namespace) {
                    case (nil, nil): return lhs < rhs
                    case (nil, _): return true
                    case (_, nil): return false
                    case (let left?, let right?): return left != right ? left < right : lhs < rhs
                    }
                }.map { entries[$0] }
            }
        }

        let paths = EscalationAnalysis(policy: policy, objects: objects, subjects: subjectList, roleHits: hitsByRoleName).paths()
        for path in paths {
            let severity: Severity = path.reachesClusterWide ? .critical : .high
            live.append(
                Finding(
                    checkID: "W301", severity: severity, message: "\(path.from) can gain the rights of \(path.to): \(path.description)",
                    subjects: [path.from]))
        }

        // Most severe first, then by check; otherwise in the order found (bindings in input order),
        // which keeps the report stable for the same input.
        let severities = live.map(\.severity)
        let checks = live.map(\.checkID)
        let order = live.indices.sorted { lhs, rhs in
            if severities[lhs] != severities[rhs] { return severities[lhs] > severities[rhs] }
            if checks[lhs] != checks[rhs] { return checks[lhs] < checks[rhs] }
            return lhs < rhs
        }
        live = order.map { live[$0] }
        let ownAccessControl = detections.map(\.finding.message)
        let clusterScoped = objects.filter { object in
            guard let kind = kinds.kind(object.groupKind) else { return false }
            return !kind.namespaced
        }.map { "\($0.kind) \($0.name)" }
        let verdict = Verdict(
            clusterWideGrants: clusterWide, ownAccessControl: ownAccessControl, escalationPathCount: paths.count,
            criticalFindingCount: live.filter { $0.severity == .critical && !$0.isDormant }.count, clusterScopedObjects: clusterScoped)
        var counts: [String: Int] = [:]
        for role in policy.roles { counts[role.kind.rawValue, default: 0] += 1 }
        for binding in policy.bindings { counts[binding.kind.rawValue, default: 0] += 1 }
        return AuditReport(findings: live, suppressed: suppressed, subjects: subjectList, escalationPaths: paths, verdict: verdict, counts: counts)
    }

    /// One check's findings in a role, merged: the highest severity and every distinct detail.
    struct RoleRiskSummary {
        var checkID: String
        var severity: Severity
        var details: String
    }

    /// The role's hits merged per check, in the order first found, with scope and name
    /// restrictions applied to the severity.
    static func summarize(_ hits: [RuleInspector.Hit], clusterWide: Bool) -> [RoleRiskSummary] {
        var merged: [String: (severity: Severity, details: [String])] = [:]
        var order: [String] = []
        for hit in hits {
            let check = RiskCatalog.check(hit.checkID)
            var severity = hit.severityOverride ?? (clusterWide ? check.clusterWideSeverity : check.severity)
            if clusterWide, hit.severityOverride != nil { severity = check.severity }
            if hit.restrictedByName {
                // `bind` limited to named roles is Kubernetes' documented way to let a deployer hand
                // out exactly those roles; other named grants are one level less severe.
                severity = hit.checkID == "W113" ? min(severity, .medium) : severity.lowered
            }
            if let existing = merged[hit.checkID]?.severity {
                merged[hit.checkID]?.severity = max(existing, severity)
                merged[hit.checkID]?.details.append(hit.detail)
            } else {
                merged[hit.checkID] = (severity, [hit.detail])
                order.append(hit.checkID)
            }
        }
        return order.compactMap { checkID in
            merged[checkID].map { RoleRiskSummary(checkID: checkID, severity: $0.severity, details: unique($0.details).joined(separator: "; ")) }
        }
    }

    static func key(kind: String, namespace: String, name: String) -> String { "\(kind)/\(namespace)/\(name)" }

    static func roleKey(_ role: RBACRole) -> String { "\(role.kind.rawValue)/\(role.namespace ?? "")/\(role.name)" }

    static func isBuiltin(_ ref: RoleRef) -> Bool {
        ref.kind == "ClusterRole" && (builtinClusterRoles.contains(ref.name) || ref.name.hasPrefix("system:"))
    }

    static func resolve(_ subject: Subject, namespace: String?) -> Subject {
        guard subject.kind == .serviceAccount, subject.namespace?.isEmpty ?? true, let namespace else { return subject }
        var copy = subject
        copy.namespace = namespace
        return copy
    }

    static func list(_ subjects: [Subject]) -> String {
        if subjects.isEmpty { return "no subject" }
        if subjects.count <= 3 { return subjects.map(\.description).joined(separator: ", ") }
        return subjects.prefix(3).map(\.description).joined(separator: ", ") + " and \(subjects.count - 3) more"
    }

    static func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }

    static func summarize(_ rules: [PolicyRule]) -> String {
        let parts = rules.prefix(3).map { rule in
            rule.isResourceRule
                ? "\(rule.verbs.joined(separator: ",")) on \(rule.resources.joined(separator: ","))"
                : "\(rule.verbs.joined(separator: ",")) on \(rule.nonResourceURLs.joined(separator: ","))"
        }
        return parts.joined(separator: "; ") + (rules.count > 3 ? "; …" : "")
    }
}
