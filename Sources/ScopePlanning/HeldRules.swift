import KubeModel
import RBAC

/// The rules a deployer must hold to create the input's Roles and RoleBindings, merged by
/// (groups, resources, verbs) as they are found, name restrictions united, so that many small
/// Roles do not make the comparison quadratic. Each merged rule names at most
/// ``RequestPlanner/namedObjectsPerRequest`` objects that need it and counts the others.
struct HeldRules {
    private struct Key: Hashable {
        var verbs: [String]
        var apiGroups: [String]
        var resources: [String]
        var nonResourceURLs: [String]
    }

    private struct Entry {
        var names: Set<String> = []
        var unnamed = false
        var reasons: [PlannedRequest] = []
    }

    private var entries: [Key: Entry] = [:]
    /// The keys in the order first found.
    private var order: [Key] = []
    /// Wildcards the input's roles grant, which the deployer must then hold too.
    private(set) var warnings: [String] = []

    /// Adds `rules`, which creating `object` needs for `reason`.
    mutating func hold(_ rules: [PolicyRule], because reason: @autoclosure () -> String, object: KubeObject) {
        for rule in rules {
            if rule.verbs.contains("*") || rule.resources.contains("*") || rule.apiGroups.contains("*") {
                warnings.append(
                    "\(object.displayName) grants a wildcard (\(rule)); the deployer must hold it too to create it. Name the verbs and resources instead.")
            }
            let key = Key(
                verbs: rule.verbs.sorted(), apiGroups: rule.apiGroups.sorted(), resources: rule.resources.sorted(),
                nonResourceURLs: rule.nonResourceURLs.sorted())
            // Taken out and put back, so that the entry is changed in place rather than copied.
            var entry =
                entries.removeValue(forKey: key)
                ?? {
                    order.append(key)
                    return Entry()
                }()
            entry.names.formUnion(rule.resourceNames)
            if rule.resourceNames.isEmpty { entry.unnamed = true }
            if entry.reasons.count < RequestPlanner.namedObjectsPerRequest {
                entry.reasons.append(
                    PlannedRequest(verb: "", apiGroup: "", resource: "", reason: reason(), object: object.displayName, source: object.source))
            } else {
                entry.reasons[entry.reasons.count - 1].otherObjects += 1
            }
            entries[key] = entry
        }
    }

    /// The merged rules in the order first found, each with the objects that need it.
    var explanations: [RuleExplanation] {
        order.compactMap { key in
            guard let entry = entries[key] else { return nil }
            let rule = PolicyRule(
                verbs: key.verbs, apiGroups: key.apiGroups, resources: key.resources,
                resourceNames: entry.unnamed ? [] : entry.names.sorted(), nonResourceURLs: key.nonResourceURLs)
            return RuleExplanation(rule: rule, reasons: entry.reasons)
        }
    }
}
