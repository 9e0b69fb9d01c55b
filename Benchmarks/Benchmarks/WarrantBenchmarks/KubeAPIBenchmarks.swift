import Benchmark
import KubeAPI
import KubeModel
import KubeTestServer

/// Server-side apply through the client against the project's API test server (TLS on loopback):
/// 200 ConfigMaps per iteration, created, one request at a time or 8 at once.
func kubeAPIBenchmarks() {
    for concurrency in [1, 8] {
        Benchmark(
            "server-side apply of 200 objects, \(concurrency) concurrent request\(concurrency == 1 ? "" : "s")",
            configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(30), maxIterations: 10)
        ) { benchmark in
            let server = try await KubeTestServer.start()
            try server.seed(try ManifestLoader().load(bytes: Array("apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n".utf8), file: "seed"))
            let connection = ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: "bench",
                credentials: .token(KubeTestServer.adminToken), origin: "benchmark")
            try await KubeClient.with(
                connection, credentials: CredentialSource(connection: connection),
                configuration: .init(userAgent: "warrant/benchmark", maximumConcurrentRequests: concurrency)
            ) { client in
                _ = try await client.restMapper()
                var round = 0
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    round += 1
                    let prefix = "r\(round)"
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for index in 0..<200 {
                            group.addTask {
                                let object = KubeObject([
                                    "apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": ["name": .string("\(prefix)-\(index)"), "namespace": "bench", "labels": ["app": "bench"]],
                                    "data": ["index": .string(String(index)), "payload": .string(String(repeating: "x", count: 512))],
                                ])
                                _ = try await client.apply(object, fieldManager: "warrant")
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                benchmark.stopMeasurement()
            }
            try await server.shutdown()
        }
    }
}
