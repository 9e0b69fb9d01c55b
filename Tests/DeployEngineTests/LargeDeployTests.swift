import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Testing
import WarrantTestSupport

/// Issue 18: deploys of many objects. At most ``DeployEngine/applyWindow`` objects of a stage are
/// in flight, each labelled as it is sent; a record too large for the history even compressed
/// is refused before anything changes.
@Suite(.timeLimit(.minutes(3)), .ownThread) struct LargeDeployTests {
    static let identity = DeployIdentity(ci: CIIdentity(system: .gitlab, actor: "alice.dev", actorSource: "GITLAB_USER_LOGIN", commit: "0123abcd"))

    /// `count` ConfigMaps without a namespace, each with its own data.
    static func configMaps(_ count: Int) -> [KubeObject] {
        (0..<count).map { index in
            KubeObject([
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("app-\(index)-config")],
                "data": ["index": .string("\(index)"), "LOG_LEVEL": "info"],
            ])
        }
    }

    static func configuration(dryRun: Bool = false) -> DeployConfiguration {
        DeployConfiguration(namespace: "shop", toolVersion: "0.0.0-test", dryRun: dryRun, allowBroadCredential: true)
    }

    @Test func aStageLargerThanTheWindowAppliesAndRecordsEveryObjectLabelledAsBefore() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(TestData.namespace("shop", administrator: "alice")))
            let manifests = try DeployManifests(objects: Self.configMaps(150), kinds: .builtin, namespace: "shop")
            let engine = DeployEngine(configuration: Self.configuration())
            let outcome = try await withClient(connection(to: server, token: KubeTestServer.adminToken, namespace: "shop")) { client in
                try await engine.deploy(ManifestHandoff(manifests), identity: Self.identity, client: client)
            }
            #expect(outcome.isSuccess, "\(String(describing: outcome.failure))")
            let record = try #require(outcome.record)
            #expect(record.applied.count == 150)
            // In the stage's order of names, as before the window.
            #expect(record.applied.map(\.reference.name) == manifests.objects.map(\.displayName).sorted().map { String($0.split(separator: "/").last!) })
            let applySet = ApplySet(namespace: "shop", version: "0.0.0-test")
            let labelled = try applySet.labeled(manifests.objects)
            for (entry, object) in zip(record.applied.sorted { $0.reference.name < $1.reference.name }, labelled.sorted { $0.name < $1.name }) {
                // The digest is of the object as labelled for the ApplySet, without the record annotation.
                #expect(entry.digest == CanonicalJSON.digest(object.content), "\(entry.reference)")
                let live = try #require(server.object(group: "", kind: "ConfigMap", namespace: "shop", name: object.name))
                #expect(live.labels[ApplySet.partOfLabel] == applySet.id)
                #expect(live.annotations[DeployEngine.recordAnnotation] == record.id)
            }
        }
    }

    @Test func aHandoffIsDeployedOnce() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(TestData.namespace("shop", administrator: "alice")))
            let handoff = ManifestHandoff(try DeployManifests(objects: Self.configMaps(2), kinds: .builtin, namespace: "shop"))
            let engine = DeployEngine(configuration: Self.configuration())
            try await withClient(connection(to: server, token: KubeTestServer.adminToken, namespace: "shop")) { client in
                let first = try await engine.deploy(handoff, identity: Self.identity, client: client)
                #expect(first.isSuccess)
                let again = await #expect(throws: DeployError.self) { try await engine.deploy(handoff, identity: Self.identity, client: client) }
                #expect(again?.code == .invalidManifests)
            }
        }
    }

    /// 40,000 objects: their record would take about 1.6 MB compressed (each digest is 32 bytes
    /// of entropy), more than the 900 KiB of the history ConfigMap. Seconds of synchronous work,
    /// which is why the suite runs each test on a thread of its own.
    @Test func aRecordThatCannotFitEvenCompressedIsRefusedBeforeAnythingChanges() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(TestData.namespace("shop", administrator: "alice")))
            let manifests = try DeployManifests(objects: Self.configMaps(40_000), kinds: .builtin, namespace: "shop")
            for dryRun in [false, true] {
                let engine = DeployEngine(configuration: Self.configuration(dryRun: dryRun))
                let error = await #expect(throws: DeployError.self) {
                    try await withClient(connection(to: server, token: KubeTestServer.adminToken, namespace: "shop")) { client in
                        try await engine.deploy(manifests, identity: Self.identity, client: client)
                    }
                }
                #expect(error?.code == .recordTooLarge)
                #expect(error?.description.contains("nothing was changed") == true, "\(String(describing: error))")
                #expect(error?.description.contains("--applyset") == true)
            }
            #expect(server.objects(group: "", kind: "ConfigMap", namespace: "shop").filter { $0.name.hasPrefix("app-") }.isEmpty)
            #expect(try history(on: server, namespace: "shop").isEmpty)
            #expect(server.objects(group: "coordination.k8s.io", kind: "Lease", namespace: "shop").isEmpty)
        }
    }
}
