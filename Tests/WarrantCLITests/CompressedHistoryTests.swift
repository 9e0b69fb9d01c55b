import Delivery
import Foundation
import KubeAPI
import KubeModel
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// Issue 18: the record of a deploy of 16,344 objects (2.8 MB as text) is stored gzip-compressed
/// in the history ConfigMap's `binaryData`. The real API server takes it (its 1 MiB ConfigMap
/// limit counts the compressed bytes), `warrant history --verify` reads it back and verifies the
/// chain, and an edited compressed record is found.
@Suite(.realCluster, .timeLimit(.minutes(5)), .ownThread)
struct CompressedHistoryTests {
    /// A record applying `count` objects, as a deploy of `Benchmarks/peak-memory.sh`'s 10 MB input
    /// records them: Deployments, Services, ConfigMaps, ServiceAccounts, Roles and RoleBindings,
    /// each with the digest of its content.
    static func record(objects count: Int, namespace: String, previous: String?, actor: String) -> DeployRecord {
        let kinds: [(String, String, String)] = [
            ("apps/v1", "Deployment", ""), ("v1", "Service", ""), ("v1", "ConfigMap", "-config"), ("v1", "ServiceAccount", ""),
            ("rbac.authorization.k8s.io/v1", "Role", "-reader"), ("rbac.authorization.k8s.io/v1", "RoleBinding", "-reader"),
        ]
        let applied = (0..<count).map { index in
            let (apiVersion, kind, suffix) = kinds[index % kinds.count]
            let object = KubeObject([
                "apiVersion": .string(apiVersion), "kind": .string(kind),
                "metadata": ["name": .string("app-\(index / kinds.count)\(suffix)"), "namespace": .string(namespace)],
                "data": ["index": .string("\(index)")],
            ])
            return RecordedObject(object, action: .created)
        }
        let identity = CIIdentity.from(environment: ["GITLAB_CI": "true", "GITLAB_USER_LOGIN": actor, "CI_COMMIT_SHA": "0123abcd"])
        return DeployRecord(
            identity: identity, credential: "system:serviceaccount:\(namespace):ci", cluster: "https://127.0.0.1", namespace: namespace,
            applied: applied, pruned: [], diff: DiffSummary(objectsChanged: count, fieldsChanged: nil), result: .dryRun, message: "",
            started: Date(), finished: Date(), durations: ["apply": 1], previous: previous)
    }

    /// Appends `records` to the namespace's history as a deploy does: the head created by a
    /// server-side apply, each record by an update carrying the `resourceVersion` read.
    static func append(_ records: [DeployRecord], store: HistoryStore, client: KubeClient) async throws -> KubeObject {
        var head = try await client.apply(store.emptyHead, fieldManager: "warrant")
        for record in records {
            let built = try store.append(record, to: [head])
            head = try await client.update(store.replacing(head, with: built[0]), fieldManager: "warrant")
        }
        return head
    }

    @Test func aRecordOf16344ObjectsIsStoredCompressedReadBackAndVerified() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("bighistory")
        let store = HistoryStore(namespace: namespace)
        let first = Self.record(objects: 3, namespace: namespace, previous: nil, actor: "alice")
        let large = Self.record(objects: 16_344, namespace: namespace, previous: first.digest, actor: "bob")
        #expect(large.jsonLine.utf8.count > 2_500_000)
        let head = try await cluster.admin { client in try await Self.append([first, large], store: store, client: client) }
        let stored = try #require(head.content[path: ["binaryData", HistoryStore.compressedDataKey]]?.stringValue)
        #expect(head.content["data"] == nil)
        #expect(Data(base64Encoded: stored)?.count ?? .max < store.sizeLimit)
        try await withTemporaryDirectory { folder in
            let kubeconfig = try cluster.kubeconfig(token: RealCluster.Token.admin, namespace: namespace, in: folder)
            let history = await runWarrant(["history", "-n", namespace, "--kubeconfig", kubeconfig, "--verify", "-o", "json"])
            #expect(history.status == 0, "\(history.standardError)")
            #expect(history.standardError.contains("verified: 1 record(s)"), "\(history.standardError)")
            #expect(history.standardOutput.contains(large.id))
            #expect(history.standardOutput.contains("app-2723-reader"))
            // The next deploy's record chains to the compressed one.
            let next = Self.record(objects: 2, namespace: namespace, previous: try store.latestDigest(in: [head]), actor: "carol")
            _ = try await cluster.admin { client in
                let live = try #require(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: store.name))
                let built = try store.append(next, to: [live])
                return try await client.update(store.replacing(live, with: built[0]), fieldManager: "warrant")
            }
            let after = await runWarrant(["history", "-n", namespace, "--kubeconfig", kubeconfig, "--verify"])
            #expect(after.status == 0, "\(after.standardError)")
            #expect(after.standardError.contains("verified: 1 record(s)"), "\(after.standardError)")
        }
    }

    @Test func anEditedCompressedRecordIsDetected() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("bighistory")
        let store = HistoryStore(namespace: namespace)
        let large = Self.record(objects: 16_344, namespace: namespace, previous: nil, actor: "bob")
        var head = try await cluster.admin { client in try await Self.append([large], store: store, client: client) }
        // Someone who may update the ConfigMap rewrites the record without one object.
        let digest = try #require(large.applied[7].digest)
        let text = large.jsonLine.replacingOccurrences(of: digest, with: String(repeating: "0", count: 64))
        #expect(text != large.jsonLine)
        head.content.setValue(.string(Data(Gzip.compress((text + "\n").utf8)).base64EncodedString()), at: ["binaryData", HistoryStore.compressedDataKey])
        _ = try await cluster.admin { client in try await client.update(head, fieldManager: "intruder") }
        try await withTemporaryDirectory { folder in
            let kubeconfig = try cluster.kubeconfig(token: RealCluster.Token.admin, namespace: namespace, in: folder)
            let history = await runWarrant(["history", "-n", namespace, "--kubeconfig", kubeconfig, "--verify"])
            #expect(history.status == 1, "\(history.standardError)")
            #expect(history.standardError.contains("the record chain is broken"), "\(history.standardError)")
            // Damaged bytes: an error naming the ConfigMap, not an empty history.
            var damaged = try #require(
                try await cluster.admin { client in
                    try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: store.name)
                })
            damaged.content.setValue(.string(Data("not gzip".utf8).base64EncodedString()), at: ["binaryData", HistoryStore.compressedDataKey])
            _ = try await cluster.admin { client in try await client.update(damaged, fieldManager: "intruder") }
            let unreadable = await runWarrant(["history", "-n", namespace, "--kubeconfig", kubeconfig, "--verify"])
            #expect(unreadable.status == 1, "\(unreadable.standardError)")
            #expect(unreadable.standardError.contains("ConfigMap \(namespace)/warrant-history"), "\(unreadable.standardError)")
            #expect(unreadable.standardError.contains("binaryData.records.jsonl.gz"), "\(unreadable.standardError)")
        }
    }
}
