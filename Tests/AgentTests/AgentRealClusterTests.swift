import Agent
import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import RBAC
import Synchronization
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// The agent's reconcile loop end to end: a real Git repository with real SSH signatures, the
/// real kube-apiserver, and the agent's ServiceAccount bound to nothing but the namespaced Role
/// ``AgentRole`` derives.
@Suite(.realCluster, .timeLimit(.minutes(3)))
struct AgentRealClusterTests {
    /// Signed commits are applied and recorded with their signer; a range with an unsigned commit
    /// in the middle is refused and recorded, and nothing in the namespace changes; a restart
    /// resumes from the recorded commit without a write; drift is corrected and recorded.
    @Test func signedCommitsApplyAndAnUnsignedOneInTheRangeIsRefusedWithNothingChanged() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("agent")
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
            let signers = try fixture.allowedSigners([alice.allowedSignersLine()])
            let first = try await fixture.commit("app v1", files: ["deploy/app.yaml": appManifests("v1")], signer: .ssh(alice))
            try await fixture.push()
            let (configuration, token) = try await installAgent(on: cluster, fixture, namespace: namespace, allowedSigners: signers)
            let agentUser = "system:serviceaccount:\(namespace):warrant-agent"

            // Only a namespaced Role: nothing outside the namespace, no RBAC writes, no escalation.
            for attributes in [
                AccessAttributes(verb: "get", resource: "configmaps", namespace: "default"),
                AccessAttributes(verb: "list", resource: "namespaces"),
                AccessAttributes(verb: "create", group: "rbac.authorization.k8s.io", resource: "roles", namespace: namespace),
                AccessAttributes(verb: "get", resource: "secrets", namespace: namespace),
            ] {
                #expect(try await !cluster.allows(user: agentUser, groups: ["system:serviceaccounts"], attributes), "\(attributes)")
            }

            let clock = TestClock()
            try await cluster.client(token: token) { client in
                let reconciler = try makeReconciler(configuration, client: client, now: { clock.now })
                var state = try await reconciler.resume()
                #expect(state.lastApplied == nil)

                // 1. The first run verifies the tip, applies it and records its signer.
                guard case .deployed(let verdict, let outcome) = await reconciler.step(&state) else {
                    Issue.record("not deployed")
                    return
                }
                #expect(verdict.isAccepted && verdict.startsTrust)
                #expect(outcome.isSuccess, "\(String(describing: outcome.failure)) \(outcome.recordProblems)")
                #expect(state.lastApplied == first)
                let record = try #require(outcome.record)
                #expect(record.result == .succeeded)
                #expect(record.credential == agentUser)
                #expect(record.identity.actor == "alice@example.com")
                #expect(record.identity.commit == first.hex)
                let agent = try #require(agentFields(record))
                #expect(agent[path: ["trustStarted"]] == true)
                #expect(agent[path: ["repository"]]?.stringValue == fixture.url)
                let commit = try #require(agent[path: ["commits"]]?.arrayValue?.first)
                #expect(commit[path: ["commit"]]?.stringValue == first.hex)
                #expect(commit[path: ["signer", "principal"]]?.stringValue == "alice@example.com")
                #expect(commit[path: ["signer", "fingerprint"]]?.stringValue == alice.fingerprint)
                #expect(commit[path: ["author", "email"]]?.stringValue == "alice@example.com")
            }
            let live = try await cluster.admin { client in
                try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "app-config")
            }
            #expect(live?.content[path: ["data", "value"]] == "v1")
            let managers = live?.content[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
            #expect(managers.contains("warrant-agent"))

            // 2. An unsigned commit between two signed ones: the range is refused, recorded, nothing changes.
            let unsigned = try await fixture.commit(
                "sneak v2 in", files: ["deploy/app.yaml": appManifests("v2")], signer: nil, author: "Mallory <mallory@example.com>")
            let signedTip = try await fixture.commit("looks fine", files: ["deploy/app.yaml": appManifests("v3")], signer: .ssh(alice))
            try await fixture.push()
            let versionBefore = try await cluster.admin { try await resourceVersion($0, "ConfigMap", namespace: namespace, name: "app-config") }
            try await cluster.client(token: token) { client in
                let reconciler = try makeReconciler(configuration, client: client, now: { clock.now })
                var state = try await reconciler.resume()
                #expect(state.lastApplied == first, "resumed from the status ConfigMap")
                guard case .refused(let verdict, let outcome) = await reconciler.step(&state) else {
                    Issue.record("not refused")
                    return
                }
                #expect(verdict.refusals.map(\.commit) == [unsigned])
                #expect(verdict.refusals.first?.reason == .unsigned)
                #expect(verdict.refusals.first?.author?.email == "mallory@example.com")
                #expect(state.lastApplied == first)
                let record = try #require(outcome.record)
                #expect(record.result == .refused)
                #expect(record.applied.isEmpty)
                #expect(record.message.contains(unsigned.short) && record.message.contains("unsigned"))
                let refusal = try #require(agentFields(record)?[path: ["refusals"]]?.arrayValue?.first)
                #expect(refusal[path: ["commit"]]?.stringValue == unsigned.hex)
                #expect(refusal[path: ["reason"]]?.stringValue == "unsigned")
                #expect(refusal[path: ["author", "email"]]?.stringValue == "mallory@example.com")
                let status = try #require(try await AgentStatusStore(namespace: namespace).read(client: client))
                #expect(status.pending?.commit == signedTip)
                #expect(status.lastApplied?.commit == first)
                #expect(status.lastApplied?.signers.map(\.fingerprint) == [alice.fingerprint])

                // The same tip again: no second refusal record.
                guard case .unchanged = await reconciler.step(&state) else {
                    Issue.record("refused twice")
                    return
                }
            }
            try await cluster.admin { client in
                #expect(try await resourceVersion(client, "ConfigMap", namespace: namespace, name: "app-config") == versionBefore, "nothing changed")
                let records = try await historyRecords(client, namespace: namespace)
                #expect(records.map(\.result) == [.succeeded, .refused])
                #expect(RecordChain.verify(records).isEmpty, "one hash chain")
            }

            // 3. The branch is reset to a signed fix: a rewrite is refused too (not a descendant).
            try await fixture.git(["reset", "--hard", first.hex])
            let fix = try await fixture.commit("app v4", files: ["deploy/app.yaml": appManifests("v4")], signer: .ssh(alice))
            try await fixture.push(force: true)
            try await cluster.client(token: token) { client in
                let reconciler = try makeReconciler(configuration, client: client, now: { clock.now })
                var state = try await reconciler.resume()
                guard case .deployed(let verdict, let outcome) = await reconciler.step(&state) else {
                    Issue.record("fix not deployed")
                    return
                }
                #expect(verdict.range == CommitRange(base: first, tip: fix), "the unsigned commits were never applied, so the fix descends from the base")
                #expect(outcome.isSuccess)
                #expect(outcome.applied.map(\.reference.name) == ["app-config"])

                // 4. A restart with nothing new: no write at all.
                let statusVersion = try await resourceVersion(client, "ConfigMap", namespace: namespace, name: "warrant-agent-status")
                let restarted = try makeReconciler(configuration, client: client, now: { clock.now })
                var resumed = try await restarted.resume()
                guard case .unchanged(let tip) = await restarted.step(&resumed) else {
                    Issue.record("restart wrote")
                    return
                }
                #expect(tip == fix)
                #expect(try await resourceVersion(client, "ConfigMap", namespace: namespace, name: "warrant-agent-status") == statusVersion)
                #expect(try await historyRecords(client, namespace: namespace).count == 3)

                // 5. Drift: someone edits the ConfigMap; after the reconcile interval it is corrected and recorded.
                try await cluster.apply(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config, namespace: \(namespace)}\ndata: {value: edited}\n")
                guard case .unchanged = await restarted.step(&resumed) else {
                    Issue.record("corrected before the interval")
                    return
                }
                clock.advance(601)
                guard case .reconciled(_, let corrected) = await restarted.step(&resumed) else {
                    Issue.record("drift not corrected")
                    return
                }
                #expect(corrected.applied.map(\.reference.name) == ["app-config"])
                #expect(corrected.record.flatMap(agentFields)?[path: ["trigger"]] == "drift")
                #expect(corrected.record?.identity.actor == "alice@example.com")
                clock.advance(601)
                guard case .reconciled(_, let quiet) = await restarted.step(&resumed) else {
                    Issue.record("no second reconcile")
                    return
                }
                #expect(quiet.record == nil && quiet.applied.isEmpty, "a re-apply that corrects nothing is not recorded")
            }
            try await cluster.admin { client in
                let live = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "app-config")
                #expect(live?.content[path: ["data", "value"]] == "v4")
                let records = try await historyRecords(client, namespace: namespace)
                #expect(records.map(\.result) == [.succeeded, .refused, .succeeded, .succeeded])
                #expect(RecordChain.verify(records).isEmpty)
            }
        }
    }

    /// On the first run, a tip signed by a key that is not in the allowed-signers file is refused:
    /// the namespace gets no object, only the `refused` record and the status.
    @Test func aCommitSignedByAnUnknownKeyIsRefusedAndNothingIsCreated() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("agent")
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
            let mallory = try await fixture.makeSSHKey(principal: "alice@example.com")
            let signers = try fixture.allowedSigners([alice.allowedSignersLine()])
            let tip = try await fixture.commit("app", files: ["deploy/app.yaml": appManifests("v1")], signer: .ssh(mallory))
            try await fixture.push()
            let (configuration, token) = try await installAgent(on: cluster, fixture, namespace: namespace, allowedSigners: signers)
            try await cluster.client(token: token) { client in
                let reconciler = try makeReconciler(configuration, client: client)
                var state = try await reconciler.resume()
                guard case .refused(let verdict, let outcome) = await reconciler.step(&state) else {
                    Issue.record("not refused")
                    return
                }
                #expect(verdict.refusals.map(\.reason) == [.unknownSigner])
                #expect(outcome.record?.result == .refused)
                #expect(state.lastApplied == nil)
                #expect(try await AgentStatusStore(namespace: namespace).read(client: client)?.pending?.commit == tip)
            }
            try await cluster.admin { client in
                let created = try await [("ConfigMap", "app-config"), ("ServiceAccount", "app"), ("ConfigMap", "warrant-applyset")].asyncCompactMap {
                    kind, name in
                    try await resourceVersion(client, kind, namespace: namespace, name: name).map { _ in "\(kind) \(name)" }
                }
                #expect(created.isEmpty, "nothing deployed")
                #expect(try await historyRecords(client, namespace: namespace).map(\.result) == [.refused])
            }
        }
    }

    /// `warrant agent run --once` with the ServiceAccount's kubeconfig: applies a signed tip
    /// (exit 0), refuses an unsigned one (exit 1, naming commit, author and reason), and never
    /// prints the token, even at `--log-level trace`.
    @Test func agentRunOnceAppliesASignedTipRefusesAnUnsignedOneAndNeverPrintsTheToken() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("agent")
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
            let signers = try fixture.allowedSigners([alice.allowedSignersLine()])
            let first = try await fixture.commit("app v1", files: ["deploy/app.yaml": appManifests("v1")], signer: .ssh(alice))
            try await fixture.push()
            let (_, token) = try await installAgent(on: cluster, fixture, namespace: namespace, allowedSigners: signers)
            let kubeconfig = try cluster.kubeconfig(token: token, namespace: namespace, in: folder)
            let arguments = [
                "agent", "run", "--once", "--repo", fixture.url, "--branch", "main", "--path", "deploy", "-n", namespace, "--allowed-signers", signers,
                "--work-dir", fixture.root + "/cli", "--kubeconfig", kubeconfig, "--log-level", "trace",
            ]
            let applied = await runWarrant(arguments, environment: ["HOME": fixture.root])
            #expect(applied.status == 0, "\(applied.standardError)")
            #expect(applied.standardError.contains("agent: applied: trust starts at \(first.short), signed by alice@example.com"))
            #expect(!applied.standardError.contains(token) && !applied.standardOutput.contains(token), "the token is never printed")

            let unsigned = try await fixture.commit("v2", files: ["deploy/app.yaml": appManifests("v2")], signer: nil, author: "Mallory <mallory@example.com>")
            try await fixture.push()
            let refused = await runWarrant(arguments, environment: ["HOME": fixture.root])
            #expect(refused.status == 1)
            #expect(refused.standardError.contains("agent: refused, nothing applied"))
            #expect(refused.standardError.contains("commit \(unsigned.short) by Mallory <mallory@example.com>: unsigned"), "\(refused.standardError)")
            #expect(!refused.standardError.contains(token))
            let value = try await cluster.admin { client in
                try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "app-config")?.content[path: ["data", "value"]]
            }
            #expect(value == "v1")

            // warrant agent status, from the status ConfigMap.
            let status = await runWarrant(["agent", "status", "-n", namespace, "--kubeconfig", kubeconfig])
            #expect(status.status == 1, "a refused commit is pending")
            #expect(status.standardOutput.contains("applied:    \(first.short) at "), "\(status.standardOutput)")
            #expect(status.standardOutput.contains("signed by:  alice@example.com (ssh \(alice.fingerprint))"))
            #expect(status.standardOutput.contains("refused:    \(unsigned.short)"))
            #expect(status.standardOutput.contains("- commit \(unsigned.short) by Mallory <mallory@example.com>: unsigned"))
            #expect(status.standardOutput.contains("last error: none"))
            let json = await runWarrant(["agent", "status", "-n", namespace, "--kubeconfig", kubeconfig, "-o", "json"])
            let decoded = try AgentStatus(decoding: json.standardOutput)
            #expect(decoded.lastApplied?.commit == first)
            #expect(decoded.lastApplied?.trustStartedHere == true)
            #expect(decoded.pending?.refusals.map(\.reason) == [.unsigned])
        }
    }

    /// SIGTERM to `warrant agent run` while a deploy waits for a Deployment (the test cluster runs
    /// no scheduler, so it never becomes available): the deploy has its `--shutdown-grace` (2 s),
    /// then it is interrupted, the process exits 0 and the record says `interrupted`, with the
    /// commit's signer.
    @Test func sigtermDuringADeployIsRecordedAsInterrupted() async throws {
        let executable = try #require(warrantExecutable(), "the warrant executable is built with the tests")
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("agent-term")
        let deployment = webDeployment(image: "registry.example.com/web:1.0")
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
            let signers = try fixture.allowedSigners([alice.allowedSignersLine()])
            let manifests = appManifests("v1", extra: deployment)
            let tip = try await fixture.commit("app", files: ["deploy/app.yaml": manifests], signer: .ssh(alice))
            try await fixture.push()
            let (_, token) = try await installAgent(
                on: cluster, fixture, namespace: namespace, allowedSigners: signers, manifests: manifests, extra: [.wait: "true"])
            let kubeconfig = try cluster.kubeconfig(token: token, namespace: namespace, in: folder)
            let terminated = Mutex<ContinuousClock.Instant?>(nil)
            let result = try await runProcess(
                executable,
                [
                    "agent", "run", "--repo", fixture.url, "--branch", "main", "--path", "deploy", "-n", namespace, "--allowed-signers", signers,
                    "--wait", "--interval", "1s", "--work-dir", fixture.root + "/term", "--kubeconfig", kubeconfig, "--shutdown-grace", "2s",
                ],
                environment: ["HOME": fixture.root, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
            ) { process in
                // Wait until the deploy has applied the ConfigMap and is waiting for the Deployment.
                for _ in 0..<300 {
                    let applied = try await cluster.admin { try await resourceVersion($0, "ConfigMap", namespace: namespace, name: "app-config") != nil }
                    if applied { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await Task.sleep(for: .milliseconds(300))
                terminated.withLock { $0 = ContinuousClock.now }
                process.terminate()
            }
            let stoppedAfter = ContinuousClock.now - (terminated.withLock { $0 } ?? .now)
            #expect(stoppedAfter >= .seconds(2), "the deploy had its --shutdown-grace (\(stoppedAfter))")
            #expect(stoppedAfter < .seconds(20), "and then was interrupted (\(stoppedAfter))")
            #expect(result.status == 0, "\(result.error)")
            #expect(result.error.contains("stopped"))
            #expect(!result.error.contains(token))
            try await cluster.admin { client in
                let records = try await historyRecords(client, namespace: namespace)
                #expect(records.map(\.result) == [.interrupted], "\(result.error)")
                #expect(records.first?.identity.commit == tip.hex)
                #expect(records.first?.identity.actor == "alice@example.com")
            }
        }
    }
}
