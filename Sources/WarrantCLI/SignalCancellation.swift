import Foundation

/// Cancels a task on SIGINT or SIGTERM while it runs; the default handling comes back afterwards.
final class SignalCancellation: Sendable {
    // Dispatch sources are thread-safe; they are only created here and cancelled in stop().
    private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

    init(_ cancel: @escaping @Sendable () -> Void) {
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler(handler: cancel)
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func stop() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// Runs `operation` in a task that SIGINT and SIGTERM cancel.
    ///
    /// An unstructured task because the signal handler needs a handle to cancel it; it is
    /// awaited right here, so it never outlives the caller.
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        let work = Task { try await operation() }
        let signals = SignalCancellation { work.cancel() }
        let result = await work.result
        signals.stop()
        return result
    }
}
