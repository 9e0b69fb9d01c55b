import Audit
import Foundation
import KubeAPI
import KubeModel
import RBAC
import Testing
import WarrantTestSupport
import WarrantTesting

/// The audit against a real kube-apiserver v1.36 (`../shared/kube`): generated RBAC corpora are
/// applied to it, and every capability the audit claims (each request of each live finding that
/// names a subject, for each such subject, and each request of each escalation step) is asked
/// of the API server with a SubjectAccessReview of the exact request. Zero false claims.
@Suite(.realCluster) struct RealClusterAuditTests {
    /// Corpora: `SyntheticRBAC` with risky rules, at these seeds.
    static let seeds: [UInt64] = [21, 22, 23, 24]
    /// Each corpus at this scale: 10 namespaces, about 220 RBAC objects.
    static let scale = 0.01
    /// Requests in flight at once.
    static let concurrency = 16

    @Test(.timeLimit(.minutes(5)))
    func everyClaimOfTheAuditIsAllowedByTheRealAPIServer() async throws {
        let cluster = try await RealCluster.shared()
        let started = ContinuousClock.now
        // Every corpus with names of its own: the cluster is shared with other tests.
        let corpora = Self.seeds.map { seed in
            SyntheticRBAC.objects(scale: Self.scale, seed: seed, options: .init(risky: true, prefix: "w\(RealCluster.suffix())-"))
        }
        let objects = corpora.flatMap { $0 }
        let namespaces = Set(objects.compactMap(\.namespace)).sorted()
        do {
            try await check(corpora: corpora, namespaces: namespaces, on: cluster, started: started)
        } catch {
            await Self.cleanUp(cluster: cluster, namespaces: namespaces, objects: objects)
            throw error
        }
        await Self.cleanUp(cluster: cluster, namespaces: namespaces, objects: objects)
    }

    private func check(corpora: [[KubeObject]], namespaces: [String], on cluster: RealCluster, started: ContinuousClock.Instant) async throws {
        let objects = corpora.flatMap { $0 }
        try await Self.applyConcurrently(
            namespaces.map { KubeObject(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string($0)]]) }, on: cluster)
        try await Self.applyConcurrently(objects, on: cluster)

        var all: [Claim] = []
        var missingRoles: [(binding: String, kind: String, namespace: String?, name: String)] = []
        for corpus in corpora {
            let policy = try RBACPolicy(objects: corpus)
            // Aggregation is done by the real controller-manager: wait until it has.
            try await Self.waitForAggregation(policy: policy, on: cluster)
            let report = Auditor().audit(objects: corpus, policy: policy)
            #expect(findingsWithoutClaims(report).isEmpty, "\(findingsWithoutClaims(report).prefix(3).map(\.message))")
            all += claims(of: report)
            for binding in policy.unresolvedBindings where report.findings.contains(where: { $0.checkID == "W206" && $0.binding == binding.description }) {
                missingRoles.append((binding.description, binding.roleRef.kind, binding.kind == .roleBinding ? binding.namespace : nil, binding.roleRef.name))
            }
        }
        let unique = Array(Set(all))
        let refused = try await Self.refusedClaims(unique, on: cluster)
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        print(
            "RealClusterAuditTests: \(corpora.count) corpora, \(objects.count) RBAC objects, \(unique.count) distinct claims checked with SubjectAccessReviews, \(refused.count) false, in about \(Int(seconds)) s"
        )
        #expect(unique.count > 1_000)
        // The corpora reach the checks the API server shapes requests for.
        let checks = Set(unique.map { String($0.source.prefix(4)) })
        for id in ["W104", "W106", "W111", "W113", "W114", "W115", "W117", "W121", "W201", "W301"] {
            #expect(checks.contains(id), "no claim of \(id) was checked")
        }
        let noFalseClaims = refused.isEmpty
        #expect(
            noFalseClaims,
            "\(refused.count) of \(unique.count) claims are false on the real API server:\n\(refused.prefix(10).map(\.description).joined(separator: "\n"))")
        // W206: the role a binding refers to really does not exist.
        try await cluster.admin { client in
            for missing in missingRoles {
                let role = try await client.get(GroupKind(group: RBACAPI.group, kind: missing.kind), namespace: missing.namespace, name: missing.name)
                #expect(role == nil, "\(missing.binding) refers to \(missing.kind) \(missing.name), which the audit says is missing, but it exists")
            }
        }
    }

    /// The claims the API server does not allow, asked concurrently.
    static func refusedClaims(_ claims: [Claim], on cluster: RealCluster) async throws -> [Claim] {
        try await cluster.admin { client in
            try await withThrowingTaskGroup(of: Claim?.self) { group in
                var refused: [Claim] = []
                var next = 0
                func submit() {
                    guard next < claims.count else { return }
                    let claim = claims[next]
                    next += 1
                    group.addTask {
                        let request = claim.request
                        let attributes =
                            request.isResourceRequest
                            ? AccessAttributes(
                                verb: request.verb, group: request.apiGroup, resource: request.resource, subresource: request.subresource,
                                name: request.name, namespace: request.namespace)
                            : AccessAttributes(verb: request.verb, nonResourceURL: request.path)
                        let user = claim.user
                        let allowed = try await client.subjectAccess(attributes, user: user.name, groups: user.groups).allowed
                        return allowed ? nil : claim
                    }
                }
                for _ in 0..<concurrency { submit() }
                while let result = try await group.next() {
                    if let result { refused.append(result) }
                    submit()
                }
                return refused.sorted { $0.description < $1.description }
            }
        }
    }

    /// Applies `objects` as the administrator, `concurrency` at a time.
    static func applyConcurrently(_ objects: [KubeObject], on cluster: RealCluster) async throws {
        try await cluster.admin { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                func submit() {
                    guard next < objects.count else { return }
                    let object = objects[next]
                    next += 1
                    group.addTask { _ = try await client.apply(object, fieldManager: "warrant-test-admin", force: true) }
                }
                for _ in 0..<concurrency { submit() }
                while try await group.next() != nil { submit() }
            }
        }
    }

    /// Waits until every aggregated ClusterRole of `policy` holds, on the cluster, the rules the
    /// policy resolves for it (as sets: the controller orders them its own way).
    static func waitForAggregation(policy: RBACPolicy, on cluster: RealCluster) async throws {
        let aggregated = policy.roles.filter { $0.kind == .clusterRole && $0.aggregationRule != nil }
        let deadline = ContinuousClock.now + .seconds(90)
        var pending = aggregated
        while !pending.isEmpty {
            pending = try await cluster.admin { client in
                var still: [RBACRole] = []
                for role in pending {
                    let live = try await client.get(GroupKind(group: RBACAPI.group, kind: "ClusterRole"), namespace: nil, name: role.name)
                    let rules = try live.map { try RBACRole($0).rules } ?? []
                    if Set(rules) != Set(role.rules) { still.append(role) }
                }
                return still
            }
            if pending.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                Issue.record("the controller-manager did not aggregate \(pending.map(\.name).prefix(5)) as the audit resolves them within 90 s")
                return
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Deletes what the test made: its namespaces and its cluster-scoped objects (the cluster
    /// may be reused across test runs, `WARRANT_KUBE_DIR`).
    static func cleanUp(cluster: RealCluster, namespaces: [String], objects: [KubeObject]) async {
        let clusterScoped = objects.filter { $0.kind.hasPrefix("Cluster") }.map { ($0.kind, $0.name) }
        _ = try? await cluster.admin { client in
            await withTaskGroup(of: Void.self) { group in
                for namespace in namespaces {
                    group.addTask { _ = try? await client.delete(GroupKind(group: "", kind: "Namespace"), namespace: nil, name: namespace) }
                }
                for (kind, name) in clusterScoped {
                    group.addTask { _ = try? await client.delete(GroupKind(group: RBACAPI.group, kind: kind), namespace: nil, name: name) }
                }
            }
        }
    }
}
