import KubeModel
import RBAC

/// One permission: a verb on one resource of one group, optionally on one name.
struct Permission: Hashable, Comparable {
    var group: String
    var resource: String
    var verb: String
    var name: String?

    var rule: PolicyRule {
        PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: name.map { [$0] } ?? [])
    }

    /// `group/resource` without a subresource.
    var baseKey: String {
        let base = resource.split(separator: "/", maxSplits: 1).first.map(String.init) ?? resource
        return "\(group)/\(base)"
    }

    static func < (lhs: Permission, rhs: Permission) -> Bool {
        (lhs.group, lhs.resource, lhs.name ?? "", lhs.verb) < (rhs.group, rhs.resource, rhs.name ?? "", rhs.verb)
    }
}

/// Splits a cluster-wide role's rules into what the tool needs in its own namespace and what it
/// needs in the target namespaces, expands wildcards into explicit kinds, and cuts everything a
/// namespace administrator does not hold.
struct RuleConfiner {
    /// Something left out of a Role: what, and why.
    struct Note: Hashable {
        var what: String
        var why: String
    }

    /// Where a permission goes.
    struct Confined {
        var tool: [Permission] = []
        var targets: [Permission] = []
        /// Parts that no namespaced Role can grant.
        var cannotConfine: [Note] = []
        /// Parts a namespace administrator does not hold.
        var cut: [Note] = []
    }

    var kinds: KindTable
    /// The tool's own custom resources, `group/plural`.
    var ownResources: Set<String>
    /// The tool's own custom resource kinds known from CRDs, for expanding wildcards (namespaced
    /// and cluster-scoped; only namespaced ones are granted).
    var ownKinds: [ResourceKind]
    /// What the tool may manage in target namespaces.
    var applicationKinds: [ApplicationKind]
    /// What the built-in `admin` ClusterRole holds, aggregation resolved.
    var adminRules: [PolicyRule]

    /// Kinds that belong to the tool's own namespace when a rule names them explicitly.
    static let toolInternal: Set<String> = ["/secrets", "/configmaps", "/serviceaccounts", "coordination.k8s.io/leases"]
    /// Kinds that are both: a tool records Events about its own objects and about applications.
    static let both: Set<String> = ["/events", "events.k8s.io/events"]

    /// Explicit verbs for `*`.
    static let allVerbs = ApplicationKind.manageVerbs

    func confine(_ rules: [PolicyRule]) -> Confined {
        var result = Confined()
        for rule in rules {
            if !rule.nonResourceURLs.isEmpty {
                result.cannotConfine.append(
                    Note(
                        what: "\(rule.verbs.joined(separator: ",")) on \(rule.nonResourceURLs.joined(separator: ", "))",
                        why: "non-resource URLs are not namespaced; no Role grants them, so the tool cannot call them"))
            }
            let verbs = rule.verbs.contains("*") ? Self.allVerbs : rule.verbs
            let names: [String?] = rule.resourceNames.isEmpty ? [nil] : rule.resourceNames.map { Optional($0) }
            var everyGroup = false
            var clusterScoped: [String] = []
            for group in rule.apiGroups {
                for resource in rule.resources {
                    if group == "*" || resource == "*" || resource.hasPrefix("*/") {
                        if group == "*" && resource.hasPrefix("*") { everyGroup = true }
                        for kind in wildcardClusterScopedKinds(group: group, resource: resource) where !clusterScoped.contains(kind) {
                            clusterScoped.append(kind)
                        }
                        expandWildcard(group: group, resource: resource, verbs: verbs, names: names, into: &result)
                        continue
                    }
                    place(group: group, resource: resource, verbs: verbs, names: names, into: &result)
                }
            }
            if everyGroup || !clusterScoped.isEmpty {
                let which = everyGroup ? "every cluster-scoped resource (nodes, namespaces, CRDs, RBAC, …)" : clusterScoped.joined(separator: ", ")
                result.cannotConfine.append(
                    Note(
                        what: "\(rule)",
                        why:
                            "its wildcard also covers \(which), which no Role grants; replaced by explicit namespaced kinds, so the tool cannot \(verbs.joined(separator: ", ")) those"
                    ))
            }
        }
        result.tool = cutToAdministrator(result.tool, cut: &result.cut)
        result.targets = cutToAdministrator(result.targets, cut: &result.cut)
        return result
    }

    /// An existing namespaced Role's permissions: wildcards expanded into the tool's and the
    /// applications' kinds, then cut to what a namespace administrator holds.
    func confineInPlace(_ rules: [PolicyRule]) -> (permissions: [Permission], cut: [Note], cannotConfine: [Note]) {
        let confined = confine(rules)
        var all = confined.tool
        var seen = Set(all)
        for permission in confined.targets where seen.insert(permission).inserted { all.append(permission) }
        return (all, confined.cut, confined.cannotConfine)
    }

    /// The cluster-scoped kinds (other than the tool's own, which have a note of their own) that
    /// a wildcard rule entry covers, as `resource.group`.
    private func wildcardClusterScopedKinds(group: String, resource: String) -> [String] {
        guard group == "*" || resource == "*" || resource.hasPrefix("*/") else { return [] }
        let base = resource.split(separator: "/", maxSplits: 1).first.map(String.init) ?? resource
        return kinds.kinds.filter { kind in
            !kind.namespaced && !ownResources.contains("\(kind.group)/\(kind.resource)") && (group == "*" || kind.group == group)
                && (base == "*" || kind.resource == base)
        }.map(\.qualifiedResource)
    }

    private func expandWildcard(group: String, resource: String, verbs: [String], names: [String?], into result: inout Confined) {
        let subresource = resource.hasPrefix("*/") ? String(resource.dropFirst(2)) : nil
        for own in ownKinds where group == "*" || group == own.group {
            guard own.namespaced else {
                if resource == "*" || resource == own.resource {
                    result.cannotConfine.append(Self.clusterScopedOwnKind(own, verbs: verbs))
                }
                continue
            }
            var resources: [String] = []
            if resource == "*" {
                resources = [own.resource] + own.subresources.map { "\(own.resource)/\($0)" }
            } else if let subresource, own.subresources.contains(subresource) {
                resources = ["\(own.resource)/\(subresource)"]
            } else if resource == own.resource {
                resources = [own.resource]
            }
            for expanded in resources {
                for verb in verbs {
                    for name in names { result.tool.append(Permission(group: own.group, resource: expanded, verb: verb, name: name)) }
                }
            }
        }
        var matchedApplication = false
        for kind in applicationKinds where group == "*" || group == kind.group {
            let parts = kind.resource.split(separator: "/", maxSplits: 1).map(String.init)
            let matches: Bool
            if resource == "*" {
                matches = true
            } else if let subresource {
                matches = parts.count == 2 && parts[1] == subresource
            } else {
                matches = parts[0] == resource
            }
            guard matches else { continue }
            matchedApplication = true
            for verb in verbs where kind.verbs.contains(verb) {
                for name in names { result.targets.append(Permission(group: kind.group, resource: kind.resource, verb: verb, name: name)) }
            }
        }
        if !matchedApplication, let subresource {
            result.cut.append(
                Note(
                    what: "\(verbs.joined(separator: ",")) on \(group == "*" ? "every group" : group)'s */\(subresource)",
                    why: "no application kind has that subresource; not granted"))
        }
    }

    private func place(group: String, resource: String, verbs: [String], names: [String?], into result: inout Confined) {
        let base = resource.split(separator: "/", maxSplits: 1).first.map(String.init) ?? resource
        let key = "\(group)/\(base)"
        func add(tool: Bool, targets: Bool) {
            for verb in verbs {
                for name in names {
                    let permission = Permission(group: group, resource: resource, verb: verb, name: name)
                    if tool { result.tool.append(permission) }
                    if targets { result.targets.append(permission) }
                }
            }
        }
        let described = "\(verbs.joined(separator: ",")) on \(group.isEmpty ? "" : group + "/")\(resource)"
        if ownResources.contains(key) {
            // The tool's own kind: namespaced unless its CRD says otherwise (restrict's own output
            // names only namespaced ones).
            if let kind = kinds.kind(group: group, resource: base), !kind.namespaced {
                result.cannotConfine.append(Self.clusterScopedOwnKind(kind, verbs: verbs))
            } else {
                add(tool: true, targets: false)
            }
        } else if let kind = kinds.kind(group: group, resource: base) {
            if !kind.namespaced {
                result.cannotConfine.append(
                    Note(
                        what: described,
                        why: "\(kind.kind) is cluster-scoped: no Role grants it, so the tool cannot \(verbs.joined(separator: ", ")) any \(kind.kind)"))
            } else if Self.toolInternal.contains(key) {
                add(tool: true, targets: false)
            } else if Self.both.contains(key) {
                add(tool: true, targets: true)
            } else {
                add(tool: false, targets: true)
            }
        } else if kinds.kinds.contains(where: { $0.group == group }) {
            // A resource of a built-in group this table does not list: keep it where applications
            // run; the administrator check below decides.
            add(tool: false, targets: true)
        } else {
            result.cut.append(
                Note(what: described, why: "not one of this install's custom resources, and a namespace administrator does not hold it"))
        }
    }

    /// The permissions a namespace administrator holds (the tool's own custom resources count
    /// as held: the administrator's prerequisites aggregate them into `admin`), deduplicated.
    private func cutToAdministrator(_ permissions: [Permission], cut: inout [Note]) -> [Permission] {
        var kept: [Permission] = []
        var seen: Set<Permission> = []
        var reported: Set<Permission> = []
        for permission in permissions where seen.insert(permission).inserted {
            if ownResources.contains(permission.baseKey) || PolicyComparator.covers(adminRules, [permission.rule]).covered {
                kept.append(permission)
            } else if reported.insert(permission).inserted {
                cut.append(
                    Note(
                        what: "\(permission.rule)",
                        why: "the built-in admin role does not hold it, so a namespace administrator could not create a Role granting it"))
            }
        }
        return kept
    }

    /// What a cluster-scoped kind of the tool's own means for the confined tool.
    static func clusterScopedOwnKind(_ kind: ResourceKind, verbs: [String]) -> Note {
        Note(
            what: "\(verbs.joined(separator: ",")) on \(kind.qualifiedResource) (\(kind.kind), one of the tool's own kinds)",
            why:
                "\(kind.kind) is cluster-scoped (its CRD's spec.scope is Cluster): no Role grants it, so the confined tool will not see or reconcile any \(kind.kind); whatever \(kind.kind) objects would do cluster-wide does not happen"
        )
    }

    /// Permissions back into rules: resources with the same verbs (and names) share a rule;
    /// sorted, so the same permissions always give the same rules.
    static func rules(from permissions: [Permission]) -> [PolicyRule] {
        struct Key: Hashable {
            var group: String
            var name: String?
        }
        var verbsByResource: [Key: [String: Set<String>]] = [:]
        for permission in permissions {
            verbsByResource[Key(group: permission.group, name: permission.name), default: [:]][permission.resource, default: []]
                .insert(permission.verb)
        }
        var rules: [PolicyRule] = []
        let keys = verbsByResource.keys.sorted { ($0.group, $0.name ?? "") < ($1.group, $1.name ?? "") }
        for key in keys {
            guard let resources = verbsByResource[key] else { continue }
            var resourcesByVerbs: [[String]: [String]] = [:]
            for (resource, verbs) in resources { resourcesByVerbs[orderedVerbs(verbs), default: []].append(resource) }
            let groups = resourcesByVerbs.map { (verbs: $0.key, resources: $0.value.sorted()) }
                .sorted { ($0.resources.first ?? "") < ($1.resources.first ?? "") }
            for entry in groups {
                rules.append(
                    PolicyRule(
                        verbs: entry.verbs, apiGroups: [key.group], resources: entry.resources,
                        resourceNames: key.name.map { [$0] } ?? []))
            }
        }
        return rules
    }

    /// Verbs in Kubernetes' usual order: reads, writes, then the rest alphabetically.
    static func orderedVerbs(_ verbs: Set<String>) -> [String] {
        let order = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
        return order.filter(verbs.contains) + verbs.subtracting(order).sorted()
    }

    /// Every permission in `rules`, wildcard-free rules only (``PolicyComparator/breakdown(_:)``).
    static func permissions(of rules: [PolicyRule]) -> [Permission] {
        rules.flatMap(PolicyComparator.breakdown).compactMap { rule in
            guard let group = rule.apiGroups.first, let resource = rule.resources.first, let verb = rule.verbs.first else { return nil }
            return Permission(group: group, resource: resource, verb: verb, name: rule.resourceNames.first)
        }
    }
}
