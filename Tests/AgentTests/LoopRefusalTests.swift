import Agent
import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import RBAC
import Testing
import WarrantTestSupport

/// Two refusals the verifier tests check on their own (SignedCommitVerifierTests), here through
/// the reconcile loop: a commit signed by a key after its `valid-before`, and a force-pushed
/// rewrite of the applied commit. Both are recorded as `refused`, nothing in the namespace
/// changes, the status names the pending tip, and the same tip is not refused (or recorded) twice.
/// Against the API test server and the real kube-apiserver.
@Suite(.timeLimit(.minutes(3)))
struct LoopRefusalTests {
    enum Scenario: String, CaseIterable, Sendable {
        /// After v1 is applied, Alice's key gets `valid-before="20200101Z"` (she left; the file is
        /// updated and the agent restarts): her next commit is refused as `keyNotValid`.
        case keyPastValidBefore
        /// v2 is applied; the branch is then reset to v1 and a signed v3 force-pushed over it:
        /// refused as `notDescendant`.
        case forcePushedRewrite
    }

    @Test(arguments: Scenario.allCases)
    func aRefusedRangeThroughTheLoopAgainstTheTestServer(_ scenario: Scenario) async throws {
        try await withTemporaryDirectory { folder in
            try await ReconcilerTests.World.with(in: folder) { world in
                try await KubeClient.with(world.agentConnection, credentials: CredentialSource(connection: world.agentConnection)) { client in
                    try await Self.refuse(scenario, fixture: world.fixture, alice: world.alice, configuration: world.configuration, client: client)
                }
            }
        }
    }

    @Test(.realCluster, arguments: Scenario.allCases)
    func aRefusedRangeThroughTheLoopAgainstKubeAPIServer(_ scenario: Scenario) async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("agent-refuse")
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
            let signers = try fixture.allowedSigners([alice.allowedSignersLine()])
            try await fixture.commit("app v1", files: ["deploy/app.yaml": appManifests("v1")], signer: .ssh(alice))
            try await fixture.push()
            let (configuration, token) = try await installAgent(on: cluster, fixture, namespace: namespace, allowedSigners: signers)
            try await cluster.client(token: token) { client in
                try await Self.refuse(scenario, fixture: fixture, alice: alice, configuration: configuration, client: client)
            }
        }
    }

    /// Applies v1 (and v2 for a rewrite), makes the scenario's refused tip, and checks the loop's
    /// answer, the record, the status and the namespace, all through the agent's own credential.
    static func refuse(_ scenario: Scenario, fixture: GitFixture, alice: SSHKey, configuration: AgentConfiguration, client: KubeClient) async throws {
        let namespace = configuration.namespace
        var reconciler = try makeReconciler(configuration, client: client)
        var state = try await reconciler.resume()
        let firstStep = await reconciler.step(&state)
        guard case .deployed(_, let first) = firstStep, first.isSuccess else {
            Issue.record("v1 not deployed: \(firstStep)")
            return
        }
        let v1 = try #require(state.lastApplied)

        let refusedTip: CommitID
        let expectedReason: Refusal.Reason
        let expectedValue: String
        switch scenario {
        case .keyPastValidBefore:
            try Data((alice.allowedSignersLine(options: ["namespaces=\"git\"", "valid-before=\"20200101Z\""]) + "\n").utf8)
                .write(to: URL(fileURLWithPath: configuration.allowedSignersFile))
            refusedTip = try await fixture.commit("v2 after the key expired", files: ["deploy/app.yaml": appManifests("v2")], signer: .ssh(alice))
            try await fixture.push()
            // A restarted agent: it resumes from the status ConfigMap with the new allowed signers.
            reconciler = try makeReconciler(configuration, client: client)
            state = try await reconciler.resume()
            #expect(state.lastApplied == v1, "resumed from the status")
            expectedReason = .keyNotValid
            expectedValue = "v1"
        case .forcePushedRewrite:
            try await fixture.commit("v2", files: ["deploy/app.yaml": appManifests("v2")], signer: .ssh(alice))
            try await fixture.push()
            guard case .deployed(_, let second) = await reconciler.step(&state), second.isSuccess else {
                Issue.record("v2 not deployed")
                return
            }
            try await fixture.git(["reset", "--quiet", "--hard", v1.hex])
            refusedTip = try await fixture.commit("v3 over a rewritten history", files: ["deploy/app.yaml": appManifests("v3")], signer: .ssh(alice))
            try await fixture.push(force: true)
            expectedReason = .notDescendant
            expectedValue = "v2"
        }
        let applied = try #require(state.lastApplied)
        let configVersion = try await resourceVersion(client, "ConfigMap", namespace: namespace, name: "app-config")
        let recordsBefore = try await historyRecords(client, namespace: namespace).count

        let step = await reconciler.step(&state)
        guard case .refused(let verdict, let outcome) = step else {
            Issue.record("not refused: \(step)")
            return
        }
        #expect(verdict.refusals.map(\.commit) == [refusedTip])
        #expect(verdict.refusals.map(\.reason) == [expectedReason])
        #expect(state.lastApplied == applied, "the applied commit stays")
        let record = try #require(outcome.record)
        #expect(record.result == .refused)
        #expect(record.applied.isEmpty)
        #expect(record.message.contains(refusedTip.short), "\(record.message)")
        #expect(agentFields(record)?[path: ["refusals"]]?.arrayValue?.first?[path: ["reason"]]?.stringValue == expectedReason.rawValue)

        let status = try #require(try await AgentStatusStore(namespace: namespace).read(client: client))
        #expect(status.pending?.commit == refusedTip)
        #expect(status.lastApplied?.commit == applied)

        // The same tip again: nothing new, no second record.
        guard case .unchanged = await reconciler.step(&state) else {
            Issue.record("refused twice")
            return
        }
        let config = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "app-config")
        #expect(config?.content[path: ["data", "value"]]?.stringValue == expectedValue, "nothing of the refused tip reached the namespace")
        #expect(try await resourceVersion(client, "ConfigMap", namespace: namespace, name: "app-config") == configVersion)
        let records = try await historyRecords(client, namespace: namespace)
        #expect(records.count == recordsBefore + 1)
        #expect(records.last?.result == .refused)
        #expect(RecordChain.verify(records).isEmpty, "one hash chain")
    }
}
