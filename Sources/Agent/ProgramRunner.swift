import Foundation
package import Logging
import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One run of an external program (`git`, `ssh-keygen`, `gpg`, `kubectl`).
///
/// The environment is exactly ``environment``: nothing is inherited, so that a credential in the
/// agent's own environment can never reach a child or a log line.
package struct ProgramInvocation: Sendable {
    /// The absolute path of the program.
    package var executable: String
    /// The arguments, without the program's name. Never a secret: they are logged at trace level.
    package var arguments: [String]
    /// The whole environment of the child. Values are not logged, only names.
    package var environment: [String: String]
    /// The folder the child starts in; `nil` for the agent's own.
    package var workingDirectory: String?
    /// Bytes for standard input; `nil` for none (the child reads end-of-file).
    package var input: [UInt8]?
    /// How long the child may run before its process group is stopped.
    package var timeout: Duration
    /// The most bytes read from standard output, and from standard error; more fails the run.
    package var outputLimit: Int

    /// Describes a run.
    package init(
        executable: String, arguments: [String], environment: [String: String], workingDirectory: String? = nil,
        input: [UInt8]? = nil, timeout: Duration, outputLimit: Int = 1 << 20
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.input = input
        self.timeout = timeout
        self.outputLimit = outputLimit
    }

    /// The program's file name (`git`), for messages.
    package var name: String { (executable as NSString).lastPathComponent }
}

/// What a finished program printed and how it ended.
package struct ProgramOutput: Sendable {
    /// The exit code, or `nil` when a signal ended the program.
    package var exitCode: Int32?
    /// The signal that ended the program, if one did.
    package var signal: Int32?
    /// Everything written to standard output.
    package var standardOutput: [UInt8]
    /// Everything written to standard error.
    package var standardError: [UInt8]

    /// Whether the program exited with code 0.
    package var succeeded: Bool { exitCode == 0 }

    /// Standard output as text.
    package var outputText: String { String(decoding: standardOutput, as: UTF8.self) }

    /// Standard error as text, trimmed and cut to at most 2,000 characters, for messages.
    package var errorText: String {
        let text = String(decoding: standardError, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.count > 2_000 ? String(text.prefix(2_000)) + " …" : text
    }

    /// `exit code 2` or `signal 9`, for messages.
    package var ending: String {
        if let exitCode { return "exit code \(exitCode)" }
        return "signal \(signal ?? -1)"
    }
}

/// Why a program could not be run to its end.
package enum ProgramFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The program does not exist or is not executable.
    case notFound(String)
    /// The program ran longer than its timeout and was stopped.
    case timedOut(String, Duration)
    /// The program printed more than the limit.
    case outputTooLarge(String, Int)
    /// The task running the program was cancelled; the program was stopped.
    case cancelled(String)
    /// The program could not be started or watched.
    case couldNotRun(String, String)

    /// One sentence.
    package var description: String {
        switch self {
        case .notFound(let program): "\(program) was not found or is not executable"
        case .timedOut(let program, let timeout): "\(program) did not finish within \(timeout.formattedSeconds) and was stopped"
        case .outputTooLarge(let program, let limit): "\(program) printed more than \(limit) bytes and was stopped"
        case .cancelled(let program): "\(program) was stopped because the agent is shutting down"
        case .couldNotRun(let program, let reason): "\(program) could not be run: \(reason)"
        }
    }
}

/// Runs external programs with a timeout, bounded output and their own process group.
///
/// Each child starts in a new process group, so that on a timeout or cancellation the whole
/// group — `git` and the `ssh` or `git-remote-https` it started — gets `SIGTERM` and, two
/// seconds later, `SIGKILL`. Its environment is only what the invocation names.
package struct ProgramRunner: Sendable {
    /// Where command lines are logged (at trace level: program, arguments and the names of the
    /// environment variables, never their values).
    package var logger: Logger

    /// A runner that logs to `logger`.
    package init(logger: Logger) {
        self.logger = logger
        _ = Self.ignoreBrokenPipe
    }

    /// A child that exits before reading all of its input must not end the agent with `SIGPIPE`:
    /// the write fails with `EPIPE` instead. Children get default signal handling back
    /// (swift-subprocess spawns them with `POSIX_SPAWN_SETSIGDEF`).
    private static let ignoreBrokenPipe: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Runs `invocation` to its end.
    ///
    /// - Returns: the output, whatever the exit code.
    /// - Throws: ``ProgramFailure`` when the program is missing, times out, prints too much or is cancelled.
    package func run(_ invocation: ProgramInvocation) async throws(ProgramFailure) -> ProgramOutput {
        let name = invocation.name
        guard FileManager.default.isExecutableFile(atPath: invocation.executable) else { throw .notFound(invocation.executable) }
        logger.trace(
            "run \(name)",
            metadata: [
                "arguments": .string(invocation.arguments.joined(separator: " ")),
                "environment": .string(invocation.environment.keys.sorted().joined(separator: ",")),
                "directory": .string(invocation.workingDirectory ?? "."),
            ])
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))]
        var environment: [Environment.Key: String] = [:]
        for (key, value) in invocation.environment {
            if let key = Environment.Key(rawValue: key) { environment[key] = value }
        }
        let configuration = Configuration(
            executable: .path(FilePath(invocation.executable)),
            arguments: Arguments(invocation.arguments),
            environment: .custom(environment),
            workingDirectory: invocation.workingDirectory.map { FilePath($0) },
            platformOptions: options)
        let started = ContinuousClock.now
        let race: Race
        do {
            race = try await withThrowingTaskGroup(of: Race.self) { group in
                group.addTask {
                    if let input = invocation.input {
                        return try await Self.execute(configuration, writing: input, limit: invocation.outputLimit)
                    }
                    return try await Self.execute(configuration, limit: invocation.outputLimit)
                }
                group.addTask {
                    try await Task.sleep(for: invocation.timeout)
                    return .timedOut
                }
                guard let first = try await group.next() else { return .timedOut }
                group.cancelAll()
                return first
            }
        } catch let error as SubprocessError {
            if error.code == .outputLimitExceeded { throw .outputTooLarge(name, invocation.outputLimit) }
            if error.code == .executableNotFound { throw .notFound(invocation.executable) }
            if Task.isCancelled { throw .cancelled(name) }
            throw .couldNotRun(name, "\(error)")
        } catch {
            if Task.isCancelled || error is CancellationError { throw .cancelled(name) }
            throw .couldNotRun(name, "\(error)")
        }
        switch race {
        case .timedOut:
            logger.debug("\(name) timed out", metadata: ["timeout": .string(invocation.timeout.formattedSeconds)])
            throw .timedOut(name, invocation.timeout)
        case .finished(let output):
            logger.trace(
                "\(name) ended",
                metadata: [
                    "ending": .string(output.ending), "milliseconds": .stringConvertible((ContinuousClock.now - started).milliseconds),
                ])
            return output
        }
    }

    private enum Race: Sendable {
        case finished(ProgramOutput)
        case timedOut
    }

    private static func execute(_ configuration: Configuration, limit: Int) async throws -> Race {
        let result = try await Subprocess.run(configuration, input: .none, output: .bytes(limit: limit), error: .bytes(limit: limit))
        return .finished(output(result.terminationStatus, result.standardOutput, result.standardError))
    }

    /// Runs the program and writes `input` to its standard input.
    ///
    /// The input is written here rather than by swift-subprocess's `.array` input: when a child
    /// exits without reading all of it (`ssh-keygen` refusing a signature early, say), the write
    /// fails with `EPIPE`, and swift-subprocess 1.0.2 then traps on the unclosed pipe. Here the
    /// failed write is ignored; the child's exit code and output say what happened, and the
    /// library closes the pipe when the body returns.
    private static func execute(_ configuration: Configuration, writing input: [UInt8], limit: Int) async throws -> Race {
        let result = try await Subprocess.run(configuration, input: .inputWriter, output: .bytes(limit: limit), error: .bytes(limit: limit)) {
            execution in
            do {
                _ = try await execution.standardInputWriter.write(input)
                try await execution.standardInputWriter.finish()
            } catch {
                // The child stopped reading its input; see above.
            }
        }
        return .finished(output(result.terminationStatus, result.standardOutput, result.standardError))
    }

    private static func output(_ status: TerminationStatus, _ standardOutput: [UInt8], _ standardError: [UInt8]) -> ProgramOutput {
        var output = ProgramOutput(exitCode: nil, signal: nil, standardOutput: standardOutput, standardError: standardError)
        switch status {
        case .exited(let code): output.exitCode = code
        case .signaled(let signal): output.signal = signal
        }
        return output
    }
}

extension Duration {
    /// `90s`, `1.5s`: the duration in seconds, for messages.
    package var formattedSeconds: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds)s" }
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return "\((value * 1000).rounded() / 1000)s"
    }

    /// The duration in whole milliseconds.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
