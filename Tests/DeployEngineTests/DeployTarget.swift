import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Logging
import RBAC
import ScopePlanning
import Synchronization
import WarrantTestSupport

/// Where a test deploys: the project's API test server or the real kube-apiserver of
/// `../shared/kube`. Either way a fresh namespace, alice as its administrator (the built-in
/// `admin` ClusterRole), and a CI credential `ci` that ``CredentialInstaller`` created for the
/// manifests, scoped as `warrant scope --for warrant` derives.
struct DeployTarget: Sendable {
    enum Server: String, Sendable, CustomStringConvertible {
        case testServer = "the API test server"
        case real = "kube-apiserver"

        var description: String { rawValue }
    }

    let server: Server
    let namespace: String
    /// The CI credential's connection.
    let ci: ClusterConnection
    let testServer: KubeTestServer?
    let cluster: RealCluster?

    /// Prepares `server` for deploying `objects` with `options`.
    static func make(
        _ server: Server, objects: [KubeObject], kinds: KindTable, options: DeployOptions = DeployOptions(prune: true)
    )
        async throws -> DeployTarget
    {
        let namespace: String
        let alice: ClusterConnection
        var testServer: KubeTestServer?
        var cluster: RealCluster?
        switch server {
        case .testServer:
            let started = try await KubeTestServer.start()
            namespace = "shop-\(RealCluster.suffix())"
            try started.seed(
                try ManifestLoader().load(bytes: Array(TestData.namespace(namespace, administrator: "alice").utf8), file: "seed.yaml"))
            started.addUser(token: "alice-token-123", name: "alice")
            alice = connection(to: started, token: "alice-token-123", namespace: namespace)
            testServer = started
        case .real:
            let real = try await RealCluster.shared()
            namespace = try await real.makeNamespace("shop", administrator: "alice")
            alice = real.connection(token: RealCluster.Token.alice, namespace: namespace)
            cluster = real
        }
        let placed = objects.map { object -> KubeObject in
            var unplaced = object
            unplaced.namespace = nil
            return unplaced
        }
        let scope = try ScopeDeriver(method: .warrant, options: options, namespace: namespace, roleName: "ci").derive(objects: placed, kinds: kinds)
        let documents = CredentialBundle.documents(name: "ci", namespace: namespace, roleObject: scope.roleObject, tokenSecret: false)
        let installer = CredentialInstaller(configuration: .init(name: "ci", namespace: namespace, token: .request(expirationSeconds: 3600)))
        let issued = try await withClient(alice) { client in try await installer.install(documents, role: scope.role, client: client) }
        return DeployTarget(server: server, namespace: namespace, ci: issued.connection(basedOn: alice), testServer: testServer, cluster: cluster)
    }

    /// Deploys `objects` (placed into the namespace) with `configure`d settings as the CI credential.
    func deploy(
        _ objects: [KubeObject], kinds: KindTable, logger: Logger? = nil, reporter: DeployReporter = .silent,
        _ configure: (inout DeployConfiguration) -> Void = { _ in }
    ) async throws -> DeployOutcome {
        let placed = objects.map { object -> KubeObject in
            var unplaced = object
            unplaced.namespace = nil
            return unplaced
        }
        let manifests = try DeployManifests(objects: placed, kinds: kinds, namespace: namespace)
        var configuration = DeployConfiguration(namespace: namespace, toolVersion: "0.0.0-test", prune: true)
        configure(&configuration)
        let engine = DeployEngine(configuration: configuration, logger: logger ?? Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let identity = DeployIdentity(ci: CIIdentity(actor: "alice", actorSource: "--actor"))
        return try await withClient(ci) { client in try await engine.deploy(manifests, identity: identity, client: client, reporter: reporter) }
    }

    /// The live object, read as an administrator.
    func live(_ kind: GroupKind, _ name: String) async throws -> KubeObject? {
        if let testServer { return testServer.object(group: kind.group, kind: kind.kind, namespace: namespace, name: name) }
        guard let cluster else { return nil }
        return try await cluster.admin { client in try await client.get(kind, namespace: namespace, name: name) }
    }

    /// Each object's resourceVersion, by display name (nil when missing).
    func resourceVersions(_ objects: [KubeObject]) async throws -> [String: String] {
        var versions: [String: String] = [:]
        for object in objects {
            versions[object.kind + "/" + object.name] =
                try await live(object.groupKind, object.name)?.content[path: ["metadata", "resourceVersion"]]?.stringValue ?? "missing"
        }
        return versions
    }

    /// Every write the CI credential made to the namespace so far, as `VERB path`, dry runs left
    /// out: from the test server's request log, or kube-apiserver's audit log (`Metadata` level,
    /// one event per request at `ResponseComplete`).
    func writes() async throws -> [String] {
        if let testServer {
            return testServer.requests.filter { $0.isWrite && !$0.isDryRun && $0.path.contains("/namespaces/\(namespace)/") }
                .map { "\($0.method) \($0.path)" }
        }
        guard let cluster else { return [] }
        // The audit backend writes an event once the response is complete; give it a moment.
        try await Task.sleep(for: .milliseconds(300))
        let user = "system:serviceaccount:\(namespace):ci"
        let text = try String(contentsOfFile: cluster.auditLog, encoding: .utf8)
        var result: [String] = []
        for line in text.split(separator: "\n") where line.contains(user) {
            let event = try JSONValue.parseJSON(Array(line.utf8), source: "audit.log")
            guard event["stage"] == "ResponseComplete", event[path: ["user", "username"]]?.stringValue == user,
                let verb = event["verb"]?.stringValue, ["create", "update", "patch", "delete"].contains(verb),
                let uri = event["requestURI"]?.stringValue, !uri.contains("dryRun=All"), uri.contains("/namespaces/\(namespace)/")
            else { continue }
            result.append("\(verb) \(uri.split(separator: "?").first.map(String.init) ?? uri)")
        }
        return result
    }

    /// The namespace's deploy records, oldest first.
    func records() async throws -> [DeployRecord] {
        guard let history = try await live(GroupKind(group: "", kind: "ConfigMap"), "warrant-history") else { return [] }
        return try HistoryStore(namespace: namespace).records(from: [history])
    }

    func shutdown() async {
        try? await testServer?.shutdown()
    }

    /// Makes a target, runs `body` with it and shuts its API test server down, also when `body`
    /// throws.
    static func with<T>(
        _ server: Server, objects: [KubeObject], kinds: KindTable, options: DeployOptions = DeployOptions(prune: true),
        _ body: (DeployTarget) async throws -> T
    ) async throws -> T {
        let target = try await make(server, objects: objects, kinds: kinds, options: options)
        do {
            let result = try await body(target)
            await target.shutdown()
            return result
        } catch {
            await target.shutdown()
            throw error
        }
    }
}

/// Log messages in memory, for tests that check what the engine did.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "capture") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    var messages: [String] { storage.withLock { $0 } }

    fileprivate func append(_ line: String) { storage.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
