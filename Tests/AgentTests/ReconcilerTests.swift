import Agent
import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Synchronization
import Testing
import WarrantTestSupport

/// The reconcile loop against the API test server, with real git and real SSH signatures.
@Suite(.timeLimit(.minutes(3)))
struct ReconcilerTests {
    /// A repository with one signed commit, an API test server with namespace `shop` where the
    /// agent's ServiceAccount holds only the Role ``AgentRole`` derives for `manifests`.
    struct World {
        let fixture: GitFixture
        let alice: SSHKey
        let server: KubeTestServer
        let configuration: AgentConfiguration
        let first: CommitID

        static let token = "agent-token-shop"

        var agentConnection: ClusterConnection {
            ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: "shop", credentials: .token(Self.token),
                origin: "test")
        }

        static func make(in folder: URL, manifests: String = appManifests("v1"), wait: Bool = false) async throws -> World {
            let fixture = try await GitFixture.make(in: folder)
            let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
            let signers = try fixture.allowedSigners([alice.allowedSignersLine()])
            let first = try await fixture.commit("app v1", files: ["deploy/app.yaml": manifests], signer: .ssh(alice))
            try await fixture.push()
            let configuration = try agentConfiguration(
                fixture, namespace: "shop", allowedSigners: signers, extra: wait ? [.wait: "true"] : [:])
            let server = try await KubeTestServer.start()
            try server.seed(try ManifestLoader().load(bytes: Array("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n".utf8), file: "ns.yaml"))
            try server.seed(try agentRBAC(namespace: "shop", manifests: manifests, configuration: configuration))
            server.addUser(token: token, name: "system:serviceaccount:shop:warrant-agent")
            return World(fixture: fixture, alice: alice, server: server, configuration: configuration, first: first)
        }

        /// ``make(in:manifests:wait:)`` for the length of `body`: the API test server is shut
        /// down when `body` returns or throws.
        static func with<T>(
            in folder: URL, manifests: String = appManifests("v1"), wait: Bool = false, _ body: (World) async throws -> T
        ) async throws -> T {
            let world = try await make(in: folder, manifests: manifests, wait: wait)
            let result: T
            do {
                result = try await body(world)
            } catch {
                try? await world.server.shutdown()
                throw error
            }
            try? await world.server.shutdown()
            return result
        }

        func withAgent<T: Sendable>(now: @escaping @Sendable () -> Date = { Date() }, _ body: (Reconciler) async throws -> T) async throws -> T {
            let connection = agentConnection
            let configuration = configuration
            return try await KubeClient.with(connection, credentials: CredentialSource(connection: connection)) { client in
                try await body(try makeReconciler(configuration, client: client, now: now))
            }
        }

        func admin<T: Sendable>(_ body: (KubeClient) async throws -> T) async throws -> T {
            server.addUser(token: "admin-token-shop", name: "admin", groups: ["system:masters"])
            let connection = ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: "shop",
                credentials: .token("admin-token-shop"), origin: "test")
            return try await KubeClient.with(connection, credentials: CredentialSource(connection: connection), body)
        }
    }

    /// A poll that finds the branch where it was costs one `git ls-remote` and no API request.
    @Test func aPollThatFindsNothingNewRunsOneLsRemoteAndNoAPIRequest() async throws {
        try await withTemporaryDirectory { folder in
            try await World.with(in: folder) { world in
                let connection = world.agentConnection
                try await KubeClient.with(connection, credentials: CredentialSource(connection: connection)) { client in
                    let logs = LogCapture()
                    let reconciler = try makeReconciler(world.configuration, client: client, logs: logs)
                    var state = try await reconciler.resume()
                    guard case .deployed = await reconciler.step(&state) else {
                        Issue.record("not deployed")
                        return
                    }
                    let requestsBefore = world.server.requests.count
                    let linesBefore = logs.all.count
                    for _ in 0..<3 {
                        guard case .unchanged = await reconciler.step(&state) else {
                            Issue.record("not unchanged")
                            return
                        }
                    }
                    let programs = logs.all.dropFirst(linesBefore).filter { $0.contains("run ") && $0.contains("arguments=") }
                    #expect(programs.count == 3, "\(programs)")
                    #expect(programs.allSatisfy { $0.contains("ls-remote") }, "\(programs)")
                    #expect(world.server.requests.count == requestsBefore, "no API request")
                }
            }
        }
    }

    /// An OpenPGP-signed commit (a GnuPG key generated for the test) is applied, and the record
    /// names the key's user ID and fingerprint.
    @Test(.enabled(if: ToolPaths.current.gpg != nil, "gpg is not installed (gnupg)"))
    func anOpenPGPSignedCommitIsAppliedAndRecordedWithItsKey() async throws {
        try await withTemporaryDirectory { folder in
            try await World.with(in: folder) { world in
                let key = try await world.fixture.makeOpenPGPKey(userID: "Carol <carol@example.com>")
                let signers = try world.fixture.allowedSigners([world.alice.allowedSignersLine()])
                let configuration = try agentConfiguration(world.fixture, namespace: "shop", allowedSigners: signers, keyring: key.keyringFile)
                let tip = try await world.fixture.commit(
                    "v2 by carol", files: ["deploy/app.yaml": appManifests("v2")], signer: .openPGP(key), author: "Carol <carol@example.com>")
                try await world.fixture.push()
                await world.fixture.stopAgent(key)
                try await KubeClient.with(world.agentConnection, credentials: CredentialSource(connection: world.agentConnection)) { client in
                    let reconciler = try makeReconciler(configuration, client: client)
                    var state = try await reconciler.resume()
                    let step = await reconciler.step(&state)
                    guard case .deployed(_, let outcome) = step else {
                        Issue.record("not deployed: \(step)")
                        return
                    }
                    #expect(outcome.isSuccess)
                    let signer = try #require(outcome.record.flatMap(agentFields)?[path: ["commits"]]?.arrayValue?.first?["signer"])
                    #expect(signer["method"] == "openpgp")
                    #expect(signer["fingerprint"]?.stringValue?.uppercased() == key.fingerprint.uppercased())
                    #expect(signer["principal"]?.stringValue?.contains("carol@example.com") == true)
                    #expect(state.lastApplied == tip)
                }
            }
        }
    }

    @Test func theGitServerDownIsRetriedWithBackoffTheStatusSaysWhyAndTheLoopRecovers() async throws {
        try await withTemporaryDirectory { folder in
            try await World.with(in: folder) { world in
                let moved = world.fixture.remote + ".away"
                try FileManager.default.moveItem(atPath: world.fixture.remote, toPath: moved)
                try await world.withAgent { reconciler in
                    var state = try await reconciler.resume()
                    var delays: [Duration] = []
                    for _ in 0..<3 {
                        guard case .failed(let failure) = await reconciler.step(&state) else {
                            Issue.record("not a failure")
                            return
                        }
                        #expect(failure.stage == .git && failure.retrying)
                        delays.append(reconciler.delay(after: state))
                    }
                    #expect(delays == [.seconds(1), .seconds(2), .seconds(4)], "the interval (1s), doubled after each failure")
                    let status = try #require(try await AgentStatusStore(namespace: "shop").read(client: reconciler.client))
                    let problem = try #require(status.lastError)
                    #expect(problem.message.hasPrefix("git: "), "\(problem.message)")
                    #expect(problem.retrying)
                    #expect(status.lastApplied == nil)

                    try FileManager.default.moveItem(atPath: moved, toPath: world.fixture.remote)
                    guard case .deployed(_, let outcome) = await reconciler.step(&state) else {
                        Issue.record("did not recover")
                        return
                    }
                    #expect(outcome.isSuccess)
                    #expect(reconciler.delay(after: state) == .seconds(1), "back to the interval")
                    let recovered = try #require(try await AgentStatusStore(namespace: "shop").read(client: reconciler.client))
                    #expect(recovered.lastError == nil)
                    #expect(recovered.lastApplied?.commit == world.first)
                }
            }
        }
    }

    /// The repository gains a kind the Role does not grant: the engine's pre-flight names the
    /// missing permission, nothing is applied, and the status says what to add.
    @Test func aKindTheRoleLacksStopsThePreflightNamingThePermissionAndNothingIsApplied() async throws {
        try await withTemporaryDirectory { folder in
            try await World.with(in: folder) { world in
                try await world.withAgent { reconciler in
                    var state = try await reconciler.resume()
                    guard case .deployed = await reconciler.step(&state) else {
                        Issue.record("v1 not deployed")
                        return
                    }
                    let secret = "---\napiVersion: v1\nkind: Secret\nmetadata: {name: app-secret}\nstringData: {password: hunter2}\n"
                    try await world.fixture.commit("add a secret", files: ["deploy/app.yaml": appManifests("v2", extra: secret)], signer: .ssh(world.alice))
                    try await world.fixture.push()
                    guard case .failed(let failure) = await reconciler.step(&state) else {
                        Issue.record("not refused by the pre-flight")
                        return
                    }
                    #expect(failure.stage == .preflight)
                    #expect(failure.message.contains("lacks") && failure.message.contains("secrets"), "\(failure.message)")
                    #expect(failure.message.contains("warrant scope"), "says how to derive the Role")
                    #expect(!failure.message.contains("hunter2"))
                    #expect(state.lastApplied == world.first)
                    let status = try #require(try await AgentStatusStore(namespace: "shop").read(client: reconciler.client))
                    #expect(status.lastError?.message.contains("secrets") == true)
                }
                try await world.admin { client in
                    #expect(try await client.get(GroupKind(group: "", kind: "Secret"), namespace: "shop", name: "app-secret") == nil)
                    let value = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: "shop", name: "app-config")?.content[path: [
                        "data", "value",
                    ]]
                    #expect(value == "v1", "nothing of the commit was applied")
                }
            }
        }
    }

    /// A merge of two signed branches is applied and its record names both sides' commits; a
    /// merge that brings in an unsigned commit is refused.
    @Test func aMergeOfSignedBranchesIsAppliedAndAMergeBringingInAnUnsignedCommitIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            try await World.with(in: folder) { world in
                let fixture = world.fixture
                let bob = try await fixture.makeSSHKey(principal: "bob@example.com")
                let signers = try fixture.allowedSigners([world.alice.allowedSignersLine(), bob.allowedSignersLine()])
                var settings = AgentSettings()
                for (setting, value) in [
                    (AgentSetting.repo, fixture.url), (.branch, "main"), (.path, "deploy"), (.allowedSigners, signers), (.workDir, fixture.root + "/merge"),
                ] { settings.set(setting, value) }
                settings.set(.namespace, "shop", flag: "-n")
                let configuration = try AgentConfiguration(settings: settings)
                try await KubeClient.with(world.agentConnection, credentials: CredentialSource(connection: world.agentConnection)) { client in
                    let reconciler = try makeReconciler(configuration, client: client)
                    var state = try await reconciler.resume()
                    guard case .deployed = await reconciler.step(&state) else {
                        Issue.record("v1 not deployed")
                        return
                    }

                    try await fixture.git(["checkout", "--quiet", "-b", "feature"])
                    let side = try await fixture.commit(
                        "feature", files: ["deploy/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: feature-config}\ndata: {value: feature}\n"],
                        signer: .ssh(bob), author: "Bob <bob@example.com>")
                    try await fixture.git(["checkout", "--quiet", "main"])
                    let mainSide = try await fixture.commit("main side", signer: .ssh(world.alice))
                    let merge = try await fixture.merge("feature", signer: .ssh(world.alice))
                    try await fixture.push()
                    let step = await reconciler.step(&state)
                    guard case .deployed(let verdict, let outcome) = step else {
                        Issue.record("merge not deployed: \(step)")
                        return
                    }
                    #expect(Set(verdict.verified.map(\.id)) == [side, mainSide, merge])
                    let recorded = outcome.record.flatMap(agentFields)?[path: ["commits"]]?.arrayValue?.compactMap { $0["commit"]?.stringValue } ?? []
                    #expect(Set(recorded) == [side.hex, mainSide.hex, merge.hex])
                    let principals = outcome.record.flatMap(agentFields)?[path: ["signers"]]?.arrayValue?.compactMap { $0["principal"]?.stringValue } ?? []
                    #expect(Set(principals) == ["alice@example.com", "bob@example.com"])

                    try await fixture.git(["checkout", "--quiet", "-b", "sneaky"])
                    let unsigned = try await fixture.commit("unsigned", signer: nil, author: "Mallory <mallory@example.com>")
                    try await fixture.git(["checkout", "--quiet", "main"])
                    try await fixture.commit("main again", signer: .ssh(world.alice))
                    try await fixture.merge("sneaky", signer: .ssh(world.alice))
                    try await fixture.push()
                    guard case .refused(let refused, _) = await reconciler.step(&state) else {
                        Issue.record("not refused")
                        return
                    }
                    #expect(refused.refusals.map(\.commit) == [unsigned])
                    #expect(state.lastApplied == merge)
                }
            }
        }
    }

    /// A deploy of 62 objects with 10 % of API requests failing (503, dropped connections, 429) lands:
    /// the client's retries, as for `warrant deploy`.
    @Test func aDeployUnderTenPercentAPIFaultsLands() async throws {
        try await withTemporaryDirectory { folder in
            let many = (0..<60).map { "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\($0)}\ndata: {index: \"\($0)\"}\n" }.joined()
            try await World.with(in: folder, manifests: appManifests("v1", extra: many)) { world in
                world.server.inject(Fault.status(503).rate(0.04))
                world.server.inject(Fault.dropConnection.rate(0.03))
                world.server.inject(Fault.status(429, retryAfter: 0).rate(0.03))
                try await world.withAgent { reconciler in
                    var state = try await reconciler.resume()
                    var step = await reconciler.step(&state)
                    // A failure the client gave up on is retried by the loop on the next pass.
                    for _ in 0..<3 where step.isFailure { step = await reconciler.step(&state) }
                    guard case .deployed(_, let outcome) = step else {
                        Issue.record("not deployed: \(step)")
                        return
                    }
                    #expect(outcome.isSuccess, "\(String(describing: outcome.failure)) \(outcome.recordProblems)")
                }
                world.server.clearFaults()
                #expect(world.server.objects(group: "", kind: "ConfigMap", namespace: "shop").filter { $0.name.hasPrefix("c") }.count == 60)
                let requests = world.server.requests
                let faulted = requests.filter { [503, 429].contains($0.statusCode) }.count
                #expect(faulted > 0, "faults hit \(faulted) of \(requests.count) requests")
                try await world.admin { client in
                    let value = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: "shop", name: "app-config")?.content[path: [
                        "data", "value",
                    ]]
                    #expect(value == "v1")
                    let records = try await historyRecords(client, namespace: "shop")
                    #expect(records.last?.result == .succeeded)
                    #expect(RecordChain.verify(records).isEmpty)
                }
            }
        }
    }

    /// Cancelling the loop (what SIGTERM does in `warrant agent run`) while a deploy waits: the
    /// record says `interrupted`.
    @Test func cancellingTheLoopDuringADeployRecordsItAsInterrupted() async throws {
        let deployment = webDeployment()
        try await withTemporaryDirectory { folder in
            try await World.with(in: folder, manifests: appManifests("v1", extra: deployment), wait: true) { world in
                let steps = StepLog()
                try await world.withAgent { reconciler in
                    let loop = Task { await reconciler.run(onStep: { steps.append($0) }) }
                    // The Deployment never becomes available on the test server: the deploy waits.
                    var applied = false
                    for _ in 0..<100 where !applied {
                        try await Task.sleep(for: .milliseconds(100))
                        applied = try await resourceVersion(reconciler.client, "ConfigMap", namespace: "shop", name: "app-config") != nil
                    }
                    #expect(applied)
                    loop.cancel()
                    await loop.value
                }
                guard case .deployed(_, let outcome)? = steps.all.first else {
                    Issue.record("no deploy step: \(steps.all)")
                    return
                }
                #expect(outcome.result == .interrupted)
                #expect(
                    FileManager.default.fileExists(atPath: Reconciler.heartbeatFile(workingDirectory: world.configuration.workingDirectory)), "a pass ended")
                try await world.admin { client in
                    let records = try await historyRecords(client, namespace: "shop")
                    #expect(records.map(\.result) == [.interrupted])
                    #expect(records.first?.additionalFields["agent"]?[path: ["commits"]]?.arrayValue?.count == 1)
                }
            }
        }
    }
}

/// The steps a running loop reported.
final class StepLog: Sendable {
    private let storage = Mutex<[ReconcileStep]>([])
    func append(_ step: ReconcileStep) { storage.withLock { $0.append(step) } }
    var all: [ReconcileStep] { storage.withLock { $0 } }
}
