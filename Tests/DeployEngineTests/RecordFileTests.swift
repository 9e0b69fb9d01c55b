import Delivery
import Foundation
import KubeModel
import Testing
import WarrantTestSupport

@testable import DeployEngine

/// `--record-file`: mode 0600, appended whole, never contradicting the history.
@Suite struct RecordFileTests {
    /// A chain of `count` records as the history would hold them (their lines, oldest first).
    static func chain(_ count: Int, namespace: String = "team") -> [String] {
        var lines: [String] = []
        var previous: String?
        for index in 0..<count {
            var record = DeployRecord(
                identity: CIIdentity(actor: "user\(index)", actorSource: "--actor"), credential: "ci", cluster: "https://k8s.example",
                namespace: namespace, applied: [], pruned: [], diff: DiffSummary(), result: .succeeded, message: "",
                started: Date(timeIntervalSince1970: 1_735_787_045 + Double(index * 60)),
                finished: Date(timeIntervalSince1970: 1_735_787_050 + Double(index * 60)),
                previous: previous)
            record.seal()
            previous = record.digest
            lines.append(record.jsonLine)
        }
        return lines
    }

    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func aNewFileIsCreated0600WithTheRecord() async throws {
        try await withTemporaryDirectory { (folder: URL) async throws in
            let path = folder.appendingPathComponent("records.jsonl").path
            let lines = Self.chain(1)
            #expect(try RecordFile.append(lines[0], chain: lines, to: path) == 1)
            #expect(try Self.mode(path) == 0o600)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == lines[0] + "\n")
        }
    }

    /// A deploy stopped between the history and the file left the file one record short: the
    /// next deploy adds it before its own, and the file's chain has no gap.
    @Test func aRecordTheFileLacksIsAddedBeforeTheNextOne() async throws {
        try await withTemporaryDirectory { (folder: URL) async throws in
            let path = folder.appendingPathComponent("records.jsonl").path
            let lines = Self.chain(4)
            _ = try RecordFile.append(lines[0], chain: Array(lines.prefix(1)), to: path)
            _ = try RecordFile.append(lines[1], chain: Array(lines.prefix(2)), to: path)
            // lines[2] reached the history only; lines[3] comes with the history holding all four.
            #expect(try RecordFile.append(lines[3], chain: lines, to: path) == 2)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == lines.map { $0 + "\n" }.joined())
            let records = try HistoryStore.records(jsonLines: text, file: path)
            #expect(RecordChain.verify(records).isEmpty)
        }
    }

    @Test func aFileOfAnotherChainGetsOnlyTheRecord() throws {
        let other = Self.chain(2, namespace: "other")
        let lines = Self.chain(3)
        #expect(RecordFile.missingLines(before: lines[2], chain: lines, fileText: other[1] + "\n") == [])
        #expect(RecordFile.missingLines(before: lines[2], chain: lines, fileText: lines[0] + "\n") == [lines[1]])
        #expect(RecordFile.missingLines(before: lines[2], chain: lines, fileText: lines[1] + "\n\n") == [])
        #expect(RecordFile.missingLines(before: lines[2], chain: lines, fileText: "") == [])
    }

    @Test func anExistingFileIsNarrowedTo0600AndALineCutShortIsEnded() async throws {
        try await withTemporaryDirectory { (folder: URL) async throws in
            let path = folder.appendingPathComponent("records.jsonl").path
            let lines = Self.chain(1)
            _ = FileManager.default.createFile(atPath: path, contents: Data("{\"cut\":".utf8), attributes: [.posixPermissions: 0o644])
            _ = try RecordFile.append(lines[0], chain: lines, to: path)
            #expect(try Self.mode(path) == 0o600)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"cut\":\n" + lines[0] + "\n")
        }
    }

    @Test func aSymbolicLinkIsRefused() async throws {
        try await withTemporaryDirectory { (folder: URL) async throws in
            let target = folder.appendingPathComponent("elsewhere").path
            _ = FileManager.default.createFile(atPath: target, contents: Data(), attributes: nil)
            let link = folder.appendingPathComponent("records.jsonl").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            let error = #expect(throws: DeployError.self) { _ = try RecordFile.append(Self.chain(1)[0], chain: [], to: link) }
            #expect(error?.description.contains("is a symbolic link") == true)
            #expect(try String(contentsOfFile: target, encoding: .utf8).isEmpty)
        }
    }

    /// Eight writers append to one file at once: every line is whole, none is lost or doubled.
    @Test func concurrentWritersNeitherInterleaveNorDuplicate() async throws {
        try await withTemporaryDirectory { (folder: URL) async throws in
            let path = folder.appendingPathComponent("records.jsonl").path
            let lines = Self.chain(40)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in stride(from: writer, to: 40, by: 8) {
                            // Each writer's chain: its own record only (no catch-up), to test the append itself.
                            _ = try RecordFile.append(lines[index], chain: [lines[index]], to: path)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let written = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(written.count == 40 && Set(written) == Set(lines))
        }
    }
}
