import KubeAPI
import KubeModel
import RBAC

extension DeployEngine {
    /// The rules `warrant scope --for warrant` derives for these manifests and options.
    func requiredRules(_ manifests: DeployManifests) throws(DeployError) -> [PolicyRule] {
        do {
            return try ScopeDeriver(method: .warrant, options: configuration.scopeOptions, namespace: namespace, roleName: "deployer")
                .derive(objects: manifests.objects, kinds: manifests.kinds).role.rules
        } catch {
            throw DeployError(
                .invalidManifests, "the manifests cannot be deployed into \(namespace):", details: error.errors.map(\.description),
                summary: "\(error.errors.count) invalid object(s)", underlying: error)
        }
    }

    /// The credential holds what the deploy needs and, unless allowed, nothing more: no
    /// wildcard, nothing cluster-wide, nothing beyond `scope --for warrant`. Nothing changes before.
    func preflight(client: KubeClient, required: [PolicyRule]) async throws {
        let held = try await client.selfSubjectRules(namespace: namespace)
        let missing = PolicyComparator.covers(held.rules, required).uncovered
        if !missing.isEmpty {
            var flags = ""
            if configuration.prune { flags += " --prune" }
            if configuration.wait { flags += " --wait" }
            throw DeployError(
                .missingPermissions,
                "the credential lacks \(missing.count) permission(s) in \(namespace) that this deploy needs; nothing was changed:",
                details: missing.map { "\($0)" }, hint: "derive its Role with: warrant scope -f … -n \(namespace) --for warrant\(flags)",
                summary: "the credential lacks \(missing.count) permission(s)")
        }
        guard !configuration.allowBroadCredential else { return }
        var broad: [String] = []
        for rule in held.rules where !Self.isBaseline(rule) {
            if rule.hasWildcard {
                broad.append("wildcard: \(rule)")
            } else if !PolicyComparator.covers(required, PolicyComparator.breakdown(rule)).covered {
                broad.append("more than this deploy needs: \(rule)")
            }
        }
        // Whatever holds in a namespace the deploy never touches is granted cluster-wide.
        for rule in try await client.selfSubjectRules(namespace: "warrant-preflight-probe").rules where !Self.isBaseline(rule) {
            broad.append("cluster-wide: \(rule)")
        }
        guard !broad.isEmpty else { return }
        throw DeployError(
            .broadCredential, "the credential holds more than this deploy needs (least privilege); nothing was changed:", details: broad,
            hint: "create a scoped one with 'warrant credentials create', or pass --allow-broad-credential",
            summary: "the credential holds more than this deploy needs")
    }

    /// What every authenticated user holds (system:basic-user, system:discovery,
    /// system:public-info-viewer): never a reason to refuse a credential.
    static func isBaseline(_ rule: PolicyRule) -> Bool {
        if !rule.nonResourceURLs.isEmpty { return rule.verbs.allSatisfy { $0 == "get" } }
        let reviews: Set<String> = ["selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"]
        return rule.verbs == ["create"] && Set(rule.resources).isSubset(of: reviews)
            && Set(rule.apiGroups).isSubset(of: ["authorization.k8s.io", "authentication.k8s.io"])
    }
}
