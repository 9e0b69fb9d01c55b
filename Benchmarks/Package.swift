// swift-tools-version: 6.2
// Warrant's benchmarks (ordo-one/benchmark). Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "WarrantBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Warrant", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "generate-synthetic",
            dependencies: [
                .product(name: "KubeModel", package: "Warrant"),
                .product(name: "RBAC", package: "Warrant"),
            ]
        ),
        .executableTarget(
            name: "generate-audit-log",
            dependencies: [
                .product(name: "Evidence", package: "Warrant"),
                .product(name: "Delivery", package: "Warrant"),
                .product(name: "KubeModel", package: "Warrant"),
            ]
        ),
        .executableTarget(
            name: "kube-test-server",
            dependencies: [
                .product(name: "KubeTestServer", package: "Warrant"),
                .product(name: "KubeModel", package: "Warrant"),
            ]
        ),
        .executableTarget(
            name: "WarrantBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KubeModel", package: "Warrant"),
                .product(name: "RBAC", package: "Warrant"),
                .product(name: "Audit", package: "Warrant"),
                .product(name: "KubeAPI", package: "Warrant"),
                .product(name: "KubeTestServer", package: "Warrant"),
                .product(name: "Evidence", package: "Warrant"),
            ],
            path: "Benchmarks/WarrantBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
