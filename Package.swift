// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Warrant",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "warrant", targets: ["warrant"]),
        .library(name: "KubeModel", targets: ["KubeModel"]),
        .library(name: "RBAC", targets: ["RBAC"]),
        .library(name: "ScopePlanning", targets: ["ScopePlanning"]),
        .library(name: "Audit", targets: ["Audit"]),
        .library(name: "Restrict", targets: ["Restrict"]),
        .library(name: "Delivery", targets: ["Delivery"]),
        .library(name: "KubeAPI", targets: ["KubeAPI"]),
        .library(name: "Evidence", targets: ["Evidence"]),
        .library(name: "DeployEngine", targets: ["DeployEngine"]),
        .library(name: "Agent", targets: ["Agent"]),
        .library(name: "AgentService", targets: ["AgentService"]),
        // For tests and benchmarks only (the benchmarks package links them); no product target
        // depends on them: the API test server and the synthetic corpora.
        .library(name: "KubeTestServer", targets: ["KubeTestServer"]),
        .library(name: "WarrantTesting", targets: ["WarrantTesting"]),
        .library(name: "WarrantCLI", targets: ["WarrantCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "KubeModel",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "RBAC",
            dependencies: ["KubeModel"]
        ),
        // Which requests a deploy makes and the least Role that allows them (`warrant scope`).
        .target(
            name: "ScopePlanning",
            dependencies: ["KubeModel", "RBAC"]
        ),
        .target(
            name: "Audit",
            dependencies: ["KubeModel", "RBAC"]
        ),
        .target(
            name: "Restrict",
            dependencies: ["KubeModel", "RBAC"]
        ),
        .target(
            name: "Delivery",
            dependencies: ["KubeModel", "RBAC", "ScopePlanning", "CZlib", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // zlib, for gzip-compressed audit logs and history records (Debian: zlib1g-dev).
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(
            name: "Evidence",
            dependencies: ["KubeModel", "RBAC", "ScopePlanning", "Delivery", "CZlib"]
        ),
        .target(
            name: "KubeAPI",
            dependencies: [
                "KubeModel",
                "RBAC",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DeployEngine",
            dependencies: [
                "KubeModel",
                "RBAC",
                "ScopePlanning",
                "Delivery",
                "KubeAPI",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Agent",
            dependencies: [
                "KubeModel",
                "RBAC",
                "ScopePlanning",
                "Delivery",
                "KubeAPI",
                "DeployEngine",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // glibc's malloc_trim, mallopt and getauxval, for the agent's memory (AgentService/ProcessMemory.swift).
        .systemLibrary(
            name: "CProcessMemory",
            path: "Sources/CProcessMemory"
        ),
        .target(
            name: "AgentService",
            dependencies: [
                "Agent",
                "CProcessMemory",
                "DeployEngine",
                "KubeAPI",
                "KubeModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "KubeTestServer",
            dependencies: [
                "KubeModel",
                "RBAC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Reports",
            dependencies: ["KubeModel", "RBAC", "Audit", "Restrict", "Delivery", "Evidence"]
        ),
        .target(
            name: "WarrantCLI",
            dependencies: [
                "KubeModel",
                "RBAC",
                "ScopePlanning",
                "Audit",
                "Restrict",
                "KubeAPI",
                "Delivery",
                "Evidence",
                "DeployEngine",
                "Reports",
                "Agent",
                "AgentService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "warrant",
            dependencies: ["WarrantCLI", "AgentService"]
        ),
        // The synthetic corpora (manifests, RBAC policies, audit logs) and their seeded random
        // source, for tests and benchmarks; no product target may depend on it.
        .target(
            name: "WarrantTesting",
            dependencies: ["KubeModel", "RBAC", "Delivery", "Evidence"]
        ),
        // Test helpers (RealCluster, runProcess, test data) for every test target; without the CLI.
        .target(
            name: "WarrantTestSupport",
            dependencies: ["KubeModel", "KubeAPI", "KubeTestServer", "CTestParallelism"]
        ),
        // Bounds how many tests run at once in the test binary (see its parallelism.c).
        .target(
            name: "CTestParallelism"
        ),
        // `runWarrant` and `warrantExecutable`: only the CLI's and the agent's tests link the CLI.
        .target(
            name: "WarrantCLITestSupport",
            dependencies: ["WarrantCLI"]
        ),
        .testTarget(
            name: "KubeModelTests",
            dependencies: ["KubeModel", "WarrantTesting", "WarrantTestSupport"]
        ),
        .testTarget(
            name: "RBACTests",
            dependencies: ["RBAC", "ScopePlanning", "Audit", "KubeModel", "WarrantTesting", "WarrantTestSupport"]
        ),
        .testTarget(
            name: "AuditTests",
            dependencies: ["Audit", "RBAC", "Reports", "KubeModel", "KubeAPI", "WarrantTesting", "WarrantTestSupport"]
        ),
        .testTarget(
            name: "RestrictTests",
            dependencies: ["Restrict", "Reports", "Audit", "RBAC", "KubeModel", "WarrantTestSupport"]
        ),
        .testTarget(
            name: "DeliveryTests",
            dependencies: ["Delivery", "KubeModel", "RBAC", "WarrantTestSupport"]
        ),
        .testTarget(
            name: "EvidenceTests",
            dependencies: ["Evidence", "Delivery", "KubeModel", "RBAC", "ScopePlanning", "Reports", "WarrantTesting", "WarrantTestSupport"]
        ),
        .testTarget(
            name: "KubeAPITests",
            dependencies: [
                "KubeAPI", "KubeTestServer", "KubeModel", "RBAC", "WarrantTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "DeployEngineTests",
            dependencies: ["DeployEngine", "Delivery", "KubeAPI", "KubeModel", "RBAC", "ScopePlanning", "KubeTestServer", "WarrantTestSupport"]
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent", "AgentService", "KubeModel", "Delivery", "DeployEngine", "KubeAPI", "KubeTestServer", "RBAC", "WarrantTestSupport",
                "WarrantCLITestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "WarrantCLITests",
            dependencies: [
                "WarrantCLI", "WarrantTestSupport", "WarrantCLITestSupport", "WarrantTesting", "KubeTestServer", "KubeAPI", "Delivery", "Evidence",
                "warrant",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ]
)

// Strict settings on every target (STYLE.md 3). CI sets WARRANT_WERROR=1 so that a
// warning fails the build there without breaking a user's build on a newer toolchain.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]
let warningsAsErrors: [SwiftSetting] =
    Context.environment["WARRANT_WERROR"] == "1" ? [.treatAllWarnings(as: .error)] : []

for target in package.targets where target.type != .plugin && target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSettings + warningsAsErrors
}
