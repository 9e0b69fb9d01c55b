import Delivery
import Evidence
import Foundation
import KubeModel
import Testing

/// Three chained records of deploys an hour apart, and the history ConfigMaps holding them.
func chainedRecords(_ count: Int = 3) -> [DeployRecord] {
    var records: [DeployRecord] = []
    for index in 0..<count {
        records.append(makeRecord(actor: "dev\(index)", start: deployStart.addingTimeInterval(Double(index) * 3600), previous: records.last?.digest))
    }
    return records
}

func history(_ records: [DeployRecord], sizeLimit: Int = 900 * 1024) throws -> [KubeObject] {
    let store = HistoryStore(namespace: "shop", sizeLimit: sizeLimit)
    var configMaps: [KubeObject] = []
    for record in records { configMaps = try store.append(record, to: configMaps) }
    return configMaps
}

/// `configMaps` with the text of `records.jsonl` changed by `edit`.
func editHistory(_ configMaps: [KubeObject], _ edit: (String) -> String) -> [KubeObject] {
    configMaps.map { configMap in
        var copy = configMap
        let text = configMap.content[path: ["data", "records.jsonl"]]?.stringValue ?? ""
        copy.content.setValue(.string(edit(text)), at: ["data", "records.jsonl"])
        return copy
    }
}

@Suite struct ChainReviewTests {
    @Test func anIntactChainVerifies() throws {
        let records = chainedRecords()
        let (review, entries) = ChainReview.review(namespace: "shop", history: try history(records), historyError: nil, artifacts: [])
        #expect(review.verified && review.clusterRecords == 3 && review.withoutArtifact.isEmpty)
        #expect(entries.count == 3 && entries.allSatisfy(\.verified))
    }

    @Test func anAlteredRecordFailsAndTheArtifactsCopyIsUsedForAttribution() throws {
        let records = chainedRecords()
        let tampered = editHistory(try history(records)) { $0.replacingOccurrences(of: #""name":"dev1""#, with: #""name":"mallory""#) }
        let (alone, aloneEntries) = ChainReview.review(namespace: "shop", history: tampered, historyError: nil, artifacts: [])
        #expect(alone.problems.map(\.kind) == [.altered])
        #expect(aloneEntries.first { $0.record.id == records[1].id }?.verified == false)
        #expect(aloneEntries.first { $0.record.id == records[1].id }?.record.identity.actor == "mallory")

        let (review, entries) = ChainReview.review(namespace: "shop", history: tampered, historyError: nil, artifacts: records)
        #expect(Set(review.problems.map(\.kind)) == [.altered, .differs])
        let entry = try #require(entries.first { $0.record.id == records[1].id })
        #expect(entry.record.identity.actor == "dev1" && !entry.verified)
    }

    /// Issue 18: a record too large as text is stored gzip-compressed in `binaryData`; the
    /// evidence reads and verifies it the same way, and finds it edited or damaged.
    @Test func aCompressedHistoryVerifiesAndAnEditedOrDamagedOneDoesNot() throws {
        let records = chainedRecords()
        func compressed(_ edit: (String) -> String) throws -> [KubeObject] {
            try history(records).map { configMap in
                var copy = configMap
                let text = edit(configMap.content[path: ["data", HistoryStore.dataKey]]?.stringValue ?? "")
                copy.content["data"] = nil
                copy.content.setValue(.string(Data(Gzip.compress(Array(text.utf8))).base64EncodedString()), at: ["binaryData", HistoryStore.compressedDataKey])
                return copy
            }
        }
        let (review, entries) = ChainReview.review(namespace: "shop", history: try compressed { $0 }, historyError: nil, artifacts: [])
        #expect(review.verified && review.clusterRecords == 3)
        #expect(entries.count == 3 && entries.allSatisfy(\.verified))
        let edited = try compressed { $0.replacingOccurrences(of: #""name":"dev1""#, with: #""name":"mallory""#) }
        #expect(ChainReview.review(namespace: "shop", history: edited, historyError: nil, artifacts: []).review.problems.map(\.kind) == [.altered])
        var damaged = try compressed { $0 }
        damaged[0].content.setValue(.string(Data("not gzip".utf8).base64EncodedString()), at: ["binaryData", HistoryStore.compressedDataKey])
        let unreadable = ChainReview.review(namespace: "shop", history: damaged, historyError: nil, artifacts: []).review
        #expect(unreadable.problems.map(\.kind) == [.unreadable])
        #expect(unreadable.problems.first?.message.contains("binaryData.records.jsonl.gz") == true, "\(unreadable.problems)")
    }

    @Test func aRecordTheClusterLostButTheArtifactsKeptIsAProblem() throws {
        let records = chainedRecords()
        // The newest record deleted from the history: the chain itself still holds.
        let truncated = try history(Array(records.prefix(2)))
        let (alone, _) = ChainReview.review(namespace: "shop", history: truncated, historyError: nil, artifacts: [])
        #expect(alone.verified)
        let (review, entries) = ChainReview.review(namespace: "shop", history: truncated, historyError: nil, artifacts: records)
        #expect(review.problems.map(\.kind) == [.missingFromCluster] && review.problems.first?.recordID == records[2].id)
        #expect(entries.count == 3)
    }

    @Test func aRecordRotatedOutIsExplainedByTheAnchor() throws {
        let records = chainedRecords(4)
        // Room for about two records: rotation drops the oldest and anchors the chain.
        let size = records[0].jsonLine.utf8.count * 2 + 10
        let rotated = try history(records, sizeLimit: size)
        let (review, entries) = ChainReview.review(namespace: "shop", history: rotated, historyError: nil, artifacts: records)
        #expect(review.verified, "\(review.problems)")
        #expect(review.dropped > 0 && review.rotatedOut.count == review.dropped)
        #expect(entries.count == 4)
    }

    @Test func aCorruptArtifactAndClusterRecordsWithoutArtifactsAreListed() throws {
        let records = chainedRecords()
        var corrupt = records[0]
        corrupt.message = "changed"
        let (review, _) = ChainReview.review(namespace: "shop", history: try history(records), historyError: nil, artifacts: [corrupt])
        #expect(Set(review.problems.map(\.kind)) == [.alteredArtifact, .differs])
        #expect(review.withoutArtifact == [records[1].id, records[2].id])
    }

    @Test func anUnreadableHistoryDoesNotVerify() throws {
        let (forbidden, _) = ChainReview.review(namespace: "shop", history: nil, historyError: "forbidden", artifacts: [])
        #expect(forbidden.problems.map(\.kind) == [.unreadable] && forbidden.problems[0].message.contains("forbidden"))
        let garbage = editHistory(try history(chainedRecords(1))) { $0 + "not a record\n" }
        let (broken, _) = ChainReview.review(namespace: "shop", history: garbage, historyError: nil, artifacts: [])
        #expect(broken.problems.map(\.kind) == [.unreadable])
    }
}
