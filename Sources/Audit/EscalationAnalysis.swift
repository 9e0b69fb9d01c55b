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

    struct Power: Comparable {
        var clusterWide: Bool
        var severity: Int
        static func < (lhs: Power, rhs: Power) -> Bool { (lhs.clusterWide ? 1 : 0, lhs.severity) < (rhs.clusterWide ? 1 : 0, rhs.severity) }
    }

    /// One way onward from a subject, without its target: what it does and the requests that does.
    struct Way: Sendable {
        /// `create pods in shop (Role "shop/deployer")`.
        var means: String
        /// What it asks the API server, for a target.
        var request: StepRequest
    }

    /// The requests of a step, made concrete for its target.
    enum StepRequest: Sendable {
        /// Creating a pod or a workload in the target's namespace (`create` on the probe's resource).
        case createWorkload(group: String, resource: String)
        /// A token for the target ServiceAccount (TokenRequest).
        case requestToken
        /// Listing the Secrets of the target's namespace, its token Secret among them.
        case listSecrets
        /// Impersonating the target ServiceAccount.
        case impersonateServiceAccount
        /// Impersonating the target user.
        case impersonateUser
        /// Running commands in the target's pods through the kubelet (`get` or `create` on nodes/proxy).
        case nodesProxy(verb: String)
        /// Impersonating any user in the group system:masters.
        case impersonateMasters

        /// The requests for `target`.
        func requests(for target: Subject) -> [ClaimedRequest] {
            let namespace = target.namespace ?? ""
            switch self {
            case .createWorkload(let group, let resource):
                return [ClaimedRequest(verb: "create", apiGroup: group, resource: resource, namespace: namespace)]
            case .requestToken:
                return [ClaimedRequest(verb: "create", resource: "serviceaccounts", subresource: "token", name: target.name, namespace: namespace)]
            case .listSecrets:
                return [ClaimedRequest(verb: "list", resource: "secrets", namespace: namespace)]
            case .impersonateServiceAccount:
                return [ClaimedRequest(verb: "impersonate", resource: "serviceaccounts", name: target.name, namespace: namespace)]
            case .impersonateUser:
                return [ClaimedRequest(verb: "impersonate", resource: "users", name: target.name)]
            case .nodesProxy(let verb):
                return [ClaimedRequest(verb: verb, resource: "nodes", subresource: "proxy")]
            case .impersonateMasters:
                return [
                    ClaimedRequest(verb: "impersonate", resource: "users"),
                    ClaimedRequest(verb: "impersonate", resource: "groups", name: "system:masters"),
                ]
            }
        }
    }

    struct Means {
        /// Namespaces where the subject can run as any ServiceAccount, `*` for all; with the way.
        var namespaces: [String: Way] = [:]
        /// Namespaces where the subject can read the token Secrets of ServiceAccounts that have one.
        var tokenSecrets: [String: Way] = [:]
        /// Whether it can act as any user (impersonation).
        var users: Way?
        /// Whether it can become anyone (impersonating a user in system:masters).
        var anyone: Way?

        var isEmpty: Bool { anyone == nil && users == nil && namespaces.isEmpty && tokenSecrets.isEmpty }
    }

    /// The escalation paths of every subject, in the order of ``subjects``.
    func paths() -> [EscalationPath] {
        var graph = subjectGraph()
        let starts = zip(subjects, subjectKeys).map { graph.node($0.subject, key: $1) }
        let (power, means) = powersAndMeans(starts: starts, nodeCount: graph.nodes.count)
        let search = PathSearch(graph: graph, starts: starts, subjects: subjects, power: power, means: means)
        // The searches from each start are independent: they run in parts on every core, and
        // their paths are joined in the order of the starts.
        return ParallelChunks.map(starts.count, minimumLength: 256) { range in
            var result: [EscalationPath] = []
            var visitedBy = [Int](repeating: -1, count: search.nodes.count)
            for position in range { result += search.paths(from: position, visitedBy: &visitedBy) }
            return result
        }.flatMap { $0 }
    }

    /// The subjects as integer nodes, so that the search hashes no strings: the subjects
    /// themselves, and the ServiceAccounts the input declares or holds token Secrets for.
    private func subjectGraph() -> SubjectGraph {
        var graph = SubjectGraph()
        for (entry, key) in zip(subjects, subjectKeys) { graph.addAccount(entry.subject, key: key) }
        for (entry, key) in zip(subjects, subjectKeys) where entry.subject.kind == .user { graph.users.append(graph.node(entry.subject, key: key)) }
        for object in objects where (object.kind == "ServiceAccount" || object.kind == "Secret") && object.isInGroup("") {
            let namespace = object.namespace ?? policy.defaultNamespace
            if object.kind == "ServiceAccount" {
                graph.addAccount(Subject.serviceAccount(object.name, namespace: namespace))
            } else if object.content["type"]?.stringValue == "kubernetes.io/service-account-token",
                let account = object.annotations["kubernetes.io/service-account.name"]
            {
                let subject = Subject.serviceAccount(account, namespace: namespace)
                graph.addAccount(subject)
                graph.tokenSecretHolders.insert(graph.node(subject))
            }
        }
        return graph
    }

    /// Each node's power (what it reaches and how severe its findings are) and means of going
    /// further; nodes that are no subject have neither.
    private func powersAndMeans(starts: [Int], nodeCount: Int) -> (power: [Power], means: [Means?]) {
        var powers = [Power](repeating: Power(clusterWide: false, severity: -1), count: nodeCount)
        var allMeans = [Means?](repeating: nil, count: nodeCount)
        // Each subject's means, found in parts on every core.
        let startMeans = ParallelChunks.array(subjects.count, minimumLength: 512) { capabilities(subjects[$0], roles: entryMeans[$0]) }
        for (position, id) in starts.enumerated() {
            let entry = subjects[position]
            powers[id] = Power(clusterWide: entry.isClusterWide, severity: Self.rank(entry.highestSeverity))
            if !startMeans[position].isEmpty { allMeans[id] = startMeans[position] }
        }
        return (powers, allMeans)
    }

    /// The key of users among the namespaces of routes (no namespace has a space in its name).
    static let usersKey = "users "

    /// One way onward from a subject: into a namespace's ServiceAccounts (`*` for all, ``usersKey``
    /// for users), by what means.
    struct Route {
        var namespace: String
        var way: Way
        /// Whether only ServiceAccounts with a token Secret can be reached (by reading it).
        var needsTokenSecret: Bool
    }

    /// What one role lets its holder do to become someone else, in one scope (through a
    /// RoleBinding or a ClusterRoleBinding). Only requests allowed for every name count.
    struct RoleMeans: Sendable {
        /// Creating pods or a pod controller: `create` on this resource.
        var createWorkload: (group: String, resource: String)?
        /// Creating tokens for ServiceAccounts (`create serviceaccounts/token`).
        var requestTokens = false
        /// Listing Secrets, token Secrets included.
        var listSecrets = false
        /// Impersonating ServiceAccounts.
        var impersonateServiceAccounts = false
        /// Impersonating users (cluster-wide only).
        var impersonateUsers = false
        /// Impersonating a user in the group system:masters (cluster-wide only).
        var impersonateMasters = false
        /// The verb allowed on nodes/proxy (cluster-wide only).
        var nodesProxyVerb: String?

        var isEmpty: Bool {
            createWorkload == nil && !requestTokens && !listSecrets && !impersonateServiceAccounts && !impersonateUsers && !impersonateMasters
                && nodesProxyVerb == nil
        }
    }

    private func capabilities(_ entry: SubjectPermissions, roles: [RoleMeans]) -> Means {
        var means = Means()
        for (item, role) in zip(entry.entries, roles) where !role.isEmpty {
            // Most subjects can do none of this: only then are the descriptions built.
            let scope = item.namespace ?? "*"
            let place = scope == "*" ? "in any namespace" : "in \(scope)"
            if role.impersonateMasters {
                means.anyone = Way(means: "impersonate a user in system:masters (\(item.role))", request: .impersonateMasters)
            }
            if role.impersonateUsers, means.users == nil {
                means.users = Way(means: "impersonate users (\(item.role))", request: .impersonateUser)
            }
            if let verb = role.nodesProxyVerb {
                means.namespaces["*"] = Way(means: "exec through nodes/proxy (\(item.role))", request: .nodesProxy(verb: verb))
            }
            if let workload = role.createWorkload, means.namespaces[scope] == nil {
                let resource = ClaimedRequest.qualified(resource: workload.resource, subresource: "", group: workload.group)
                means.namespaces[scope] = Way(
                    means: "create \(resource) \(place) (\(item.role))", request: .createWorkload(group: workload.group, resource: workload.resource))
            }
            if role.impersonateServiceAccounts, means.namespaces[scope] == nil {
                means.namespaces[scope] = Way(means: "impersonate ServiceAccounts \(place) (\(item.role))", request: .impersonateServiceAccount)
            }
            if role.requestTokens, means.namespaces[scope] == nil {
                means.namespaces[scope] = Way(means: "request tokens \(place) (\(item.role))", request: .requestToken)
            }
            if role.listSecrets, means.tokenSecrets[scope] == nil {
                means.tokenSecrets[scope] = Way(means: "read token Secrets \(place) (\(item.role))", request: .listSecrets)
            }
        }
        return means
    }

    /// The means in a role's grants (``RoleRisks/grants``) through a RoleBinding or, when
    /// `clusterWide`, a ClusterRoleBinding: only grants for every name count, and cluster-scoped
    /// requests (impersonating users and groups, nodes/proxy) only cluster-wide.
    static func roleMeans(from grants: [ProbeGrant], clusterWide: Bool) -> RoleMeans {
        var means = RoleMeans()
        var usersAnyName = false
        var groupsToMasters = false
        for grant in grants where grant.probe.scope != .cluster || clusterWide {
            let probe = grant.probe
            let check = RiskCatalog.checks[probe.checkNumber].id
            guard grant.anyName || (check == "W115" && probe.resource == "groups") else { continue }
            switch check {
            case "W106" where means.createWorkload == nil: means.createWorkload = (probe.group, probe.resource)
            case "W116": means.requestTokens = true
            case "W104" where probe.verb == "list": means.listSecrets = true
            case "W115":
                switch probe.resource {
                case "serviceaccounts": means.impersonateServiceAccounts = true
                case "users": usersAnyName = true
                case "groups": if grant.anyName || grant.names.contains("system:masters") { groupsToMasters = true }
                default: break
                }
            case "W111" where means.nodesProxyVerb == nil: means.nodesProxyVerb = probe.verb
            default: break
            }
        }
        means.impersonateUsers = usersAnyName
        means.impersonateMasters = usersAnyName && groupsToMasters
        return means
    }

    static func rank(_ severity: Severity?) -> Int {
        guard let severity else { return -1 }
        return Severity.allCases.firstIndex(of: severity) ?? -1
    }

    static func severity(_ rank: Int) -> Severity? {
        rank >= 0 && rank < Severity.allCases.count ? Severity.allCases[rank] : nil
    }
}
