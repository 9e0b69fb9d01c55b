import KubeModel

/// The roles of a policy as it uses them: a later role with the same kind, namespace and name
/// replaces an earlier one (as applying them in order would), every distinct rule is numbered, and (``resolved()``) ClusterRole
/// aggregation is resolved and every distinct rule compiled once.
struct RoleTable: Sendable {
    /// Every Role and ClusterRole, aggregated ClusterRoles with their aggregated rules.
    var roles: [RBACRole] = []
    var clusterRolePositions: [String: Int] = [:]
    var rolePositions: [RBACPolicy.NamespacedName: Int] = [:]
    /// Every distinct rule of the roles, each once.
    var distinctRules: [PolicyRule] = []
    /// For each role, the position of each of its rules in ``distinctRules``.
    var ruleNumbers: [[Int]] = []
    /// For each aggregated ClusterRole's position, the positions of the ClusterRoles it aggregates.
    var aggregationSourcePositions: [Int: [Int]] = [:]
    /// Each of ``distinctRules`` prepared for matching.
    var compiledRules: [CompiledRule] = []

    init(_ inputRoles: [RBACRole], defaultNamespace: String) {
        for var role in inputRoles {
            switch role.kind {
            case .clusterRole:
                role.namespace = nil
                if let existing = clusterRolePositions[role.name] {
                    roles[existing] = role
                } else {
                    clusterRolePositions[role.name] = roles.count
                    roles.append(role)
                }
            case .role:
                role.aggregationRule = nil
                let key = RBACPolicy.NamespacedName(namespace: role.namespace ?? defaultNamespace, name: role.name)
                if let existing = rolePositions[key] {
                    roles[existing] = role
                } else {
                    rolePositions[key] = roles.count
                    roles.append(role)
                }
            }
        }
        var numbers: [PolicyRule: Int] = [:]
        var distinctRules: [PolicyRule] = []
        ruleNumbers = roles.map { role in
            role.rules.map { rule in
                let next = distinctRules.count
                let number = numbers[rule, default: next]
                if number == next {
                    numbers[rule] = next
                    distinctRules.append(rule)
                }
                return number
            }
        }
        self.distinctRules = distinctRules
    }

    /// The table with aggregation resolved and the rules compiled (both in parts on every core).
    consuming func resolved() -> RoleTable {
        var table = self
        table.aggregationSourcePositions = AggregationResolver.resolve(&table.roles, ruleNumbers: &table.ruleNumbers, rules: table.distinctRules)
        // Each distinct rule is compiled once, and shared by the roles that hold it.
        table.compiledRules = ParallelChunks.array(table.distinctRules.count, minimumLength: 4_096) { [rules = table.distinctRules] in
            CompiledRule(rules[$0])
        }
        return table
    }
}
