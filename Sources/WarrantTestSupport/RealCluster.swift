public import Foundation
public import KubeAPI
public import KubeModel
import Synchronization

/// The real Kubernetes control plane in `../shared/kube` (etcd, kube-apiserver and
/// kube-controller-manager v1.36 on loopback, started by its `cluster.sh`), shared by every test of
/// one test process, as envtest is for Go operators.
///
/// Where the project's own API test server and this one disagree, this one is right. Tests that use
/// it are skipped where `../shared/kube` is absent (a user's fresh clone), with
/// ``unavailableReason`` printed:
///
/// ```swift
/// @Test(.realCluster)
/// func appliesOnTheRealServer() async throws {
///     let cluster = try await RealCluster.shared()
///     let namespace = try await cluster.makeNamespace("deploy")
///     …
/// }
/// ```
///
/// The first call starts the control plane in a temporary folder (5-10 s); a watchdog stops it and
/// removes the folder when the test process ends, however it ends. `WARRANT_KUBE_DIR` names a
/// folder where `cluster.sh start` already runs one, to reuse it across test runs while iterating.
/// Tests share the cluster: each works in namespaces of its own (``makeNamespace(_:)``) and gives
/// the cluster-scoped objects it creates names of its own.
public struct RealCluster: Sendable {
    /// The static tokens `cluster.sh` configures (`pki/tokens.csv`).
    public enum Token {
        /// User `admin`, group `system:masters`.
        public static let admin = "admin-token"
        /// User `alice`, group `developers`; no rights until bound.
        public static let alice = "alice-token"
        /// User `bob`, group `developers`; no rights until bound.
        public static let bob = "bob-token"
        /// User `ci-robot`, group `ci`; no rights until bound.
        public static let ci = "ci-token"
    }

    /// The folder `cluster.sh` runs the control plane in.
    public let directory: URL
    /// `https://127.0.0.1:PORT`.
    public let server: String
    /// The CA that signed the API server's certificate, a PEM file.
    public let caFile: String
    /// The CA's PEM text.
    public let caPEM: String
    /// The API server's audit log: `audit.k8s.io/v1` Events, one JSON object per line, level
    /// `Metadata` for every request.
    public let auditLog: String

    /// `cluster.sh` next to the checkout, or `nil` when absent.
    public static let script: URL? = {
        let url = TestData.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/kube/cluster.sh")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }()

    /// Why tests on the real API server are skipped here, or `nil` when they run.
    public static let unavailableReason: String? = {
        guard script != nil else {
            return "needs the real kube-apiserver in ../shared/kube (cluster.sh), which is absent next to this checkout"
        }
        for tool in ["xz", "openssl", "curl", "python3"] where !isOnPath(tool) {
            return "needs '\(tool)' to start the real kube-apiserver in ../shared/kube; install it"
        }
        return nil
    }()

    /// Whether the real control plane can be started here.
    public static var isAvailable: Bool { unavailableReason == nil }

    private static let started = Mutex<Task<RealCluster, any Error>?>(nil)

    /// The cluster of this test process, started on first use.
    public static func shared() async throws -> RealCluster {
        let task = started.withLock { task in
            if let task { return task }
            let new = Task { try await start() }
            task = new
            return new
        }
        return try await task.value
    }

    private static func start() async throws -> RealCluster {
        guard let script else { throw RealClusterError(message: unavailableReason ?? "no cluster.sh") }
        let environment = ProcessInfo.processInfo.environment
        let directory: URL
        var ownsCluster = false
        if let reused = environment["WARRANT_KUBE_DIR"], !reused.isEmpty {
            directory = URL(fileURLWithPath: reused)
        } else {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-kube-\(getpid())-\(UUID().uuidString.prefix(8))")
            ownsCluster = true
        }
        // cluster.sh leaves its daemons running. Started straight from Foundation's Process they
        // would inherit the socket through which Foundation learns that its child ended, and the
        // start would never be seen to finish; Python's subprocess closes every other descriptor.
        // With a folder of its own, a watchdog in a session of its own stops the control plane
        // once this process is gone, however it ends.
        let watchdog =
            ownsCluster
            ? "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; /bin/bash \"$1\" stop \"$2\"; rm -rf \"$2\"" : ""
        let launcher = """
            import subprocess, sys
            script, folder, watchdog = sys.argv[1:4]
            started = subprocess.run(["/bin/bash", script, "start", folder], stdin=subprocess.DEVNULL)
            if started.returncode == 0 and watchdog:
                subprocess.Popen(["/bin/sh", "-c", watchdog, "watchdog", script, folder], start_new_session=True,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            sys.exit(started.returncode)
            """
        let result = try await runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", launcher, script.path, directory.path, watchdog])
        guard result.status == 0 else {
            throw RealClusterError(message: "cluster.sh start failed (\(result.status)): \(result.error)")
        }
        var exports: [String: String] = [:]
        for line in result.output.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { exports[String(pair[0])] = String(pair[1]) }
        }
        guard let server = exports["WARRANT_KUBE_SERVER"], let ca = exports["WARRANT_KUBE_CA"], let audit = exports["WARRANT_KUBE_AUDIT_LOG"]
        else { throw RealClusterError(message: "cluster.sh printed no exports: \(result.output)") }
        let cluster = RealCluster(
            directory: directory, server: server, caFile: ca, caPEM: try String(contentsOfFile: ca, encoding: .utf8), auditLog: audit)
        try await cluster.waitUntilServing()
        return cluster
    }

    /// Waits until the API server serves discovery and the controller-manager has made the
    /// `default` ServiceAccount of `default` (the token controller runs).
    private func waitUntilServing() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                let ready = try await admin { client in
                    try await client.get(GroupKind(group: "", kind: "ServiceAccount"), namespace: "default", name: "default") != nil
                }
                if ready { return }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw RealClusterError(message: "the real API server did not become ready in 60 s: \(lastError.map { "\($0)" } ?? "no default ServiceAccount")")
    }

    /// The connection for `token`.
    public func connection(token: String, namespace: String = "default") -> ClusterConnection {
        ClusterConnection(
            server: server, certificateAuthorityPEM: Array(caPEM.utf8), namespace: namespace, credentials: .token(token),
            origin: "real kube-apiserver \(server)")
    }

    /// Runs `body` with a client authenticated by `token` (the administrator's by default).
    public func client<T: Sendable>(token: String = Token.admin, _ body: (KubeClient) async throws -> T) async throws -> T {
        let connection = connection(token: token)
        return try await KubeClient.with(connection, credentials: CredentialSource(connection.credentials), body)
    }

    /// Runs `body` with the administrator's client (`system:masters`).
    public func admin<T: Sendable>(_ body: (KubeClient) async throws -> T) async throws -> T {
        try await client(token: Token.admin, body)
    }

    /// Writes a kubeconfig for `token` into `folder` and returns its path.
    @discardableResult
    public func kubeconfig(token: String, namespace: String = "default", in folder: URL, named name: String = "kubeconfig") throws -> String {
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: real
              cluster:
                server: \(server)
                certificate-authority-data: \(Data(caPEM.utf8).base64EncodedString())
            users:
            - name: user
              user:
                token: \(token)
            contexts:
            - name: real
              context: {cluster: real, user: user, namespace: \(namespace)}
            current-context: real
            """
        let path = try writeFile(text, named: name, in: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    /// Creates a namespace named `PREFIX-RANDOM` and returns its name.
    public func makeNamespace(_ prefix: String) async throws -> String {
        let name = "\(prefix)-\(Self.suffix())"
        try await apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: \(name)}\n")
        return name
    }

    /// A fresh namespace (`prefix-` and a random suffix) in which `administrator` is a namespace
    /// administrator: bound to the built-in `admin` ClusterRole by a RoleBinding
    /// `<administrator>-admin`, as a platform team sets up a team's namespace.
    public func makeNamespace(_ prefix: String, administrator: String) async throws -> String {
        let name = try await makeNamespace(prefix)
        try await apply(TestData.administratorBinding(administrator, in: name))
        return name
    }

    /// A random lower-case suffix for names of objects that tests share the cluster with.
    public static func suffix() -> String {
        String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(8))
    }

    /// Applies every object of `yaml` as the administrator (server-side apply, field manager
    /// `warrant-test-admin`, forced), in document order; custom resources wait for their CRDs.
    public func apply(_ yaml: String, file: String = "seed.yaml") async throws {
        let objects = try ManifestLoader().load(bytes: Array(yaml.utf8), file: file)
        try await apply(objects)
    }

    /// Applies `objects` as the administrator, in order.
    public func apply(_ objects: [KubeObject]) async throws {
        try await admin { client in
            for object in objects {
                var attempt = 0
                while true {
                    do {
                        _ = try await client.apply(object, fieldManager: "warrant-test-admin", force: true)
                        break
                    } catch let error as KubeAPIError where attempt < 50 && (error.code == 404 || error.code == 409) {
                        // A CRD just created is not served yet, or a namespace is still being made.
                        attempt += 1
                        _ = try await client.restMapper(refresh: true)
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
            }
        }
    }

    /// A token for ServiceAccount `namespace/name` from the TokenRequest API (one hour).
    public func serviceAccountToken(namespace: String, name: String) async throws -> String {
        try await admin { client in
            try await client.requestToken(namespace: namespace, serviceAccount: name, expirationSeconds: 3600).token
        }
    }

    /// Asks the API server whether `user` in `groups` may make the request (SubjectAccessReview).
    public func allows(user: String, groups: [String] = [], _ attributes: AccessAttributes) async throws -> Bool {
        try await admin { client in try await client.subjectAccess(attributes, user: user, groups: groups).allowed }
    }

    private static func isOnPath(_ tool: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }
}

/// The real control plane could not be started or used.
public struct RealClusterError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }
}
