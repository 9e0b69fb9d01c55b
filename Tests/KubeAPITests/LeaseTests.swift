import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Synchronization
import Testing
import WarrantTestSupport

/// Leases and optimistic concurrency, the same scenarios on the project's API test server and on
/// the real kube-apiserver: where they differ, the test server is wrong.
@Suite(.timeLimit(.minutes(3))) struct LeaseTests {
    /// A namespace on one of the two servers, and an administrator's client for it.
    struct Server: Sendable {
        var namespace: String
        var connection: ClusterConnection
    }

    static func onTestServer(_ body: (Server) async throws -> Void) async throws {
        let server = try await KubeTestServer.start()
        do {
            try server.seed(ManifestLoader().load(bytes: Array("apiVersion: v1\nkind: Namespace\nmetadata: {name: leases}\n".utf8), file: "ns.yaml"))
            let connection = ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: "leases",
                credentials: .token(KubeTestServer.adminToken), origin: "test")
            try await body(Server(namespace: "leases", connection: connection))
            try await server.shutdown()
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    static func onRealServer(_ body: (Server) async throws -> Void) async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("leases")
        try await body(Server(namespace: namespace, connection: cluster.connection(token: RealCluster.Token.admin, namespace: namespace)))
    }

    static func withClient<T: Sendable>(_ server: Server, _ body: (KubeClient) async throws -> T) async throws -> T {
        try await KubeClient.with(server.connection, credentials: CredentialSource(server.connection.credentials), body)
    }

    static func object(_ yaml: String) throws -> KubeObject {
        try #require(try ManifestLoader().load(bytes: Array(yaml.utf8), file: "test.yaml").first)
    }

    static func error(_ operation: () async throws -> Void) async -> KubeAPIError? {
        do {
            try await operation()
            return nil
        } catch let error as KubeAPIError {
            return error
        } catch {
            return KubeAPIError(code: -1, reason: "\(error)", message: "\(error)", request: "")
        }
    }

    // MARK: - Optimistic concurrency and Lease validation

    /// What kube-apiserver does with resourceVersions and Leases (`registry/generic/registry/store.go`
    /// `Update`, `coordination/lease/strategy.go`, `coordination/validation`).
    static func optimisticConcurrency(_ server: Server) async throws {
        try await withClient(server) { client in
            let ns = server.namespace
            let configMap = try object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cas, namespace: \(ns)}\ndata: {n: '1'}\n")
            let created = try await client.create(configMap)
            let version = try #require(created.content[path: ["metadata", "resourceVersion"]]?.stringValue)
            // Creating an existing object: 409 AlreadyExists.
            let exists = await error { _ = try await client.create(configMap) }
            #expect(exists?.isAlreadyExists == true, "\(String(describing: exists))")
            // An update carrying the version read succeeds once; the same version again is stale.
            var next = created
            next.content.setValue("2", at: ["data", "n"])
            let updated = try await client.update(next, fieldManager: "a")
            #expect(updated.content[path: ["metadata", "resourceVersion"]]?.stringValue != version)
            let stale = await error { _ = try await client.update(next, fieldManager: "b") }
            #expect(stale?.isConflict == true && stale?.causes.isEmpty == true, "\(String(describing: stale))")
            // An update without a version is unconditional for ConfigMaps.
            var unconditional = updated
            unconditional.setMetadata("resourceVersion", nil)
            unconditional.content.setValue("3", at: ["data", "n"])
            _ = try await client.update(unconditional, fieldManager: "b")
            // Updates by two managers never conflict; server-side apply keeps a resourceVersion as a precondition.
            var applied = try object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cas, namespace: \(ns)}\ndata: {n: '4'}\n")
            applied.setMetadata("resourceVersion", .string(version))
            let staleApply = await error { _ = try await client.apply(applied, fieldManager: "a", force: true) }
            #expect(staleApply?.isConflict == true && staleApply?.causes.isEmpty == true, "\(String(describing: staleApply))")
            let current = try #require(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: ns, name: "cas"))
            applied.setMetadata("resourceVersion", current.content[path: ["metadata", "resourceVersion"]])
            let fresh = try await client.apply(applied, fieldManager: "a", force: true)
            #expect(fresh.content[path: ["data", "n"]] == "4")
            // A missing object is created by an apply whatever resourceVersion it carries; a PUT does not create it.
            var brandNew = try object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fresh, namespace: \(ns)}\n")
            brandNew.setMetadata("resourceVersion", "12345")
            #expect(try await client.apply(brandNew, fieldManager: "a").name == "fresh")
            var missing = try object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: missing, namespace: \(ns)}\n")
            missing.setMetadata("resourceVersion", "1")
            #expect(await error { _ = try await client.update(missing, fieldManager: "a") }?.isNotFound == true)

            // Leases: created by an apply of labels only; an update must carry a resourceVersion.
            let skeleton = try object(
                "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: lock, namespace: \(ns), labels: {app.kubernetes.io/managed-by: warrant}}\n")
            let lease = try await client.apply(skeleton, fieldManager: "warrant")
            #expect(LeaseRecord(lease: lease).isHeld == false)
            let record = LeaseRecord(holderIdentity: "one", leaseDurationSeconds: 15, acquireTime: Date(), renewTime: Date(), leaseTransitions: 0)
            var unversioned = record.applied(to: lease)
            unversioned.setMetadata("resourceVersion", nil)
            let noVersion = await error { _ = try await client.update(unversioned, fieldManager: "warrant") }
            #expect(noVersion?.code == 422 && noVersion?.causes.first?.field == "metadata.resourceVersion", "\(String(describing: noVersion))")
            let taken = try await client.update(record.applied(to: lease), fieldManager: "warrant")
            let read = LeaseRecord(lease: taken)
            #expect(read.holderIdentity == "one" && read.leaseDurationSeconds == 15)
            #expect(abs((read.renewTime ?? .distantPast).timeIntervalSince(record.renewTime!)) < 0.001, "microseconds survive")
            let lost = await error { _ = try await client.update(record.applied(to: lease), fieldManager: "warrant") }
            #expect(lost?.isConflict == true)
            // Applying the labels again leaves the holder alone.
            let again = try await client.apply(skeleton, fieldManager: "warrant")
            #expect(LeaseRecord(lease: again).holderIdentity == "one")
            // Validation.
            var invalid = LeaseRecord(holderIdentity: "x", leaseDurationSeconds: 0, acquireTime: nil, renewTime: nil, leaseTransitions: -1).applied(to: taken)
            let invalidError = await error { _ = try await client.update(invalid, fieldManager: "warrant") }
            #expect(invalidError?.code == 422)
            #expect(Set(invalidError?.causes.map(\.field) ?? []) == ["spec.leaseDurationSeconds", "spec.leaseTransitions"])
            invalid = record.applied(to: taken)
            invalid.content.setValue("2026-01-01T00:00:00Z", at: ["spec", "renewTime"])
            #expect(await error { _ = try await client.update(invalid, fieldManager: "warrant") }?.code == 400, "a MicroTime needs six fractional digits")
        }
    }

    @Test func optimisticConcurrencyOnTheTestServer() async throws {
        try await Self.onTestServer(Self.optimisticConcurrency)
    }

    @Test(.realCluster) func optimisticConcurrencyOnTheRealServer() async throws {
        try await Self.onRealServer(Self.optimisticConcurrency)
    }

    // MARK: - LeaseLock

    static func lock(_ client: KubeClient, _ server: Server, _ identity: String, duration: Int = 10) throws -> LeaseLock {
        try LeaseLock(
            LeaseLock.Configuration(
                namespace: server.namespace, name: "deploy", identity: identity, leaseDuration: .seconds(duration),
                renewDeadline: .milliseconds(duration * 1000 * 9 / 10), retryPeriod: .milliseconds(200), acquireInterval: .milliseconds(100)),
            client: client)
    }

    /// client-go's leader election on a Lease: one holder at a time, renewal keeps it, release
    /// hands it over at once, an abandoned lease is taken after its duration, a holder that sees
    /// another take it stops its work.
    static func leaseLock(_ server: Server) async throws {
        try await withClient(server) { client in
            // The first holder renews for 20 s (giving up after 18 s without a renewal, which a
            // loaded machine running the whole suite can come close to); the second's lease
            // lasts 5 s, so that its abandonment is seen sooner.
            let first = try lock(client, server, "first", duration: 20)
            let second = try lock(client, server, "second", duration: 5)
            try await first.acquire(timeout: .zero)
            #expect(first.isHeld)
            // Held: a contender that does not wait fails and names the holder.
            let refused = await #expect(throws: LeaseError.self) { try await second.acquire(timeout: .zero) }
            #expect(refused?.kind == .held && refused?.holder?.holderIdentity == "first")
            #expect(refused?.description.contains("held by first since") == true, "\(String(describing: refused))")
            // Renewed: still held after more than its duration.
            try await Task.sleep(for: .milliseconds(20_600))
            #expect(await #expect(throws: LeaseError.self) { try await second.acquire(timeout: .milliseconds(300)) }?.kind == .held)
            // Released: the contender takes it at once, one transition later.
            #expect(await first.release())
            let clock = ContinuousClock()
            let handover = try await clock.measure { try await second.acquire(timeout: .seconds(5)) }
            #expect(handover < .seconds(15), "a released lease is taken without waiting for its 20 s duration: \(handover)")
            #expect(second.observedRecord?.leaseTransitions == 1)
            // Abandoned (the holder was killed): taken once its duration has passed in the contender's eyes.
            await second.abandon()
            let third = try lock(client, server, "third")
            let waited = try await clock.measure { try await third.acquire(timeout: .seconds(45)) }
            #expect(waited >= .milliseconds(4900) && waited < .seconds(40), "taken once the 5 s have passed: \(waited)")
            #expect(third.observedRecord?.leaseTransitions == 2)
            // Taken from under a running holder (an administrator writes the Lease): its work stops.
            let intruder = LeaseRecord(holderIdentity: "intruder", leaseDurationSeconds: 60, acquireTime: Date(), renewTime: Date(), leaseTransitions: 3)
            let started = clock.now
            let outcome = await Task {
                do {
                    try await third.holding {
                        try await takeOver(client, server, "deploy", intruder)
                        try await Task.sleep(for: .seconds(60))
                    }
                    return "finished"
                } catch let error as LeaseError {
                    return "\(error.kind)"
                } catch {
                    return "\(error)"
                }
            }.value
            #expect(outcome == "lost")
            #expect(clock.now - started < .seconds(30), "stopped at its next renewal, not after the 60 s of work")
            #expect(!third.isHeld)
            #expect(!(await third.release()), "a lost lease is not released: it is someone else's")
            let after = try #require(try await client.get(LeaseLock.leaseKind, namespace: server.namespace, name: "deploy"))
            #expect(LeaseRecord(lease: after).holderIdentity == "intruder")
            // The same lock takes the lease again once the intruder gives it up (a leader
            // election loop re-acquires after a loss), and holds and releases it as before.
            let givenUp = LeaseRecord(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: Date(), renewTime: Date(), leaseTransitions: 3)
            try await takeOver(client, server, "deploy", givenUp)
            try await third.acquire(timeout: .seconds(5))
            #expect(third.isHeld && third.observedRecord?.leaseTransitions == 4)
            #expect(try await third.holding { "worked" } == "worked")
            #expect(await third.release())
            // Work is run only under a lease that is held.
            let afterRelease = await #expect(throws: LeaseError.self) { try await third.holding { "ran" } }
            #expect(afterRelease?.kind == .lost && afterRelease?.description.contains("not held by third") == true)
            let released = try #require(try await client.get(LeaseLock.leaseKind, namespace: server.namespace, name: "deploy"))
            #expect(!LeaseRecord(lease: released).isHeld)
        }
    }

    /// Writes `record` into the Lease as someone else would, reading it again when its holder
    /// renewed it in between.
    static func takeOver(_ client: KubeClient, _ server: Server, _ name: String, _ record: LeaseRecord) async throws {
        while true {
            let current = try #require(try await client.get(LeaseLock.leaseKind, namespace: server.namespace, name: name))
            do {
                _ = try await client.update(record.applied(to: current), fieldManager: "admin")
                return
            } catch let error as KubeAPIError where error.isConflict {
                continue
            }
        }
    }

    @Test func leaseLockOnTheTestServer() async throws {
        try await Self.onTestServer(Self.leaseLock)
    }

    @Test(.realCluster) func leaseLockOnTheRealServer() async throws {
        try await Self.onRealServer(Self.leaseLock)
    }

    /// Contenders at once: exactly one holds the lease at any time (checked by each holder
    /// incrementing a counter that must never exceed one), and all get it in turn.
    static func contention(_ server: Server) async throws {
        try await withClient(server) { client in
            final class Holders: Sendable {
                let state = Mutex((now: 0, most: 0, turns: 0))
            }
            let holders = Holders()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        // Lost only after 54 s without a renewal: this test is about turns, not timing.
                        let lock = try lock(client, server, "contender-\(index)", duration: 60)
                        try await lock.acquire(timeout: .seconds(60))
                        try await lock.holding {
                            holders.state.withLock {
                                $0.now += 1
                                $0.most = max($0.most, $0.now)
                            }
                            try await Task.sleep(for: .milliseconds(150))
                            holders.state.withLock {
                                $0.now -= 1
                                $0.turns += 1
                            }
                        }
                        #expect(await lock.release())
                    }
                }
                try await group.waitForAll()
            }
            let result = holders.state.withLock { $0 }
            #expect(result.most == 1 && result.turns == 6, "\(result)")
        }
    }

    @Test func contentionOnTheTestServer() async throws {
        try await Self.onTestServer(Self.contention)
    }

    @Test(.realCluster) func contentionOnTheRealServer() async throws {
        try await Self.onRealServer(Self.contention)
    }

    @Test("invalid timings are refused with client-go's rules")
    func configuration() async throws {
        let connection = ClusterConnection(server: "https://127.0.0.1:1", origin: "test")
        try await KubeClient.with(connection, credentials: CredentialSource(connection.credentials)) { client in
            let invalid: [(Duration, Duration, Duration)] = [
                (.seconds(10), .seconds(10), .seconds(2)), (.seconds(15), .seconds(2), .seconds(2)),
                (.milliseconds(500), .milliseconds(400), .milliseconds(100)),
            ]
            for (duration, deadline, retry) in invalid {
                #expect(throws: LeaseError.self) {
                    _ = try LeaseLock(
                        .init(namespace: "n", name: "l", identity: "i", leaseDuration: duration, renewDeadline: deadline, retryPeriod: retry), client: client)
                }
            }
            #expect(throws: LeaseError.self) { _ = try LeaseLock(.init(namespace: "n", name: "l", identity: ""), client: client) }
        }
    }

    @Test("MicroTime has six fractional digits and reads back", arguments: [0.0, 0.5, 1_735_787_045.123456, 1_735_787_045.999_999])
    func microTime(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let text = LeaseRecord.microTime(date)
        #expect(text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/) != nil, "\(text)")
        let read = try #require(LeaseRecord.parseMicroTime(text))
        #expect(abs(read.timeIntervalSince(date)) < 0.000_002)
        #expect(LeaseRecord.parseMicroTime("2026-01-01T00:00:00Z") == Date(timeIntervalSince1970: 1_767_225_600))
    }
}
