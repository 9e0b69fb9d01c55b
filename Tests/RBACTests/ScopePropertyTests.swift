import KubeModel
import RBAC
import ScopePlanning
import Testing
import WarrantTestSupport

/// A small deterministic generator (xorshift64*), so that failures reproduce.
private struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Namespaced built-in kinds a manifest may hold (RBAC kinds left out: they add escalation rules).
private let candidateKinds: [ResourceKind] = KindTable.builtin.kinds.filter {
    $0.namespaced && $0.group != RBACAPI.group && !$0.group.hasPrefix("authorization") && $0.kind != "Binding"
        && !$0.group.hasPrefix("authentication")
}

private func manifests(seed: UInt64) -> [KubeObject] {
    var generator = Generator(state: seed | 1)
    let count = 1 + generator.below(12)
    return (0..<count).map { index in
        let kind = candidateKinds[generator.below(candidateKinds.count)]
        let apiVersion = kind.group.isEmpty ? kind.preferredVersion : "\(kind.group)/\(kind.preferredVersion)"
        var value: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind.kind), "metadata": ["name": .string("object-\(index)")]]
        if generator.below(2) == 0 { value["metadata"]?["namespace"] = "team" }
        return KubeObject(value, source: SourceLocation(file: "generated.yaml", line: index * 5 + 1))
    }
}

private let methods: [(DeployMethod, DeployOptions)] = DeployMethod.allCases.flatMap { method in
    [DeployOptions(), DeployOptions(prune: true), DeployOptions(wait: true), DeployOptions(prune: true, wait: true)].map { (method, $0) }
}

/// `scope` is sufficient and minimal, per Kubernetes' RBAC semantics, for random manifests and every method.
@Test("derived Roles allow every planned request, deny others, and are minimal", .ownThread, arguments: 0..<40)
func derivedRolesAreSufficientAndMinimal(seed: Int) throws {
    let objects = manifests(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 7)
    let deployer = UserInfo.serviceAccount("ci", namespace: "team")
    let binding = RBACBinding.roleBinding("ci", namespace: "team", roleRef: .role("deployer"), subjects: [.serviceAccount("ci", namespace: "team")])
    for (method, options) in methods {
        let result = try ScopeDeriver(method: method, options: options, namespace: "team", roleName: "deployer")
            .derive(objects: objects, kinds: .builtin)
        let policy = RBACPolicy(roles: [result.role], bindings: [binding])
        let planned = result.requests.map { $0.accessRequest(user: deployer, namespace: "team") }
        // Sufficient: every request the method makes is allowed.
        for request in planned {
            #expect(policy.allows(request), "\(method) \(options): \(request) denied by \(result.role.rules)")
        }
        // Never a wildcard.
        #expect(!result.role.rules.contains { $0.verbs.contains("*") || $0.resources.contains("*") || $0.apiGroups.contains("*") })
        // Denied: the same requests in another namespace or cluster-wide, and requests nothing plans.
        for request in planned.prefix(20) {
            let elsewhere = AccessRequest(
                user: deployer, verb: request.verb, apiGroup: request.apiGroup, resource: request.resource, subresource: request.subresource,
                name: request.name, namespace: "other")
            #expect(!policy.allows(elsewhere), "\(elsewhere)")
            let clusterWide = AccessRequest(
                user: deployer, verb: request.verb, apiGroup: request.apiGroup, resource: request.resource, name: request.name)
            #expect(!policy.allows(clusterWide), "\(clusterWide)")
        }
        let plannedKeys = Set(planned.map { "\($0.verb) \($0.apiGroup) \($0.resource)" })
        let probes = [
            AccessRequest(user: deployer, verb: "create", resource: "pods", subresource: "exec", name: "x", namespace: "team"),
            AccessRequest(user: deployer, verb: "list", resource: "secrets", namespace: "team"),
            AccessRequest(user: deployer, verb: "deletecollection", apiGroup: "apps", resource: "deployments", namespace: "team"),
            AccessRequest(user: deployer, verb: "escalate", apiGroup: RBACAPI.group, resource: "roles", namespace: "team"),
            AccessRequest(user: deployer, verb: "get", resource: "nodes"),
            AccessRequest(user: deployer, verb: "patch", resource: "namespaces", name: "team"),
            AccessRequest(user: deployer, verb: "create", apiGroup: RBACAPI.group, resource: "clusterrolebindings"),
        ]
        for probe in probes
        where !plannedKeys.contains("\(probe.verb) \(probe.apiGroup) \(probe.resource)\(probe.subresource.isEmpty ? "" : "/\(probe.subresource)")") {
            #expect(!policy.allows(probe), "\(method): \(probe) should be denied")
        }
        // Minimal: without any single verb or resource of any rule, some planned request is denied.
        for (ruleIndex, rule) in result.role.rules.enumerated() {
            for verb in rule.verbs {
                var reduced = result.role
                reduced.rules[ruleIndex].verbs.removeAll { $0 == verb }
                let smaller = RBACPolicy(roles: [reduced], bindings: [binding])
                #expect(planned.contains { !smaller.allows($0) }, "\(method): verb \(verb) of \(rule) is not needed")
            }
            for resource in rule.resources {
                var reduced = result.role
                reduced.rules[ruleIndex].resources.removeAll { $0 == resource }
                let smaller = RBACPolicy(roles: [reduced], bindings: [binding])
                #expect(planned.contains { !smaller.allows($0) }, "\(method): resource \(resource) of \(rule) is not needed")
            }
        }
    }
}
