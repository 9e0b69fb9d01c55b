import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import RBAC
import ScopePlanning
import Synchronization
import Testing
import WarrantTestSupport

/// The engine and the credential installer against the real kube-apiserver of `../shared/kube`.
@Suite(.realCluster, .timeLimit(.minutes(3))) struct RealClusterDeployTests {
    /// A namespace administrator installs the CI credential (token Secret filled by the real
    /// token controller, verified as the new credential); the guestbook deploys with it, and a
    /// second deploy changes no deployed object.
    @Test func guestbookDeploysWithAnInstalledCredentialAndRedeploysWithoutChanges() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("engine", administrator: "alice")
        let alice = cluster.connection(token: RealCluster.Token.alice, namespace: namespace)
        let options = DeployOptions(prune: true)
        let credential = try guestbookCredential(name: "ci", namespace: namespace, options: options, tokenSecret: true)
        let installer = CredentialInstaller(configuration: .init(name: "ci", namespace: namespace, token: .secret(timeout: .seconds(60))))
        let events = CredentialEvents()
        let issued = try await withClient(alice) { client in
            try await installer.install(credential.documents, role: credential.role, client: client, reporter: events.reporter)
        }
        #expect(issued.certificateAuthorityPEM != nil, "the token controller puts ca.crt into the Secret")
        try await installer.verify(issued.connection(basedOn: alice), role: credential.role, reporter: events.reporter)
        #expect(events.all.contains(.verified(namespace: namespace, name: "ci", ruleCount: credential.role.rules.count, otherNamespace: "default")))

        let (objects, kinds) = try guestbook()
        let manifests = try DeployManifests(objects: objects, kinds: kinds, namespace: namespace)
        let engine = DeployEngine(configuration: DeployConfiguration(namespace: namespace, toolVersion: "0.0.0-test", prune: true))
        let identity = DeployIdentity(ci: CIIdentity(actor: "alice", actorSource: "--actor"))
        let ci = issued.connection(basedOn: alice)
        let first = try await withClient(ci) { client in try await engine.deploy(manifests, identity: identity, client: client) }
        #expect(first.isSuccess, "\(String(describing: first.failure)) \(first.recordProblems)")
        #expect(first.applied.count == objects.count)
        #expect(first.record?.credential == "system:serviceaccount:\(namespace):ci")

        func resourceVersions() async throws -> [String: String] {
            try await cluster.admin { client in
                var versions: [String: String] = [:]
                for object in manifests.objects {
                    let live = try #require(try await client.get(object.groupKind, namespace: namespace, name: object.name))
                    versions[object.displayName] = live.content[path: ["metadata", "resourceVersion"]]?.stringValue
                }
                return versions
            }
        }
        let before = try await resourceVersions()
        let log = EventLog()
        let second = try await withClient(ci) { client in
            try await engine.deploy(manifests, identity: identity, client: client, reporter: log.reporter)
        }
        #expect(second.isSuccess, "\(String(describing: second.failure)) \(second.recordProblems)")
        #expect(second.applied.isEmpty, "re-applied on the real server: \(second.applied.map(\.reference))")
        #expect(second.unchanged == objects.count)
        #expect(log.sawNoChanges)
        // The controllers write Deployments (status, the revision annotation) whenever they get to
        // them, which on a busy machine is after the first deploy; the CI credential's own writes
        // show in the record annotation, which names the deploy that last wrote the object.
        let controlled: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "HorizontalPodAutoscaler"]
        func uncontrolled(_ versions: [String: String]) -> [String: String] {
            versions.filter { !controlled.contains(String($0.key.split(whereSeparator: { $0 == " " || $0 == "/" })[0])) }
        }
        #expect(uncontrolled(try await resourceVersions()) == uncontrolled(before), "no deployed object was written")
        try await cluster.admin { client in
            for object in manifests.objects {
                let live = try #require(try await client.get(object.groupKind, namespace: namespace, name: object.name))
                #expect(live.annotations[DeployEngine.recordAnnotation] == first.deployID, "\(object.displayName) names the deploy that wrote it")
            }
        }

        let history = try await cluster.admin { client in
            try #require(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "warrant-history"))
        }
        let records = try HistoryStore(namespace: namespace).records(from: [history])
        #expect(records.map(\.id) == [first.deployID, second.deployID])
        #expect(RecordChain.verify(records).isEmpty)
    }
}

/// Collects the events the credential installer reports.
final class CredentialEvents: Sendable {
    private let storage = Mutex<[CredentialEvent]>([])

    var reporter: CredentialReporter { CredentialReporter { event in self.storage.withLock { $0.append(event) } } }

    var all: [CredentialEvent] { storage.withLock { $0 } }
}
