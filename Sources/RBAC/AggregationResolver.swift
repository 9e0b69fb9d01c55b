/// Resolves ClusterRole aggregation offline, as the cluster's aggregation controller would.
///
/// A ClusterRole with an `aggregationRule` gets, selector by selector and within a selector in
/// name order, the rules of every other ClusterRole that the selector matches, each distinct
/// rule once; its own `rules` are replaced. Aggregated roles can themselves be aggregated
/// (`view` into `edit` into `admin`), so the union is repeated until nothing changes. The
/// aggregated roles start empty and only grow, so this ends, cycles included, at the least
/// fixpoint: a cycle of aggregated roles shares the rules of the plain roles it reaches.
enum AggregationResolver {
    static func resolve(_ roles: inout [RBACRole]) {
        let clusterRoles = roles.indices.filter { roles[$0].kind == .clusterRole }.sorted { roles[$0].name < roles[$1].name }
        let aggregators = clusterRoles.filter { roles[$0].aggregationRule != nil }
        guard !aggregators.isEmpty else { return }
        var sources: [[Int]] = []
        for aggregator in aggregators {
            var contributing: [Int] = []
            for selector in roles[aggregator].aggregationRule?.clusterRoleSelectors ?? [] {
                for candidate in clusterRoles where candidate != aggregator && roles[candidate].name != roles[aggregator].name {
                    if selector.matches(roles[candidate].labels) { contributing.append(candidate) }
                }
            }
            sources.append(contributing)
            roles[aggregator].rules = []
        }
        var changed = true
        while changed {
            changed = false
            for (offset, aggregator) in aggregators.enumerated() {
                var seen: Set<PolicyRule> = []
                var merged: [PolicyRule] = []
                for source in sources[offset] {
                    for rule in roles[source].rules where seen.insert(rule).inserted {
                        merged.append(rule)
                    }
                }
                // The sets only grow, so an unchanged count means an unchanged set.
                if merged.count != roles[aggregator].rules.count { changed = true }
                roles[aggregator].rules = merged
            }
        }
    }
}
