import KubeModel
import RBAC

/// Where the API server authorizes a request the catalog asks about.
enum RequestScope: Sendable, Hashable {
    /// A namespaced resource: a RoleBinding grants it in its own namespace, a ClusterRoleBinding
    /// in every namespace. (`bind` on `clusterroles` is asked in the namespace of the binding
    /// being created, so it is namespaced too: `pkg/registry/rbac/escalation_check.go`.)
    case namespaced
    /// A cluster-scoped resource, or impersonating a user, group, UID or user extra, or approving
    /// for a certificate signer: the request carries no namespace, so only ClusterRoleBindings grant it.
    case cluster
    /// A Namespace object itself: the request is in the namespace it names, so a RoleBinding
    /// grants it on its own namespace only.
    case ownNamespace
}

/// One request shape the catalog asks about, before a binding's scope gives it a namespace.
struct Probe: Sendable, Hashable {
    /// The check's position in ``RiskCatalog/checks``.
    var checkNumber: Int
    var verb: String
    var group: String
    var resource: String
    var subresource: String
    var scope: RequestScope
    /// The severity within a namespace when it differs from the check's (a get-only read of Secrets).
    var namespaceSeverity: Severity?
    /// The severity cluster-wide when it differs from the check's.
    var clusterSeverity: Severity?
    /// One of several requests that give the capability only together (W117), never reported alone.
    var isPart = false

    /// The request, for `name` in `namespace`.
    func request(name: String, namespace: String) -> ClaimedRequest {
        ClaimedRequest(verb: verb, apiGroup: group, resource: resource, subresource: subresource, name: name, namespace: namespace)
    }
}

/// What one rule allows of one ``Probe``: every name, or only some.
struct ProbeGrant: Sendable {
    var probe: Probe
    /// The same number for the same probe across a policy's rules (see ``RuleInspector/grants(ofEach:compiled:kinds:)``),
    /// so that a role's grants are merged by number.
    var probeNumber = 0
    /// Whether every name is allowed (the rule has no `resourceNames`).
    var anyName: Bool
    /// The names allowed when not every name is, in rule order.
    var names: [String]
}

/// Finds the requests of the risk catalog that rules allow.
///
/// Each check is a set of requests (``Probe``s); a rule is asked about each of them with
/// kube-apiserver's own matching (``CompiledRule``), so that a check fires only for requests the
/// authorizer would allow: `pods` does not match `pods/exec`, `pods/*` is no wildcard, a group
/// must match exactly, and `resourceNames` limit the request to the names listed. Wildcard checks
/// (W100–W103) ask for the wildcard itself (`'*'` verbs on what the rule names), which only a rule
/// that lists `*` allows.
enum RuleInspector {
    private struct Capability {
        var checkID: String
        var verbs: [String]
        var group: String
        var resources: [String]
        var scope: RequestScope
        var namespaceSeverity: Severity? = nil
        var clusterSeverity: Severity? = nil
        var isPart = false
    }

    private static let rbac = RBACAPI.group
    private static let certificates = "certificates.k8s.io"
    private static let authentication = "authentication.k8s.io"

    /// The fixed requests of the catalog, by check.
    private static let capabilities: [Capability] = [
        Capability(checkID: "W104", verbs: ["list", "watch"], group: "", resources: ["secrets"], scope: .namespaced),
        Capability(
            checkID: "W104", verbs: ["get"], group: "", resources: ["secrets"], scope: .namespaced, namespaceSeverity: .medium,
            clusterSeverity: .high),
        Capability(checkID: "W105", verbs: ["create", "update", "patch"], group: "", resources: ["secrets"], scope: .namespaced),
        Capability(checkID: "W106", verbs: ["create"], group: "", resources: ["pods", "replicationcontrollers"], scope: .namespaced),
        Capability(
            checkID: "W106", verbs: ["create"], group: "apps", resources: ["deployments", "replicasets", "statefulsets", "daemonsets"],
            scope: .namespaced),
        Capability(checkID: "W106", verbs: ["create"], group: "batch", resources: ["jobs", "cronjobs"], scope: .namespaced),
        Capability(checkID: "W107", verbs: ["update", "patch"], group: "", resources: ["pods"], scope: .namespaced),
        Capability(checkID: "W108", verbs: ["create", "get"], group: "", resources: ["pods/exec", "pods/attach"], scope: .namespaced),
        Capability(checkID: "W109", verbs: ["create", "get"], group: "", resources: ["pods/portforward"], scope: .namespaced),
        Capability(checkID: "W110", verbs: ["update", "patch"], group: "", resources: ["pods/ephemeralcontainers"], scope: .namespaced),
        Capability(checkID: "W111", verbs: ["get", "create"], group: "", resources: ["nodes/proxy"], scope: .cluster),
        Capability(checkID: "W112", verbs: ["escalate"], group: rbac, resources: ["roles"], scope: .namespaced),
        Capability(checkID: "W112", verbs: ["escalate"], group: rbac, resources: ["clusterroles"], scope: .cluster),
        Capability(checkID: "W113", verbs: ["bind"], group: rbac, resources: ["roles", "clusterroles"], scope: .namespaced),
        Capability(
            checkID: "W114", verbs: ["create", "update", "patch", "delete", "deletecollection"], group: rbac,
            resources: ["roles", "rolebindings"], scope: .namespaced),
        Capability(
            checkID: "W114", verbs: ["create", "update", "patch", "delete", "deletecollection"], group: rbac,
            resources: ["clusterroles", "clusterrolebindings"], scope: .cluster),
        // The impersonation filter (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go)
        // asks for users and groups in the core group without a namespace, for a ServiceAccount in
        // its namespace with its name, and for UIDs and user extras in authentication.k8s.io.
        Capability(checkID: "W115", verbs: ["impersonate"], group: "", resources: ["users", "groups"], scope: .cluster),
        Capability(checkID: "W115", verbs: ["impersonate"], group: "", resources: ["serviceaccounts"], scope: .namespaced),
        Capability(checkID: "W115", verbs: ["impersonate"], group: authentication, resources: ["uids"], scope: .cluster),
        Capability(checkID: "W116", verbs: ["create"], group: "", resources: ["serviceaccounts/token"], scope: .namespaced),
        // Approving a CSR: update on its approval subresource, then the CertificateApproval
        // admission plugin asks approve on signers named after the CSR's signer
        // (plugin/pkg/admission/certificates/approval/admission.go, certificates/util.go).
        Capability(checkID: "W117", verbs: ["create"], group: certificates, resources: ["certificatesigningrequests"], scope: .cluster, isPart: true),
        Capability(
            checkID: "W117", verbs: ["update", "patch"], group: certificates, resources: ["certificatesigningrequests/approval"], scope: .cluster,
            isPart: true),
        Capability(checkID: "W117", verbs: ["approve"], group: certificates, resources: ["signers"], scope: .cluster, isPart: true),
        Capability(
            checkID: "W118", verbs: ["create", "update", "patch", "delete"], group: "admissionregistration.k8s.io",
            resources: [
                "mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies",
                "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
            ], scope: .cluster),
        Capability(
            checkID: "W119", verbs: ["create", "update", "patch", "delete"], group: "apiextensions.k8s.io", resources: ["customresourcedefinitions"],
            scope: .cluster),
        Capability(checkID: "W120", verbs: ["create"], group: "", resources: ["persistentvolumes"], scope: .cluster),
        Capability(checkID: "W121", verbs: ["update", "patch"], group: "", resources: ["namespaces"], scope: .ownNamespace),
        Capability(checkID: "W122", verbs: ["update", "patch"], group: "", resources: ["services/status", "pods/status"], scope: .namespaced),
        Capability(checkID: "W122", verbs: ["update", "patch"], group: "", resources: ["nodes/status"], scope: .cluster),
        Capability(checkID: "W123", verbs: ["delete", "deletecollection"], group: "", resources: ["events"], scope: .namespaced),
        Capability(checkID: "W123", verbs: ["delete", "deletecollection"], group: "events.k8s.io", resources: ["events"], scope: .namespaced),
    ]

    /// The requests `checkID` asks about, in words, for `warrant audit --list-checks`.
    static func requestsAsked(by checkID: String) -> String {
        switch checkID {
        case "W100": return "'*' verbs on '*' resources in '*' API groups, as written"
        case "W101", "W102", "W103": return "the wildcard as the rule writes it ('*' verbs, '*' or '*/sub' resources, '*' API groups) on what it names"
        case "W115":
            return
                "impersonate users, groups (cluster-scoped); impersonate serviceaccounts (in the namespace, by name); impersonate uids, userextras/<key> in authentication.k8s.io (cluster-scoped)"
        default: break
        }
        let own = capabilities.filter { $0.checkID == checkID }
        guard !own.isEmpty else { return "" }
        return own.map { capability in
            let resources = capability.resources.map { entry in
                let (resource, subresource) = split(entry)
                return ClaimedRequest.qualified(resource: resource, subresource: subresource, group: capability.group)
            }
            let scope =
                switch capability.scope {
                case .cluster: " (cluster-scoped)"
                case .ownNamespace: " (a RoleBinding: its own Namespace)"
                case .namespaced: ""
                }
            return "\(capability.verbs.joined(separator: ", ")) on \(resources.joined(separator: ", "))\(scope)"
        }.joined(separator: "; ")
    }

    /// The catalog's fixed requests, one per verb and resource.
    private static let probes: [Probe] = capabilities.flatMap { capability in
        capability.resources.flatMap { entry in
            let (resource, subresource) = split(entry)
            return capability.verbs.map { verb in
                Probe(
                    checkNumber: RiskCatalog.number(of: capability.checkID), verb: verb, group: capability.group, resource: resource,
                    subresource: subresource, scope: capability.scope, namespaceSeverity: capability.namespaceSeverity,
                    clusterSeverity: capability.clusterSeverity, isPart: capability.isPart)
            }
        }
    }

    /// Verbs whose requests never carry an object name, so that a rule limited by
    /// `resourceNames` never allows them.
    private static let unnamedVerbs: Set<String> = ["deletecollection"]
    /// Verbs whose requests on a collection carry no name (create carries one only in a
    /// server-side apply).
    static let collectionVerbs: Set<String> = ["list", "watch", "create", "deletecollection"]

    /// What each of `rules` (a policy's distinct rules, `compiled` at the same positions) allows
    /// of the catalog's requests; large lists are inspected in parts on every core.
    static func grants(ofEach rules: [PolicyRule], compiled: [CompiledRule], kinds: KindTable) -> [[ProbeGrant]] {
        var all = ParallelChunks.array(rules.count, minimumLength: 1_024) { index in
            rules[index].isResourceRule ? grants(rules[index], compiled: compiled[index], kinds: kinds) : []
        }
        var numbers: [Probe: Int] = [:]
        for rule in all.indices {
            for index in all[rule].indices {
                let next = numbers.count
                let number = numbers[all[rule][index].probe, default: next]
                if number == next { numbers[all[rule][index].probe] = next }
                all[rule][index].probeNumber = number
            }
        }
        return all
    }

    /// What one resource rule allows of the catalog's requests.
    static func grants(_ rule: PolicyRule, compiled: CompiledRule, kinds: KindTable) -> [ProbeGrant] {
        var grants: [ProbeGrant] = []
        let names = compiled.resourceNames.filter { !$0.isEmpty }
        let unrestricted = compiled.resourceNames.isEmpty
        // A listed empty name matches the requests that carry no name: a list, watch,
        // deletecollection or create of the collection (checked on a real kube-apiserver).
        let emptyNameListed = compiled.resourceNames.contains("")
        func add(_ probe: Probe) {
            let anyName = unrestricted || (emptyNameListed && probe.subresource.isEmpty && collectionVerbs.contains(probe.verb))
            if !anyName && (names.isEmpty || unnamedVerbs.contains(probe.verb)) { return }
            grants.append(ProbeGrant(probe: probe, anyName: anyName, names: anyName ? [] : names))
        }
        let verbs = rule.verbs.filter { !$0.isEmpty }
        let groups = rule.apiGroups
        let entries = rule.resources.filter(isUsable)
        if verbs.isEmpty || entries.isEmpty { return grants }

        // The wildcards, asked for as written.
        let allVerbs = verbs.contains("*")
        let allGroups = groups.contains("*")
        if allVerbs && allGroups && entries.contains("*") {
            add(Probe(checkNumber: number.W100, verb: "*", group: "*", resource: "*", subresource: "", scope: .namespaced))
        } else {
            if allVerbs {
                for group in groups {
                    for entry in entries {
                        let (resource, subresource) = split(entry)
                        add(
                            Probe(
                                checkNumber: number.W101, verb: "*", group: group, resource: resource, subresource: subresource,
                                scope: scope(group: group, resource: resource, verb: "*", kinds: kinds)))
                    }
                }
            }
            for entry in entries where entry == "*" || entry.hasPrefix("*/") {
                let (resource, subresource) = split(entry)
                for group in groups {
                    for verb in verbs {
                        add(Probe(checkNumber: number.W102, verb: verb, group: group, resource: resource, subresource: subresource, scope: .namespaced))
                    }
                }
            }
            if allGroups {
                for entry in entries where entry != "*" && !entry.hasPrefix("*/") {
                    let (resource, subresource) = split(entry)
                    for verb in verbs {
                        add(
                            Probe(
                                checkNumber: number.W103, verb: verb, group: "*", resource: resource, subresource: subresource,
                                scope: scope(group: "*", resource: resource, verb: verb, kinds: kinds)))
                    }
                }
            }
        }
        // The catalog's requests, with the authorizer's matching.
        for probe in probes
        where compiled.verbMatches(probe.verb) && compiled.groupMatches(probe.group)
            && compiled.resourceMatches(probe.resource, probe.subresource)
        {
            add(probe)
        }
        // Impersonating user extras: `userextras/<key>` for each key the rule names.
        if compiled.verbMatches("impersonate") && compiled.groupMatches(authentication) {
            for entry in entries where entry.hasPrefix("userextras/") {
                let (resource, key) = split(entry)
                add(
                    Probe(
                        checkNumber: number.W115, verb: "impersonate", group: authentication, resource: resource, subresource: key, scope: .cluster))
            }
        }
        return grants
    }

    /// Check positions used while inspecting rules.
    private enum number {
        static let W100 = RiskCatalog.number(of: "W100")
        static let W101 = RiskCatalog.number(of: "W101")
        static let W102 = RiskCatalog.number(of: "W102")
        static let W103 = RiskCatalog.number(of: "W103")
        static let W115 = RiskCatalog.number(of: "W115")
    }

    /// Where the API server authorizes `verb` on `resource` in `group` (`*` for every group).
    /// Resources the table does not know (custom resources without their CRD) count as namespaced.
    static func scope(group: String, resource: String, verb: String, kinds: KindTable) -> RequestScope {
        switch (group, resource) {
        case ("", "namespaces"): return .ownNamespace
        case ("", "users"), ("", "groups"), (authentication, "uids"), (authentication, "userextras"):
            return verb == "impersonate" || verb == "*" ? .cluster : .namespaced
        case (certificates, "signers"): return .cluster
        case (rbac, "clusterroles") where verb == "bind": return .namespaced
        case (_, "*"): return .namespaced
        default: break
        }
        if group == "*" {
            let matching = kinds.kinds.filter { $0.resource == resource }
            return !matching.isEmpty && matching.allSatisfy({ !$0.namespaced }) ? .cluster : .namespaced
        }
        guard let kind = kinds.kind(group: group, resource: resource) else { return .namespaced }
        return kind.namespaced ? .namespaced : .cluster
    }

    /// Why `rule` can allow no request, or `nil` when it can: verbs, resources or URLs that no
    /// request has, or (in a Role, which only applies in its namespace) only cluster-scoped resources.
    static func deadRuleReason(_ rule: PolicyRule, in kind: RBACRole.Kind, kinds: KindTable) -> String? {
        if !rule.verbs.contains(where: { !$0.isEmpty }) {
            return "its verbs \(quoted(rule.verbs)) match no request"
        }
        if !rule.isResourceRule {
            if rule.nonResourceURLs.isEmpty || kind == .role { return nil }  // invalid, reported as such
            if !rule.nonResourceURLs.contains(where: { $0 == "*" || $0.hasPrefix("/") }) {
                return "its nonResourceURLs \(quoted(rule.nonResourceURLs)) match no request (a path starts with '/')"
            }
            return nil
        }
        if rule.apiGroups.isEmpty { return nil }  // invalid, reported as such
        let entries = rule.resources.filter(isUsable)
        if entries.isEmpty {
            return "its resources \(quoted(rule.resources)) match no request"
        }
        if !rule.resourceNames.isEmpty && !rule.resourceNames.contains(where: { !$0.isEmpty })
            && !rule.verbs.contains(where: { $0 == "*" || collectionVerbs.contains($0) })
        {
            return "its resourceNames \(quoted(rule.resourceNames)) match no object its verbs name"
        }
        guard kind == .role else { return nil }
        let verbs = rule.verbs.filter { !$0.isEmpty }
        let live = rule.apiGroups.contains { group in
            entries.contains { entry in
                verbs.contains { verb in scope(group: group, resource: split(entry).resource, verb: verb, kinds: kinds) != .cluster }
            }
        }
        if live { return nil }
        let names = entries.map { entry in
            rule.apiGroups.map { group in ClaimedRequest.qualified(resource: split(entry).resource, subresource: split(entry).subresource, group: group) }
        }.flatMap { $0 }
        return
            "\(names.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") cluster-scoped: a request for \(names.count == 1 ? "it" : "them") carries no namespace, and a Role only applies in its own namespace"
    }

    /// Whether a `resources` entry can match a request: not empty, and a subresource entry has both parts.
    static func isUsable(_ entry: String) -> Bool {
        guard !entry.isEmpty else { return false }
        guard let slash = entry.firstIndex(of: "/") else { return true }
        return slash != entry.startIndex && entry.index(after: slash) != entry.endIndex
    }

    /// `pods/exec` as (`pods`, `exec`); `*/scale` as (`*`, `scale`).
    static func split(_ entry: String) -> (resource: String, subresource: String) {
        guard let slash = entry.firstIndex(of: "/") else { return (entry, "") }
        return (String(entry[..<slash]), String(entry[entry.index(after: slash)...]))
    }

    private static func quoted(_ values: [String]) -> String {
        "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }
}
