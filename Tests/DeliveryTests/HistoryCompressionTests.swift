import Foundation
import KubeModel
import Testing
import WarrantTestSupport

@testable import Delivery

/// Issue 18: a record of a deploy of many thousand objects is larger than a history ConfigMap
/// holds as text; it is stored gzip-compressed in `binaryData`, under the same hash chain.
@Suite("History store: compressed records", .ownThread)
struct HistoryCompressionTests {
    /// A record applying `count` ConfigMaps, each with the digest of its own content.
    func largeRecord(objects count: Int, previous: String?) -> DeployRecord {
        var record = sampleRecord(previous: previous)
        record.applied = (0..<count).map { index in
            var object = make("v1", "ConfigMap", "app-\(index)-config")
            object.content.setValue(.string("value \(index)"), at: ["data", "key"])
            return RecordedObject(object, action: .created)
        }
        record.seal()
        return record
    }

    func compressedRecords(_ configMap: KubeObject) throws -> String {
        let encoded = try #require(configMap.content[path: ["binaryData", HistoryStore.compressedDataKey]]?.stringValue)
        let bytes = try Gzip.decompress(Array(try #require(Data(base64Encoded: encoded))), limit: 1 << 26)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("a record too large as text is stored compressed, read back the same, and the chain verifies")
    func storedCompressed() throws {
        let store = HistoryStore(namespace: "team-a", sizeLimit: 200 * 1024)
        let first = sampleRecord(previous: nil)
        var live = try store.append(first, to: [])
        let large = largeRecord(objects: 3_000, previous: first.digest)
        #expect(large.jsonLine.utf8.count > store.sizeLimit)
        // The head held a text record: the large one rotates it out (no archives: dropped, anchored).
        live = try store.append(large, to: live)
        let head = try #require(live.first)
        #expect(head.content["data"] == nil)
        #expect(try compressedRecords(head) == large.jsonLine + "\n")
        #expect(head.annotations[HistoryStore.anchorAnnotation] == first.digest)
        #expect(try store.records(from: live) == [large])
        #expect(try store.latestDigest(in: live) == large.digest)
        #expect(RecordChain.verify(try store.records(from: live), anchor: store.anchor(in: live)).isEmpty)
        #expect(store.recordLines(in: live) == [large.jsonLine])
        #expect(store.record(id: large.id, in: live) == large)
        // The update that stores it replaces the text records of the live head.
        let replaced = store.replacing(try store.append(first, to: []).first!, with: head)
        #expect(replaced.content["data"] == nil && replaced.content["binaryData"] == head.content["binaryData"])
        // The next record chains to it and rotates it out in turn; back to text.
        let next = sampleRecord(previous: large.digest, offset: 60)
        live = try store.append(next, to: live)
        #expect(live.first?.content["binaryData"] == nil)
        #expect(live.first?.annotations[HistoryStore.anchorAnnotation] == large.digest)
        #expect(try store.records(from: live) == [next])
    }

    @Test("with an archive, a compressed record moves down whole and still verifies")
    func archivedCompressed() throws {
        let store = HistoryStore(namespace: "team-a", sizeLimit: 200 * 1024, archives: 1)
        let large = largeRecord(objects: 3_000, previous: nil)
        let next = sampleRecord(previous: large.digest, offset: 60)
        var live: [KubeObject] = []
        for record in [large, next] {
            for configMap in try store.append(record, to: live) {
                live.removeAll { $0.name == configMap.name }
                live.append(configMap)
            }
        }
        let archive = try #require(live.first { $0.name == "warrant-history-1" })
        #expect(try compressedRecords(archive) == large.jsonLine + "\n")
        #expect(try store.records(from: live) == [large, next])
        #expect(RecordChain.verify(try store.records(from: live)).isEmpty)
    }

    @Test("a record too large even compressed is refused with a hint")
    func tooLargeCompressed() throws {
        let store = HistoryStore(namespace: "team-a", sizeLimit: 20 * 1024)
        let large = largeRecord(objects: 3_000, previous: nil)
        let error = try #require(throws: HistoryError.self) { try store.append(large, to: []) }
        #expect(error.code == .recordTooLarge)
        #expect(error.description.contains("compressed"))
        #expect(error.hint?.contains("--applyset") == true)
    }

    @Test("a tampered compressed record is found by verification; damaged data names the ConfigMap")
    func tampering() throws {
        let store = HistoryStore(namespace: "team-a", sizeLimit: 200 * 1024)
        var live = try store.append(largeRecord(objects: 3_000, previous: nil), to: [])
        let text = try compressedRecords(live[0])
        // Recompressed with one object renamed: readable, but no longer the record sealed.
        let edited = Data(Gzip.compress(text.replacingOccurrences(of: "\"app-7-config\"", with: "\"app-x-config\"").utf8)).base64EncodedString()
        live[0].content.setValue(.string(edited), at: ["binaryData", HistoryStore.compressedDataKey])
        #expect(RecordChain.verify(try store.records(from: live)).map(\.kind) == [.altered])
        // Bytes that are not gzip, and gzip cut short: an error naming the ConfigMap and the key.
        let stored = try #require(live[0].content[path: ["binaryData", HistoryStore.compressedDataKey]]?.stringValue)
        let good = try #require(Data(base64Encoded: stored))
        for damaged in [Data("not gzip at all".utf8), good.prefix(good.count / 2)] {
            live[0].content.setValue(.string(damaged.base64EncodedString()), at: ["binaryData", HistoryStore.compressedDataKey])
            let error = try #require(throws: RecordError.self) { try store.records(from: live) }
            #expect(error.field == "binaryData.records.jsonl.gz")
            #expect(error.source?.file == "ConfigMap team-a/warrant-history")
            #expect(throws: RecordError.self) { try store.latestDigest(in: live) }
            let appendError = try #require(throws: HistoryError.self) { try store.append(sampleRecord(previous: nil), to: live) }
            #expect(appendError.code == .recordsUnreadable)
        }
    }

    @Test("compressed data that expands beyond the limit is refused, not read into memory")
    func expansionLimit() throws {
        let bomb = Gzip.compress([UInt8](repeating: UInt8(ascii: "a"), count: 4 << 20))
        #expect(bomb.count < 64 * 1024)
        #expect(throws: Gzip.DecompressionError.tooLarge(limit: 1 << 20)) { try Gzip.decompress(bomb, limit: 1 << 20) }
        #expect(try Gzip.decompress(bomb, limit: 4 << 20).count == 4 << 20)
    }

    @Test("a head holding text records and compressed ones reads the compressed ones first")
    func bothKeys() throws {
        let store = HistoryStore(namespace: "team-a")
        let chain = sampleChain(3)
        var head = try store.append(chain[2], to: []).first!
        let compressed = Data(Gzip.compress(HistoryStore.jsonLines(Array(chain[0..<2])).utf8)).base64EncodedString()
        head.content.setValue(.string(compressed), at: ["binaryData", HistoryStore.compressedDataKey])
        #expect(try store.records(from: [head]) == chain)
    }

    @Test("the size worked out before a deploy is at least the record's, and close to it", arguments: [200, 3_000, 12_000])
    func recordSizeEstimate(objects count: Int) throws {
        let store = HistoryStore(namespace: "team-a", sizeLimit: 300 * 1024)
        let record = largeRecord(objects: count, previous: nil)
        let references = record.applied.map(\.reference)
        let estimate = store.recordSize(applying: references)
        let text = record.jsonLine.utf8.count + 1
        #expect(estimate.text >= text)
        #expect(estimate.text <= text + HistoryStore.recordOverhead + references.count * 8)
        if text > store.sizeLimit {
            let compressed = Gzip.compress((record.jsonLine + "\n").utf8).count
            let estimated = try #require(estimate.compressed)
            // Compression stops counting once the record cannot fit.
            if compressed + HistoryStore.recordOverhead <= store.sizeLimit {
                #expect(estimated >= compressed)
                #expect(estimated <= compressed + HistoryStore.recordOverhead + compressed / 20)
            } else {
                #expect(estimated > store.sizeLimit)
            }
        } else {
            #expect(estimate.compressed == nil)
        }
    }
}
