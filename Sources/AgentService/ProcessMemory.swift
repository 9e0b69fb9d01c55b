import NIOCore

#if canImport(Glibc)
import CProcessMemory
import Glibc
#endif

/// What `warrant agent run` does so that an idle agent stays small for months (issue 15, point 6).
///
/// Measured on the static release build (Benchmarks/README.md, "The agent as a service"): an idle
/// agent's resident memory was mostly pages of its own executable that only the start and the
/// first apply touched (argument parsing of every command, the relocation tables, the deploy
/// engine), and heap that the first apply freed but glibc kept in the arenas of the threads that
/// used it. Three things, all Linux with glibc only (elsewhere they do nothing):
///
/// - ``configureAgentProcess(environment:)`` before anything starts a thread: one NIO event loop
///   (the HTTP server and the API client share it; NIO's default is one per core, 64 on a large
///   node) and at most two malloc arenas (glibc's default is eight per core, one per thread that
///   allocates). An operator's `NIO_SINGLETON_GROUP_LOOP_COUNT`,
///   `NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT` or `MALLOC_ARENA_MAX` wins.
/// - ``returnFreedMemory()`` after each pass: `malloc_trim(0)` gives free pages inside the arenas
///   back to the kernel (glibc only returns the top of an arena by itself).
/// - ``releaseExecutablePages()`` after a pass that deployed: the read-only segments of the
///   executable (code, symbol and relocation tables, Swift metadata) and of the shared libraries
///   (glibc, libstdc++, libm) are unmapped with `MADV_DONTNEED`; the pages the next passes use
///   come back from the page cache on first touch. They are clean file pages, so nothing is lost:
///   only writable segments hold data (RELRO lies inside a writable `PT_LOAD`), and those are
///   never touched.
package enum ProcessMemory {
    /// The malloc arenas an agent process uses (glibc's `M_ARENA_MAX`).
    package static let arenaLimit = 2

    /// What ``configureAgentProcess(environment:)`` sets, given the process's environment: only
    /// what the operator did not set.
    package struct AgentSettings: Equatable, Sendable {
        /// NIO's singleton event-loop group size, or `nil` to leave NIO's choice (the variable is set).
        package var eventLoops: Int?
        /// NIO's singleton blocking thread pool size, or `nil` to leave it.
        package var blockingThreads: Int?
        /// glibc's `M_ARENA_MAX`, or `nil` to leave it (`MALLOC_ARENA_MAX` or the tunable is set).
        package var arenaLimit: Int?

        /// The settings for an environment.
        package init(environment: [String: String]) {
            eventLoops = environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil ? 1 : nil
            blockingThreads = environment["NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT"] == nil ? 1 : nil
            let tunables = environment["GLIBC_TUNABLES"] ?? ""
            arenaLimit = environment["MALLOC_ARENA_MAX"] == nil && !tunables.contains("arena_max") ? ProcessMemory.arenaLimit : nil
        }
    }

    /// Applies ``AgentSettings`` for this process's environment. Call it first thing in an
    /// `agent run` process, before any thread starts and before anything uses NIO's singletons
    /// (NIO stops the process when its suggestions change after first use); `warrant`'s `main`
    /// does.
    package static func configureAgentProcess(environment: [String: String]) {
        let settings = AgentSettings(environment: environment)
        if let loops = settings.eventLoops { NIOSingletons.groupLoopCountSuggestion = loops }
        if let threads = settings.blockingThreads { NIOSingletons.blockingPoolThreadCountSuggestion = threads }
        #if canImport(Glibc)
        if let limit = settings.arenaLimit { _ = mallopt(M_ARENA_MAX, Int32(limit)) }
        #endif
    }

    /// What a `warrant deploy` process sets before any thread starts: at most ``arenaLimit``
    /// malloc arenas, unless `MALLOC_ARENA_MAX` or the glibc tunable is set (Linux with glibc
    /// only). A deploy sends from every thread of the pool and the event loops; with glibc's
    /// default arenas, what one thread freed stayed in its arena while another grew its own
    /// (issue 18: `deploy --dry-run` of 10 MB, every object sent, peaked at 105 MB instead of
    /// 98 MB with two arenas; the bound is 104 MB).
    package static func configureDeployProcess(environment: [String: String]) {
        #if canImport(Glibc)
        if let limit = AgentSettings(environment: environment).arenaLimit { _ = mallopt(M_ARENA_MAX, Int32(limit)) }
        #endif
    }

    /// Gives the free pages in malloc's arenas back to the kernel (`malloc_trim(0)`); returns
    /// whether any were released. Does nothing without glibc.
    @discardableResult
    package static func returnFreedMemory() -> Bool {
        #if canImport(Glibc)
        return malloc_trim(0) == 1
        #else
        return false
        #endif
    }

    /// The read-only segments of the executable and of the shared libraries it loaded (glibc,
    /// libstdc++ and libm stay dynamically linked even in the static build): their `PT_LOAD`
    /// program headers without write permission, page-aligned, from `dl_iterate_phdr`. The vDSO
    /// is left out (the kernel's own mapping). Empty without glibc.
    package static func readOnlySegments() -> [Range<UInt>] {
        var segments: [Range<UInt>] = []
        forEachReadOnlySegment { segments.append($0) }
        return segments
    }

    /// Unmaps the read-only segments of the executable and its shared libraries from this process
    /// (`MADV_DONTNEED`); the pages still in use come back from the page cache on their next
    /// touch. Only this process's page table changes: the page cache, and other processes mapping
    /// the same libraries, are not affected. Returns the bytes advised.
    @discardableResult
    package static func releaseExecutablePages() -> Int {
        #if canImport(Glibc)
        var released = 0
        // Advised inside the walk: glibc holds its loader lock meanwhile, so no library can be
        // unloaded, and its addresses mapped to something else, between finding and releasing.
        forEachReadOnlySegment { segment in
            let length = Int(segment.upperBound - segment.lowerBound)
            if madvise(UnsafeMutableRawPointer(bitPattern: segment.lowerBound), length, MADV_DONTNEED) == 0 { released += length }
        }
        return released
        #else
        return 0
        #endif
    }

    /// Calls `visit` with each read-only segment (see ``readOnlySegments()``) from inside
    /// `dl_iterate_phdr`.
    private static func forEachReadOnlySegment(_ visit: (Range<UInt>) -> Void) {
        #if canImport(Glibc)
        withoutActuallyEscaping(visit) { visit in
            var context = visit
            withUnsafeMutablePointer(to: &context) { pointer in
                _ = warrant_dl_iterate_phdr(
                    { object, _, data in
                        guard let object = object?.pointee, let headers = object.headers, let data else { return 0 }
                        if let name = object.name, strstr(name, "vdso") != nil { return 0 }
                        let visit = data.assumingMemoryBound(to: ((Range<UInt>) -> Void).self).pointee
                        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
                        for header in UnsafeBufferPointer(start: headers, count: Int(object.count))
                        where header.p_type == UInt32(PT_LOAD) && header.p_flags & UInt32(PF_W) == 0 {
                            let start = UInt(object.address) &+ UInt(header.p_vaddr)
                            // Only whole pages inside the segment: a page shared with a writable neighbour stays.
                            let lower = (start + page - 1) / page * page
                            let upper = (start + UInt(header.p_memsz)) / page * page
                            if lower < upper { visit(lower..<upper) }
                        }
                        return 0
                    }, pointer)
            }
        }
        #endif
    }
}
