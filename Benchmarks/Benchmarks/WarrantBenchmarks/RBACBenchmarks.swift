import Audit
import Benchmark
import KubeModel
import RBAC
import WarrantTesting

/// Synthetic RBAC at three times a big real cluster: about 4,100 Roles, 2,200 ClusterRoles (with
/// aggregation), 13,500 RoleBindings and 2,000 ClusterRoleBindings.
let syntheticRBAC = SyntheticRBAC.objects(scale: 1)
let syntheticRBACYAML = Array(YAMLWriter.write(documents: syntheticRBAC.map(\.content)).utf8)

func rbacBenchmarks() {
    let counts = SyntheticRBAC.counts(scale: 1)
    Benchmark(
        "audit \(counts.objects) RBAC objects (load YAML, build policy, audit)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], maxDuration: .seconds(30), maxIterations: 5)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let objects = try ManifestLoader().load(bytes: syntheticRBACYAML, file: "rbac.yaml")
            let policy = try RBACPolicy(objects: objects)
            blackHole(Auditor().audit(objects: objects, policy: policy))
        }
    }

    Benchmark(
        "audit \(counts.objects) RBAC objects (policy and audit only)",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(30), maxIterations: 5)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let policy = try RBACPolicy(objects: syntheticRBAC)
            blackHole(Auditor().audit(objects: syntheticRBAC, policy: policy))
        }
    }

    let policy = try! RBACPolicy(objects: syntheticRBAC)
    Benchmark(
        "who-can get secrets in one namespace (\(counts.objects) RBAC objects)",
        configuration: .init(metrics: [.wallClock], maxDuration: .seconds(10))
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(policy.whoCan(verb: "get", resource: "secrets", namespace: "ns-7"))
        }
    }

    let requests = SyntheticRBAC.requests(count: 100_000, scale: 1)
    Benchmark(
        "100,000 access checks (\(counts.objects) RBAC objects)",
        configuration: .init(metrics: [.wallClock, .cpuTotal], maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var allowed = 0
            for request in requests where policy.authorize(request).isAllowed { allowed += 1 }
            blackHole(allowed)
        }
    }
}
