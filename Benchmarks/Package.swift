// swift-tools-version: 6.2
// Warrant's benchmarks (ordo-one/benchmark). Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "WarrantBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Warrant", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .executableTarget(
            name: "generate-synthetic",
            dependencies: [
                .product(name: "KubeModel", package: "Warrant"),
                .product(name: "RBAC", package: "Warrant"),
                .product(name: "WarrantTesting", package: "Warrant"),
            ]
        ),
        .executableTarget(
            name: "generate-audit-log",
            dependencies: [
                .product(name: "Delivery", package: "Warrant"),
                .product(name: "KubeModel", package: "Warrant"),
                .product(name: "WarrantTesting", package: "Warrant"),
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
            name: "agent-loop",
            dependencies: [
                .product(name: "Agent", package: "Warrant"),
                .product(name: "DeployEngine", package: "Warrant"),
                .product(name: "KubeAPI", package: "Warrant"),
                .product(name: "KubeModel", package: "Warrant"),
                .product(name: "KubeTestServer", package: "Warrant"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "WarrantBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KubeModel", package: "Warrant"),
                .product(name: "RBAC", package: "Warrant"),
                .product(name: "ScopePlanning", package: "Warrant"),
                .product(name: "Audit", package: "Warrant"),
                .product(name: "KubeAPI", package: "Warrant"),
                .product(name: "KubeTestServer", package: "Warrant"),
                .product(name: "Evidence", package: "Warrant"),
                .product(name: "WarrantTesting", package: "Warrant"),
            ],
            path: "Benchmarks/WarrantBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
