import KubeModel
import RBAC

/// Finds multi-hop escalation paths: a subject that can create pods (and so run as any
/// ServiceAccount of the namespace), request ServiceAccount tokens, read token Secrets, impersonate
/// or use nodes/proxy gains the rights of other subjects; a path is reported when it ends at a
/// subject with more: cluster-wide rights the start lacks, or a more severe live finding.
/// At most ``maximumPathsPerSubject`` paths per subject are reported, shortest and strongest first.
struct EscalationAnalysis {
    let policy: RBACPolicy
    let objects: [KubeObject]
    let subjects: [SubjectPermissions]
    /// The subjects' descriptions, which identify them.
    let subjectKeys: [String]
    /// For each subject and each of its entries, the means its role gives (none when the role is
    /// missing), read from the risk catalog's hits the auditor has already found.
    let entryMeans: [[RoleMeans]]

    /// The deepest path searched.
    static let maximumSteps = 3
    /// Paths reported per subject: the shortest, to the strongest targets first.
    static let maximumPathsPerSubject = 3
    /// Subjects carried from one hop to the next, which bounds the search on large clusters.
    static let maximumFrontier = 64

    private struct Power: Comparable {
        var clusterWide: Bool
        var severity: Int
        static func < (lhs: Power, rhs: Power) -> Bool { (lhs.clusterWide ? 1 : 0, lhs.severity) < (rhs.clusterWide ? 1 : 0, rhs.severity) }
    }

    private struct Means {
        /// Namespaces where the subject can run as any ServiceAccount, `*` for all; with the means.
        var namespaces: [String: String] = [:]
        /// Namespaces where the subject can read the token Secrets of ServiceAccounts that have one.
        var tokenSecrets: [String: String] = [:]
        /// Whether it can become anyone (impersonation).
        var anyone: String?

        var isEmpty: Bool { anyone == nil && namespaces.isEmpty && tokenSecrets.isEmpty }
    }

    func paths() -> [EscalationPath] {
        // Subjects become integer nodes, so that the search hashes no strings.
        var nodes: [Subject] = []
        var keys: [String] = []
        var nodeIndex: [String: Int] = [:]
        func node(_ subject: Subject, key: String? = nil) -> Int {
            let key = key ?? subject.description
            if let existing = nodeIndex[key] { return existing }
            nodeIndex[key] = nodes.count
            nodes.append(subject)
            keys.append(key)
            return nodes.count - 1
        }
        var accountsByNamespace: [String: [Int]] = [:]
        var isAccount: Set<Int> = []
        func addAccount(_ subject: Subject, key: String? = nil) {
            guard subject.kind == .serviceAccount, let namespace = subject.namespace else { return }
            let id = node(subject, key: key)
            if isAccount.insert(id).inserted { accountsByNamespace[namespace, default: []].append(id) }
        }
        for (entry, key) in zip(subjects, subjectKeys) { addAccount(entry.subject, key: key) }
        var tokenSecretHolders: Set<Int> = []
        for object in objects where (object.kind == "ServiceAccount" || object.kind == "Secret") && object.isInGroup("") {
            let namespace = object.namespace ?? policy.defaultNamespace
            if object.kind == "ServiceAccount" {
                addAccount(Subject.serviceAccount(object.name, namespace: namespace))
            } else if object.content["type"]?.stringValue == "kubernetes.io/service-account-token",
                let account = object.annotations["kubernetes.io/service-account.name"]
            {
                let subject = Subject.serviceAccount(account, namespace: namespace)
                addAccount(subject)
                tokenSecretHolders.insert(node(subject))
            }
        }
        let starts = zip(subjects, subjectKeys).map { node($0.subject, key: $1) }
        var powers = [Power](repeating: Power(clusterWide: false, severity: -1), count: nodes.count)
        var allMeans = [Means?](repeating: nil, count: nodes.count)
        // Each subject's means, found in parts on every core.
        let startMeans = ParallelChunks.array(subjects.count, minimumLength: 512) { capabilities(subjects[$0], roles: entryMeans[$0]) }
        for (position, id) in starts.enumerated() {
            let entry = subjects[position]
            powers[id] = Power(clusterWide: entry.isClusterWide, severity: rank(entry.highestSeverity))
            if !startMeans[position].isEmpty { allMeans[id] = startMeans[position] }
        }
        let (power, means, withTokenSecret) = (powers, allMeans, tokenSecretHolders)
        // Targets by namespace, strongest first, so that a search stops at the first one that is
        // not stronger than the start; and the targets that can go further, for the next hop.
        // Ties are broken by name, so that the same input always gives the same report.
        func strongestFirst(_ accounts: [Int]) -> [Int] {
            accounts.sorted { lhs, rhs in power[lhs] != power[rhs] ? power[lhs] > power[rhs] : keys[lhs] < keys[rhs] }
        }
        var strongestByNamespace: [String: [Int]] = [:]
        var onwardByNamespace: [String: [Int]] = [:]
        for (namespace, accounts) in accountsByNamespace {
            strongestByNamespace[namespace] = strongestFirst(accounts)
            onwardByNamespace[namespace] = accounts.filter { means[$0] != nil }
        }
        let everyAccount = accountsByNamespace.keys.sorted().flatMap { accountsByNamespace[$0] ?? [] }
        strongestByNamespace["*"] = strongestFirst(everyAccount)
        onwardByNamespace["*"] = everyAccount.filter { means[$0] != nil }
        let (strongest, onward, nodeList) = (strongestByNamespace, onwardByNamespace, nodes)
        // Where each node's means lead: namespaces where it runs as anyone, then those where it reads token Secrets.
        let routes = ParallelChunks.array(means.count, minimumLength: 1_024) { node in
            let means = means[node]
            return (means?.namespaces.sorted(by: { $0.key < $1.key }).map { Route(namespace: $0.key, means: $0.value, needsTokenSecret: false) } ?? [])
                + (means?.tokenSecrets.sorted(by: { $0.key < $1.key }).map { Route(namespace: $0.key, means: $0.value, needsTokenSecret: true) } ?? [])
        }

        // The searches from each start are independent: they run in parts on every core, and
        // their paths are joined in the order of the starts.
        let maximum = Power(clusterWide: true, severity: Severity.allCases.count - 1)
        return ParallelChunks.map(starts.count, minimumLength: 256) { range in
            var result: [EscalationPath] = []
            var visitedBy = [Int](repeating: -1, count: nodeList.count)
            for position in range {
                let start = starts[position]
                let startPower = power[start]
                guard startPower < maximum, means[start] != nil, visitedBy[start] != position else { continue }
                visitedBy[start] = position
                var frontier: [(Int, [EscalationPath.Step])] = [(start, [])]
                var found: [EscalationPath] = []
                search: for _ in 0..<Self.maximumSteps {
                    var next: [(Int, [EscalationPath.Step])] = []
                    for (current, steps) in frontier {
                        guard let currentMeans = means[current] else { continue }
                        if let how = currentMeans.anyone {
                            found.append(
                                EscalationPath(
                                    from: nodeList[start], steps: steps + [EscalationPath.Step(means: how, gains: .group("system:masters"))],
                                    reachesClusterWide: true, endSeverity: .critical))
                            if found.count >= Self.maximumPathsPerSubject { break search }
                            continue
                        }
                        for route in routes[current] {
                            for target in strongest[route.namespace] ?? [] {
                                let targetPower = power[target]
                                guard targetPower > startPower else { break }
                                guard !route.needsTokenSecret || withTokenSecret.contains(target), visitedBy[target] != position else { continue }
                                visitedBy[target] = position
                                found.append(
                                    EscalationPath(
                                        from: nodeList[start], steps: steps + [EscalationPath.Step(means: route.means, gains: nodeList[target])],
                                        reachesClusterWide: targetPower.clusterWide && !startPower.clusterWide,
                                        endSeverity: severity(targetPower.severity)))
                                if found.count >= Self.maximumPathsPerSubject { break search }
                            }
                            for target in (onward[route.namespace] ?? []).prefix(Self.maximumFrontier)
                            where (!route.needsTokenSecret || withTokenSecret.contains(target)) && visitedBy[target] != position {
                                visitedBy[target] = position
                                next.append((target, steps + [EscalationPath.Step(means: route.means, gains: nodeList[target])]))
                            }
                        }
                    }
                    frontier = Array(next.prefix(Self.maximumFrontier))
                    if frontier.isEmpty { break }
                }
                result.append(contentsOf: found)
            }
            return result
        }.flatMap { $0 }
    }

    /// One way onward from a subject: into a namespace's ServiceAccounts (`*` for all), by what means.
    private struct Route {
        var namespace: String
        var means: String
        /// Whether only ServiceAccounts with a token Secret can be reached (by reading it).
        var needsTokenSecret: Bool
    }

    /// What one role lets its holder do to become someone else, independent of where it applies.
    struct RoleMeans: Sendable {
        var impersonate = false
        var nodesProxy = false
        var createPods = false
        var requestTokens = false
        var listSecrets = false
    }

    private func capabilities(_ entry: SubjectPermissions, roles: [RoleMeans]) -> Means {
        var means = Means()
        for (item, role) in zip(entry.entries, roles) {
            let scope = item.namespace ?? "*"
            // Most subjects can do none of this: only then are the descriptions built.
            guard role.impersonate || role.nodesProxy || role.createPods || role.requestTokens || role.listSecrets else { continue }
            let place = scope == "*" ? "in any namespace" : "in \(scope)"
            if role.impersonate { means.anyone = "impersonate (\(item.role))" }
            if role.nodesProxy { means.namespaces["*"] = "exec through nodes/proxy (\(item.role))" }
            if role.createPods, means.namespaces[scope] == nil { means.namespaces[scope] = "create pods \(place) (\(item.role))" }
            if role.requestTokens, means.namespaces[scope] == nil { means.namespaces[scope] = "request tokens \(place) (\(item.role))" }
            if role.listSecrets, means.tokenSecrets[scope] == nil { means.tokenSecrets[scope] = "read token Secrets \(place) (\(item.role))" }
        }
        return means
    }

    /// The means read from a role's catalog hits: only hits on rules without `resourceNames`
    /// count (W115 impersonation of users, groups or ServiceAccounts, W111 nodes/proxy, W106
    /// creating pods or their controllers, W116 tokens, W104 list or watch of Secrets).
    static func roleMeans(from hits: [RuleInspector.Hit]) -> RoleMeans {
        var means = RoleMeans()
        for hit in hits where !hit.restrictedByName {
            switch hit.checkID {
            case "W115":
                if ["users", "groups", "serviceaccounts"].contains(where: { hit.detail.contains($0) }) { means.impersonate = true }
            case "W111": means.nodesProxy = true
            case "W106": means.createPods = true
            case "W116": means.requestTokens = true
            case "W104": if hit.severityOverride == nil { means.listSecrets = true }
            default: break
            }
        }
        return means
    }

    private func rank(_ severity: Severity?) -> Int {
        guard let severity else { return -1 }
        return Severity.allCases.firstIndex(of: severity) ?? -1
    }

    private func severity(_ rank: Int) -> Severity? {
        rank >= 0 && rank < Severity.allCases.count ? Severity.allCases[rank] : nil
    }
}
