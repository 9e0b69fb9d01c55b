import KubeModel
import RBAC

/// What the audit needs to know about one role, worked out once however many bindings grant it:
/// the catalog's requests its rules allow, their summaries for each scope it is granted in, its
/// dead rules, and what granting it cluster-wide amounts to.
struct RoleRisks: Sendable {
    /// Where bindings with subjects grant a role.
    struct Usage: Sendable {
        /// By a RoleBinding, in its namespace.
        var inNamespace = false
        /// By a ClusterRoleBinding, everywhere.
        var clusterWide = false
    }

    /// Where a binding grants a role's rules.
    enum Scope: Sendable {
        /// A RoleBinding: in its namespace (`nil` for a summary whose requests the binding
        /// completes with its namespace).
        case namespace(String?)
        /// A ClusterRoleBinding: everywhere, cluster-scoped resources included.
        case cluster
    }

    /// A request of a summary; for a RoleBinding's summary, the binding fills in its namespace.
    struct RequestTemplate: Sendable {
        var request: ClaimedRequest
        /// Whether the request is in the binding's namespace.
        var inBindingNamespace: Bool
        /// Whether the request is on the binding's Namespace object itself (named after it).
        var onBindingNamespace: Bool

        /// The request in `namespace` (the binding's, or `nil` for a ClusterRoleBinding).
        func request(in namespace: String?) -> ClaimedRequest {
            guard let namespace, inBindingNamespace else { return request }
            var request = self.request
            request.namespace = namespace
            if onBindingNamespace { request.name = namespace }
            return request
        }
    }

    /// One check's requests in one scope, merged: the highest severity, what is granted in one
    /// phrase, and the requests.
    struct Summary: Sendable {
        var checkNumber: Int
        var severity: Severity
        var details: String
        var requests: [RequestTemplate]

        var checkID: String { RiskCatalog.checks[checkNumber].id }
    }

    /// `ClusterRole "edit"`, `Role "shop/deployer"`.
    var name: String
    /// The catalog's requests the role's rules allow, merged per request, in rule order.
    var grants: [ProbeGrant]
    /// The role's annotations when they suppress findings, else empty.
    var annotations: [String: String]
    /// Whether the role only lets `get` non-resource URLs (health, version, metrics), as
    /// Kubernetes itself grants everyone some (`system:public-info-viewer`).
    var publicInfoOnly: Bool
    /// Whether the role only lets `get` non-resource URLs or do what Kubernetes lets every
    /// authenticated user do (``BootstrapPolicy/baselineRules``: its own access reviews, discovery).
    var baselineOnly: Bool
    /// Whether a rule grants every verb on every resource in every API group (W100) for every name.
    var grantsEverything: Bool
    /// The role's own rules that can allow no request, by position, with the reason.
    var deadRules: [(index: Int, reason: String)]
    /// The requests merged per check, when a RoleBinding grants the role (namespaces left for
    /// the binding to fill in).
    var namespaceSummaries: [Summary] = []
    /// Whether a RoleBinding's summaries depend on its namespace beyond the requests' namespace
    /// (a rule on `namespaces` limited by `resourceNames`), so that they are made per binding.
    var namespaceSummariesDependOnNamespace = false
    /// The requests merged per check, when a ClusterRoleBinding grants the role.
    var clusterSummaries: [Summary] = []
    /// A request the role allows through a RoleBinding (namespace left to fill in), if any.
    var namespaceWitness: RequestTemplate?
    /// A request the role allows through a ClusterRoleBinding, if any.
    var clusterWitness: ClaimedRequest?
    /// The severity of a ClusterRoleBinding granting the role (W125): high when it writes or has
    /// a high finding.
    var clusterWideSeverity: Severity = .medium
    /// What a ClusterRoleBinding granting the role gives: its first three high findings, or else its first rules.
    var clusterWideSummary = ""
    /// What the role lets its holder do to act as someone else, through a RoleBinding.
    var namespaceMeans = EscalationAnalysis.RoleMeans()
    /// What the role lets its holder do to act as someone else, through a ClusterRoleBinding.
    var clusterMeans = EscalationAnalysis.RoleMeans()

    /// Verbs that change something.
    static let writeVerbs: Set<String> = ["*", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate"]

    /// The risks of every role of `policy`, by position, worked out in parts on every core.
    ///
    /// - Parameters:
    ///   - usage: by role position, where bindings with subjects grant the role (summaries are
    ///     only made for those scopes).
    ///   - annotations: the annotations that suppress findings, by ``Auditor/key(kind:namespace:name:)``.
    ///   - kinds: which resources are namespaced.
    static func all(in policy: RBACPolicy, usage: [Usage], annotations: [String: [String: String]], kinds: KindTable) -> [RoleRisks] {
        let ruleGrants = RuleInspector.grants(ofEach: policy.distinctRules, compiled: policy.compiledRules, kinds: kinds)
        let facts = RuleFacts.ofEach(policy.distinctRules, kinds: kinds)
        return ParallelChunks.array(policy.roles.count, minimumLength: 256) { position in
            let role = policy.roles[position]
            let numbers = policy.ruleNumbers[position]
            let grants = merge(numbers.map { ruleGrants[$0] })
            // The role's own rules that allow nothing (an aggregated role repeats its sources' rules).
            var deadRules: [(index: Int, reason: String)] = []
            if role.aggregationRule == nil {
                for (index, number) in numbers.enumerated() {
                    if let reason = role.kind == .role ? facts[number].deadInRole : facts[number].dead { deadRules.append((index, reason)) }
                }
            }
            var live = numbers
            if !deadRules.isEmpty { live = numbers.indices.filter { index in !deadRules.contains { $0.index == index } }.map { numbers[$0] } }
            var risks = RoleRisks(
                name: role.description, grants: grants,
                annotations: annotations.isEmpty
                    ? [:] : annotations[Auditor.key(kind: role.kind.rawValue, namespace: role.namespace ?? "", name: role.name)] ?? [:],
                publicInfoOnly: !live.isEmpty && live.allSatisfy { facts[$0].readsURLsOnly },
                baselineOnly: !live.isEmpty && live.allSatisfy { facts[$0].readsURLsOnly || facts[$0].inBaseline },
                grantsEverything: grants.contains { $0.probe.checkNumber == number.W100 && $0.anyName },
                deadRules: deadRules)
            if usage[position].inNamespace {
                risks.namespaceSummaries = summarize(grants, scope: .namespace(nil))
                risks.namespaceSummariesDependOnNamespace = grants.contains { $0.probe.scope == .ownNamespace && !$0.anyName }
                risks.namespaceWitness = live.lazy.compactMap { facts[$0].namespaceWitness }.first
                risks.namespaceMeans = EscalationAnalysis.roleMeans(from: grants, clusterWide: false)
            }
            if usage[position].clusterWide {
                risks.clusterSummaries = summarize(grants, scope: .cluster)
                risks.clusterWitness = live.lazy.compactMap { facts[$0].clusterWitness }.first
                risks.clusterMeans = EscalationAnalysis.roleMeans(from: grants, clusterWide: true)
                let risky = risks.clusterSummaries.filter { $0.severity >= .high }
                let writes = live.contains { facts[$0].writes }
                risks.clusterWideSummary =
                    risks.grantsEverything
                    ? describe(grants.filter { $0.probe.checkNumber == number.W100 }, clusterWide: true)
                    : risky.isEmpty ? summarize(live.map { policy.distinctRules[$0] }) : distinct(risky.map(\.details)).prefix(3).joined(separator: "; ")
                risks.clusterWideSeverity = writes || !risky.isEmpty ? .high : .medium
            }
            return risks
        }
    }

    /// What the audit needs to know of one distinct rule, whatever role holds it.
    struct RuleFacts: Sendable {
        /// Why the rule allows no request in a ClusterRole, or `nil`.
        var dead: String?
        /// Why the rule allows no request in a Role, or `nil`.
        var deadInRole: String?
        /// Whether it only lets `get` non-resource URLs.
        var readsURLsOnly: Bool
        /// Whether Kubernetes grants what it allows to every authenticated user.
        var inBaseline: Bool
        /// Whether it allows a verb that changes something.
        var writes: Bool
        /// A request it allows through a RoleBinding, if any.
        var namespaceWitness: RequestTemplate?
        /// A request it allows through a ClusterRoleBinding, if any.
        var clusterWitness: ClaimedRequest?

        /// The facts of each of `rules` (a policy's distinct rules), in parts on every core.
        static func ofEach(_ rules: [PolicyRule], kinds: KindTable) -> [RuleFacts] {
            let baseline = BootstrapPolicy.baselineRules
            let baselineGroups: Set<String> = ["authorization.k8s.io", "authentication.k8s.io"]
            return ParallelChunks.array(rules.count, minimumLength: 1_024) { index in
                let rule = rules[index]
                let readsURLsOnly = RoleRisks.readsURLsOnly(rule)
                // Only rules on the self-review groups can be covered: ask the comparator about those.
                let inBaseline =
                    !readsURLsOnly && rule.isResourceRule && rule.apiGroups.allSatisfy { baselineGroups.contains($0) }
                    && PolicyComparator.covers(baseline, [rule]).covered
                return RuleFacts(
                    dead: RuleInspector.deadRuleReason(rule, in: .clusterRole, kinds: kinds),
                    deadInRole: RuleInspector.deadRuleReason(rule, in: .role, kinds: kinds), readsURLsOnly: readsURLsOnly, inBaseline: inBaseline,
                    writes: rule.verbs.contains { RoleRisks.writeVerbs.contains($0) },
                    namespaceWitness: witness([rule], kinds: kinds, inNamespace: true),
                    clusterWitness: witness([rule], kinds: kinds, inNamespace: false)?.request)
            }
        }
    }

    /// `texts` without repetitions, in order.
    static func distinct(_ texts: [String]) -> [String] {
        var seen: Set<String> = []
        return texts.filter { seen.insert($0).inserted }
    }

    /// Whether `rule` only lets `get` non-resource URLs.
    static func readsURLsOnly(_ rule: PolicyRule) -> Bool {
        !rule.isResourceRule && rule.verbs.allSatisfy { $0 == "get" }
    }

    /// Check positions the summaries use.
    enum number {
        static let W100 = RiskCatalog.number(of: "W100")
        static let W104 = RiskCatalog.number(of: "W104")
        static let W113 = RiskCatalog.number(of: "W113")
        static let W117 = RiskCatalog.number(of: "W117")
    }

    /// The grants of a role's rules merged per request: every name when any rule allows every
    /// name, else the union of the names; in the order first found.
    static func merge(_ perRule: [[ProbeGrant]]) -> [ProbeGrant] {
        var merged: [ProbeGrant] = []
        var positions: [Int: Int] = [:]
        for grants in perRule {
            for grant in grants {
                if let position = positions[grant.probeNumber] {
                    if merged[position].anyName { continue }
                    if grant.anyName {
                        merged[position].anyName = true
                        merged[position].names = []
                    } else {
                        for name in grant.names where !merged[position].names.contains(name) { merged[position].names.append(name) }
                    }
                } else {
                    positions[grant.probeNumber] = merged.count
                    merged.append(grant)
                }
            }
        }
        return merged
    }

    /// The grants that apply in `scope`, merged per check, in the order first found, with scope
    /// and name restrictions applied to the severity.
    static func summarize(_ grants: [ProbeGrant], scope: Scope) -> [Summary] {
        let clusterWide: Bool
        let bindingNamespace: String?
        switch scope {
        case .cluster: (clusterWide, bindingNamespace) = (true, nil)
        case .namespace(let namespace): (clusterWide, bindingNamespace) = (false, namespace)
        }
        var byCheck: [Int: [ProbeGrant]] = [:]
        var order: [Int] = []
        for var grant in grants {
            switch grant.probe.scope {
            case .cluster:
                if !clusterWide { continue }
            case .ownNamespace:
                // A RoleBinding reaches the Namespace object it is in, and no other.
                if !clusterWide && !grant.anyName {
                    guard let bindingNamespace, grant.names.contains(bindingNamespace) else { continue }
                    grant.anyName = true
                    grant.names = []
                }
            case .namespaced:
                break
            }
            if byCheck[grant.probe.checkNumber] == nil { order.append(grant.probe.checkNumber) }
            byCheck[grant.probe.checkNumber, default: []].append(grant)
        }
        var summaries: [Summary] = []
        for number in order {
            let checkGrants = byCheck[number] ?? []
            if number == Self.number.W117 {
                if let summary = certificateApproval(checkGrants) { summaries.append(summary) }
                continue
            }
            let check = RiskCatalog.checks[number]
            var severity = Severity.low
            for grant in checkGrants {
                var base = clusterWide ? grant.probe.clusterSeverity ?? check.clusterWideSeverity : grant.probe.namespaceSeverity ?? check.severity
                if !grant.anyName {
                    // `bind` limited to named roles is Kubernetes' documented way to let a deployer hand
                    // out exactly those roles; other named grants are one level less severe.
                    base = number == Self.number.W113 ? min(base, .medium) : base.lowered
                }
                severity = max(severity, base)
            }
            summaries.append(
                Summary(
                    checkNumber: number, severity: severity, details: describe(checkGrants, clusterWide: clusterWide),
                    requests: checkGrants.flatMap { templates($0, clusterWide: clusterWide) }))
        }
        return summaries
    }

    /// The requests of one grant: one for every name, or one per name.
    private static func templates(_ grant: ProbeGrant, clusterWide: Bool) -> [RequestTemplate] {
        let inNamespace = !clusterWide && grant.probe.scope != .cluster
        let onNamespace = inNamespace && grant.probe.scope == .ownNamespace
        let names = grant.anyName ? [""] : grant.names
        return names.map { name in
            RequestTemplate(request: grant.probe.request(name: name, namespace: ""), inBindingNamespace: inNamespace, onBindingNamespace: onNamespace)
        }
    }

    /// W117 from its parts: approving (update on the approval subresource for every request, and
    /// approve on signers) with or without creating requests. Critical when the subject can
    /// create and approve a request for a signer that issues API client certificates; high when
    /// it approves what others request; medium when only named signers that issue no API client
    /// certificates are allowed.
    private static func certificateApproval(_ grants: [ProbeGrant]) -> Summary? {
        let approval = grants.first { $0.probe.resource == "certificatesigningrequests" && $0.probe.subresource == "approval" && $0.anyName }
        let signers = grants.filter { $0.probe.resource == "signers" }
        guard let approval, !signers.isEmpty else { return nil }
        let create = grants.first { $0.probe.resource == "certificatesigningrequests" && $0.probe.subresource.isEmpty && $0.anyName }
        let everySigner = signers.contains(where: \.anyName)
        let signerNames = everySigner ? [] : Array(Set(signers.flatMap(\.names))).sorted()
        // Signers that issue client certificates the API server accepts, for any user or group.
        let clientSigners = signerNames.filter { $0 == "kubernetes.io/kube-apiserver-client" || $0 == "kubernetes.io/*" }
        let issuesClientCertificates = everySigner || !clientSigners.isEmpty
        let severity: Severity = issuesClientCertificates ? (create != nil ? .critical : .high) : .medium
        let signerText = everySigner ? "every signer" : "the signers \(signerNames.joined(separator: ", "))"
        var details =
            create != nil && issuesClientCertificates
            ? "create and approval of certificate signing requests for \(signerText)"
            : "approval of certificate signing requests that others create, for \(signerText)"
        details +=
            " (\(approval.probe.verb) on certificatesigningrequests.certificates.k8s.io/approval, approve on signers.certificates.k8s.io"
            + (create != nil ? ", create on certificatesigningrequests.certificates.k8s.io)" : ")")
        var requests = [approval.probe.request(name: "", namespace: "")]
        if let create, issuesClientCertificates { requests.append(create.probe.request(name: "", namespace: "")) }
        let signerProbe = signers[0].probe
        for name in everySigner ? [""] : signerNames { requests.append(signerProbe.request(name: name, namespace: "")) }
        return Summary(
            checkNumber: number.W117, severity: severity, details: details,
            requests: requests.map { RequestTemplate(request: $0, inBindingNamespace: false, onBindingNamespace: false) })
    }

    /// Verbs in the order people read them.
    private static let verbOrder: [String: Int] = Dictionary(
        uniqueKeysWithValues: ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"].enumerated().map { ($1, $0) })

    /// What `grants` allow in one phrase: `get, list, watch on secrets; create on pods,
    /// deployments.apps; get on configmaps named a, b`. Verbs on the same resource are joined,
    /// then resources with the same verbs; API groups other than the core group are named.
    static func describe(_ grants: [ProbeGrant], clusterWide: Bool) -> String {
        if grants.contains(where: { $0.probe.checkNumber == number.W100 }) {
            return "every verb on every resource in every API group ('*')"
        }
        // Verbs per resource (and names), in the order found.
        struct Line {
            var resource: String
            var names: [String]
            var verbs: [String]
        }
        var lines: [Line] = []
        for grant in grants {
            var resource = ClaimedRequest.qualified(resource: grant.probe.resource, subresource: grant.probe.subresource, group: grant.probe.group)
            if grant.probe.scope == .ownNamespace && !clusterWide { resource = "its own Namespace" }
            if let index = lines.firstIndex(where: { $0.resource == resource && $0.names == grant.names }) {
                if !lines[index].verbs.contains(grant.probe.verb) { lines[index].verbs.append(grant.probe.verb) }
            } else {
                lines.append(Line(resource: resource, names: grant.names, verbs: [grant.probe.verb]))
            }
        }
        // Resources with the same verbs and names, together.
        var phrases: [(verbs: [String], names: [String], resources: [String])] = []
        for line in lines {
            let verbs = line.verbs.sorted { (verbOrder[$0] ?? 100, $0) < (verbOrder[$1] ?? 100, $1) }
            if let index = phrases.firstIndex(where: { $0.verbs == verbs && $0.names == line.names }) {
                phrases[index].resources.append(line.resource)
            } else {
                phrases.append((verbs, line.names, [line.resource]))
            }
        }
        return phrases.map { phrase in
            let verbs = phrase.verbs.map { $0 == "*" ? "'*' verbs" : $0 }.joined(separator: ", ")
            var text = "\(verbs) on \(phrase.resources.joined(separator: ", "))"
            if !phrase.names.isEmpty { text += " named " + listed(phrase.names) }
            return text
        }.joined(separator: "; ")
    }

    /// `a, b, c`; more than five as `a, b, c, d, e and 3 more`.
    static func listed(_ names: [String]) -> String {
        names.count <= 5 ? names.joined(separator: ", ") : names.prefix(5).joined(separator: ", ") + " and \(names.count - 5) more"
    }

    /// A request one of `rules` (the role's live rules) allows in a binding's scope: the first
    /// verb, group, resource and name (or URL) of the first rule that applies there.
    static func witness(_ rules: [PolicyRule], kinds: KindTable, inNamespace: Bool) -> RequestTemplate? {
        for rule in rules {
            guard let verb = rule.verbs.first(where: { !$0.isEmpty }) else { continue }
            if !rule.isResourceRule {
                guard !inNamespace, let url = rule.nonResourceURLs.first(where: { $0 == "*" || $0.hasPrefix("/") }) else { continue }
                return RequestTemplate(request: ClaimedRequest(verb: verb, path: url), inBindingNamespace: false, onBindingNamespace: false)
            }
            let name = rule.resourceNames.first(where: { !$0.isEmpty })
            if !rule.resourceNames.isEmpty && name == nil { continue }
            for group in rule.apiGroups {
                for entry in rule.resources where RuleInspector.isUsable(entry) {
                    let (resource, subresource) = RuleInspector.split(entry)
                    let scope = RuleInspector.scope(group: group, resource: resource, verb: verb, kinds: kinds)
                    if inNamespace && scope == .cluster { continue }
                    // A Namespace object through a RoleBinding: only its own, by name.
                    if inNamespace && scope == .ownNamespace && name != nil { continue }
                    let request = ClaimedRequest(verb: verb, apiGroup: group, resource: resource, subresource: subresource, name: name ?? "")
                    return RequestTemplate(
                        request: request, inBindingNamespace: inNamespace && scope != .cluster,
                        onBindingNamespace: inNamespace && scope == .ownNamespace)
                }
            }
        }
        return nil
    }

    /// The first three rules, `verbs on resources` (or URLs), for a role without high findings;
    /// resources of API groups other than the core group are named with their group.
    static func summarize(_ rules: [PolicyRule]) -> String {
        let parts = rules.prefix(3).map { rule in
            let verbs = rule.verbs.joined(separator: ", ")
            guard rule.isResourceRule else { return "\(verbs) on \(rule.nonResourceURLs.joined(separator: ", "))" }
            let resources = rule.apiGroups.flatMap { group in
                rule.resources.map { entry in
                    let (resource, subresource) = RuleInspector.split(entry)
                    return ClaimedRequest.qualified(resource: resource, subresource: subresource, group: group)
                }
            }
            return "\(verbs) on \(resources.joined(separator: ", "))" + (rule.resourceNames.isEmpty ? "" : " named " + listed(rule.resourceNames))
        }
        return parts.joined(separator: "; ") + (rules.count > 3 ? "; …" : "")
    }
}
