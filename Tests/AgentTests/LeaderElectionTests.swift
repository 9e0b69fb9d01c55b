import Agent
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Synchronization
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// Two `warrant agent run` processes against one namespace elect a leader over the Lease
/// `warrant-agent` (client-go's leaderelection semantics, KubeAPI's `LeaseLock`): only the leader
/// polls and applies; when it is killed (SIGKILL: no release) the other takes the Lease after the
/// lease duration and applies the next commit; a SIGTERM releases the Lease.
@Suite(.timeLimit(.minutes(3)))
struct LeaderElectionTests {
    /// What the two processes share: the repository, the namespace, a kubeconfig for the agent.
    struct Setup: Sendable {
        let fixture: GitFixture
        let alice: SSHKey
        let signers: String
        let namespace: String
        let kubeconfig: String
        /// Reads an object as an administrator.
        let read: @Sendable (GroupKind, String) async throws -> KubeObject?
    }

    static let leaseKind = GroupKind(group: "coordination.k8s.io", kind: "Lease")

    static func arguments(_ setup: Setup, workDir: String) -> [String] {
        [
            "agent", "run", "--repo", setup.fixture.url, "--branch", "main", "--path", "deploy", "-n", setup.namespace, "--allowed-signers",
            setup.signers, "--interval", "1s", "--work-dir", workDir, "--kubeconfig", setup.kubeconfig, "--listen", "127.0.0.1:0",
            "--lease-duration", "6s", "--renew-deadline", "4s", "--retry-period", "1s", "--shutdown-grace", "2s",
        ]
    }

    static func holder(_ setup: Setup) async throws -> String? {
        try await setup.read(leaseKind, "warrant-agent")?.content[path: ["spec", "holderIdentity"]]?.stringValue
    }

    static func configValue(_ setup: Setup) async throws -> String? {
        try await setup.read(GroupKind(group: "", kind: "ConfigMap"), "app-config")?.content[path: ["data", "value"]]?.stringValue
    }

    static func elect(_ setup: Setup) async throws {
        let executable = try #require(warrantExecutable(), "the warrant executable is built with the tests")
        let environment = ["HOME": setup.fixture.root, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let first = Mutex<String?>(nil)
        let killedAt = Mutex<ContinuousClock.Instant?>(nil)
        let resultA = try await runProcess(executable, arguments(setup, workDir: setup.fixture.root + "/a"), environment: environment) { a in
            // A alone: it leads and applies v1.
            try await waitUntil("A applies v1") { try await configValue(setup) == "v1" }
            let leader = try #require(try await holder(setup))
            first.withLock { $0 = leader }
            let resultB = try await runProcess(executable, arguments(setup, workDir: setup.fixture.root + "/b"), environment: environment) { b in
                // B waits while A leads: a commit is applied once (by A), the holder stays A.
                try await setup.fixture.commit("v2", files: ["deploy/app.yaml": appManifests("v2")], signer: .ssh(setup.alice))
                try await setup.fixture.push()
                try await waitUntil("v2 applied") { try await configValue(setup) == "v2" }
                try await Task.sleep(for: .seconds(2))
                #expect(try await holder(setup) == leader, "A still leads")

                // A is killed: no release. B takes the Lease after the lease duration and applies v3.
                kill(a.processIdentifier, SIGKILL)
                killedAt.withLock { $0 = ContinuousClock.now }
                try await setup.fixture.commit("v3", files: ["deploy/app.yaml": appManifests("v3")], signer: .ssh(setup.alice))
                try await setup.fixture.push()
                try await waitUntil("B takes over and applies v3") { try await configValue(setup) == "v3" }
                let tookOver = ContinuousClock.now - (killedAt.withLock { $0 } ?? .now)
                #expect(tookOver >= .seconds(4), "not before A's lease could have expired (\(tookOver))")
                #expect(tookOver < .seconds(40), "\(tookOver)")
                let second = try #require(try await holder(setup))
                #expect(second != leader)
                let transitions = try await setup.read(leaseKind, "warrant-agent")?.content[path: ["spec", "leaseTransitions"]]?.integerValue
                #expect((transitions ?? 0) >= 1)

                // SIGTERM: B releases the Lease (an empty holder) and exits 0.
                b.terminate()
            }
            #expect(resultB.status == 0, "\(resultB.error)")
            #expect(resultB.error.contains("another replica leads"), "B waited")
            #expect(resultB.error.contains("leading"), "then led")
            #expect((try await holder(setup) ?? "").isEmpty, "released at SIGTERM")
        }
        #expect(resultA.status == SIGKILL || resultA.status == 128 + SIGKILL, "A was killed (\(resultA.status))")
    }

    @Test func twoAgentsOnTheTestServerOneLeadsTheOtherTakesOverWhenItIsKilled() async throws {
        try await withTemporaryDirectory { folder in
            try await ReconcilerTests.World.with(in: folder) { world in
                let kubeconfig = folder.appendingPathComponent("agent.kubeconfig")
                try world.server.kubeconfig(token: ReconcilerTests.World.token, namespace: "shop").write(to: kubeconfig, atomically: true, encoding: .utf8)
                let server = world.server
                let setup = Setup(
                    fixture: world.fixture, alice: world.alice, signers: world.configuration.allowedSignersFile, namespace: "shop",
                    kubeconfig: kubeconfig.path,
                    read: { kind, name in server.object(group: kind.group, kind: kind.kind, namespace: "shop", name: name) })
                try await Self.elect(setup)
            }
        }
    }

    @Test(.realCluster) func twoAgentsOnKubeAPIServerOneLeadsTheOtherTakesOverWhenItIsKilled() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("agent-elect")
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
            let signers = try fixture.allowedSigners([alice.allowedSignersLine()])
            try await fixture.commit("app v1", files: ["deploy/app.yaml": appManifests("v1")], signer: .ssh(alice))
            try await fixture.push()
            let (_, token) = try await installAgent(on: cluster, fixture, namespace: namespace, allowedSigners: signers)
            let kubeconfig = try cluster.kubeconfig(token: token, namespace: namespace, in: folder)
            let setup = Setup(
                fixture: fixture, alice: alice, signers: signers, namespace: namespace, kubeconfig: kubeconfig,
                read: { kind, name in try await cluster.admin { try await $0.get(kind, namespace: namespace, name: name) } })
            try await Self.elect(setup)
        }
    }
}
