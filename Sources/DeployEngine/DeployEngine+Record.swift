import Delivery
import Foundation
import KubeAPI
import KubeModel
import Logging

extension DeployEngine {
    /// Writes the record: into the history ConfigMap (chained to the previous record), to the
    /// record file, and as an Event. Runs for every outcome, within
    /// ``DeployConfiguration/recordTimeout``; what could not be written is returned, never
    /// dropped. Returns the record once the history holds it, and only then.
    func record(
        _ result: DeployResult, message: String, progress: DeployProgress, deployID: String, identity: DeployIdentity, client: KubeClient,
        started: Date, reporter: DeployReporter
    ) async -> (record: DeployRecord?, problems: [DeployError]) {
        let limit = configuration.recordTimeout
        let outcome = await TimeLimit.run(limit) {
            await writeRecord(
                result, message: message, progress: progress, deployID: deployID, identity: identity, client: client, started: started,
                reporter: reporter)
        }
        switch outcome {
        case .success(let written)?:
            return written
        case .failure(let error)?:
            return (nil, [DeployError(.recordNotWritten, "could not write the deploy record: \(error)", underlying: error)])
        case nil:
            // The last update may have landed with its answer lost to the time limit: read the
            // history once more before saying the record is missing.
            if let landed = await readBack(deployID: deployID, client: client) {
                reporter.report(.recorded(landed.record))
                let problems = await TimeLimit.run(Self.readBackLimit) {
                    await self.announce(landed.record, chain: landed.chain, finished: Date(), client: client)
                }
                guard case .success(let problems)? = problems else {
                    return (
                        landed.record,
                        [
                            DeployError(
                                .recordNotWritten, "the record \(deployID) is stored, but its Event and record file were not written in time",
                                summary: "the record's Event was not created")
                        ]
                    )
                }
                return (landed.record, problems)
            }
            return (
                nil,
                [
                    DeployError(
                        .recordNotWritten,
                        "could not write the deploy record \(deployID) within \(limit): the history may or may not hold it; check with 'warrant history -n \(namespace)'",
                        summary: "the record was not written in time")
                ]
            )
        }
    }

    /// How long the read-back after a timed-out record write, and what follows it, may take.
    static let readBackLimit: Duration = .seconds(10)

    /// The record `deployID` and the history's record lines when the history holds it; `nil`
    /// when it does not or could not be read within ``readBackLimit``.
    private func readBack(deployID: String, client: KubeClient) async -> (record: DeployRecord, chain: [String])? {
        let store = HistoryStore(name: configuration.historyName, namespace: namespace)
        let namespace = namespace
        let head = await TimeLimit.run(Self.readBackLimit) {
            try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: store.name)
        }
        guard case .success(let object?)? = head, let record = store.record(id: deployID, in: [object]) else { return nil }
        logger.debug("record found in the history after its write timed out", metadata: ["record": "\(deployID)"])
        return (record, store.recordLines(in: [object]))
    }

    private func writeRecord(
        _ result: DeployResult, message: String, progress: DeployProgress, deployID: String, identity: DeployIdentity, client: KubeClient,
        started: Date, reporter: DeployReporter
    ) async -> (record: DeployRecord?, problems: [DeployError]) {
        let finished = Date()
        let state = progress.snapshot
        var durations = state.durations
        durations["total"] = Int64(finished.timeIntervalSince(started) * 1000)
        let store = HistoryStore(name: configuration.historyName, namespace: namespace)
        // The history's head and the credential's name are read at once: neither depends on the
        // other, and the head read is the compare-and-swap's first read.
        let credential: String
        let firstHead: KubeObject?
        do {
            async let head = client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: store.name)
            async let name = credentialName(client: client)
            firstHead = try await head
            credential = try await name
        } catch {
            return (nil, [DeployError(.recordNotWritten, "could not write the deploy record: \(error)", underlying: error)])
        }
        let dryRun = result == .dryRun
        let stored: (record: DeployRecord, chain: [String])
        do {
            stored = try await appendToHistory(store: store, client: client, deployID: deployID, firstHead: firstHead) { previous in
                var record = DeployRecord(
                    identity: identity.ci, credential: credential, cluster: client.connection.displayServer, namespace: namespace,
                    applied: state.applied, pruned: state.pruned, diff: state.diff, result: result,
                    message: message.isEmpty
                        ? "\(state.applied.count) \(dryRun ? "would apply" : "applied"), \(state.unchanged) unchanged, \(state.pruned.count) \(dryRun ? "would prune" : "pruned")"
                        : Self.capped(message),
                    started: started, finished: finished, durations: durations, previous: previous)
                record.additionalFields = Self.withoutURLCredentials(identity.recordFields)
                record.id = deployID
                record.seal()
                return record
            }
        } catch {
            return (nil, [error])
        }
        let record = stored.record
        reporter.report(.recorded(record))
        return (record, await announce(record, chain: stored.chain, finished: finished, client: client))
    }

    /// Writes a record the history holds to the record file and announces it as an Event;
    /// returns what could not be written.
    private func announce(_ record: DeployRecord, chain: [String], finished: Date, client: KubeClient) async -> [DeployError] {
        var problems: [DeployError] = []
        if let recordFile = configuration.recordFile {
            do {
                _ = try RecordFile.append(record.jsonLine, chain: chain, to: recordFile)
            } catch {
                problems.append(error)
            }
        }
        do {
            _ = try await client.create(event(for: record, finished: finished))
        } catch {
            problems.append(
                DeployError(
                    .recordNotWritten, "the record \(record.id) is stored, but its Event could not be created: \(error)",
                    summary: "the record's Event was not created", underlying: error))
        }
        return problems
    }

    /// Appends the record `make(previous)` builds to the history, as a compare-and-swap: read
    /// the head ConfigMap, chain the record to its newest one, and update the head carrying the
    /// `resourceVersion` read. When another deploy wrote in between, the update fails with a
    /// conflict and the whole step repeats on the new chain, up to
    /// ``DeployConfiguration/recordAttempts`` times; a missing head is first created (labels
    /// only). Updates never conflict with another field manager (`warrant-agent`, say).
    ///
    /// `firstHead` is the head as the caller read it (`nil`: there was none), used by the first
    /// attempt.
    ///
    /// - Returns: the record as stored, and the history's record lines (oldest first, ending
    ///   with it).
    /// - Throws: ``DeployError`` `recordNotWritten`: the history could not be read or written,
    ///   or changed under every attempt.
    private func appendToHistory(
        store: HistoryStore, client: KubeClient, deployID: String, firstHead: KubeObject?, make: (String?) -> DeployRecord
    ) async throws(DeployError) -> (record: DeployRecord, chain: [String]) {
        let configMap = GroupKind(group: "", kind: "ConfigMap")
        var lostRace = false
        for attempt in 1...max(1, configuration.recordAttempts) {
            do {
                var head = attempt == 1 ? firstHead : try await client.get(configMap, namespace: namespace, name: store.name)
                if lostRace, let head, let landed = store.record(id: deployID, in: [head]) {
                    // An earlier attempt's update did land; its answer was lost.
                    return (landed, store.recordLines(in: [head]))
                }
                if head == nil {
                    head = try await client.apply(store.emptyHead, fieldManager: configuration.fieldManager)
                }
                guard let head else { continue }
                let record = make(try store.latestDigest(in: [head]))
                let built = try store.append(record, to: [head])
                guard let replacement = built.first(where: { $0.name == store.name }) else { continue }
                let written = try await client.update(store.replacing(head, with: replacement), fieldManager: configuration.fieldManager)
                logger.debug("record appended", metadata: ["record": "\(record.id)", "attempt": "\(attempt)"])
                return (record, store.recordLines(in: [written]))
            } catch let error as KubeAPIError where error.isConflict || error.isAlreadyExists {
                lostRace = true
                logger.debug("history changed while appending; reading it again", metadata: ["attempt": "\(attempt)"])
                do {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 20...(50 * min(attempt, 10)))))
                } catch {
                    // Cancelled: the record is written regardless; go on without the pause.
                }
            } catch let error as RecordError {
                throw DeployError(
                    .recordNotWritten, "could not write the deploy record \(deployID): \(error.source.map { "\($0): " } ?? "")\(error.field) \(error.message)",
                    hint: error.hint, summary: "the history's newest record cannot be read", underlying: error)
            } catch let error as HistoryError where error.code == .droppedRecordUnreadable {
                throw DeployError(
                    .recordNotWritten, "could not write the deploy record \(deployID): \(error.source.map { "\($0): " } ?? "")\(error.message)",
                    hint: error.hint, summary: "a record the history drops cannot be read", underlying: error)
            } catch {
                throw DeployError(.recordNotWritten, "could not write the deploy record: \(error)", underlying: error)
            }
        }
        throw DeployError(
            .recordNotWritten,
            "could not write the deploy record \(deployID): the history \(namespace)/\(store.name) changed under each of \(configuration.recordAttempts) attempts",
            hint: "too many deploys write the history at once; the deploy itself is done, see 'warrant history -n \(namespace)'",
            summary: "the history changed under every attempt to record")
    }

    /// The most characters of a failure message a record keeps.
    static let messageLimit = 4096

    /// `message` cut to ``messageLimit`` characters.
    static func capped(_ message: String) -> String {
        message.count > messageLimit ? String(message.prefix(messageLimit)) + "… (cut)" : message
    }

    /// `fields` with user information removed from URLs in their string values (a repository
    /// URL with a token, say): records are read by everyone who can read ConfigMaps.
    static func withoutURLCredentials(_ fields: JSONObject) -> JSONObject {
        func clean(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let text): return .string(URLUserInfo.redacted(in: text))
            case .array(let elements): return .array(elements.map(clean))
            case .object(let object): return .object(JSONObject(object.map { ($0.key, clean($0.value)) }))
            default: return value
            }
        }
        return JSONObject(fields.map { ($0.key, clean($0.value)) })
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
                "\(DisplayText.escaped(record.identity.actor, limit: 100)) deployed \(record.applied.count) changed and \(record.pruned.count) pruned object(s)"
                    + "\(record.identity.commit.map { " from commit \(DisplayText.escaped($0, limit: 64))" } ?? ""): \(record.result) (record \(record.id))"),
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
}
