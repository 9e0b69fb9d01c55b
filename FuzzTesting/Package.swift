// swift-tools-version: 6.2
// libFuzzer targets for Warrant's input handling. Build and run with FuzzTesting/fuzz.sh.
import PackageDescription

let package = Package(
    name: "WarrantFuzzTesting",
    dependencies: [
        .package(name: "Warrant", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "FuzzManifestLoader",
            dependencies: [.product(name: "KubeModel", package: "Warrant")]
        )
    ]
)
