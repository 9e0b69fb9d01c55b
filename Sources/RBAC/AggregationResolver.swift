/// Resolves ClusterRole aggregation offline, as the cluster's aggregation controller would.
///
/// A ClusterRole with an `aggregationRule` gets, selector by selector and within a selector in
/// name order, the rules of every other ClusterRole that the selector matches, each distinct
/// rule once; its own `rules` are replaced. Aggregated roles can themselves be aggregated
/// (`view` into `edit` into `admin`), so the union is repeated until nothing changes. The
/// aggregated roles start empty and only grow, so this ends, cycles included, at the least
/// fixpoint: a cycle of aggregated roles shares the rules of the plain roles it reaches.
///
/// Rules are numbered once, so that the repeated unions compare integers, not rules.
enum AggregationResolver {
    static func resolve(_ roles: inout [RBACRole]) {
        let clusterRoles = roles.indices.filter { roles[$0].kind == .clusterRole }.sorted { roles[$0].name < roles[$1].name }
        let aggregators = clusterRoles.filter { roles[$0].aggregationRule != nil }
        guard !aggregators.isEmpty else { return }

        // Each distinct rule of a ClusterRole gets a number; each ClusterRole a list of numbers.
        var numbers: [PolicyRule: Int] = [:]
        var table: [PolicyRule] = []
        var current: [Int: [Int]] = [:]
        for position in clusterRoles {
            current[position] = roles[position].rules.map { rule in
                if let number = numbers[rule] { return number }
                numbers[rule] = table.count
                table.append(rule)
                return table.count - 1
            }
        }

        var sources: [[Int]] = []
        for aggregator in aggregators {
            var contributing: [Int] = []
            for selector in roles[aggregator].aggregationRule?.clusterRoleSelectors ?? [] {
                for candidate in clusterRoles where candidate != aggregator && selector.matches(roles[candidate].labels) {
                    contributing.append(candidate)
                }
            }
            sources.append(contributing)
            current[aggregator] = []
        }

        // Sets reach the fixpoint within one pass per aggregator (the longest chain); a few more
        // passes settle the order. Orders in a cycle could alternate forever, hence the bound.
        var seen = [Bool](repeating: false, count: table.count)
        var passes = 0
        var changed = true
        while changed && passes <= aggregators.count + 1 {
            changed = false
            passes += 1
            for (offset, aggregator) in aggregators.enumerated() {
                var merged: [Int] = []
                for source in sources[offset] {
                    for number in current[source] ?? [] where !seen[number] {
                        seen[number] = true
                        merged.append(number)
                    }
                }
                for number in merged { seen[number] = false }
                if merged != current[aggregator] {
                    changed = true
                    current[aggregator] = merged
                }
            }
        }
        for aggregator in aggregators {
            roles[aggregator].rules = (current[aggregator] ?? []).map { table[$0] }
        }
    }
}
