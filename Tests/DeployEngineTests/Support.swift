import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import RBAC
import ScopePlanning
import Synchronization
import Testing
import WarrantTestSupport

/// The guestbook example without its `metadata.namespace`, so that a deploy places it into any
/// namespace; and the kinds it is read with.
func guestbook() throws -> (objects: [KubeObject], kinds: KindTable) {
    let folder = TestData.examples.appendingPathComponent("guestbook").path
    let objects = try ManifestLoader().load([.path(folder)]).map { object -> KubeObject in
        var unplaced = object
        unplaced.namespace = nil
        return unplaced
    }
    return (objects, try KindTable.builtin.adding(customResourceDefinitionsIn: objects))
}

/// Objects from YAML text.
func objects(_ yaml: String) throws -> [KubeObject] {
    try ManifestLoader().load(bytes: Array(yaml.utf8), file: "seed.yaml")
}

/// The Role `warrant scope --for warrant` derives for the guestbook in `namespace`, and the
/// credential bundle around it.
func guestbookCredential(
    name: String, namespace: String, options: DeployOptions, tokenSecret: Bool
) throws -> (
    role: RBACRole, documents: [JSONValue]
) {
    let (objects, kinds) = try guestbook()
    let scope = try ScopeDeriver(method: .warrant, options: options, namespace: namespace, roleName: name).derive(objects: objects, kinds: kinds)
    let documents = CredentialBundle.documents(name: name, namespace: namespace, roleObject: scope.roleObject, tokenSecret: tokenSecret)
    return (scope.role, documents)
}

/// The connection to the test server as the holder of `token`.
func connection(to server: KubeTestServer, token: String, namespace: String = "guestbook") -> ClusterConnection {
    ClusterConnection(
        server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: namespace, credentials: .token(token),
        origin: "test")
}

/// Runs `body` with a client as the holder of `connection`.
func withClient<T: Sendable>(_ connection: ClusterConnection, _ body: (KubeClient) async throws -> T) async throws -> T {
    try await KubeClient.with(connection, credentials: CredentialSource(connection: connection), body)
}

/// A test server with namespace `guestbook`, alice as its administrator (the built-in admin
/// ClusterRole), and the CI credential `ci` installed by ``CredentialInstaller`` for a deploy
/// with `options`: runs `body` with the server and the credential's connection, and shuts the
/// server down when it returns or throws.
func withEngineFixture<T>(
    options: DeployOptions = DeployOptions(prune: true, wait: true),
    hook: (@Sendable (inout KubeObject, ChangeEvent) -> Void)? = makeDeploymentsAvailable,
    _ body: (KubeTestServer, ClusterConnection) async throws -> T
) async throws -> T {
    try await withKubeTestServer { server in
        if let hook { server.onChange(hook) }
        try server.seed(try objects(TestData.namespace("guestbook", administrator: "alice")))
        server.addUser(token: "alice-token-123", name: "alice")
        let alice = connection(to: server, token: "alice-token-123")
        let credential = try guestbookCredential(name: "ci", namespace: "guestbook", options: options, tokenSecret: true)
        let installer = CredentialInstaller(configuration: .init(name: "ci", namespace: "guestbook", token: .secret(timeout: .seconds(30))))
        let issued = try await withClient(alice) { client in try await installer.install(credential.documents, role: credential.role, client: client) }
        try await installer.verify(issued.connection(basedOn: alice), role: credential.role)
        return try await body(server, issued.connection(basedOn: alice))
    }
}

/// Collects the events a deploy reports, in order.
final class EventLog: Sendable {
    private let storage = Mutex<[DeployEvent]>([])

    var reporter: DeployReporter { DeployReporter { event in self.storage.withLock { $0.append(event) } } }

    var events: [DeployEvent] { storage.withLock { $0 } }

    /// The objects reported as applied.
    var applied: [String] {
        events.compactMap { event in
            if case .applied(let object, _, _) = event { return object }
            return nil
        }
    }

    var sawNoChanges: Bool { events.contains { if case .noChanges = $0 { return true } else { return false } } }
    var sawWaitStatus: Bool { events.contains { if case .waitStatus = $0 { return true } else { return false } } }
    var recorded: DeployRecord? {
        events.lazy.compactMap { event -> DeployRecord? in
            if case .recorded(let record) = event { return record }
            return nil
        }.first
    }
}

/// The records in the namespace's history ConfigMap on the test server.
func history(on server: KubeTestServer, namespace: String = "guestbook") throws -> [DeployRecord] {
    let configMaps = server.objects(group: "", kind: "ConfigMap", namespace: namespace).filter { $0.name.hasPrefix("warrant-history") }
    return try HistoryStore(name: "warrant-history", namespace: namespace).records(from: configMaps)
}
