import Evidence
import Foundation
import Testing
import WarrantTestSupport

/// Compresses `path` with the real `gzip` (as logrotate and `--audit-log-compress` leave rotated
/// logs) into `path.gz`, keeping the original.
func gzipFile(_ path: String) async throws -> String {
    let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["gzip", "-kf", path])
    guard result.status == 0 else { throw FixtureError(message: "gzip failed: \(result.error)") }
    return path + ".gz"
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

@Suite struct GzipTests {
    static let log =
        (0..<2000).map { index in
            RealAuditLines.createByAdmin.replacingOccurrences(of: "3629f3cd-787a-4193-aa89-25fd0a0aa0c7", with: "id-\(index)")
        }.joined(separator: "\n") + "\n"

    @Test func readsACompressedLogByItsContentNotItsName() async throws {
        try await withTemporaryDirectory { folder in
            let plain = try writeFile(Self.log, named: "audit-2026-12-06T07-00-00.000.log", in: folder)
            let compressed = try await gzipFile(plain)
            let renamed = folder.appendingPathComponent("rotated-without-suffix").path
            try FileManager.default.copyItem(atPath: compressed, toPath: renamed)
            let reader = AuditLogReader(filter: AuditEventFilter(namespaces: ["probe1"]))
            for path in [plain, compressed, renamed] {
                var ids: [String] = []
                let summary = try reader.read(path: path) { ids.append($0.auditID) }
                #expect(ids.count == 2000 && ids.first == "id-0" && ids.last == "id-1999", "\(path)")
                #expect(summary.compressed == (path != plain))
            }
        }
    }

    @Test func readsConcatenatedMembers() async throws {
        try await withTemporaryDirectory { folder in
            let first = try await gzipFile(try writeFile(Self.log, named: "a.log", in: folder))
            let second = try await gzipFile(try writeFile(RealAuditLines.legacyTokenPatch + "\n", named: "b.log", in: folder))
            var joined = try Data(contentsOf: URL(fileURLWithPath: first))
            joined.append(try Data(contentsOf: URL(fileURLWithPath: second)))
            let path = folder.appendingPathComponent("both.log.gz").path
            try joined.write(to: URL(fileURLWithPath: path))
            var count = 0
            _ = try AuditLogReader(filter: AuditEventFilter(namespaces: nil)).read(path: path) { _ in count += 1 }
            #expect(count == 2001)
        }
    }

    @Test func aTruncatedOrCorruptFileIsAnErrorNotASilentGap() async throws {
        try await withTemporaryDirectory { folder in
            let compressed = try await gzipFile(try writeFile(Self.log, named: "a.log", in: folder))
            let data = try Data(contentsOf: URL(fileURLWithPath: compressed))
            let truncated = folder.appendingPathComponent("truncated.gz").path
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
            var corrupt = data
            for index in 40..<60 { corrupt[index] ^= 0xFF }
            let corruptPath = folder.appendingPathComponent("corrupt.gz").path
            try corrupt.write(to: URL(fileURLWithPath: corruptPath))
            var trailing = data
            trailing.append(contentsOf: Array("garbage".utf8))
            let trailingPath = folder.appendingPathComponent("trailing.gz").path
            try trailing.write(to: URL(fileURLWithPath: trailingPath))
            let reader = AuditLogReader(filter: AuditEventFilter(namespaces: nil))
            let cut = try #require(throws: AuditLogError.self) { _ = try reader.read(path: truncated) { _ in } }
            #expect(cut.description.contains("truncated.gz: the gzip data ends early"))
            let broken = try #require(throws: AuditLogError.self) { _ = try reader.read(path: corruptPath) { _ in } }
            #expect(broken.description.contains("corrupt.gz"))
            let extra = try #require(throws: AuditLogError.self) { _ = try reader.read(path: trailingPath) { _ in } }
            #expect(extra.description.contains("bytes after the end of its gzip data"))
        }
    }
}
