import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What to run for an exec credential plugin: a resolved executable, its arguments and its full environment.
public struct ExecPluginInvocation: Sendable {
    /// The executable's path.
    public var executable: String
    /// The arguments.
    public var arguments: [String]
    /// The complete environment of the process.
    public var environment: [String: String]
    /// How long the plugin may run before it is killed.
    public var timeout: Duration

    /// Creates an invocation.
    public init(executable: String, arguments: [String], environment: [String: String], timeout: Duration) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
    }
}

/// How an exec credential plugin ended.
public struct ExecPluginResult: Sendable {
    /// The exit status (for a signal, the signal's number).
    public var exitCode: Int32
    /// Everything it printed on standard output (secret: never put it in a message).
    public var standardOutput: [UInt8]

    /// Creates a result.
    public init(exitCode: Int32, standardOutput: [UInt8]) {
        self.exitCode = exitCode
        self.standardOutput = standardOutput
    }
}

/// Why an exec credential plugin could not be run to completion.
public enum ExecPluginRunError: Error, Sendable {
    /// The process could not be started; the reason comes from the system, not the plugin.
    case launchFailed(String)
    /// The process did not exit within the timeout and was killed.
    case timedOut
}

/// Runs exec credential plugins; tests substitute their own.
public protocol ExecPluginRunner: Sendable {
    /// Runs the plugin with standard input closed and returns its exit status and standard output.
    func run(_ invocation: ExecPluginInvocation) async throws(ExecPluginRunError) -> ExecPluginResult
}

/// Runs exec plugins as child processes with Foundation's `Process`.
///
/// Standard input is closed (Warrant never lets a plugin prompt); standard error goes to
/// Warrant's standard error, as kubectl does, so the plugin's own messages reach the user without
/// ever entering an error's text.
public struct ProcessExecPluginRunner: ExecPluginRunner {
    /// Whether the plugin's standard error is passed through (else discarded).
    public var forwardsStandardError: Bool

    /// Creates a runner.
    public init(forwardsStandardError: Bool = true) {
        self.forwardsStandardError = forwardsStandardError
    }

    /// Runs the plugin, killing it when it outlives the invocation's timeout.
    public func run(_ invocation: ExecPluginInvocation) async throws(ExecPluginRunError) -> ExecPluginResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: invocation.executable)
        process.arguments = invocation.arguments
        process.environment = invocation.environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        process.standardError = forwardsStandardError ? FileHandle.standardError : FileHandle.nullDevice
        let exit = OneShot<Int32>()
        process.terminationHandler = { exit.fulfil($0.terminationStatus) }
        do {
            try process.run()
        } catch {
            throw .launchFailed((error as NSError).localizedDescription)
        }
        let pid = process.processIdentifier
        // Read on a dispatch thread so that a blocking read does not hold a cooperative thread.
        let output = OneShot<[UInt8]>()
        let reader = pipe.fileHandleForReading
        DispatchQueue.global().async { output.fulfil([UInt8](reader.readDataToEndOfFile())) }

        // The timeout covers the output too: a plugin's background child may keep the pipe open.
        enum Event: Sendable {
            case exited(Int32?)
            case output([UInt8]?)
            case timedOut
        }
        let result: ExecPluginResult? = await withTaskGroup(of: Event.self) { group in
            group.addTask { .exited(await exit.wait()) }
            group.addTask { .output(await output.wait()) }
            group.addTask {
                do { try await Task.sleep(for: invocation.timeout) } catch { return .timedOut }
                return .timedOut
            }
            var status: Int32?
            var bytes: [UInt8]?
            while let event = await group.next() {
                switch event {
                case .exited(let value): status = value
                case .output(let value): bytes = value
                case .timedOut:
                    kill(pid, SIGKILL)
                    group.cancelAll()
                    return nil
                }
                if let status, let bytes {
                    group.cancelAll()
                    return ExecPluginResult(exitCode: status, standardOutput: bytes)
                }
            }
            return nil
        }
        withExtendedLifetime(process) {}  // keep the process object until it has been waited for
        guard let result else { throw .timedOut }
        return result
    }
}

/// A value delivered once by one side and awaited by one task, which may be cancelled.
private final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var cancelled = false
        var waiter: CheckedContinuation<Value?, Never>?
    }

    private let state = Mutex(State())

    func fulfil(_ value: Value) {
        let waiter = state.withLock { state in
            state.value = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: value)
    }

    private func cancel() {
        let waiter = state.withLock { state in
            state.cancelled = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The value, or `nil` when the waiting task is cancelled first.
    func wait() async -> Value? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
                let ready: Value?? = state.withLock { state in
                    if let value = state.value { return .some(value) }
                    if state.cancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
    }
}
