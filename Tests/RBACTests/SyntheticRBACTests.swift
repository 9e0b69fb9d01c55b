import Foundation
import KubeModel
import RBAC
import Testing
import WarrantTesting

@Suite("Synthetic RBAC")
struct SyntheticRBACTests {
    static let scale = 0.1
    static let policy: RBACPolicy = {
        do {
            return try RBACPolicy(objects: SyntheticRBAC.objects(scale: scale))
        } catch {
            fatalError("the synthetic policy does not load: \(error)")
        }
    }()

    @Test("counts at scale 0.1")
    func counts() {
        let objects = SyntheticRBAC.objects(scale: Self.scale)
        let counts = SyntheticRBAC.counts(scale: Self.scale)
        #expect(counts.namespaces == 100)
        #expect(objects.count == 410 + 220 + 1_350 + 200)
        #expect(objects.filter { $0.kind == "Role" }.count == 410)
        #expect(objects.filter { $0.kind == "ClusterRole" }.count == 220)
        #expect(objects.filter { $0.kind == "RoleBinding" }.count == 1_350)
        #expect(objects.filter { $0.kind == "ClusterRoleBinding" }.count == 200)
        #expect(SyntheticRBAC.counts(scale: 1).objects == 21_800)
        #expect(Self.policy.roles.count == 630)
        #expect(Self.policy.bindings.count == 1_550)
    }

    @Test("the same scale and seed give the same objects; another seed does not")
    func deterministic() {
        #expect(SyntheticRBAC.objects(scale: 0.02) == SyntheticRBAC.objects(scale: 0.02))
        #expect(SyntheticRBAC.objects(scale: 0.02, seed: 1) != SyntheticRBAC.objects(scale: 0.02, seed: 9))
        #expect(SyntheticRBAC.requests(count: 50, scale: 0.02) == SyntheticRBAC.requests(count: 50, scale: 0.02))
    }

    @Test("the deployer ServiceAccount of each namespace deploys there only")
    func deployers() {
        let deployer = UserInfo.serviceAccount("deployer", namespace: "ns-3")
        func can(_ verb: String, _ group: String, _ resource: String, _ namespace: String) -> Bool {
            Self.policy.allows(
                AccessRequest(user: deployer, verb: verb, apiGroup: group, resource: resource, namespace: namespace))
        }
        #expect(can("create", "apps", "deployments", "ns-3"))
        #expect(can("list", "", "configmaps", "ns-3"))
        #expect(!can("create", "apps", "deployments", "ns-4"))
        #expect(!can("get", "", "secrets", "ns-3"))
        #expect(!can("create", "apps", "deployments", ""))
        let grant = Self.policy.authorize(
            AccessRequest(user: deployer, verb: "create", apiGroup: "apps", resource: "deployments", namespace: "ns-3")
        ).grant
        #expect(grant?.binding.name == "deployer")
        #expect(grant?.subject == .serviceAccount("deployer", namespace: "ns-3"))
    }

    @Test("aggregation chains: alice is synthetic:admin in ns-0 only, viewers only read")
    func aggregation() throws {
        let alice = UserInfo(name: "alice")
        func aliceCan(_ verb: String, _ group: String, _ resource: String, _ namespace: String) -> Bool {
            Self.policy.allows(AccessRequest(user: alice, verb: verb, apiGroup: group, resource: resource, namespace: namespace))
        }
        #expect(aliceCan("create", RBACAPI.group, "roles", "ns-0"))
        #expect(aliceCan("delete", "apps", "deployments", "ns-0"))
        #expect(aliceCan("list", "", "pods", "ns-0"))
        #expect(aliceCan("get", "", "pods/log", "ns-0"))
        #expect(!aliceCan("list", "", "pods", "ns-1"))
        #expect(!aliceCan("list", "", "pods", ""))
        let admin = try #require(Self.policy.clusterRole(named: "synthetic:admin"))
        #expect(admin.rules.count > 3)
        #expect(Self.policy.aggregationSources(ofClusterRole: "synthetic:admin").contains("synthetic:edit"))

        let viewer = UserInfo(name: "viewer-1", groups: ["synthetic:viewers"])
        #expect(Self.policy.allows(AccessRequest(user: viewer, verb: "list", resource: "pods")))
        #expect(
            Self.policy.allows(
                AccessRequest(user: viewer, verb: "get", resource: "pods", subresource: "log", name: "p", namespace: "ns-7")))
        for verb in ["create", "update", "patch", "delete"] {
            #expect(
                !Self.policy.allows(
                    AccessRequest(user: viewer, verb: verb, apiGroup: "apps", resource: "deployments", namespace: "ns-7")))
        }
        let view = try #require(Self.policy.clusterRole(named: "synthetic:view"))
        #expect(view.rules.allSatisfy { $0.verbs.allSatisfy(["get", "list", "watch"].contains) })
    }

    @Test("bob's bindings refer to missing roles")
    func dangling() throws {
        let decision = Self.policy.authorize(
            AccessRequest(user: UserInfo(name: "bob"), verb: "get", resource: "pods", namespace: "ns-0"))
        guard case .denied(let denial) = decision else {
            Issue.record("expected a denial")
            return
        }
        #expect(denial.unresolvedBindings.map(\.name) == ["synthetic:dangling", "dangling"])
        #expect(Set(Self.policy.unresolvedBindings.map(\.name)).isSuperset(of: ["synthetic:dangling", "dangling"]))
    }

    @Test("synthetic requests mix allowed and denied answers")
    func requests() {
        let requests = SyntheticRBAC.requests(count: 2_000, scale: Self.scale)
        #expect(requests.count == 2_000)
        let allowed = requests.filter(Self.policy.allows).count
        #expect(allowed > 100)
        #expect(allowed < 1_900)
        // authorize and allows agree.
        for request in requests.prefix(300) {
            #expect(Self.policy.authorize(request).isAllowed == Self.policy.allows(request))
        }
    }

    @Test(
        "100,000 authorize calls against the full-size policy take under 3 s (release build)",
        .enabled(
            if: ProcessInfo.processInfo.environment["WARRANT_RBAC_PERF"] == "1", "set WARRANT_RBAC_PERF=1 in a release build"))
    func performance() throws {
        let clock = ContinuousClock()
        var policy: RBACPolicy?
        let objects = SyntheticRBAC.objects(scale: 1)
        var roles: [RBACRole] = []
        var bindings: [RBACBinding] = []
        let parse = try clock.measure {
            for object in objects {
                if object.kind.hasSuffix("Binding") {
                    bindings.append(try RBACBinding(object))
                } else {
                    roles.append(try RBACRole(object))
                }
            }
        }
        let index = clock.measure { policy = RBACPolicy(roles: roles, bindings: bindings) }
        let build = try clock.measure { _ = try RBACPolicy(objects: objects) }
        let full = try #require(policy)
        let requests = SyntheticRBAC.requests(count: 100_000, scale: 1)
        var allowed = 0
        let elapsed = clock.measure {
            for request in requests where full.authorize(request).isAllowed { allowed += 1 }
        }
        print(
            "RBAC: parsed \(objects.count) objects in \(parse), indexed in \(index), both in \(build); 100,000 authorize calls in \(elapsed), \(allowed) allowed"
        )
        #expect(elapsed < .seconds(3))
        #expect(allowed > 0)
    }
}
