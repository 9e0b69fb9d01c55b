import KubeModel

/// Resolves ClusterRole aggregation offline, as the cluster's aggregation controller would.
///
/// A ClusterRole with an `aggregationRule` gets, selector by selector and within a selector in
/// name order, the rules of every other ClusterRole that the selector matches, each distinct
/// rule once; its own `rules` are replaced. Aggregated roles can themselves be aggregated
/// (`view` into `edit` into `admin`), so the union is repeated until nothing changes. The
/// aggregated roles start empty and only grow, so this ends, cycles included, at the least
/// fixpoint: a cycle of aggregated roles shares the rules of the plain roles it reaches.
///
/// Rules are numbered by the caller, so that the repeated unions compare integers, not rules.
enum AggregationResolver {
    /// Replaces the rules of the aggregated ClusterRoles in `roles`, and their lists in
    /// `ruleNumbers` (each role's rules as positions in `rules`) alike.
    ///
    /// - Returns: for each aggregated ClusterRole's position, the positions of the ClusterRoles
    ///   its selectors match (a role matched by several selectors is listed for each).
    static func resolve(_ roles: inout [RBACRole], ruleNumbers: inout [[Int]], rules: [PolicyRule]) -> [Int: [Int]] {
        let clusterRoles = roles.indices.filter { roles[$0].kind == .clusterRole }.sorted { roles[$0].name < roles[$1].name }
        let aggregators = clusterRoles.filter { roles[$0].aggregationRule != nil }
        guard !aggregators.isEmpty else { return [:] }

        // Each aggregator's selectors are matched against every ClusterRole, in parts on every core.
        let sources = ParallelChunks.map(aggregators.count, minimumLength: 4) { [roles] range in
            range.map { offset in
                let aggregator = aggregators[offset]
                var contributing: [Int] = []
                for selector in roles[aggregator].aggregationRule?.clusterRoleSelectors ?? [] {
                    for candidate in clusterRoles where candidate != aggregator && selector.matches(roles[candidate].labels) {
                        contributing.append(candidate)
                    }
                }
                return contributing
            }
        }.flatMap { $0 }
        for aggregator in aggregators { ruleNumbers[aggregator] = [] }

        // Sets reach the fixpoint within one pass per aggregator (the longest chain); a few more
        // passes settle the order. Orders in a cycle can alternate forever, hence the bound: the
        // result is the state after `maximumPasses` passes when no pass leaves it unchanged before.
        // A pass depends only on the state before it, so once a state repeats the passes cycle,
        // and the state the bound would reach is found by running only the rest of one period.
        var union = Union(aggregators: aggregators, sources: sources, ruleNumbers: ruleNumbers, ruleCount: rules.count)
        let maximumPasses = aggregators.count + 2
        var states: [[[Int]]] = []
        var passesByHash: [Int: [Int]] = [:]
        var passes = 0
        while passes < maximumPasses {
            passes += 1
            guard union.pass() else { break }
            let state = aggregators.map { union.ruleNumbers[$0] }
            let hash = Self.hash(state)
            if let earlier = passesByHash[hash]?.first(where: { states[$0 - 1] == state }) {
                let period = passes - earlier
                for _ in 0..<((maximumPasses - passes) % period) { _ = union.pass() }
                break
            }
            states.append(state)
            passesByHash[hash, default: []].append(passes)
        }
        ruleNumbers = union.ruleNumbers
        for aggregator in aggregators {
            roles[aggregator].rules = ruleNumbers[aggregator].map { rules[$0] }
        }
        return Dictionary(uniqueKeysWithValues: zip(aggregators, sources))
    }

    /// A cheap hash of a state, to find the earlier states it may equal (which are then compared).
    private static func hash(_ state: [[Int]]) -> Int {
        var hash = state.count
        for list in state {
            hash = hash &* 31 &+ list.count
            for number in list { hash = hash &* 1_000_003 &+ number }
        }
        return hash
    }

    /// The aggregators' rules as they are united pass by pass.
    private struct Union {
        let aggregators: [Int]
        /// For each aggregator, the roles it aggregates.
        let sources: [[Int]]
        /// Every role's rules, as numbers; the aggregators' change with each pass.
        var ruleNumbers: [[Int]]
        /// Whether each rule number is in the union being built (all false between unions).
        var seen: [Bool]
        /// When each role's rules last changed, and when each aggregator was last united, in
        /// steps (one per aggregator and pass).
        var changedAt: [Int]
        var unitedAt: [Int]
        var step = 0

        init(aggregators: [Int], sources: [[Int]], ruleNumbers: [[Int]], ruleCount: Int) {
            self.aggregators = aggregators
            self.sources = sources
            self.ruleNumbers = ruleNumbers
            seen = Array(repeating: false, count: ruleCount)
            changedAt = Array(repeating: -1, count: ruleNumbers.count)
            unitedAt = Array(repeating: -1, count: aggregators.count)
        }

        /// Unites, aggregator by aggregator in name order, the current rules of its sources, and
        /// tells whether any aggregator's rules changed. The union depends only on the sources'
        /// rules, so an aggregator none of whose sources changed since its last union keeps its rules.
        mutating func pass() -> Bool {
            var changed = false
            for (offset, aggregator) in aggregators.enumerated() {
                step += 1
                let lastUnited = unitedAt[offset]
                guard lastUnited < 0 || sources[offset].contains(where: { changedAt[$0] > lastUnited }) else { continue }
                unitedAt[offset] = step
                let merged = unite(sources[offset])
                if merged != ruleNumbers[aggregator] {
                    changed = true
                    changedAt[aggregator] = step
                    ruleNumbers[aggregator] = merged
                }
            }
            return changed
        }

        /// The rules of `roles`, each distinct rule once, in order.
        private mutating func unite(_ roles: [Int]) -> [Int] {
            var merged: [Int] = []
            seen.withUnsafeMutableBufferPointer { seen in
                for role in roles {
                    ruleNumbers[role].withUnsafeBufferPointer { numbers in
                        for number in numbers where !seen[number] {
                            seen[number] = true
                            merged.append(number)
                        }
                    }
                }
                for number in merged { seen[number] = false }
            }
            return merged
        }
    }
}
