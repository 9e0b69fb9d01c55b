/// Whether one set of rules holds every permission of another: Kubernetes' escalation check
/// (`Covers` in `k8s.io/component-helpers/auth/rbac/validation`), reproduced exactly.
///
/// Each servant rule is broken down into rules of one API group, one resource, one verb and at
/// most one name (and one non-resource URL with one verb); each of those must be covered by a
/// single owner rule. Wildcards only cover what they are written for: an owner's `*` covers a
/// servant's `*`, but a list of every verb does not.
public enum PolicyComparator {
    /// Whether `ownerRules` cover `servantRules`, and the broken-down servant rules they do not cover.
    public static func covers(
        _ ownerRules: [PolicyRule], _ servantRules: [PolicyRule]
    ) -> (
        covered: Bool, uncovered: [PolicyRule]
    ) {
        var uncovered: [PolicyRule] = []
        for servantRule in servantRules {
            // Subrule by subrule: a rule naming thousands of objects is not broken down at once.
            forEachSubrule(of: servantRule) { subrule in
                if !ownerRules.contains(where: { ruleCovers($0, subrule) }) { uncovered.append(subrule) }
            }
        }
        return (uncovered.isEmpty, uncovered)
    }

    /// `BreakdownRule`: equivalent rules of one group, resource, verb and at most one name each,
    /// then one rule per non-resource URL and verb.
    public static func breakdown(_ rule: PolicyRule) -> [PolicyRule] {
        var subrules: [PolicyRule] = []
        forEachSubrule(of: rule) { subrules.append($0) }
        return subrules
    }

    /// Calls `body` with each rule of ``breakdown(_:)``, in its order, without building the list.
    static func forEachSubrule(of rule: PolicyRule, _ body: (PolicyRule) -> Void) {
        for group in rule.apiGroups {
            for resource in rule.resources {
                for verb in rule.verbs {
                    if rule.resourceNames.isEmpty {
                        body(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource]))
                    } else {
                        for name in rule.resourceNames {
                            body(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name]))
                        }
                    }
                }
            }
        }
        for url in rule.nonResourceURLs {
            for verb in rule.verbs {
                body(PolicyRule(verbs: [verb], nonResourceURLs: [url]))
            }
        }
    }

    /// `ruleCovers`: whether `owner` covers `subrule`, a rule from ``breakdown(_:)``.
    package static func ruleCovers(_ owner: PolicyRule, _ subrule: PolicyRule) -> Bool {
        let verbMatches = owner.verbs.contains("*") || hasAll(owner.verbs, subrule.verbs)
        let groupMatches = owner.apiGroups.contains("*") || hasAll(owner.apiGroups, subrule.apiGroups)
        let resourceMatches = resourceCoversAll(owner.resources, subrule.resources)
        let urlMatches = subrule.nonResourceURLs.allSatisfy { path in
            owner.nonResourceURLs.contains { nonResourceURLCovers($0, path) }
        }
        let nameMatches =
            subrule.resourceNames.isEmpty
            ? owner.resourceNames.isEmpty
            : owner.resourceNames.isEmpty || hasAll(owner.resourceNames, subrule.resourceNames)
        return verbMatches && groupMatches && resourceMatches && nameMatches && urlMatches
    }

    /// `nonResourceURLCovers`: equal, or the owner ends in `*` and the rest is a prefix of the path.
    package static func nonResourceURLCovers(_ owner: String, _ path: String) -> Bool {
        if owner == path { return true }
        guard owner.utf8.last == UInt8(ascii: "*") else { return false }
        var prefix = Substring(owner)
        while prefix.utf8.last == UInt8(ascii: "*") { prefix = prefix.dropLast() }
        return path.utf8.starts(with: prefix.utf8)
    }

    /// `resourceCoversAll`: `*`, every resource listed, or `*/sub` for a listed subresource path.
    private static func resourceCoversAll(_ owned: [String], _ wanted: [String]) -> Bool {
        if owned.contains("*") || hasAll(owned, wanted) { return true }
        for path in wanted where !owned.contains(path) {
            guard let slash = path.firstIndex(of: "/") else { return false }
            if !owned.contains("*/" + path[path.index(after: slash)...]) { return false }
        }
        return true
    }

    private static func hasAll(_ set: [String], _ wanted: [String]) -> Bool {
        wanted.allSatisfy(set.contains)
    }
}
