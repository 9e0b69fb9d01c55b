import Foundation
import KubeModel
import Testing

@testable import Delivery

@Suite("History store")
struct HistoryStoreTests {
    /// Appends `records` one by one, applying the returned ConfigMaps as the API server would.
    func appendAll(_ records: [DeployRecord], store: HistoryStore) throws -> [KubeObject] {
        var live: [KubeObject] = []
        for record in records {
            for configMap in try store.append(record, to: live) {
                live.removeAll { $0.name == configMap.name }
                live.append(configMap)
            }
        }
        return live
    }

    @Test("records append as JSON lines in the head and read back in order")
    func appendAndRead() throws {
        let store = HistoryStore(namespace: "team-a")
        let chain = sampleChain(3)
        let live = try appendAll(chain, store: store)
        #expect(live.map(\.name) == ["warrant-history"])
        #expect(live.first?.namespace == "team-a")
        let text = try #require(live.first?.content[path: ["data", "records.jsonl"]]?.stringValue)
        #expect(text == HistoryStore.jsonLines(chain))
        #expect(try store.records(from: live) == chain)
        #expect(try store.latestDigest(in: live) == chain.last?.digest)
        #expect(try store.latestDigest(in: []) == nil)
    }

    @Test("rotation moves whole ConfigMaps down and keeps the chain verifiable")
    func rotation() throws {
        // Every record but the first has a `previous`; all those lines have the same size.
        let size = sampleChain(2)[1].jsonLine.utf8.count + 1
        let store = HistoryStore(namespace: "team-a", sizeLimit: size * 3 + 10, archives: 2)
        #expect(store.configMapNames == ["warrant-history", "warrant-history-1", "warrant-history-2"])
        let chain = sampleChain(8)
        let live = try appendAll(chain, store: store)
        // 8 records, 3 per ConfigMap: head [6,7], -1 [3,4,5], -2 [0,1,2]; nothing dropped yet.
        let read = try store.records(from: live)
        #expect(read == chain)
        #expect(store.anchor(in: live) == nil)
        #expect(RecordChain.verify(read, anchor: store.anchor(in: live)).isEmpty)

        // Two more rotate [0,1,2] out: the anchor is the digest of record 2.
        let more = try appendAll(chain + sampleChain(2, after: chain.last?.digest).map { $0 }, store: store)
        let kept = try store.records(from: more)
        #expect(kept.count == 7)
        #expect(store.anchor(in: more) == chain[2].digest)
        #expect(more.first { $0.name == "warrant-history" }?.annotations[HistoryStore.droppedAnnotation] == "3")
        #expect(RecordChain.verify(kept, anchor: store.anchor(in: more)).isEmpty)
        #expect(RecordChain.verify(kept).map(\.kind) == [.gap])
    }

    @Test("without archives, old records are dropped and the anchor kept")
    func dropping() throws {
        let size = sampleChain(2)[1].jsonLine.utf8.count + 1
        let store = HistoryStore(namespace: "team-a", sizeLimit: size * 2 + 10)
        let chain = sampleChain(5)
        let live = try appendAll(chain, store: store)
        #expect(live.map(\.name) == ["warrant-history"])
        let kept = try store.records(from: live)
        #expect(kept == [chain[4]])
        #expect(store.anchor(in: live) == chain[3].digest)
        #expect(RecordChain.verify(kept, anchor: store.anchor(in: live)).isEmpty)
        #expect(try store.latestDigest(in: live) == chain[4].digest)
    }

    @Test("a record larger than a ConfigMap is refused")
    func tooLarge() throws {
        let store = HistoryStore(namespace: "team-a", sizeLimit: 100)
        let error = try #require(throws: HistoryError.self) { try store.append(sampleRecord(previous: nil), to: []) }
        #expect(error.code == .recordTooLarge)
        #expect(error.description.contains("compressed"))
        #expect(error.hint?.contains("--applyset") == true)
    }

    @Test(
        "rotating out a record whose digest cannot be read is an error, not a silently older anchor",
        arguments: [false, true])
    func rotationPastAnUnreadableRecord(archived: Bool) throws {
        let size = sampleChain(2)[1].jsonLine.utf8.count + 1
        let store = HistoryStore(namespace: "team-a", sizeLimit: size * 2 + 10, archives: archived ? 1 : 0)
        let chain = sampleChain(archived ? 5 : 3)
        // Without archives the head [0,1] is full; with one archive, -1 [0,1] and the head [2,3] are.
        var live = try appendAll(Array(chain.dropLast()), store: store)
        let full = archived ? "warrant-history-1" : "warrant-history"
        let index = try #require(live.firstIndex { $0.name == full })
        let text = try #require(live[index].content[path: ["data", "records.jsonl"]]?.stringValue)
        // Same size, so that the rotation still happens; the digest can no longer be read.
        live[index].content.setValue(.string(text.replacingOccurrences(of: "\"digest\"", with: "\"digezt\"")), at: ["data", "records.jsonl"])
        let error = try #require(throws: HistoryError.self) { try store.append(chain[chain.count - 1], to: live) }
        #expect(error.code == .droppedRecordUnreadable)
        #expect(error.source == SourceLocation(file: "ConfigMap team-a/\(full)", line: 2))
        #expect(error.description.contains("warrant history -n team-a --verify"))
    }

    @Test("a tampered line is found by verification, a garbled one names its ConfigMap and line")
    func tampering() throws {
        let store = HistoryStore(namespace: "team-a")
        var live = try appendAll(sampleChain(3), store: store)
        let text = try #require(live[0].content[path: ["data", "records.jsonl"]]?.stringValue)
        live[0].content.setValue(.string(text.replacingOccurrences(of: "user1", with: "eve")), at: ["data", "records.jsonl"])
        #expect(RecordChain.verify(try store.records(from: live)).map(\.kind) == [.altered])
        live[0].content.setValue(.string(text + "{oops\n"), at: ["data", "records.jsonl"])
        #expect {
            try store.records(from: live)
        } throws: { error in
            String(describing: error).contains("ConfigMap team-a/warrant-history:4")
        }
    }

    @Test("record files are JSON lines; blank lines are skipped")
    func recordFile() throws {
        let chain = sampleChain(2)
        let text = "\n" + HistoryStore.jsonLines(chain) + "\n"
        #expect(try HistoryStore.records(jsonLines: text, file: "records.jsonl") == chain)
    }

    @Test("an append replaces the records of the live head and keeps its resourceVersion, labels and annotations")
    func compareAndSwapBody() throws {
        let store = HistoryStore(namespace: "team-a")
        let chain = sampleChain(2)
        var live = try #require(try store.append(chain[0], to: []).first)
        live.setMetadata("resourceVersion", "41")
        live.setMetadata("labels", ["team": "a", HistoryStore.managedByLabel: "warrant"])
        live.setMetadata("annotations", ["note": "kept"])
        let built = try #require(try store.append(chain[1], to: [live]).first)
        let body = store.replacing(live, with: built)
        #expect(body.content[path: ["metadata", "resourceVersion"]] == "41")
        #expect(body.labels["team"] == "a" && body.annotations["note"] == "kept")
        #expect(try store.records(from: [body]) == chain)
        #expect(store.recordLines(in: [body]) == chain.map(\.jsonLine))
        #expect(store.record(id: chain[1].id, in: [body]) == chain[1])
        #expect(store.record(id: "20250102T030405Z-00000000", in: [body]) == nil)
        #expect(store.emptyHead.content["data"] == nil && store.emptyHead.labels[HistoryStore.managedByLabel] == "warrant")
    }

    /// The head with `lines` as its records, as a damaged history would be read.
    func head(store: HistoryStore, lines: [String]) -> KubeObject {
        var head = store.emptyHead
        head.content.setValue(.object(JSONObject([("records.jsonl", .string(lines.map { $0 + "\n" }.joined()))])), at: ["data"])
        return head
    }

    @Test(
        "a newest record that cannot be read stops the chain instead of linking past it",
        arguments: [
            ("not JSON", "line", "is not a deploy record (not JSON)"),
            ("no digest", "record 20250102T030405Z-0000beef: digest", "is missing or not a string"),
        ])
    func damagedNewestRecord(damage: String, field: String, message: String) throws {
        let store = HistoryStore(namespace: "team-a")
        let chain = sampleChain(2)
        let broken = damage == "not JSON" ? "{\"id\": \"202501" : #"{"id":"20250102T030405Z-0000beef","previous":"x"}"#
        let live = head(store: store, lines: chain.map(\.jsonLine) + [broken])
        // Before, the digest of chain[1] was returned: the next record skipped the damaged one.
        let error = try #require(throws: RecordError.self) { try store.latestDigest(in: [live]) }
        #expect(error.field == field)
        #expect(error.message == message)
        #expect(error.source == SourceLocation(file: "ConfigMap team-a/warrant-history", line: 3))
        #expect(error.hint?.contains("warrant history -n team-a --verify") == true)
        #expect("\(error)".hasPrefix("ConfigMap team-a/warrant-history:3: deployment record: \(field) \(message)\n  hint: "))
        // A readable newest record is still what the next one links to.
        #expect(try store.latestDigest(in: [head(store: store, lines: chain.map(\.jsonLine))]) == chain[1].digest)
    }
}
