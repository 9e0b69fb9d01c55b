import Foundation
import KubeModel

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
    /// The process did not exit within the timeout and was killed, with its process group.
    case timedOut
    /// The process printed more than this many bytes and was killed, with its process group.
    case outputTooLarge(limit: Int)
}

/// Runs exec credential plugins; tests substitute their own.
public protocol ExecPluginRunner: Sendable {
    /// Runs the plugin with standard input closed and returns its exit status and standard output.
    func run(_ invocation: ExecPluginInvocation) async throws(ExecPluginRunError) -> ExecPluginResult
}

/// Runs exec plugins as child processes that can neither exhaust Warrant's memory nor outlive it.
///
/// Standard input is closed (Warrant never lets a plugin prompt); standard error goes to
/// Warrant's standard error, as kubectl does, so the plugin's own messages reach the user without
/// ever entering an error's text. The plugin starts in its own process group with no blocked
/// signals and default signal actions; standard output is read up to ``maximumOutput`` bytes; at
/// the timeout, or past that limit, the whole group is ended (SIGTERM, then SIGKILL), so a
/// plugin's children that ignore SIGTERM go too.
public struct ProcessExecPluginRunner: ExecPluginRunner {
    /// The most a plugin may print: an ExecCredential is a few kilobytes, a client certificate
    /// and key included.
    public static let maximumOutput = 1 << 20

    /// Whether the plugin's standard error is passed through (else discarded).
    public var forwardsStandardError: Bool

    /// Creates a runner.
    public init(forwardsStandardError: Bool = true) {
        self.forwardsStandardError = forwardsStandardError
    }

    /// Runs the plugin, ending its process group when it outlives the invocation's timeout.
    public func run(_ invocation: ExecPluginInvocation) async throws(ExecPluginRunError) -> ExecPluginResult {
        let errorOutput: ChildProcess.ErrorOutput = forwardsStandardError ? .inherit : .discard
        // The child is waited for on a thread of its own, never on a cooperative one.
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<ChildProcess.Outcome, ChildProcess.Failure>, Never>) in
            Thread.detachNewThread {
                continuation.resume(
                    returning: Result { () throws(ChildProcess.Failure) in
                        try ChildProcess.run(
                            executable: invocation.executable, arguments: invocation.arguments, environment: invocation.environment,
                            errorOutput: errorOutput, outputLimit: Self.maximumOutput, timeout: invocation.timeout)
                    })
            }
        }
        switch result {
        case .success(let outcome):
            return ExecPluginResult(exitCode: outcome.status, standardOutput: outcome.standardOutput)
        case .failure(.launchFailed(let reason)):
            throw .launchFailed(reason)
        case .failure(.timedOut):
            throw .timedOut
        case .failure(.outputTooLarge(let limit)):
            throw .outputTooLarge(limit: limit)
        }
    }
}
