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

/// Concurrent deploys into one namespace, called as the CLI and the agent call the engine, on the
/// API test server and on the real kube-apiserver: every deploy that reports a record has it in
/// the history, every record links to the one before, and deploys of one ApplySet run one after
/// the other.
@Suite(.timeLimit(.minutes(5))) struct ConcurrentRecordTests {
    struct Target: Sendable {
        var namespace: String
        var connection: ClusterConnection
        /// The API test server; `nil` on the real one.
        var server: KubeTestServer? = nil
    }

    static func onTestServer(_ body: (Target) async throws -> Void) async throws {
        let server = try await KubeTestServer.start()
        do {
            try server.seed(try objects("apiVersion: v1\nkind: Namespace\nmetadata: {name: fire}\n"))
            let connection = ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: "fire",
                credentials: .token(KubeTestServer.adminToken), origin: "test")
            try await body(Target(namespace: "fire", connection: connection, server: server))
            try await server.shutdown()
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    static func onRealServer(_ body: (Target) async throws -> Void) async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("fire")
        try await body(Target(namespace: namespace, connection: cluster.connection(token: RealCluster.Token.admin, namespace: namespace)))
    }

    /// A small app: a ConfigMap with `version`, a Secret named after `secret`, a Service.
    static func app(_ namespace: String, name: String = "app", version: String, secret: String) throws -> DeployManifests {
        let loaded = try objects(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: \(name)-config}
            data: {version: "\(version)"}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: \(name)-\(secret)}
            stringData: {password: "pw-\(secret)"}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: \(name)}
            spec:
              selector: {app: \(name)}
              ports: [{port: 80}]
            """)
        return try DeployManifests(objects: loaded, kinds: .builtin, namespace: namespace)
    }

    static func configuration(
        _ namespace: String, applySet: String = "warrant-applyset", prune: Bool = true, manager: String = "warrant"
    )
        -> DeployConfiguration
    {
        var configuration = DeployConfiguration(
            namespace: namespace, toolVersion: "0.0.0-test", fieldManager: manager, prune: prune, applySetName: applySet,
            allowBroadCredential: true, lockTimeout: .seconds(120))
        // Renewed often, but lost only after 40 s without a renewal: these tests are about
        // records and turns, not about timing, and must hold on a loaded machine (the whole
        // suite runs in parallel with the API test server in the same process).
        configuration.leaseDuration = .seconds(60)
        configuration.leaseRenewDeadline = .seconds(40)
        configuration.leaseRetryPeriod = .milliseconds(300)
        configuration.lockPollInterval = .milliseconds(100)
        configuration.recordTimeout = .seconds(120)
        return configuration
    }

    static func deploy(
        _ target: Target, _ manifests: DeployManifests, _ configuration: DeployConfiguration, actor: String
    ) async throws
        -> DeployOutcome
    {
        try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
            try await DeployEngine(configuration: configuration).deploy(
                manifests, identity: DeployIdentity(ci: CIIdentity(actor: actor, actorSource: "--actor")), client: client)
        }
    }

    static func records(_ target: Target) async throws -> [DeployRecord] {
        try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
            let head = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: target.namespace, name: "warrant-history")
            return try HistoryStore(namespace: target.namespace).records(from: head.map { [$0] } ?? [])
        }
    }

    // MARK: - Many ApplySets at once: the history is a compare-and-swap

    /// 20 deploys of 20 ApplySets at the same moment: no Lease is shared, every append races
    /// for the one history ConfigMap, and none is lost (with and without prune).
    static func twentySetsAtOnce(_ target: Target, prune: Bool) async throws {
        let outcomes = try await withThrowingTaskGroup(of: DeployOutcome.self) { group in
            for index in 0..<20 {
                let manifests = try app(target.namespace, name: "app\(index)", version: "1", secret: "s")
                group.addTask {
                    try await deploy(target, manifests, configuration(target.namespace, applySet: "set-\(index)", prune: prune), actor: "deployer-\(index)")
                }
            }
            var all: [DeployOutcome] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.allSatisfy { $0.isSuccess }, "\(outcomes.compactMap(\.failure)) \(outcomes.flatMap(\.recordProblems))")
        let reported = Set(outcomes.compactMap { $0.record?.id })
        #expect(reported.count == 20)
        let records = try await records(target)
        #expect(records.count == 20, "every deploy that reported a record has it in the history")
        #expect(Set(records.map(\.id)) == reported)
        #expect(RecordChain.verify(records).isEmpty, "\(RecordChain.verify(records))")
        #expect(records.first?.previous == nil && zip(records, records.dropFirst()).allSatisfy { $1.previous == $0.digest })
    }

    @Test func twentySetsAtOnceOnTheTestServer() async throws {
        try await Self.onTestServer { try await Self.twentySetsAtOnce($0, prune: true) }
    }

    /// The history's update lands but its answer comes after the record's time limit: the deploy
    /// reads the history back and reports the record it holds, instead of "not written".
    @Test func aRecordWhoseAnswerCameTooLateIsReadBack() async throws {
        try await Self.onTestServer { target in
            let server = try #require(target.server)
            // The answer comes long after the limit, and the limit leaves the update time to land
            // even on a loaded machine.
            server.inject(.lateResponse(.seconds(20)).paths(prefix: "/api/v1/namespaces/fire/configmaps/warrant-history").method("PUT").count(1))
            var configuration = Self.configuration(target.namespace)
            configuration.recordTimeout = .seconds(8)
            let outcome = try await Self.deploy(target, try Self.app(target.namespace, version: "1", secret: "s"), configuration, actor: "late")
            #expect(outcome.isSuccess, "\(String(describing: outcome.failure))")
            #expect(outcome.recordProblems.isEmpty, "\(outcome.recordProblems)")
            let record = try #require(outcome.record, "the history holds the record, so the deploy reports it")
            #expect(try await Self.records(target).map(\.id) == [record.id])
        }
    }

    /// Without prune here (the CLI's pairs cover both on this server too).
    @Test(.realCluster) func twentySetsAtOnceOnTheRealServer() async throws {
        try await Self.onRealServer { try await Self.twentySetsAtOnce($0, prune: false) }
    }

    // MARK: - One ApplySet at once: the Lease serialises, the parent stays right

    /// 10 first deploys of one ApplySet with prune at the same moment, alternating two versions
    /// whose Secrets differ: none fails, none overlaps another (the Lease), each record is in the
    /// history, and the set ends with exactly the last deploy's members (no Secret left behind).
    static func tenDeploysOfOneSet(_ target: Target) async throws {
        /// Per deploy: its Secret, and when (on this clock) its first write and its record were reported.
        struct Run: Sendable {
            var outcome: DeployOutcome
            var secret: String
            var firstWrite: ContinuousClock.Instant?
            var recorded: ContinuousClock.Instant?
        }
        let runs = try await withThrowingTaskGroup(of: Run.self) { group in
            for index in 0..<10 {
                let secret = index % 2 == 0 ? "even" : "odd"
                let manifests = try app(target.namespace, version: "\(index)", secret: secret)
                group.addTask {
                    let times = Mutex<(ContinuousClock.Instant?, ContinuousClock.Instant?)>((nil, nil))
                    let reporter = DeployReporter { event in
                        times.withLock { times in
                            switch event {
                            case .applied, .pruned, .noChanges: if times.0 == nil { times.0 = .now }
                            case .recorded: times.1 = .now
                            default: break
                            }
                        }
                    }
                    let outcome = try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
                        try await DeployEngine(configuration: configuration(target.namespace)).deploy(
                            manifests, identity: DeployIdentity(ci: CIIdentity(actor: "deployer-\(index)", actorSource: "--actor")), client: client,
                            reporter: reporter)
                    }
                    let (first, recorded) = times.withLock { $0 }
                    return Run(outcome: outcome, secret: "app-\(secret)", firstWrite: first, recorded: recorded)
                }
            }
            var all: [Run] = []
            for try await run in group { all.append(run) }
            return all
        }
        let outcomes = runs.map(\.outcome)
        #expect(outcomes.allSatisfy { $0.isSuccess }, "\(outcomes.compactMap(\.failure)) \(outcomes.flatMap(\.recordProblems))")
        let records = try await records(target)
        #expect(records.count == 10)
        #expect(Set(records.map(\.id)) == Set(outcomes.compactMap { $0.record?.id }))
        #expect(RecordChain.verify(records).isEmpty)
        // Serialised: from its first write to its record, no deploy overlaps another.
        let spans = runs.compactMap { run in run.firstWrite.flatMap { first in run.recorded.map { (first, $0) } } }.sorted { $0.0 < $1.0 }
        #expect(spans.count == 10)
        for (earlier, later) in zip(spans, spans.dropFirst()) {
            #expect(earlier.1 < later.0, "one deploy's writes began before the previous one had recorded")
        }
        // The set holds exactly the last deploy's members: the other version's Secret was pruned.
        let last = try #require(runs.first { $0.outcome.record?.id == records.last?.id })
        try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
            var present: [String] = []
            for name in ["app-even", "app-odd"] where try await client.get(GroupKind(group: "", kind: "Secret"), namespace: target.namespace, name: name) != nil
            {
                present.append(name)
            }
            #expect(present == [last.secret], "the last deploy's Secret only, never both or none")
            let parent = try #require(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: target.namespace, name: "warrant-applyset"))
            #expect(ApplySet.recordedMembers(in: parent).map(\.name).sorted() == ["app", "app-config", last.secret].sorted())
            let lease = try #require(try await client.get(LeaseLock.leaseKind, namespace: target.namespace, name: "warrant-applyset"))
            #expect(LeaseRecord(lease: lease).isHeld == false, "released by the last deploy")
            #expect(LeaseRecord(lease: lease).leaseTransitions == 9, "ten holders, one after the other")
        }
    }

    @Test func tenDeploysOfOneSetOnTheTestServer() async throws {
        try await Self.onTestServer(Self.tenDeploysOfOneSet)
    }

    @Test(.realCluster) func tenDeploysOfOneSetOnTheRealServer() async throws {
        try await Self.onRealServer(Self.tenDeploysOfOneSet)
    }

    // MARK: - Two field managers

    /// `warrant` and `warrant-agent` take turns on one ApplySet and one history: neither
    /// conflicts with the other on the parent or the history. (The deployed objects' own fields
    /// do conflict between managers, as server-side apply means them to: those are taken over
    /// with forceConflicts here.)
    static func twoFieldManagers(_ target: Target) async throws {
        var ids: [String] = []
        for (index, manager) in ["warrant", "warrant-agent", "warrant", "warrant-agent"].enumerated() {
            let manifests = try app(target.namespace, version: "\(index)", secret: index % 2 == 0 ? "even" : "odd")
            var configuration = configuration(target.namespace, manager: manager)
            configuration.forceConflicts = true
            let outcome = try await deploy(target, manifests, configuration, actor: manager)
            #expect(outcome.isSuccess, "\(manager): \(String(describing: outcome.failure)) \(outcome.recordProblems)")
            ids += outcome.record.map { [$0.id] } ?? []
        }
        let records = try await records(target)
        #expect(records.map(\.id) == ids)
        #expect(RecordChain.verify(records).isEmpty)
    }

    @Test func twoFieldManagersOnTheTestServer() async throws {
        try await Self.onTestServer(Self.twoFieldManagers)
    }

    @Test(.realCluster) func twoFieldManagersOnTheRealServer() async throws {
        try await Self.onRealServer(Self.twoFieldManagers)
    }

    // MARK: - The agent's record paths

    /// The agent's other records race CLI deploys for the history like any deploy: refusals
    /// (``DeployEngine/recordRefusal(_:identity:client:reporter:)``) and drift re-applies
    /// (``DeployConfiguration/recordUnchanged`` off) at the same moment as deploys of other sets
    /// all land, chained; the re-applies that changed nothing record nothing and still give the
    /// set's Lease back (a deploy that will not wait for it runs right after).
    static func agentRecordsRaceDeploys(_ target: Target) async throws {
        let first = try await deploy(target, try app(target.namespace, version: "1", secret: "s"), configuration(target.namespace), actor: "ci")
        #expect(first.isSuccess, "\(String(describing: first.failure)) \(first.recordProblems)")
        var agent = configuration(target.namespace, manager: "warrant-agent")
        agent.forceConflicts = true
        agent.recordUnchanged = false
        let agentConfiguration = agent
        let outcomes = try await withThrowingTaskGroup(of: (String, DeployOutcome).self) { group in
            for index in 0..<6 {
                group.addTask {
                    let outcome = try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
                        await DeployEngine(configuration: agentConfiguration).recordRefusal(
                            "commit \(index) is not signed", identity: DeployIdentity(ci: CIIdentity(actor: "agent", actorSource: "--actor")), client: client)
                    }
                    return ("refusal", outcome)
                }
            }
            for _ in 0..<3 {
                let manifests = try app(target.namespace, version: "1", secret: "s")
                group.addTask { ("re-apply", try await deploy(target, manifests, agentConfiguration, actor: "agent")) }
            }
            for index in 0..<4 {
                let manifests = try app(target.namespace, name: "other\(index)", version: "1", secret: "s")
                group.addTask {
                    ("deploy", try await deploy(target, manifests, configuration(target.namespace, applySet: "other-\(index)"), actor: "ci-\(index)"))
                }
            }
            var all: [(String, DeployOutcome)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        for (kind, outcome) in outcomes {
            #expect(outcome.failure == nil && outcome.recordProblems.isEmpty, "\(kind): \(String(describing: outcome.failure)) \(outcome.recordProblems)")
        }
        #expect(outcomes.filter { $0.0 == "refusal" }.allSatisfy { $0.1.result == .refused && $0.1.record != nil })
        #expect(outcomes.filter { $0.0 == "re-apply" }.allSatisfy { $0.1.record == nil && $0.1.applied.isEmpty }, "nothing drifted: no record")
        let reported = [first.record?.id].compactMap { $0 } + outcomes.compactMap { $0.1.record?.id }
        #expect(reported.count == 1 + 6 + 4)
        let records = try await records(target)
        #expect(records.count == reported.count, "every reported record is in the history")
        #expect(Set(records.map(\.id)) == Set(reported))
        #expect(records.filter { $0.result == .refused }.count == 6)
        #expect(RecordChain.verify(records).isEmpty, "\(RecordChain.verify(records))")
        var now = configuration(target.namespace)
        now.lockTimeout = .zero
        let after = try await deploy(target, try app(target.namespace, version: "2", secret: "s"), now, actor: "ci")
        #expect(after.isSuccess, "the re-applies released the Lease: \(String(describing: after.failure))")
    }

    @Test func agentRecordsRaceDeploysOnTheTestServer() async throws {
        try await Self.onTestServer(Self.agentRecordsRaceDeploys)
    }

    @Test(.realCluster) func agentRecordsRaceDeploysOnTheRealServer() async throws {
        try await Self.onRealServer(Self.agentRecordsRaceDeploys)
    }

    // MARK: - The Lease seen from a deploy

    /// A deploy of a set whose Lease another holder has: with no wait it fails naming the holder
    /// and changes nothing; waiting, it runs once the holder releases. A deploy whose Lease is
    /// taken from under it stops, and records that.
    @Test func aHeldLockIsWaitedForOrRefusedAndALostOneStopsTheDeploy() async throws {
        try await Self.onTestServer { target in
            try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
                let other = try LeaseLock(
                    LeaseLock.Configuration(
                        namespace: target.namespace, name: "warrant-applyset", identity: "20990101T000000Z-0000beef mallory\u{1B}[2J",
                        leaseDuration: .seconds(60), renewDeadline: .seconds(40), retryPeriod: .milliseconds(500)),
                    client: client)
                try await other.acquire(timeout: .zero)
                let manifests = try Self.app(target.namespace, version: "1", secret: "s")
                var refusing = Self.configuration(target.namespace)
                refusing.lockTimeout = .zero
                let refused = await #expect(throws: DeployError.self) {
                    _ = try await Self.deploy(target, manifests, refusing, actor: "alice")
                }
                #expect(refused?.code == .locked)
                #expect(refused?.description.contains("held by 20990101T000000Z-0000beef mallory\\u{1B}[2J since") == true, "\(String(describing: refused))")
                #expect(refused?.description.contains("\u{1B}") == false)
                #expect(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: target.namespace, name: "app-config") == nil)
                #expect(try await Self.records(target).isEmpty, "a refused deploy changes nothing and records nothing")

                let log = EventLog()
                async let waited = KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
                    try await DeployEngine(configuration: Self.configuration(target.namespace)).deploy(
                        manifests, identity: DeployIdentity(ci: CIIdentity(actor: "bob", actorSource: "--actor")), client: client, reporter: log.reporter)
                }
                // Released once the deploy says it waits for it.
                let deadline = ContinuousClock.now + .seconds(60)
                while !log.events.contains(where: {
                    if case .waitingForLock(_, let holder) = $0 { holder.holderIdentity?.hasPrefix("20990101T") == true } else { false }
                }),
                    ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(log.applied.isEmpty, "nothing is applied while the other deploy holds the Lease")
                #expect(await other.release())
                let outcome = try await waited
                #expect(outcome.isSuccess)
                #expect(
                    log.events.contains { if case .waitingForLock(_, let holder) = $0 { holder.holderIdentity?.hasPrefix("20990101T") == true } else { false } }
                )
            }
        }
    }

    /// A deploy waiting for its rollout loses its Lease (an administrator hands it to someone
    /// else; the Deployment never becomes ready on either server): the deploy stops long before
    /// its wait would end, its record says it failed and why, and it leaves the Lease to the new
    /// holder.
    static func losesItsLease(_ target: Target) async throws {
        var manifests = try app(target.namespace, version: "1", secret: "s").objects
        manifests += try objects(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: app, namespace: \(target.namespace)}
            spec:
              replicas: 1
              selector: {matchLabels: {app: app}}
              template:
                metadata: {labels: {app: app}}
                spec:
                  containers: [{name: app, image: registry.example/app:1.0}]
            """)
        let prepared = try DeployManifests(objects: manifests, kinds: .builtin, namespace: target.namespace)
        var configuration = configuration(target.namespace)
        configuration.wait = true
        configuration.waitTimeout = .seconds(240)
        async let outcome = deploy(target, prepared, configuration, actor: "alice")
        try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
            // Once it waits for the rollout, hand its Lease to someone else.
            let deployment = GroupKind(group: "apps", kind: "Deployment")
            let deadline = ContinuousClock.now + .seconds(120)
            while try await client.get(deployment, namespace: target.namespace, name: "app") == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let intruder = LeaseRecord(holderIdentity: "operator", leaseDurationSeconds: 3600, acquireTime: Date(), renewTime: Date(), leaseTransitions: 9)
            while true {
                // Read again when the deploy renewed its Lease in between.
                let lease = try #require(try await client.get(LeaseLock.leaseKind, namespace: target.namespace, name: "warrant-applyset"))
                do {
                    _ = try await client.update(intruder.applied(to: lease), fieldManager: "kubectl")
                    break
                } catch let error as KubeAPIError where error.isConflict {
                    continue
                }
            }
        }
        let takenOver = ContinuousClock.now
        let result = try await outcome
        // The deploy sees the new holder at its next renewal (every 300 ms), whatever its lease
        // duration; generous bounds for a loaded machine, far below the 240 s wait.
        #expect(ContinuousClock.now - takenOver < .seconds(60), "stopped long before the 240 s wait")
        #expect(result.result == .failed)
        #expect(result.failure?.code == .locked)
        #expect(result.record?.message.contains("lost Lease \(target.namespace)/warrant-applyset") == true, "\(String(describing: result.record?.message))")
        #expect(try await records(target).last?.id == result.deployID)
        try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
            let lease = try #require(try await client.get(LeaseLock.leaseKind, namespace: target.namespace, name: "warrant-applyset"))
            #expect(LeaseRecord(lease: lease).holderIdentity == "operator", "a lost Lease is not released: it is someone else's")
        }
    }

    @Test func aDeployThatLosesItsLeaseStopsAndRecordsItOnTheTestServer() async throws {
        try await Self.onTestServer(Self.losesItsLease)
    }

    @Test(.realCluster) func aDeployThatLosesItsLeaseStopsAndRecordsItOnTheRealServer() async throws {
        try await Self.onRealServer(Self.losesItsLease)
    }

    /// A deploy whose Lease cannot be renewed (every Lease request fails) stops within its
    /// renew deadline, before the Lease could expire in anyone else's eyes, and records why.
    @Test func aDeployThatCannotRenewItsLeaseStopsBeforeItExpires() async throws {
        let never: @Sendable (inout KubeObject, ChangeEvent) -> Void = { _, _ in }
        try await withEngineFixture(options: DeployOptions(prune: true, wait: true), hook: never) { server, credential in
            var configuration = DeployConfiguration(namespace: "guestbook", toolVersion: "0.0.0-test", prune: true, wait: true, waitTimeout: .seconds(60))
            // Long enough that a loaded machine does not lose the Lease before the faults begin.
            configuration.leaseDuration = .seconds(40)
            configuration.leaseRenewDeadline = .seconds(20)
            configuration.leaseRetryPeriod = .milliseconds(300)
            let engine = DeployEngine(configuration: configuration)
            let leaseDuration = configuration.leaseDuration
            let manifests = try DeployEngineTests.manifests()
            async let outcome = withClient(credential) { client in
                try await engine.deploy(manifests, identity: DeployEngineTests.identity, client: client)
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend") == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            try #require(server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend") != nil, "the deploy got to its rollout")
            server.inject(Fault.status(503).paths(prefix: "/apis/coordination.k8s.io/"))
            let cut = ContinuousClock.now
            let result = try await outcome
            server.clearFaults()
            #expect(ContinuousClock.now - cut < leaseDuration, "stopped before the Lease could expire for others")
            #expect(result.result == .failed && result.failure?.code == .locked)
            #expect(result.record?.message.contains("could not be renewed within 20 s") == true, "\(String(describing: result.record?.message))")
            #expect(try history(on: server).last?.id == result.deployID)
        }
    }

    // MARK: - A record that cannot be stored

    /// A namespace on a fresh API test server, and the server for faults.
    static func withFaultyServer(_ body: (KubeTestServer, Target) async throws -> Void) async throws {
        let server = try await KubeTestServer.start()
        do {
            try server.seed(try objects("apiVersion: v1\nkind: Namespace\nmetadata: {name: fire}\n"))
            let connection = ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: "fire",
                credentials: .token(KubeTestServer.adminToken), origin: "test")
            try await body(server, Target(namespace: "fire", connection: connection))
            try await server.shutdown()
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    /// Every update of the history is refused as stale (another deploy always wrote first):
    /// after its attempts the deploy reports the record as not written, never `recorded`, and
    /// the history holds nothing of it; the deploy's objects are applied all the same.
    @Test func aRecordThatLosesEveryRaceIsReportedAsNotWritten() async throws {
        try await Self.withFaultyServer { server, target in
            server.inject(Fault.status(409).paths(prefix: "/api/v1/namespaces/fire/configmaps/warrant-history").method("PUT"))
            var configuration = Self.configuration(target.namespace)
            configuration.recordAttempts = 3
            let log = EventLog()
            let outcome = try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
                try await DeployEngine(configuration: configuration).deploy(
                    try Self.app(target.namespace, version: "1", secret: "s"), identity: DeployIdentity(ci: CIIdentity(actor: "a", actorSource: "--actor")),
                    client: client, reporter: log.reporter)
            }
            #expect(outcome.record == nil)
            #expect(log.recorded == nil, "no `recorded` line for a record that is not stored")
            let problem = try #require(outcome.recordProblems.first)
            #expect(problem.code == .recordNotWritten)
            #expect(problem.description.contains("changed under each of 3 attempts"), "\(problem)")
            #expect(outcome.applied.count == 3, "the deploy itself went through")
            #expect(try await Self.records(target).isEmpty)
            let updates = server.requests.filter { $0.method == "PUT" && $0.path.hasSuffix("/configmaps/warrant-history") }
            #expect(updates.count == 3)
        }
    }

    /// The history does not answer in time (after an interruption, say): the deploy gives up
    /// after ``DeployConfiguration/recordTimeout`` and says the history may or may not hold it.
    @Test func aRecordThatTakesTooLongIsReportedWithinTheTimeout() async throws {
        try await Self.withFaultyServer { server, target in
            server.inject(Fault.latency(.seconds(25)).paths(prefix: "/api/v1/namespaces/fire/configmaps/warrant-history").method("PUT"))
            var configuration = Self.configuration(target.namespace)
            configuration.recordTimeout = .seconds(1)
            let log = EventLog()
            let result = try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
                try await DeployEngine(configuration: configuration).deploy(
                    try Self.app(target.namespace, version: "1", secret: "s"), identity: DeployIdentity(ci: CIIdentity(actor: "a", actorSource: "--actor")),
                    client: client, reporter: log.reporter)
            }
            // The server records a request once it has answered it: the delayed update of the
            // history was still unanswered when the deploy returned (measured this way, the
            // check holds on a loaded machine too).
            let answered = server.requests.filter { $0.method == "PUT" && $0.path.hasSuffix("/configmaps/warrant-history") }
            #expect(answered.isEmpty, "the deploy did not wait for the 25 s update")
            #expect(result.record == nil && log.recorded == nil)
            #expect(result.recordProblems.first?.description.contains("may or may not hold it") == true, "\(result.recordProblems)")
        }
    }

    // MARK: - An older wedge

    /// A set whose parent is missing while members exist (left by an older Warrant's failed
    /// first deploys): --max-prune counts the live members instead of "0".
    @Test func aSetWithoutParentCountsItsLiveMembers() async throws {
        try await Self.onTestServer { target in
            let set = ApplySet(namespace: target.namespace, version: "0.0.0-test")
            let leftovers = try objects(
                (0..<4).map { "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old-\($0), namespace: \(target.namespace)}\n" }.joined(separator: "---\n"))
            try await KubeClient.with(target.connection, credentials: CredentialSource(target.connection.credentials)) { client in
                for object in try set.labeled(leftovers) { _ = try await client.apply(object, fieldManager: "warrant") }
            }
            let outcome = try await Self.deploy(
                target, try Self.app(target.namespace, version: "1", secret: "s"), Self.configuration(target.namespace), actor: "a")
            #expect(outcome.failure?.code == .pruneLimit)
            // The set's members are listed before the apply (the lists serve the apply and the
            // prune): the 4 leftovers were the whole set, all 4 would go.
            #expect(outcome.failure?.message.contains("pruning would delete 4 of the set's 4 object(s)") == true, "\(String(describing: outcome.failure))")
        }
    }
}
