import Agent
import AgentService
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``ProcessMemory``: what `warrant agent run` sets and gives back (issue 15, point 6).
@Suite struct ProcessMemoryTests {
    @Test(
        "the agent's thread and arena settings leave what the operator set",
        arguments: [
            ([:], 1, 1, 2),
            (["NIO_SINGLETON_GROUP_LOOP_COUNT": "4"], nil, 1, 2),
            (["NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT": "3"], 1, nil, 2),
            (["MALLOC_ARENA_MAX": "8"], 1, 1, nil),
            (["GLIBC_TUNABLES": "glibc.malloc.arena_max=4"], 1, 1, nil),
            (["GLIBC_TUNABLES": "glibc.malloc.tcache_count=0"], 1, 1, 2),
        ] as [([String: String], Int?, Int?, Int?)])
    func agentSettings(environment: [String: String], loops: Int?, blocking: Int?, arenas: Int?) {
        let settings = ProcessMemory.AgentSettings(environment: environment)
        #expect(settings.eventLoops == loops)
        #expect(settings.blockingThreads == blocking)
        #expect(settings.arenaLimit == arenas)
    }

    @Test("the loop releases the executable's pages after its first pass and after any pass but an idle poll")
    func whenTheLoopReleasesPages() throws {
        let tip = try #require(CommitID(String(repeating: "a", count: 40)))
        let failed = ReconcileStep.failed(ReconcileFailure(.git, "unreachable", retrying: true))
        #expect(ReconcileService.releasesExecutablePages(after: .unchanged(tip), first: true))
        #expect(!ReconcileService.releasesExecutablePages(after: .unchanged(tip), first: false))
        #expect(ReconcileService.releasesExecutablePages(after: failed, first: false))
        #expect(ReconcileService.releasesExecutablePages(after: failed, first: true))
    }

    #if os(Linux) && canImport(Glibc)
    /// Resident kilobytes of this process's executable mappings without write permission (smaps).
    static func residentReadOnlyExecutableKB() throws -> Int {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        var total = 0
        var counting = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), first.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                counting = fields.count >= 6 && fields[5...].joined(separator: " ") == executable && !fields[1].contains("w")
            } else if counting, fields.first == "Rss:", fields.count >= 2 {
                total += Int(fields[1]) ?? 0
            }
        }
        return total
    }

    /// Every mapping of this process: (range, permissions, path) from /proc/self/maps.
    static func mappings() throws -> [(Range<UInt>, String, String)] {
        // Read to the end: /proc files report a size of 0, and a read sized by it can stop short.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        defer { try? handle.close() }
        let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return maps.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5 else { return nil }
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            guard bounds.count == 2 else { return nil }
            return (bounds[0]..<bounds[1], String(fields[1]), fields.count >= 6 ? fields[5...].joined(separator: " ") : "")
        }
    }

    @Test("only read-only file mappings of the executable and its libraries are released, never writable ones or the vDSO")
    func segmentsAreReadOnlyFileMappings() throws {
        let segments = ProcessMemory.readOnlySegments()
        #expect(!segments.isEmpty)
        let mappings = try Self.mappings()
        for segment in segments {
            // Every page of the segment lies in file mappings without "w".
            var address = segment.lowerBound
            while address < segment.upperBound {
                let mapping = try #require(mappings.first { $0.0.contains(address) }, "\(String(address, radix: 16)) is not mapped")
                #expect(!mapping.1.contains("w"), "\(mapping.1) \(mapping.2) at \(String(address, radix: 16))")
                #expect(mapping.2.hasPrefix("/"), "\(mapping.2) at \(String(address, radix: 16)) is no file")
                address = min(segment.upperBound, mapping.0.upperBound)
            }
        }
        // The executable's code is among them, and libc's.
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        for file in [executable, "libc.so"] {
            let code = try #require(mappings.first { $0.1.contains("x") && $0.2.contains(file) }, "no code mapping of \(file)")
            #expect(segments.contains { $0.lowerBound <= code.0.lowerBound + 4096 && code.0.upperBound <= $0.upperBound + 4096 }, "\(file)")
        }
    }

    @Test("releasing the executable's pages unmaps them, and the code still runs")
    func releaseUnmapsPages() throws {
        let before = try Self.residentReadOnlyExecutableKB()
        let released = ProcessMemory.releaseExecutablePages()
        let after = try Self.residentReadOnlyExecutableKB()
        #expect(released > 0)
        #expect(after < before, "resident read-only pages of the executable: \(before) kB before, \(after) kB after")
        // The code and constants come back on their next touch.
        let settings = ProcessMemory.AgentSettings(environment: [:])
        #expect(settings.arenaLimit == ProcessMemory.arenaLimit)
        #expect(try Self.residentReadOnlyExecutableKB() > 0)
    }

    static func residentAnonymousKB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    @Test("memory freed inside a malloc arena goes back to the kernel")
    func freedHeapIsReturned() throws {
        // 64 MB in 4000-byte blocks, written so that their pages are resident; then all but every
        // 32nd block freed: the free runs between the kept blocks stay in the arena (glibc only
        // trims an arena's top by itself) until malloc_trim gives their pages back.
        let count = 16_384
        let size = 4000
        var blocks: [UnsafeMutableRawPointer] = []
        blocks.reserveCapacity(count)
        for _ in 0..<count {
            let block = try #require(malloc(size))
            memset(block, 0x5a, size)
            blocks.append(block)
        }
        for (index, block) in blocks.enumerated() where index % 32 != 0 { free(block) }
        let before = try Self.residentAnonymousKB()
        ProcessMemory.returnFreedMemory()
        let after = try Self.residentAnonymousKB()
        for (index, block) in blocks.enumerated() where index % 32 == 0 { free(block) }
        // About 60 MB were free in whole pages; other tests allocate meanwhile, so half of it.
        #expect(before - after > 30 * 1024, "RssAnon \(before) kB before malloc_trim, \(after) kB after")
    }
    #endif
}
