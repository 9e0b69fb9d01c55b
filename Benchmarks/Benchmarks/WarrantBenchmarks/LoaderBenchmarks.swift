import Benchmark
import KubeModel
import RBAC
import ScopePlanning
import WarrantTesting

/// The 10,000-object manifest of issue 2: Deployments, Services, ConfigMaps, ServiceAccounts, Roles
/// and RoleBindings, about 8 MB of YAML.
let tenThousandObjects = Array(SyntheticManifests.yaml(objects: 10_000).utf8)

func loaderBenchmarks() {
    Benchmark(
        "load 10,000 objects (YAML, \(tenThousandObjects.count / 1024) KiB)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal], maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let objects = try ManifestLoader().load(bytes: tenThousandObjects, file: "synthetic.yaml")
            precondition(objects.count == 10_000)
            blackHole(objects)
        }
    }

    let json = Array(SyntheticManifests.values(objects: 10_000).map { JSONWriter.write($0, indent: 0) }.joined(separator: "\n").utf8)
    Benchmark(
        "load 10,000 objects (JSON stream, \(json.count / 1024) KiB)",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ManifestLoader().load(bytes: json, file: "synthetic.json"))
        }
    }
}

/// The same 10,000 objects in one namespace, as `warrant scope -n team-0` takes them.
let tenThousandObjectsOneNamespace = Array(SyntheticManifests.yaml(objects: 10_000, namespaces: 1).utf8)

func scopeBenchmarks() {
    Benchmark(
        "scope 10,000 objects (load YAML and derive the Role)",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let objects = try ManifestLoader().load(bytes: tenThousandObjectsOneNamespace, file: "synthetic.yaml")
            let result = try ScopeDeriver(method: .warrant, options: DeployOptions(prune: true, wait: true), namespace: "team-0", roleName: "ci")
                .derive(objects: objects, kinds: .builtin)
            blackHole(result)
        }
    }
}
