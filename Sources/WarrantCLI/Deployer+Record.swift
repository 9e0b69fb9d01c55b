import Delivery
import Foundation
import KubeAPI
import KubeModel
import RBAC
import Synchronization

extension Deployer {
    /// Writes the record: into the history ConfigMap (chained to the previous record), to
    /// `--record-file`, and as an Event. Runs for every outcome; a failure to record is an error
    /// of its own (exit 1), never silent.
    func record(
        _ result: DeployResult, message: String, progress: Progress, deployID: String, client: KubeClient, cluster: ClusterConnection,
        started: Date
    ) async throws {
        let finished = Date()
        let state = progress.state.withLock { $0 }
        var durations = state.durations
        durations["total"] = Int64(finished.timeIntervalSince(started) * 1000)
        let store = HistoryStore(name: DeployOptions().historyName, namespace: namespace)
        let history = GroupKind(group: "", kind: "ConfigMap")
        var problems: [String] = []
        do {
            let existing = try await client.get(history, namespace: namespace, name: DeployOptions().historyName)
            let configMaps = existing.map { [$0] } ?? []
            var record = DeployRecord(
                identity: CIIdentity.from(environment: context.environment, actor: command.actor),
                credential: try await credentialName(client: client), cluster: cluster.server, namespace: namespace,
                applied: state.applied, pruned: state.pruned, diff: state.diff, result: result,
                message: message.isEmpty ? "\(state.applied.count) applied, \(state.unchanged) unchanged, \(state.pruned.count) pruned" : message,
                started: started, finished: finished, durations: durations, previous: store.latestDigest(in: configMaps))
            record.id = deployID
            record.seal()
            for configMap in try store.append(record, to: configMaps) {
                _ = try await client.apply(configMap, fieldManager: "warrant")
            }
            if let recordFile = command.recordFile { problems += appendRecordFile(record, to: recordFile) }
            try await emitEvent(record)
            context.standardError(
                "recorded \(record.id): \(record.identity.actor) \(result) in \(namespace)\(record.identity.commit.map { " at \($0.prefix(12))" } ?? "")\n")
        } catch let error as KubeAPIError {
            problems.append("could not write the deploy record: \(error)")
        } catch {
            problems.append("could not write the deploy record: \(error)")
        }
        if !problems.isEmpty {
            for problem in problems { context.standardError("error: \(problem)\n") }
            if result == .succeeded || result == .dryRun { throw CommandExit(.failure) }
        }

        func emitEvent(_ record: DeployRecord) async throws {
            let now = DeployRecord.timestamp(finished)
            let event = KubeObject([
                "apiVersion": "v1", "kind": "Event",
                "metadata": ["name": .string("warrant-deploy.\(deployID.lowercased())"), "namespace": .string(namespace)],
                "involvedObject": [
                    "apiVersion": "v1", "kind": "ConfigMap", "name": .string(DeployOptions().historyName), "namespace": .string(namespace),
                ],
                "reason": .string(result == .failed || result == .interrupted ? "DeployFailed" : "Deployed"),
                "message": .string(
                    "\(record.identity.actor) deployed \(record.applied.count) changed and \(record.pruned.count) pruned object(s)"
                        + "\(record.identity.commit.map { " from commit \($0)" } ?? ""): \(result) (record \(record.id))"),
                "type": .string(result == .failed || result == .interrupted ? "Warning" : "Normal"),
                "source": ["component": "warrant"],
                "firstTimestamp": .string(now), "lastTimestamp": .string(now), "count": 1,
            ])
            _ = try await client.create(event)
        }
    }

    /// The user name the API server sees for this credential (a ServiceAccount's
    /// `system:serviceaccount:NS:NAME`), from SelfSubjectReview; "unknown" when not served.
    private func credentialName(client: KubeClient) async throws -> String {
        let review: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"]
        do {
            let answer = try await client.json(
                KubeRequest(
                    method: "POST", path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                    headers: [("Accept", "application/json"), ("Content-Type", "application/json")],
                    body: Array(JSONWriter.write(review, indent: 0).utf8)))
            return answer[path: ["status", "userInfo", "username"]]?.stringValue ?? "unknown"
        } catch let error as KubeAPIError where error.isNotFound || error.code == 405 || error.isForbidden {
            return "unknown"
        }
    }

    private func appendRecordFile(_ record: DeployRecord, to path: String) -> [String] {
        let line = Data((record.jsonLine + "\n").utf8)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: line, attributes: [.posixPermissions: 0o644]) else {
                return ["\(path): cannot create the record file"]
            }
            return []
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return ["\(path): cannot open the record file for appending"] }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } catch {
            return ["\(path): \(error)"]
        }
        return []
    }
}
