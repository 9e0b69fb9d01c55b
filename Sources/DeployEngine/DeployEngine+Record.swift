import Delivery
import Foundation
import KubeAPI
import KubeModel

extension DeployEngine {
    /// Writes the record: into the history ConfigMap (chained to the previous record), to the
    /// record file, and as an Event. Runs for every outcome; what could not be written is
    /// returned, never dropped. Returns the record once it is in the history.
    func record(
        _ result: DeployResult, message: String, progress: DeployProgress, deployID: String, identity: DeployIdentity, client: KubeClient,
        started: Date, reporter: DeployReporter
    ) async -> (record: DeployRecord?, problems: [DeployError]) {
        let finished = Date()
        let state = progress.snapshot
        var durations = state.durations
        durations["total"] = Int64(finished.timeIntervalSince(started) * 1000)
        let historyName = configuration.historyName
        let store = HistoryStore(name: historyName, namespace: namespace)
        var problems: [DeployError] = []
        var written: DeployRecord?
        do {
            // Both reads at once: neither depends on the other.
            async let history = client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: historyName)
            async let credential = credentialName(client: client)
            let existing = try await history
            let configMaps = existing.map { [$0] } ?? []
            let dryRun = result == .dryRun
            var record = DeployRecord(
                identity: identity.ci, credential: try await credential, cluster: client.connection.server,
                namespace: namespace, applied: state.applied, pruned: state.pruned, diff: state.diff, result: result,
                message: message.isEmpty
                    ? "\(state.applied.count) \(dryRun ? "would apply" : "applied"), \(state.unchanged) unchanged, \(state.pruned.count) \(dryRun ? "would prune" : "pruned")"
                    : message,
                started: started, finished: finished, durations: durations, previous: store.latestDigest(in: configMaps))
            record.additionalFields = identity.recordFields
            record.id = deployID
            record.seal()
            for configMap in try store.append(record, to: configMaps) {
                _ = try await client.apply(configMap, fieldManager: configuration.fieldManager)
            }
            written = record
            if let recordFile = configuration.recordFile, let problem = Self.appendRecordFile(record, to: recordFile) {
                problems.append(problem)
            }
            _ = try await client.create(event(for: record, finished: finished))
            reporter.report(.recorded(record))
        } catch {
            problems.append(DeployError(.recordNotWritten, "could not write the deploy record: \(error)", underlying: error))
        }
        return (written, problems)
    }

    /// The Event that announces the record in the namespace (`kubectl get events` shows it).
    private func event(for record: DeployRecord, finished: Date) -> KubeObject {
        let now = DeployRecord.timestamp(finished)
        let failed = record.result == .failed || record.result == .interrupted || record.result == .refused
        return KubeObject([
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("warrant-deploy.\(record.id.lowercased())"), "namespace": .string(namespace)],
            "involvedObject": [
                "apiVersion": "v1", "kind": "ConfigMap", "name": .string(configuration.historyName), "namespace": .string(namespace),
            ],
            "reason": .string(record.result == .refused ? "DeployRefused" : failed ? "DeployFailed" : "Deployed"),
            "message": .string(
                "\(record.identity.actor) deployed \(record.applied.count) changed and \(record.pruned.count) pruned object(s)"
                    + "\(record.identity.commit.map { " from commit \($0)" } ?? ""): \(record.result) (record \(record.id))"),
            "type": .string(failed ? "Warning" : "Normal"),
            "source": ["component": "warrant"],
            "firstTimestamp": .string(now), "lastTimestamp": .string(now), "count": 1,
        ])
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

    /// Appends the record as one JSON line; the problem when the file cannot be written.
    private static func appendRecordFile(_ record: DeployRecord, to path: String) -> DeployError? {
        func problem(_ text: String, _ error: (any Error)? = nil) -> DeployError {
            DeployError(.recordNotWritten, "\(path): \(text)", underlying: error)
        }
        let line = Data((record.jsonLine + "\n").utf8)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: line, attributes: [.posixPermissions: 0o644]) else {
                return problem("cannot create the record file")
            }
            return nil
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return problem("cannot open the record file for appending") }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } catch {
            return problem("\(error)", error)
        }
        return nil
    }
}
