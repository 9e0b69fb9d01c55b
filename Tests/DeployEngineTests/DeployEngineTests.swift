import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import RBAC
import ScopePlanning
import Testing
import WarrantTestSupport

/// The engine called directly, as `warrant deploy` and the agent call it, against the API test server.
@Suite(.timeLimit(.minutes(3))) struct DeployEngineTests {
    static let identity = DeployIdentity(
        ci: CIIdentity(system: .gitlab, actor: "alice.dev", actorSource: "GITLAB_USER_LOGIN", commit: "0123456789abcdef"),
        recordFields: JSONObject([("repository", "file:///srv/git/guestbook.git"), ("commitRange", "abc123..0123456789abcdef")]))

    static func configuration(_ change: (inout DeployConfiguration) -> Void = { _ in }) -> DeployConfiguration {
        var configuration = DeployConfiguration(namespace: "guestbook", toolVersion: "0.0.0-test", prune: true, wait: true, waitTimeout: .seconds(30))
        configuration.waitInterval = .milliseconds(100)
        change(&configuration)
        return configuration
    }

    static func manifests(namespace: String = "guestbook") throws -> DeployManifests {
        let (objects, kinds) = try guestbook()
        return try DeployManifests(objects: objects, kinds: kinds, namespace: namespace)
    }

    @Test func appliesRecordsWithTheCallersFieldsAndMakesNoWritesTheSecondTime() async throws {
        try await withEngineFixture { server, credential in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let recordFile = folder.appendingPathComponent("records.jsonl").path
            let engine = DeployEngine(configuration: Self.configuration { $0.recordFile = recordFile })
            let manifests = try Self.manifests()

            let log = EventLog()
            let first = try await withClient(credential) { client in
                try await engine.deploy(manifests, identity: Self.identity, client: client, reporter: log.reporter)
            }
            #expect(first.isSuccess, "\(String(describing: first.failure)) \(first.recordProblems)")
            #expect(first.result == .succeeded)
            #expect(first.applied.count == 6)
            #expect(Set(log.applied) == Set(manifests.objects.map(\.displayName)))
            #expect(log.events.contains { if case .ready(6) = $0 { return true } else { return false } })
            let record = try #require(first.record)
            #expect(record.id == first.deployID)
            #expect(log.recorded?.id == record.id)
            #expect(record.credential == "system:serviceaccount:guestbook:ci")
            #expect(record.identity.actor == "alice.dev")
            #expect(record.additionalFields["repository"] == "file:///srv/git/guestbook.git")
            #expect(record.durations["apply"] != nil && record.durations["wait"] != nil)
            let deployment = try #require(server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend"))
            #expect(deployment.annotations[DeployEngine.recordAnnotation] == first.deployID)
            #expect(deployment.content[path: ["metadata", "managedFields"]]?.arrayValue?.contains { $0["manager"] == "warrant" } == true)

            let writesBefore = server.requests.count
            let secondLog = EventLog()
            let second = try await withClient(credential) { client in
                try await engine.deploy(manifests, identity: Self.identity, client: client, reporter: secondLog.reporter)
            }
            #expect(second.isSuccess)
            #expect(second.applied.isEmpty && second.pruned.isEmpty)
            #expect(second.unchanged == 6)
            #expect(secondLog.sawNoChanges)
            #expect(secondLog.applied.isEmpty)
            // Only the record is written (history ConfigMap and Event) and the deploy Lease taken and
            // released: none of the deployed objects. (Access reviews are POSTs too, but write nothing.)
            let writes = server.requests.dropFirst(writesBefore).filter { $0.isWrite && !$0.isDryRun && $0.path.contains("/namespaces/guestbook/") }
            let lease = "/apis/coordination.k8s.io/v1/namespaces/guestbook/leases/warrant-applyset"
            #expect(
                writes.map(\.path).filter { $0 != lease }.sorted() == [
                    "/api/v1/namespaces/guestbook/configmaps/warrant-history", "/api/v1/namespaces/guestbook/events",
                ])
            #expect(writes.filter { $0.path == lease }.count >= 2, "taken and released (and renewed when the deploy took longer than 2 s)")

            // The chain holds both records, the caller's fields inside the digest.
            let records = try history(on: server)
            #expect(records.map(\.id) == [first.deployID, second.deployID])
            #expect(RecordChain.verify(records).isEmpty)
            #expect(records.allSatisfy { $0.isIntact && $0.additionalFields["commitRange"] == "abc123..0123456789abcdef" })
            let lines = try String(contentsOfFile: recordFile, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 2)
        }
    }

    @Test func aFieldManagerOfTheCallersOwnOwnsWhatItApplies() async throws {
        try await withEngineFixture(options: DeployOptions(), hook: nil) { server, credential in
            let engine = DeployEngine(
                configuration: Self.configuration {
                    $0.fieldManager = "warrant-agent"
                    $0.prune = false
                    $0.wait = false
                })
            let outcome = try await withClient(credential) { client in
                try await engine.deploy(try Self.manifests(), identity: Self.identity, client: client)
            }
            #expect(outcome.isSuccess, "\(String(describing: outcome.failure))")
            let service = try #require(server.object(group: "", kind: "Service", namespace: "guestbook", name: "frontend"))
            let managers = service.content[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
            #expect(managers == ["warrant-agent"])
        }
    }

    /// Cancelling the caller's task stops the wait; the record is still written, as interrupted.
    @Test func cancellationIsRecordedAsInterrupted() async throws {
        let stuck: @Sendable (inout KubeObject, ChangeEvent) -> Void = { _, _ in }  // Deployments never become ready
        try await withEngineFixture(options: DeployOptions(wait: true), hook: stuck) { server, credential in
            let engine = DeployEngine(
                configuration: Self.configuration {
                    $0.prune = false
                    $0.waitTimeout = .seconds(120)
                })
            let manifests = try Self.manifests()
            let log = EventLog()
            let task = Task {
                try await withClient(credential) { client in
                    try await engine.deploy(manifests, identity: Self.identity, client: client, reporter: log.reporter)
                }
            }
            // Generous: the whole suite shares two cores with the in-process API test servers.
            let deadline = ContinuousClock.now + .seconds(90)
            while !log.sawWaitStatus, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(log.sawWaitStatus, "the deploy reached the wait")
            task.cancel()
            let outcome = try await task.value
            #expect(outcome.result == .interrupted)
            #expect(outcome.failure?.code == .interrupted)
            #expect(outcome.applied.count == 6, "what was done before the interruption is in the outcome")
            let record = try #require(outcome.record)
            #expect(record.result == .interrupted)
            #expect(try history(on: server).last?.result == .interrupted)
            #expect(server.objects(group: "", kind: "Event", namespace: "guestbook").contains { $0.content["reason"] == "DeployFailed" })
        }
    }

    @Test func aCredentialThatHoldsTooMuchOrTooLittleIsATypedErrorAndNothingChanges() async throws {
        try await withEngineFixture { server, _ in
            let engine = DeployEngine(configuration: Self.configuration())
            let manifests = try Self.manifests()
            let broad = await #expect(throws: DeployError.self) {
                try await withClient(connection(to: server, token: KubeTestServer.adminToken)) { client in
                    try await engine.deploy(manifests, identity: Self.identity, client: client)
                }
            }
            #expect(broad?.code == .broadCredential)
            #expect(broad?.details.contains { $0.hasPrefix("wildcard:") } == true)

            try server.seed(try objects(TestData.binding("bob", to: "view", in: "guestbook")))
            server.addUser(token: "bob-token-456", name: "bob")
            let weak = await #expect(throws: DeployError.self) {
                try await withClient(connection(to: server, token: "bob-token-456")) { client in
                    try await engine.deploy(manifests, identity: Self.identity, client: client)
                }
            }
            #expect(weak?.code == .missingPermissions)
            #expect(weak?.details.isEmpty == false)
            #expect(weak?.description.contains("nothing was changed") == true)
            #expect(server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend") == nil)
            #expect(try history(on: server).isEmpty, "a refused pre-flight changes nothing, not even the history")
        }
    }

    @Test func aPruneBeyondTheLimitFailsWithATypedErrorInTheOutcomeAndTheRecord() async throws {
        try await withEngineFixture(options: DeployOptions(prune: true), hook: nil) { server, credential in
            let manifests = try Self.manifests()
            let full = DeployEngine(configuration: Self.configuration { $0.wait = false })
            let first = try await withClient(credential) { client in try await full.deploy(manifests, identity: Self.identity, client: client) }
            #expect(first.isSuccess)
            let smaller = try DeployManifests(
                objects: manifests.objects.filter { $0.kind != "ConfigMap" }, kinds: manifests.kinds, namespace: "guestbook")
            let limited = DeployEngine(
                configuration: Self.configuration {
                    $0.wait = false
                    $0.maxPrune = .count(0)
                    $0.allowBroadCredential = true
                })
            let outcome = try await withClient(credential) { client in try await limited.deploy(smaller, identity: Self.identity, client: client) }
            #expect(outcome.result == .failed)
            let failure = try #require(outcome.failure)
            #expect(failure.code == .pruneLimit)
            #expect(failure.details == ["ConfigMap/frontend-settings"])
            #expect(outcome.record?.message == failure.summary)
            #expect(server.object(group: "", kind: "ConfigMap", namespace: "guestbook", name: "frontend-settings") != nil)
        }
    }

    @Test func invalidManifestsAreATypedErrorBeforeAnyRequest() throws {
        let (objects, kinds) = try guestbook()
        let elsewhere = objects.map { object -> KubeObject in
            var moved = object
            moved.namespace = "other"
            return moved
        }
        #expect {
            _ = try DeployManifests(objects: elsewhere, kinds: kinds, namespace: "guestbook")
        } throws: { error in
            let error = try #require(error as? DeployError)
            return error.code == .invalidManifests && error.details.count == objects.count && error.details.allSatisfy { $0.contains("other") }
        }
    }

    @Test("no objects is an invalid-manifests error before any request unless the caller allows it (issue 18, point 3)")
    func noObjectsAreRefusedUnlessAllowed() throws {
        let (_, kinds) = try guestbook()
        #expect {
            _ = try DeployManifests(objects: [], kinds: kinds, namespace: "guestbook")
        } throws: { error in
            let error = try #require(error as? DeployError)
            return error.code == .invalidManifests && error.message.contains("no objects") && error.hint?.contains("--allow-empty") == true
        }
        let allowed = try DeployManifests(objects: [], kinds: kinds, namespace: "guestbook", allowingEmpty: true)
        #expect(allowed.objects.isEmpty)
    }

    @Test func theInstallerRefusesWhatTheCallerDoesNotHoldAndChangesNothing() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(TestData.namespace("guestbook", user: "bob", clusterRole: "view")))
            server.addUser(token: "bob-token-456", name: "bob")
            let credential = try guestbookCredential(name: "ci", namespace: "guestbook", options: DeployOptions(), tokenSecret: false)
            let installer = CredentialInstaller(configuration: .init(name: "ci", namespace: "guestbook", token: .request(expirationSeconds: 600)))
            let error = await #expect(throws: CredentialError.self) {
                try await withClient(connection(to: server, token: "bob-token-456")) { client in
                    try await installer.install(credential.documents, role: credential.role, client: client)
                }
            }
            #expect(error?.code == .missingRights)
            #expect(error?.details.isEmpty == false)
            #expect(server.object(group: "", kind: "ServiceAccount", namespace: "guestbook", name: "ci") == nil)
        }
    }
}
