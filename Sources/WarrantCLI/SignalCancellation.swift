import Foundation
import Synchronization

/// The write end of the pipe the signal handler writes to (-1 until the pipe exists), and how
/// many signals came since the handler was installed. Globals, because a C signal handler
/// captures nothing; both are atomics, safe to touch in a signal handler.
private let signalPipeWriter = Atomic<Int32>(-1)
private let signalsReceived = Atomic<Int>(0)

/// The handler of SIGINT and SIGTERM: the first is passed on through the pipe; a second ends the
/// process at once, with that signal. Only async-signal-safe calls (write, signal, raise).
private func handleSignal(_ number: Int32) {
    let before = signalsReceived.add(1, ordering: .sequentiallyConsistent).oldValue
    if before >= 1 {
        signal(number, SIG_DFL)
        raise(number)
        return
    }
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriter.load(ordering: .sequentiallyConsistent), &byte, 1)
}

/// Cancels tasks on SIGINT or SIGTERM while they run; a second signal ends the process at once.
/// The default handling comes back when no task is registered any more.
///
/// The first signal cancels the tasks: a deploy stops between requests and still writes its
/// record (`interrupted`). A second signal (an impatient Ctrl-C, or a CI runner's second
/// SIGTERM) restores the signal's default action and raises it again, so the process ends with
/// that signal right away. The deploy's writes are ordered so that even then the history
/// ConfigMap and the record file agree: the file only ever lacks records the history holds,
/// and the next deploy adds them.
///
/// No signal is lost once the handler is installed: it is a plain signal handler, installed
/// synchronously, that writes the signal into a pipe; a dispatch source reads the pipe (its own
/// registration is asynchronous, but the byte waits in the pipe). The pipe and the source are
/// made once per process and shared by every registered task (tests run commands concurrently
/// in one process).
final class SignalCancellation: Sendable {
    private struct Registration: Sendable {
        var cancel: @Sendable () -> Void
        var onFirst: @Sendable (Int32) -> Void
    }

    private let registrations = Mutex<(next: Int, entries: [Int: Registration])>((0, [:]))
    // Created once, never cancelled: it lives as long as the process.
    private nonisolated(unsafe) let source: (any DispatchSourceRead)?

    private static let shared = SignalCancellation()

    private init() {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            source = nil
            return
        }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        let reader = descriptors[0]
        signalPipeWriter.store(descriptors[1], ordering: .sequentiallyConsistent)
        let source = DispatchSource.makeReadSource(fileDescriptor: reader, queue: .global())
        self.source = source
        // The shared instance lives as long as the process: the handler may hold it.
        source.setEventHandler { [self] in
            var byte: UInt8 = 0
            while read(reader, &byte, 1) == 1 {
                let entries = registrations.withLock { Array($0.entries.values) }
                for entry in entries {
                    entry.onFirst(Int32(byte))
                    entry.cancel()
                }
            }
        }
        source.resume()
    }

    private func register(_ registration: Registration) -> Int {
        registrations.withLock { state in
            if state.entries.isEmpty {
                signalsReceived.store(0, ordering: .sequentiallyConsistent)
                for signalNumber in [SIGINT, SIGTERM] { signal(signalNumber, handleSignal) }
            }
            state.next += 1
            state.entries[state.next] = registration
            return state.next
        }
    }

    private func unregister(_ id: Int) {
        registrations.withLock { state in
            state.entries[id] = nil
            if state.entries.isEmpty {
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
            }
        }
    }

    /// Runs `operation` in a task that SIGINT and SIGTERM cancel; `onFirst` is told of the first
    /// signal (to say what happens now).
    ///
    /// An unstructured task because the signal handler needs a handle to cancel it; it is
    /// awaited right here, so it never outlives the caller.
    static func run<T: Sendable>(
        onFirst: @escaping @Sendable (Int32) -> Void = { _ in }, _ operation: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error> {
        let work = Task { try await operation() }
        let id = shared.register(Registration(cancel: { work.cancel() }, onFirst: onFirst))
        let result = await work.result
        shared.unregister(id)
        return result
    }
}
