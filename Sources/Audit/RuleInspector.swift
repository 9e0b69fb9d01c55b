import KubeModel
import RBAC

/// Finds the catalog's rule-level risks in the rules of one role.
///
/// Matching follows RBAC semantics: a rule grants a verb on a resource when its verbs hold the verb
/// or `*`, its API groups hold the group or `*`, and its resources hold the resource,
/// `resource/subresource`, `*/subresource` or `*`. A rule limited by `resourceNames` still grants
/// the named objects, so it is reported with its severity one level lower.
struct RuleInspector {
    /// One risky capability found in a rule.
    struct Hit: Hashable {
        var checkID: String
        /// What exactly is granted (`list, watch on secrets`).
        var detail: String
        var ruleIndex: Int
        var restrictedByName: Bool
        /// A severity for this occurrence when it differs from the check's (get-only secret reads).
        var severityOverride: Severity?
        /// The check's position in ``RiskCatalog/checks``.
        var checkNumber: Int
        /// The same number for the same ``detail`` (see ``hits(ofEach:)``), so that details are
        /// compared as numbers when a role's hits are merged.
        var detailNumber = 0

        init(checkID: String, detail: String, ruleIndex: Int, restrictedByName: Bool, severityOverride: Severity? = nil) {
            self.checkID = checkID
            self.detail = detail
            self.ruleIndex = ruleIndex
            self.restrictedByName = restrictedByName
            self.severityOverride = severityOverride
            checkNumber = RiskCatalog.number(of: checkID)
        }
    }

    /// The detail of W117, the one hit not found in a single rule, numbered 0.
    private static let certificateApprovalDetail = "create certificatesigningrequests, update their approval and approve signers"

    private struct Capability {
        var checkID: String
        var verbs: [String]
        var groups: [String]
        var resources: [String]
        var severityOverride: Severity? = nil
    }

    private static let workloadResources: [(String, String)] = [
        ("", "pods"), ("", "replicationcontrollers"), ("apps", "deployments"), ("apps", "replicasets"),
        ("apps", "statefulsets"), ("apps", "daemonsets"), ("batch", "jobs"), ("batch", "cronjobs"),
    ]

    private static let capabilities: [Capability] = [
        Capability(checkID: "W104", verbs: ["list", "watch"], groups: [""], resources: ["secrets"]),
        Capability(checkID: "W104", verbs: ["get"], groups: [""], resources: ["secrets"], severityOverride: .medium),
        Capability(checkID: "W105", verbs: ["create", "update", "patch"], groups: [""], resources: ["secrets"]),
        Capability(checkID: "W107", verbs: ["update", "patch"], groups: [""], resources: ["pods"]),
        Capability(checkID: "W108", verbs: ["create", "get"], groups: [""], resources: ["pods/exec", "pods/attach"]),
        Capability(checkID: "W109", verbs: ["create", "get"], groups: [""], resources: ["pods/portforward"]),
        Capability(checkID: "W110", verbs: ["update", "patch"], groups: [""], resources: ["pods/ephemeralcontainers"]),
        Capability(checkID: "W111", verbs: ["get", "create"], groups: [""], resources: ["nodes/proxy"]),
        Capability(checkID: "W112", verbs: ["escalate"], groups: [RBACAPI.group], resources: ["roles", "clusterroles"]),
        Capability(checkID: "W113", verbs: ["bind"], groups: [RBACAPI.group], resources: ["roles", "clusterroles"]),
        Capability(
            checkID: "W114", verbs: ["create", "update", "patch", "delete", "deletecollection"], groups: [RBACAPI.group],
            resources: ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]),
        Capability(
            checkID: "W115", verbs: ["impersonate"], groups: ["", "authentication.k8s.io"],
            resources: ["users", "groups", "serviceaccounts", "uids", "userextras/scopes"]),
        Capability(checkID: "W116", verbs: ["create"], groups: [""], resources: ["serviceaccounts/token"]),
        Capability(
            checkID: "W118", verbs: ["create", "update", "patch", "delete"], groups: ["admissionregistration.k8s.io"],
            resources: [
                "mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies",
                "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
            ]),
        Capability(
            checkID: "W119", verbs: ["create", "update", "patch", "delete"], groups: ["apiextensions.k8s.io"],
            resources: ["customresourcedefinitions"]),
        Capability(checkID: "W120", verbs: ["create"], groups: [""], resources: ["persistentvolumes"]),
        Capability(checkID: "W121", verbs: ["update", "patch"], groups: [""], resources: ["namespaces"]),
        Capability(checkID: "W122", verbs: ["update", "patch"], groups: [""], resources: ["services/status", "pods/status", "nodes/status"]),
        Capability(checkID: "W123", verbs: ["delete", "deletecollection"], groups: ["", "events.k8s.io"], resources: ["events"]),
    ]

    /// The risks of each of `rules` (a policy's distinct rules), for ``inspect(_:ruleNumbers:ruleHits:)``;
    /// large lists are inspected in parts on every core.
    /// Equal details get equal ``Hit/detailNumber``s.
    static func hits(ofEach rules: [PolicyRule]) -> [[Hit]] {
        var hits = ParallelChunks.array(rules.count, minimumLength: 1_024) { rules[$0].isResourceRule ? inspect(rules[$0], index: 0) : [] }
        var numbers = [certificateApprovalDetail: 0]
        for rule in hits.indices {
            for index in hits[rule].indices {
                let next = numbers.count
                let number = numbers[hits[rule][index].detail, default: next]
                if number == next { numbers[hits[rule][index].detail] = next }
                hits[rule][index].detailNumber = number
            }
        }
        return hits
    }

    /// The risks in `role`'s rules, which are `ruleNumbers` in a list of distinct rules whose
    /// risks are `ruleHits` (from ``hits(ofEach:)``): aggregated ClusterRoles repeat their
    /// sources' rules, which are inspected once.
    static func inspect(_ role: RBACRole, ruleNumbers: [Int], ruleHits: [[Hit]]) -> [Hit] {
        var hits: [Hit] = []
        for (index, number) in ruleNumbers.enumerated() {
            for hit in ruleHits[number] {
                var copy = hit
                copy.ruleIndex = index
                hits.append(copy)
            }
        }
        hits.append(contentsOf: certificateApproval(role))
        return hits
    }

    /// The risks of one rule.
    private static func inspect(_ rule: PolicyRule, index: Int) -> [Hit] {
        var hits: [Hit] = []
        let restricted = !rule.resourceNames.isEmpty
        let allVerbs = rule.verbs.contains("*")
        let allGroups = rule.apiGroups.contains("*")
        let wildcardResources = rule.resources.filter { $0 == "*" || $0.hasPrefix("*/") }
        if allVerbs && allGroups && rule.resources.contains("*") {
            hits.append(Hit(checkID: "W100", detail: "'*' verbs on '*' resources in '*' API groups", ruleIndex: index, restrictedByName: restricted))
        } else {
            if allVerbs {
                hits.append(Hit(checkID: "W101", detail: "'*' verbs on \(rule.resources.joined(separator: ", "))", ruleIndex: index, restrictedByName: restricted))
            }
            if !wildcardResources.isEmpty {
                hits.append(
                    Hit(
                        checkID: "W102", detail: "resources \(wildcardResources.joined(separator: ", ")) with verbs \(rule.verbs.joined(separator: ", "))",
                        ruleIndex: index, restrictedByName: restricted))
            }
            if allGroups {
                hits.append(Hit(checkID: "W103", detail: "'*' API groups for \(rule.resources.joined(separator: ", "))", ruleIndex: index, restrictedByName: restricted))
            }
        }
        for capability in capabilities {
            let verbs = capability.verbs.filter { grantsVerb(rule, $0) }
            guard !verbs.isEmpty else { continue }
            let resources = capability.resources.filter { resource in capability.groups.contains { grants(rule, group: $0, resource: resource) } }
            guard !resources.isEmpty else { continue }
            hits.append(
                Hit(
                    checkID: capability.checkID, detail: "\(verbs.joined(separator: ", ")) on \(resources.joined(separator: ", "))",
                    ruleIndex: index, restrictedByName: restricted, severityOverride: capability.severityOverride))
        }
        let workloads = workloadResources.filter { grants(rule, group: $0.0, resource: $0.1) }.map(\.1)
        if grantsVerb(rule, "create"), !workloads.isEmpty {
            hits.append(Hit(checkID: "W106", detail: "create on \(workloads.joined(separator: ", "))", ruleIndex: index, restrictedByName: restricted))
        }
        return hits
    }

    /// W117 needs three rights, possibly from different rules of the same role.
    private static func certificateApproval(_ role: RBACRole) -> [Hit] {
        var hits: [Hit] = []
        guard role.rules.contains(where: { $0.apiGroups.contains("certificates.k8s.io") || $0.apiGroups.contains("*") }) else { return hits }
        let canCreate = role.rules.firstIndex { grantsVerb($0, "create") && grants($0, group: "certificates.k8s.io", resource: "certificatesigningrequests") }
        let canApprove = role.rules.contains {
            ($0.verbs.contains("update") || $0.verbs.contains("patch") || $0.verbs.contains("*"))
                && grants($0, group: "certificates.k8s.io", resource: "certificatesigningrequests/approval")
        }
        let canSign = role.rules.contains { grantsVerb($0, "approve") && grants($0, group: "certificates.k8s.io", resource: "signers") }
        if let canCreate, canApprove, canSign {
            hits.append(Hit(checkID: "W117", detail: certificateApprovalDetail, ruleIndex: canCreate, restrictedByName: false))
        }
        return hits
    }

    static func grantsVerb(_ rule: PolicyRule, _ verb: String) -> Bool {
        rule.verbs.contains("*") || rule.verbs.contains(verb)
    }

    /// Whether `rule` names `resource` (possibly `resource/subresource`) in `group`, with RBAC's wildcards.
    static func grants(_ rule: PolicyRule, group: String, resource: String) -> Bool {
        guard rule.apiGroups.contains("*") || rule.apiGroups.contains(group) else { return false }
        if rule.resources.contains("*") || rule.resources.contains(resource) { return true }
        if let slash = resource.firstIndex(of: "/") {
            return rule.resources.contains("*" + resource[slash...])
        }
        return false
    }
}
