import KubeModel
import RBAC

/// What the audit needs to know about one role, worked out once however many bindings grant it:
/// the catalog's hits in its rules, their summaries for each scope it is granted in, and what
/// granting it cluster-wide amounts to.
struct RoleRisks: Sendable {
    /// Where bindings with subjects grant a role.
    struct Usage: Sendable {
        /// By a RoleBinding, in its namespace.
        var inNamespace = false
        /// By a ClusterRoleBinding, everywhere.
        var clusterWide = false
    }

    /// One check's hits in a role, merged: the highest severity and every distinct detail.
    struct Summary: Sendable {
        var checkID: String
        var severity: Severity
        var details: String
    }

    /// `ClusterRole "edit"`, `Role "shop/deployer"`.
    var name: String
    /// The catalog's hits in the role's rules, in rule order.
    var hits: [RuleInspector.Hit]
    /// The role's annotations when they suppress findings, else empty.
    var annotations: [String: String]
    /// Whether the role only lets `get` non-resource URLs (health and version): what Kubernetes
    /// itself grants everyone (`system:public-info-viewer`).
    var publicInfoOnly: Bool
    /// Whether a rule grants every verb on every resource in every group (W100).
    var grantsEverything: Bool
    /// The hits merged per check with a namespace's severities, when a RoleBinding grants the role.
    var namespaceSummaries: [Summary] = []
    /// The hits merged per check with cluster-wide severities, when a ClusterRoleBinding grants it.
    var clusterSummaries: [Summary] = []
    /// The severity of a ClusterRoleBinding granting the role (W125): high when it writes or has
    /// a high hit.
    var clusterWideSeverity: Severity = .medium
    /// What a ClusterRoleBinding granting the role gives: its first three high hits, or else its first rules.
    var clusterWideSummary = ""
    /// What the role lets its holder do to act as someone else.
    var means: EscalationAnalysis.RoleMeans

    /// Verbs that change something.
    private static let writeVerbs: Set<String> = ["*", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate"]

    /// The risks of every role of `policy`, by position, worked out in parts on every core.
    ///
    /// - Parameters:
    ///   - usage: by role position, where bindings with subjects grant the role (summaries are
    ///     only made for those scopes).
    ///   - annotations: the annotations that suppress findings, by ``Auditor/key(kind:namespace:name:)``.
    static func all(in policy: RBACPolicy, usage: [Usage], annotations: [String: [String: String]]) -> [RoleRisks] {
        let ruleHits = RuleInspector.hits(ofEach: policy.distinctRules)
        return ParallelChunks.array(policy.roles.count, minimumLength: 256) { position in
            let role = policy.roles[position]
            let hits = RuleInspector.inspect(role, ruleNumbers: policy.ruleNumbers[position], ruleHits: ruleHits)
            var risks = RoleRisks(
                name: role.description, hits: hits,
                annotations: annotations.isEmpty
                    ? [:] : annotations[Auditor.key(kind: role.kind.rawValue, namespace: role.namespace ?? "", name: role.name)] ?? [:],
                publicInfoOnly: role.rules.allSatisfy { !$0.isResourceRule && $0.verbs.allSatisfy { $0 == "get" } },
                grantsEverything: hits.contains { $0.checkID == "W100" },
                means: EscalationAnalysis.roleMeans(from: hits))
            if usage[position].inNamespace { risks.namespaceSummaries = summarize(hits, clusterWide: false) }
            if usage[position].clusterWide {
                risks.clusterSummaries = summarize(hits, clusterWide: true)
                let risky = hits.lazy.filter { RiskCatalog.checks[$0.checkNumber].severity >= .high }
                let writes = role.rules.contains { rule in rule.verbs.contains { writeVerbs.contains($0) } }
                risks.clusterWideSummary = risky.isEmpty ? summarize(role.rules) : risky.prefix(3).map(\.detail).joined(separator: "; ")
                risks.clusterWideSeverity = writes || !risky.isEmpty ? .high : .medium
            }
            return risks
        }
    }

    /// The hits merged per check, in the order first found, with scope and name restrictions
    /// applied to the severity.
    static func summarize(_ hits: [RuleInspector.Hit], clusterWide: Bool) -> [Summary] {
        // Checks and details are numbered: aggregated ClusterRoles have thousands of hits.
        var severities = [Severity?](repeating: nil, count: RiskCatalog.checks.count)
        var details = [[String]](repeating: [], count: RiskCatalog.checks.count)
        var seenDetails: Set<Int> = []
        var order: [Int] = []
        for hit in hits {
            let check = RiskCatalog.checks[hit.checkNumber]
            var severity = hit.severityOverride ?? (clusterWide ? check.clusterWideSeverity : check.severity)
            if clusterWide, hit.severityOverride != nil { severity = check.severity }
            if hit.restrictedByName {
                // `bind` limited to named roles is Kubernetes' documented way to let a deployer hand
                // out exactly those roles; other named grants are one level less severe.
                severity = hit.checkID == "W113" ? min(severity, .medium) : severity.lowered
            }
            if let existing = severities[hit.checkNumber] {
                severities[hit.checkNumber] = max(existing, severity)
            } else {
                severities[hit.checkNumber] = severity
                order.append(hit.checkNumber)
            }
            if seenDetails.insert(hit.detailNumber &* RiskCatalog.checks.count &+ hit.checkNumber).inserted {
                details[hit.checkNumber].append(hit.detail)
            }
        }
        return order.map { number in
            Summary(checkID: RiskCatalog.checks[number].id, severity: severities[number] ?? .low, details: details[number].joined(separator: "; "))
        }
    }

    /// The first three rules, `verbs on resources` (or URLs), for a role without high hits.
    static func summarize(_ rules: [PolicyRule]) -> String {
        let parts = rules.prefix(3).map { rule in
            rule.isResourceRule
                ? "\(rule.verbs.joined(separator: ",")) on \(rule.resources.joined(separator: ","))"
                : "\(rule.verbs.joined(separator: ",")) on \(rule.nonResourceURLs.joined(separator: ","))"
        }
        return parts.joined(separator: "; ") + (rules.count > 3 ? "; …" : "")
    }
}
