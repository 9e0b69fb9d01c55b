import Delivery
import KubeAPI
import KubeModel
import RBAC
import ScopePlanning

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

    /// The deploy's record fits the history ConfigMap, were every object applied: else the
    /// deploy would change the cluster and then fail to record it. No request; nothing changes
    /// before.
    func checkRecordSize(_ manifests: DeployManifests) throws(DeployError) {
        let store = HistoryStore(name: configuration.historyName, namespace: namespace)
        let size = store.recordSize(applying: manifests.objects.lazy.map(ObjectReference.init))
        guard let compressed = size.compressed, compressed > store.sizeLimit else { return }
        throw DeployError(
            .recordTooLarge,
            "the record of this deploy of \(manifests.objects.count) objects would take more than \(store.sizeLimit) bytes even compressed (at least \(compressed)), more than the history ConfigMap \(namespace)/\(store.name) holds; nothing was changed",
            hint: "hint: " + HistoryStore.tooLargeHint, summary: "the deploy's record would not fit the history")
    }

    /// The credential holds what the deploy needs and, unless allowed, nothing more: no
    /// wildcard, nothing cluster-wide, nothing beyond `scope --for warrant`. Nothing changes before.
    ///
    /// The two SelfSubjectRulesReviews and discovery (which the apply needs next) run at once:
    /// none depends on another, and each costs a round trip.
    func preflight(client: KubeClient, required: [PolicyRule]) async throws {
        let checkBreadth = !configuration.allowBroadCredential
        async let discovery = Self.discover(client)
        async let namespaceRules = client.selfSubjectRules(namespace: namespace)
        // Whatever holds in a namespace the deploy never touches is granted cluster-wide.
        async let probeRules = checkBreadth ? client.selfSubjectRules(namespace: "warrant-preflight-probe").rules : []
        let held = try await namespaceRules
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
        guard checkBreadth else {
            await discovery
            return
        }
        var broad: [String] = []
        for rule in held.rules where !Self.isBaseline(rule) {
            if rule.hasWildcard {
                broad.append("wildcard: \(rule)")
            } else if !PolicyComparator.covers(required + configuration.ownRules, PolicyComparator.breakdown(rule)).covered {
                broad.append("more than this deploy needs: \(rule)")
            }
        }
        for rule in try await probeRules where !Self.isBaseline(rule) {
            broad.append("cluster-wide: \(rule)")
        }
        guard !broad.isEmpty else {
            await discovery
            return
        }
        throw DeployError(
            .broadCredential, "the credential holds more than this deploy needs (least privilege); nothing was changed:", details: broad,
            hint: "create a scoped one with 'warrant credentials create', or pass --allow-broad-credential",
            summary: "the credential holds more than this deploy needs")
    }

    /// Discovery ahead of its first use. A failure is not the pre-flight's to report: the first
    /// request that needs the mapping discovers again and reports it there.
    private static func discover(_ client: KubeClient) async {
        do {
            _ = try await client.restMapper()
        } catch {
            return
        }
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
