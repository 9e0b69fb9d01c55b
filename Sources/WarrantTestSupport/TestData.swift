public import Foundation

/// Paths to the project's fixtures and the shared real-world corpus.
public enum TestData {
    /// The package's root folder.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // WarrantTestSupport
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()

    /// `../shared/testdata/manifests` next to the checkout, or `nil` when it is absent (a user's
    /// fresh clone); tests that need it are skipped then, with that reason.
    public static let sharedManifests: URL? = {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata/manifests")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// `../shared/testdata/schemas`, or `nil` when absent.
    public static let sharedSchemas: URL? = {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata/schemas")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// The path of a file in the shared corpus; only call when ``sharedManifests`` is not `nil`.
    public static func sharedManifest(_ name: String) -> String {
        sharedManifests!.appendingPathComponent(name).path
    }

    /// The `Examples/` folder shipped with Warrant.
    public static var examples: URL { packageRoot.appendingPathComponent("Examples") }

    /// A RoleBinding `<user>-admin` that makes `user` an administrator of `namespace` (the
    /// built-in `admin` ClusterRole), as YAML: the seed of most namespace-level tests, on the
    /// API test server and on the real one.
    public static func administratorBinding(_ user: String, in namespace: String) -> String {
        binding(user, to: "admin", in: namespace)
    }

    /// A RoleBinding `<user>-<clusterRole>` of the ClusterRole `clusterRole` (`view`, `edit`,
    /// `admin`) to `user` in `namespace`, as YAML.
    public static func binding(_ user: String, to clusterRole: String, in namespace: String) -> String {
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: \(user)-\(clusterRole), namespace: \(namespace)}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \(clusterRole)}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: \(user)}]

        """
    }

    /// A Namespace and ``administratorBinding(_:in:)`` in it, as YAML (for an API test server's seed).
    public static func namespace(_ namespace: String, administrator user: String) -> String {
        self.namespace(namespace, user: user, clusterRole: "admin")
    }

    /// A Namespace and ``binding(_:to:in:)`` in it, as YAML (for an API test server's seed).
    public static func namespace(_ namespace: String, user: String, clusterRole: String) -> String {
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(namespace)}\n---\n" + binding(user, to: clusterRole, in: namespace)
    }
}

/// A temporary folder that is removed when the body returns.
public func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async rethrows -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-test-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

/// Writes `text` to `name` inside `folder`, creating subfolders, and returns the path.
@discardableResult
public func writeFile(_ text: String, named name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url.path
}
