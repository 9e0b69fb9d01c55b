import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a helper program (an exec credential plugin, `kubectl kustomize`) so that it can neither
/// exhaust Warrant's memory nor outlive it.
///
/// - The child starts in its own process group, with no blocked signals and every signal at its
///   default action (a deploy ignores SIGINT and SIGTERM while it runs, and Dispatch's threads block
///   signals; neither may leak into the child).
/// - Standard input is `/dev/null`; standard output is read up to a limit, and a child that prints
///   more is ended; standard error is passed through, discarded or kept up to a limit; no other
///   file descriptor of Warrant's reaches it.
/// - When the timeout passes (it covers the output too: a background grandchild may hold the pipe
///   open), or the output limit is exceeded, the whole group gets SIGTERM and, half a second later,
///   SIGKILL, so children that ignore SIGTERM end as well.
package enum ChildProcess {
    /// Where the child's standard error goes.
    package enum ErrorOutput: Sendable {
        /// To `/dev/null`.
        case discard
        /// To Warrant's own standard error.
        case inherit
        /// Into ``Outcome/standardError``, at most this many bytes (the rest is read and dropped).
        case capture(limit: Int)
    }

    /// How the child ended and what it printed.
    package struct Outcome: Sendable {
        /// The exit status, or 128 + the signal's number when a signal ended it.
        package var status: Int32
        /// Standard output.
        package var standardOutput: [UInt8]
        /// Standard error, with ``ErrorOutput/capture(limit:)``.
        package var standardError: [UInt8]
    }

    /// Why the child did not run to completion.
    package enum Failure: Error, Sendable, Equatable {
        /// It could not be started (the system's reason).
        case launchFailed(String)
        /// It (or a child holding its output open) was still running at the timeout; the group was ended.
        case timedOut
        /// It printed more than the limit on standard output; the group was ended.
        case outputTooLarge(limit: Int)
    }

    /// How long the group has between SIGTERM and SIGKILL: half a second, in microseconds.
    static let terminationGrace: useconds_t = 500_000

    /// Runs `executable` with `arguments` and exactly `environment`, blocking the calling thread
    /// (call it from a thread that may block, not from Swift's cooperative pool).
    package static func run(
        executable: String, arguments: [String], environment: [String: String], errorOutput: ErrorOutput,
        outputLimit: Int, timeout: Duration
    ) throws(Failure) -> Outcome {
        let output = try makePipe()
        var errors: (read: Int32, write: Int32)?
        if case .capture = errorOutput {
            do {
                errors = try makePipe()
            } catch {
                close(output.read)
                close(output.write)
                throw error
            }
        }
        let pid: pid_t
        do {
            pid = try spawn(executable, arguments, environment, output: output.write, errors: errors?.write, errorOutput: errorOutput)
        } catch {
            close(output.read)
            close(output.write)
            if let errors {
                close(errors.read)
                close(errors.write)
            }
            throw error
        }
        close(output.write)
        if let errors { close(errors.write) }

        let stop = Flag()
        let tooLarge = Flag()
        let collected = Mutex<(output: [UInt8], errors: [UInt8], status: Int32)>(([], [], -1))
        // Threads of their own, not Dispatch's pool: each of them blocks, and the pool is as narrow
        // as the machine (two threads here), shared with everything else in the process.
        let group = DispatchGroup()
        func onThread(_ body: @escaping @Sendable () -> Void) {
            group.enter()
            Thread.detachNewThread {
                body()
                group.leave()
            }
        }
        onThread {
            let bytes = drain(output.read, keep: outputLimit, stop: stop) {
                // More than the limit: end the group so that the child does not block on a full pipe.
                tooLarge.set()
                terminateGroup(pid)
            }
            collected.withLock { $0.output = bytes }
        }
        if let errors, case .capture(let limit) = errorOutput {
            onThread {
                let bytes = drain(errors.read, keep: limit, stop: stop, overflow: nil)
                collected.withLock { $0.errors = bytes }
            }
        }
        onThread {
            let status = waitForExit(pid)
            collected.withLock { $0.status = status }
        }
        let seconds = max(0, Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        let deadline = DispatchTime.now() + .nanoseconds(Int(min(seconds, 86_400 * 365) * 1e9))
        var timedOut = false
        if group.wait(timeout: deadline) == .timedOut {
            timedOut = true
            terminateGroup(pid)
            // The readers poll: they stop even if a process outside the group still holds a pipe.
            stop.set()
            group.wait()
        }
        close(output.read)
        if let errors { close(errors.read) }
        if tooLarge.isSet { throw .outputTooLarge(limit: outputLimit) }
        if timedOut { throw .timedOut }
        let result = collected.withLock { $0 }
        return Outcome(status: result.status, standardOutput: result.output, standardError: result.errors)
    }

    /// A flag set once, read from other threads.
    private final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .sequentiallyConsistent) }
        var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    }

    /// SIGTERM to the group, then SIGKILL after ``terminationGrace``.
    private static func terminateGroup(_ pid: pid_t) {
        killpg(pid, SIGTERM)
        // The caller goes on at once; a group that ignores SIGTERM ends at the SIGKILL.
        Thread.detachNewThread {
            usleep(terminationGrace)
            killpg(pid, SIGKILL)
        }
    }

    #if canImport(Glibc)
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, when the C library has it.
    private static let closeFromAction: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()
    #endif

    private static func makePipe() throws(Failure) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .launchFailed("cannot create a pipe: \(String(cString: strerror(errno)))") }
        // Close-on-exec, so that only the ends dup2'd onto 1 and 2 reach the child (and no other child).
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    private static func spawn(
        _ executable: String, _ arguments: [String], _ environment: [String: String], output: Int32, errors: Int32?,
        errorOutput: ErrorOutput
    ) throws(Failure) -> pid_t {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        switch errorOutput {
        case .discard: posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .inherit: break
        case .capture: if let errors { posix_spawn_file_actions_adddup2(&actions, errors, 2) }
        }
        #if canImport(Glibc)
        // Nothing else of Warrant's (sockets, files being written) reaches the child: glibc 2.34
        // and later close every other descriptor (looked up, as Swift's Glibc module leaves it out).
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }
        #endif
        // Its own process group (so that a timeout ends its children too), no blocked signals, and
        // default actions for every signal (ignored ones would otherwise be inherited through exec).
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        sigdelset(&allSignals, SIGKILL)
        sigdelset(&allSignals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        var result: Int32 = 0
        // A program written a moment ago (a plugin a CI step just fetched, a test's script) can be
        // refused with ETXTBSY while a child that another thread forked still holds the writer's
        // descriptor, until that child's exec closes it. That lasts microseconds, so the spawn is
        // tried again a few times (Go's os/exec has the same race: golang/go#22315).
        for pause in [0, 10, 20, 40, 80, 160] {
            if pause > 0 { usleep(useconds_t(pause * 1000)) }
            result = (argv + [nil]).withUnsafeBufferPointer { arguments in
                (envp + [nil]).withUnsafeBufferPointer { environment in
                    posix_spawn(&pid, executable, &actions, &attributes, arguments.baseAddress!, environment.baseAddress!)
                }
            }
            if result != ETXTBSY { break }
        }
        guard result == 0 else { throw .launchFailed(String(cString: strerror(result))) }
        return pid
    }

    /// Reads `fd` to its end, keeping at most `keep` bytes. With `overflow`, reading stops at the
    /// first byte beyond `keep` and `overflow` runs; without, the rest is read and dropped. Stops
    /// early when `stop` is set (polling, so a pipe held open elsewhere cannot block it).
    private static func drain(_ fd: Int32, keep: Int, stop: Flag, overflow: (() -> Void)?) -> [UInt8] {
        var kept: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !stop.isSet {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                break
            }
            if count == 0 { break }
            let room = max(0, keep - kept.count)
            kept.append(contentsOf: buffer[..<min(count, room)])
            if count > room, let overflow {
                overflow()
                break
            }
        }
        return kept
    }

    /// Waits for `pid` to end: its exit status, or 128 + the signal that ended it.
    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which are macros.
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
