import Foundation
public import KubeModel
public import RBAC

/// Runs the risk catalog over a set of RBAC objects (and the objects around them) and answers
/// the compliance questions. Pure: no I/O, same input, same report.
///
/// Roles and bindings are audited in parts on every core, and the parts joined in input order,
/// so the report is the same whatever the number of cores.
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
    /// resources included when their CRDs are in it). `rejected` are the RBAC objects of the
    /// input the API server refuses (``RBACValidation/partition(_:)``), left out of `policy` and
    /// reported as W207.
    public func audit(
        objects: [KubeObject], policy: RBACPolicy, kinds: KindTable = .builtin, rejected: [RBACValidation.Rejection] = []
    ) -> AuditReport {
        let annotations = Self.suppressionAnnotations(in: objects, policy: policy)
        let roles = RoleRisks.all(in: policy, usage: Self.usage(of: policy), annotations: annotations, kinds: kinds)
        var findings = FindingList()
        var permissions = PermissionTable(capacity: policy.bindings.reduce(0) { $0 + $1.subjects.count })
        var live = [Bool](repeating: false, count: policy.roles.count)
        var clusterWide: [Verdict.ClusterWideGrant] = []
        var audits = BindingAudit.all(in: policy, roles: roles, annotations: annotations)
        findings.reserveCapacity(audits.withUnsafeBufferPointer { audits in audits.indices.reduce(0) { $0 + audits[$1].findings.count } })
        for index in audits.indices {
            let subjects = permissions.add(audits[index].subjectKeys, binding: index)
            findings.append(moving: &audits[index].findings, naming: subjects, each: audits[index].findingSubjects)
            if let grant = audits[index].clusterWideGrant { clusterWide.append(grant) }
            if let position = audits[index].liveRole {
                live[position] = true
                // An aggregated ClusterRole in use makes the roles it aggregates live too.
                for source in policy.aggregationSourcePositions[position] ?? [] { live[source] = true }
            }
        }
        var roleFindings = Self.roleFindings(policy: policy, roles: roles, live: live)
        for index in roleFindings.indices { findings.append(moving: &roleFindings[index]) }
        var invalid = rejected.map { rejection in
            Finding(
                checkID: "W207", severity: .high, message: rejection.description, locations: [rejection.location].compactMap { $0 },
                role: rejection.kind.hasSuffix("Binding") ? nil : rejection.object, binding: rejection.kind.hasSuffix("Binding") ? rejection.object : nil)
        }
        findings.append(moving: &invalid)

        // Tools that bring their own access control.
        let detections = ToolDetection.detect(objects: objects, findings: findings.all)
        for detection in detections { findings.append(detection.finding, naming: permissions.numbers(of: detection.finding.subjects)) }

        // Suppressions from the ignore file.
        if !suppressions.rules.isEmpty { findings.suppress(by: suppressions.reason(for:)) }

        let subjects = permissions.subjects(of: audits, highest: findings.highestLiveSeverityBySubject(count: permissions.count))
        let paths = EscalationAnalysis(
            policy: policy, objects: objects, subjects: subjects.list, subjectKeys: permissions.keys,
            entryMeans: zip(subjects.list, subjects.entryRoles).map { subject, positions in
                zip(subject.entries, positions).map { entry, position in
                    guard let position else { return EscalationAnalysis.RoleMeans() }
                    return entry.namespace == nil ? roles[position].clusterMeans : roles[position].namespaceMeans
                }
            }
        ).paths()
        var (reported, suppressed) = findings.partitioned()
        var escalations = ParallelChunks.array(paths.count, minimumLength: 1_024) { index in
            let path = paths[index]
            var message = ""
            path.from.write(to: &message)
            message += " can gain the rights of "
            path.to.write(to: &message)
            message += ": "
            path.write(to: &message)
            return Finding(
                checkID: "W301", severity: path.reachesClusterWide ? .critical : .high, message: message, subjects: [path.from],
                requests: path.steps.first?.requests ?? [])
        }
        reported.append(moving: &escalations)
        Self.sortMostSevereFirst(&reported)

        let verdict = Verdict(
            clusterWideGrants: clusterWide, ownAccessControl: detections.map(\.finding.message), escalationPathCount: paths.count,
            criticalFindingCount: reported.withUnsafeBufferPointer { findings in
                findings.indices.count { findings[$0].severity == .critical && !findings[$0].isDormant }
            },
            clusterScopedObjects: Self.clusterScopedObjects(objects, kinds: kinds))
        var counts: [String: Int] = [:]
        for role in policy.roles { counts[role.kind.rawValue, default: 0] += 1 }
        for binding in policy.bindings { counts[binding.kind.rawValue, default: 0] += 1 }
        return AuditReport(
            findings: reported, suppressed: suppressed, subjects: subjects.list, escalationPaths: paths, verdict: verdict, counts: counts)
    }

    /// The annotations of the RBAC objects that suppress findings, by ``key(kind:namespace:name:)``:
    /// only those need remembering. ClusterRoles and ClusterRoleBindings have no namespace, Roles
    /// and RoleBindings the policy's default one.
    static func suppressionAnnotations(in objects: [KubeObject], policy: RBACPolicy) -> [String: [String: String]] {
        // The objects are looked through in parts on every core; the few that suppress something
        // are then filed in input order (a later object with the same key wins).
        let suppressing = ParallelChunks.map(objects.count, minimumLength: 4_096) { range in
            range.filter { objects[$0].content["metadata"]?["annotations"]?[Suppressions.annotation] != nil && RBACAPI.isRBACObject(objects[$0]) }
        }.flatMap { $0 }
        var annotations: [String: [String: String]] = [:]
        for object in suppressing.map({ objects[$0] }) {
            let clusterScoped = object.kind == "ClusterRole" || object.kind == "ClusterRoleBinding"
            let namespace = clusterScoped ? "" : object.namespace ?? policy.defaultNamespace
            annotations[key(kind: object.kind, namespace: namespace, name: object.name)] = object.annotations
        }
        return annotations
    }

    /// By role position, where bindings with subjects grant the role.
    static func usage(of policy: RBACPolicy) -> [RoleRisks.Usage] {
        var usage = [RoleRisks.Usage](repeating: RoleRisks.Usage(), count: policy.roles.count)
        for (binding, role) in zip(policy.bindings, policy.boundRoles) where role >= 0 && !binding.subjects.isEmpty {
            switch binding.kind {
            case .roleBinding: usage[role].inNamespace = true
            case .clusterRoleBinding: usage[role].clusterWide = true
            }
        }
        return usage
    }

    /// The findings of the roles themselves, role by role: ClusterRoles labelled to aggregate into
    /// the built-in roles (W124) other than Kubernetes' own, rules that can allow no request
    /// (W126), and the risks of roles no binding makes live (dormant, low).
    static func roleFindings(policy: RBACPolicy, roles: [RoleRisks], live: [Bool]) -> [[Finding]] {
        ParallelChunks.map(policy.roles.count, minimumLength: 512) { range in
            range.map { position in
                let role = policy.roles[position]
                let risks = roles[position]
                var findings: [Finding] = []
                func add(_ checkID: String, _ severity: Severity, _ message: String, dormant: Bool = false) {
                    var finding = Finding(
                        checkID: checkID, severity: severity, message: message, locations: [role.source].compactMap { $0 }, role: risks.name,
                        namespace: dormant ? role.namespace : nil, isDormant: dormant)
                    if !risks.annotations.isEmpty { finding.suppression = Suppressions.reason(annotations: risks.annotations, checkID: checkID) }
                    findings.append(finding)
                }
                if role.kind == .clusterRole && !BootstrapPolicy.aggregatesIntoBuiltinRoles(role.name) {
                    let aggregating = role.labels.filter { $0.key.hasPrefix("rbac.authorization.k8s.io/aggregate-to-") && $0.value == "true" }.map(\.key)
                        .sorted()
                    let builtinTargets = aggregating.filter {
                        ["admin", "edit", "view"].contains($0.replacingOccurrences(of: "rbac.authorization.k8s.io/aggregate-to-", with: ""))
                    }
                    if !builtinTargets.isEmpty && !role.rules.isEmpty {
                        add(
                            "W124", .high,
                            "\(risks.name) is labelled \(builtinTargets.joined(separator: ", ")): its rules join the built-in roles in every namespace")
                    }
                }
                for (index, reason) in risks.deadRules {
                    add("W126", .low, "\(risks.name) rule \(index + 1) allows no request: \(reason)")
                }
                // Kubernetes' own roles, unchanged, are in every cluster, bound or not.
                guard !live[position], !BootstrapPolicy.isUnchangedDefault(role) else { return findings }
                let scope: RoleRisks.Scope = role.kind == .role ? .namespace(role.namespace) : .cluster
                for summary in RoleRisks.summarize(risks.grants, scope: scope) {
                    add(summary.checkID, .low, "\(risks.name) grants \(summary.details), but no binding in the input uses it (dormant)", dormant: true)
                }
                return findings
            }
        }.flatMap { $0 }
    }

    /// Most severe first, then by check; otherwise in the order found (bindings in input order),
    /// which keeps the report stable for the same input.
    static func sortMostSevereFirst(_ findings: inout [Finding]) {
        findings.withUnsafeMutableBufferPointer { findings in
            // Each finding's place in that order as one integer: severity, check, then position.
            let checks = Set(findings.indices.map { findings[$0].checkID }).sorted()
            let checkRanks = Dictionary(uniqueKeysWithValues: checks.enumerated().map { ($1, $0) })
            let severityRanks = Dictionary(uniqueKeysWithValues: Severity.allCases.sorted(by: >).enumerated().map { ($1, $0) })
            let keys = findings.indices.map { index in
                (severityRanks[findings[index].severity] ?? 0) << 56 | (checkRanks[findings[index].checkID] ?? 0) << 32 | index
            }
            let order = keys.sorted().map { $0 & 0xFFFF_FFFF }
            // Findings move into place cycle by cycle, swapped without being copied.
            var placed = [Bool](repeating: false, count: findings.count)
            for start in findings.indices where !placed[start] {
                var current = start
                while true {
                    placed[current] = true
                    let next = order[current]
                    if next == start { break }
                    findings.swapAt(current, next)
                    current = next
                }
            }
        }
    }

    /// `Kind name` of every cluster-scoped object, which a cluster administrator must install.
    static func clusterScopedObjects(_ objects: [KubeObject], kinds: KindTable) -> [String] {
        ParallelChunks.map(objects.count, minimumLength: 2_048) { range in
            // Inputs hold few distinct types, so the table is asked once per apiVersion and kind.
            var namespaced: [String: [String: Bool]] = [:]
            var names: [String] = []
            for object in objects[range] {
                let apiVersion = object.apiVersion
                let kind = object.kind
                let isNamespaced: Bool
                if let known = namespaced[apiVersion]?[kind] {
                    isNamespaced = known
                } else {
                    isNamespaced = kinds.kind(GroupVersionKind(apiVersion: apiVersion, kind: kind).groupKind)?.namespaced ?? true
                    namespaced[apiVersion, default: [:]][kind] = isNamespaced
                }
                if !isNamespaced { names.append("\(kind) \(object.name)") }
            }
            return names
        }.flatMap { $0 }
    }

    static func key(kind: String, namespace: String, name: String) -> String { "\(kind)/\(namespace)/\(name)" }

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
}
