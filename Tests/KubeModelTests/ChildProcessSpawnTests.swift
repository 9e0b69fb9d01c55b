import Foundation
import KubeModel
import Testing
import WarrantTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A program whose file is still open for writing somewhere cannot be executed (ETXTBSY). In a
/// process that starts children from several threads, a script written a moment ago can be in
/// that state for as long as a sibling's fork holds the writer's descriptor; CI saw an exec plugin
/// test fail with "Text file busy" once. ChildProcess tries the spawn again for about 300 ms.
@Suite("child processes: a program still open for writing")
struct ChildProcessSpawnTests {
    static func script(in folder: URL) throws -> String {
        let path = try writeFile("#!/bin/sh\necho ran\n", named: "plugin.sh", in: folder)
        #expect(chmod(path, 0o755) == 0)
        return path
    }

    static func run(_ path: String) throws(ChildProcess.Failure) -> ChildProcess.Outcome {
        try ChildProcess.run(
            executable: path, arguments: [], environment: ["PATH": "/usr/bin:/bin"], errorOutput: .discard, outputLimit: 1 << 16,
            timeout: .seconds(30))
    }

    @Test("is started once the writer closes it within the retries")
    func startedOnceClosed() async throws {
        try await withTemporaryDirectory { folder in
            let path = try Self.script(in: folder)
            let writer = open(path, O_WRONLY)
            try #require(writer >= 0)
            let outcome = try await onNewThread {
                // Closed 25 ms after the first attempt would have failed.
                Thread.detachNewThread {
                    usleep(25_000)
                    close(writer)
                }
                return try Self.run(path)
            }
            #expect(outcome.status == 0)
            #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "ran\n")
        }
    }

    @Test("is refused, with the system's reason, when the writer keeps it open")
    func refusedWhileOpen() async throws {
        try await withTemporaryDirectory { folder in
            let path = try Self.script(in: folder)
            let writer = open(path, O_WRONLY)
            try #require(writer >= 0)
            defer { close(writer) }
            let failure = await #expect(throws: ChildProcess.Failure.self) { _ = try await onNewThread { try Self.run(path) } }
            #expect(failure == .launchFailed(String(cString: strerror(ETXTBSY))))
        }
    }
}
