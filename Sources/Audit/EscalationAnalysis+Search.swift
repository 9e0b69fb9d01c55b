import KubeModel
import RBAC

extension EscalationAnalysis {
    /// Subjects as integer nodes: each once, under the key that identifies it.
    struct SubjectGraph {
        /// The subjects, by node.
        var nodes: [Subject] = []
        /// Their keys (descriptions), by node: ties between targets are broken by them.
        var keys: [String] = []
        private var nodeIndex: [String: Int] = [:]
        /// The ServiceAccount nodes of each namespace.
        var accountsByNamespace: [String: [Int]] = [:]
        private var isAccount: Set<Int> = []
        /// The user nodes, reached by impersonating them.
        var users: [Int] = []
        /// ServiceAccounts with a token Secret, reached by reading it.
        var tokenSecretHolders: Set<Int> = []

        /// The node of `subject` (identified by `key`, its description by default), added when new.
        mutating func node(_ subject: Subject, key: String? = nil) -> Int {
            let key = key ?? subject.description
            if let existing = nodeIndex[key] { return existing }
            nodeIndex[key] = nodes.count
            nodes.append(subject)
            keys.append(key)
            return nodes.count - 1
        }

        /// Adds `subject` as a ServiceAccount of its namespace; other subjects are ignored.
        mutating func addAccount(_ subject: Subject, key: String? = nil) {
            guard subject.kind == .serviceAccount, let namespace = subject.namespace else { return }
            let id = node(subject, key: key)
            if isAccount.insert(id).inserted { accountsByNamespace[namespace, default: []].append(id) }
        }
    }

    /// The breadth-first search for paths from one subject, over what every search shares.
    struct PathSearch: Sendable {
        let nodes: [Subject]
        let starts: [Int]
        let subjects: [SubjectPermissions]
        let power: [Power]
        let means: [Means?]
        let withTokenSecret: Set<Int>
        /// Targets by namespace (`*` for all, ``usersKey`` for users), strongest first, so that a
        /// search stops at the first one that is not stronger than the start; ties broken by key,
        /// so that the same input always gives the same report.
        let strongest: [String: [Int]]
        /// The targets of each namespace that can go further, for the next hop.
        let onward: [String: [Int]]
        /// Where each node's means lead: namespaces where it runs as anyone, then those where it
        /// reads token Secrets, then users.
        let routes: [[Route]]

        init(graph: SubjectGraph, starts: [Int], subjects: [SubjectPermissions], power: [Power], means: [Means?]) {
            self.nodes = graph.nodes
            self.starts = starts
            self.subjects = subjects
            self.power = power
            self.means = means
            self.withTokenSecret = graph.tokenSecretHolders
            let keys = graph.keys
            func strongestFirst(_ accounts: [Int]) -> [Int] {
                accounts.sorted { lhs, rhs in power[lhs] != power[rhs] ? power[lhs] > power[rhs] : keys[lhs] < keys[rhs] }
            }
            var strongest: [String: [Int]] = [:]
            var onward: [String: [Int]] = [:]
            for (namespace, accounts) in graph.accountsByNamespace {
                strongest[namespace] = strongestFirst(accounts)
                onward[namespace] = accounts.filter { means[$0] != nil }
            }
            let everyAccount = graph.accountsByNamespace.keys.sorted().flatMap { graph.accountsByNamespace[$0] ?? [] }
            strongest["*"] = strongestFirst(everyAccount)
            onward["*"] = everyAccount.filter { means[$0] != nil }
            // Users, reached by impersonating them, under a key no namespace has.
            strongest[EscalationAnalysis.usersKey] = strongestFirst(graph.users)
            onward[EscalationAnalysis.usersKey] = graph.users.filter { means[$0] != nil }
            self.strongest = strongest
            self.onward = onward
            self.routes = ParallelChunks.array(means.count, minimumLength: 1_024) { node in
                let means = means[node]
                return (means?.namespaces.sorted(by: { $0.key < $1.key }).map { Route(namespace: $0.key, way: $0.value, needsTokenSecret: false) } ?? [])
                    + (means?.tokenSecrets.sorted(by: { $0.key < $1.key }).map { Route(namespace: $0.key, way: $0.value, needsTokenSecret: true) } ?? [])
                    + (means?.users.map { [Route(namespace: EscalationAnalysis.usersKey, way: $0, needsTokenSecret: false)] } ?? [])
            }
        }

        /// The paths from the subject at `position` of the starts: up to
        /// ``EscalationAnalysis/maximumSteps`` hops, at most ``EscalationAnalysis/maximumPathsPerSubject``
        /// paths. `visitedBy` (per node, the last start whose search reached it) is shared by the
        /// searches of one part, so that it is allocated once per part.
        func paths(from position: Int, visitedBy: inout [Int]) -> [EscalationPath] {
            let start = starts[position]
            let startPower = power[start]
            let maximum = Power(clusterWide: true, severity: Severity.allCases.count - 1)
            // Paths from Kubernetes' own components, through Kubernetes' own bindings, are its design.
            guard startPower < maximum, means[start] != nil, visitedBy[start] != position, !subjects[position].entries.allSatisfy(\.isKubernetesDefault)
            else { return [] }
            visitedBy[start] = position
            var frontier: [(Int, [EscalationPath.Step])] = [(start, [])]
            var found: [EscalationPath] = []
            for _ in 0..<EscalationAnalysis.maximumSteps {
                var next: [(Int, [EscalationPath.Step])] = []
                for (current, steps) in frontier {
                    if hop(from: current, steps: steps, start: start, position: position, visitedBy: &visitedBy, found: &found, next: &next) {
                        return found
                    }
                }
                frontier = Array(next.prefix(EscalationAnalysis.maximumFrontier))
                if frontier.isEmpty { break }
            }
            return found
        }

        /// One hop from `current` (reached by `steps`): the paths to stronger targets go to
        /// `found`, the targets that can go further to `next`. Returns `true` when `found` is full.
        private func hop(
            from current: Int, steps: [EscalationPath.Step], start: Int, position: Int, visitedBy: inout [Int], found: inout [EscalationPath],
            next: inout [(Int, [EscalationPath.Step])]
        ) -> Bool {
            guard let currentMeans = means[current] else { return false }
            let startPower = power[start]
            if let how = currentMeans.anyone {
                let masters = Subject.group("system:masters")
                found.append(
                    EscalationPath(
                        from: nodes[start],
                        steps: steps + [EscalationPath.Step(means: how.means, gains: masters, requests: how.request.requests(for: masters))],
                        reachesClusterWide: true, endSeverity: .critical))
                return found.count >= EscalationAnalysis.maximumPathsPerSubject
            }
            for route in routes[current] {
                for target in strongest[route.namespace] ?? [] {
                    let targetPower = power[target]
                    guard targetPower > startPower else { break }
                    guard !route.needsTokenSecret || withTokenSecret.contains(target), visitedBy[target] != position else { continue }
                    visitedBy[target] = position
                    found.append(
                        EscalationPath(
                            from: nodes[start], steps: steps + [step(route, to: target)],
                            reachesClusterWide: targetPower.clusterWide && !startPower.clusterWide,
                            endSeverity: EscalationAnalysis.severity(targetPower.severity)))
                    if found.count >= EscalationAnalysis.maximumPathsPerSubject { return true }
                }
                for target in (onward[route.namespace] ?? []).prefix(EscalationAnalysis.maximumFrontier)
                where (!route.needsTokenSecret || withTokenSecret.contains(target)) && visitedBy[target] != position {
                    visitedBy[target] = position
                    next.append((target, steps + [step(route, to: target)]))
                }
            }
            return false
        }

        /// The step along `route` that gains `target`.
        private func step(_ route: Route, to target: Int) -> EscalationPath.Step {
            EscalationPath.Step(means: route.way.means, gains: nodes[target], requests: route.way.request.requests(for: nodes[target]))
        }
    }
}
