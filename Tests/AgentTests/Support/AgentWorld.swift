import Agent
import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import Logging
import RBAC
import Synchronization
import Testing
import WarrantTestSupport

/// A ConfigMap and a ServiceAccount: what the agent's test repositories deploy.
func appManifests(_ value: String, extra: String = "") -> String {
    """
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: app-config}
    data: {value: "\(value)"}
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: app}
    \(extra)
    """
}

/// A Deployment `web` to add to ``appManifests(_:extra:)``: on a server without a scheduler it
/// never becomes available, so a deploy that waits for it is still under way when a test stops it.
func webDeployment(image: String = "nginx") -> String {
    """
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: "\(image)"}]}
    """
}

/// The agent's configuration for a fixture's repository.
func agentConfiguration(
    _ fixture: GitFixture, namespace: String, allowedSigners: String, keyring: String? = nil, interval: String = "1s",
    extra: [AgentSetting: String] = [:]
) throws -> AgentConfiguration {
    var settings = AgentSettings()
    settings.set(.repo, fixture.url)
    settings.set(.branch, "main")
    settings.set(.path, "deploy")
    settings.set(.namespace, namespace, flag: "-n")
    settings.set(.allowedSigners, allowedSigners)
    if let keyring { settings.set(.gpgKeyring, keyring) }
    settings.set(.interval, interval)
    settings.set(.workDir, fixture.root + "/agent-" + UUID().uuidString.prefix(6))
    for (setting, value) in extra { settings.set(setting, value) }
    return try AgentConfiguration(settings: settings)
}

/// The ServiceAccount, the Role ``AgentRole`` derives for `manifests` and its RoleBinding.
func agentRBAC(namespace: String, manifests: String, configuration: AgentConfiguration) throws -> [KubeObject] {
    let objects = try ManifestLoader().load(bytes: Array(manifests.utf8), file: "deploy/app.yaml")
    let role = try AgentRole(objects: objects, kinds: .builtin, configuration: configuration)
    let binding = try ManifestLoader().load(
        bytes: Array(
            """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: warrant-agent, namespace: \(namespace)}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: warrant-agent, namespace: \(namespace)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: warrant-agent}
            subjects: [{kind: ServiceAccount, name: warrant-agent, namespace: \(namespace)}]
            """.utf8), file: "rbac.yaml")
    return [KubeObject(role.object)] + binding
}

/// Installs the agent for `fixture`'s repository into `namespace` of the real API server as a
/// namespace administrator would (its ServiceAccount, the Role for `manifests`, the RoleBinding):
/// the set-up of every real-cluster agent test. Returns the agent's configuration and its
/// ServiceAccount's token.
func installAgent(
    on cluster: RealCluster, _ fixture: GitFixture, namespace: String, allowedSigners: String, manifests: String = appManifests("v1"),
    extra: [AgentSetting: String] = [:]
) async throws -> (configuration: AgentConfiguration, token: String) {
    let configuration = try agentConfiguration(fixture, namespace: namespace, allowedSigners: allowedSigners, extra: extra)
    try await cluster.apply(try agentRBAC(namespace: namespace, manifests: manifests, configuration: configuration))
    return (configuration, try await cluster.serviceAccountToken(namespace: namespace, name: "warrant-agent"))
}

/// A reconcile loop over the real `git`, `ssh-keygen` and `gpg`.
func makeReconciler(
    _ configuration: AgentConfiguration, client: KubeClient, logs: LogCapture = LogCapture(), now: @escaping @Sendable () -> Date = { Date() }
) throws -> Reconciler {
    let logger = logs.logger(level: .trace)
    return Reconciler(
        configuration: configuration, source: GitRepositorySource(configuration: configuration, logger: logger),
        verifier: SignedCommitVerifier(configuration: configuration, logger: logger), client: client, toolVersion: "0.0.0-test", logger: logger,
        now: now)
}

/// The records of a namespace's history, oldest first.
func historyRecords(_ client: KubeClient, namespace: String) async throws -> [DeployRecord] {
    guard let history = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "warrant-history") else { return [] }
    return try HistoryStore(namespace: namespace).records(from: [history])
}

/// The `agent` member of a record.
func agentFields(_ record: DeployRecord) -> JSONValue? { record.additionalFields["agent"] }

/// The resourceVersion of an object, `nil` when it does not exist.
func resourceVersion(_ client: KubeClient, _ kind: String, namespace: String, name: String) async throws -> String? {
    try await client.get(GroupKind(group: "", kind: kind), namespace: namespace, name: name)?.content[path: ["metadata", "resourceVersion"]]?.stringValue
}

/// A mutable time for tests of the drift interval.
final class TestClock: Sendable {
    private let storage: Mutex<Date>
    init(_ start: Date = Date()) { storage = Mutex(start) }
    var now: Date { storage.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { storage.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

extension Sequence {
    /// `compactMap` with an async throwing transform, in order.
    func asyncCompactMap<T>(_ transform: (Element) async throws -> T?) async rethrows -> [T] {
        var result: [T] = []
        for element in self { if let value = try await transform(element) { result.append(value) } }
        return result
    }
}
