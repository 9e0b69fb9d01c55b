import Foundation
import Synchronization

/// The world a command runs in: its output streams, standard input and environment.
///
/// Commands read it from ``current`` (a task-local), so that tests run them in-process with
/// captured output and a chosen environment, and `main` runs them with the real ones.
public struct CommandContext: Sendable {
    /// Receives everything written to standard output.
    public var standardOutput: @Sendable (String) -> Void
    /// Receives everything written to standard error.
    public var standardError: @Sendable (String) -> Void
    /// Reads all of standard input.
    public var readStandardInput: @Sendable () -> [UInt8]
    /// The environment variables.
    public var environment: [String: String]
    /// Whether standard output is a terminal (for colour).
    public var outputIsTerminal: Bool
    /// Whether standard error is a terminal (for live progress instead of log lines).
    public var errorIsTerminal: Bool

    /// Creates a context.
    public init(
        standardOutput: @escaping @Sendable (String) -> Void,
        standardError: @escaping @Sendable (String) -> Void,
        readStandardInput: @escaping @Sendable () -> [UInt8] = { [] },
        environment: [String: String] = [:],
        outputIsTerminal: Bool = false,
        errorIsTerminal: Bool = false
    ) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.readStandardInput = readStandardInput
        self.environment = environment
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal
    }

    /// The process's own streams and environment.
    public static var process: CommandContext {
        CommandContext(
            standardOutput: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            standardError: { text in FileHandle.standardError.write(Data(text.utf8)) },
            readStandardInput: { [UInt8](FileHandle.standardInput.readDataToEndOfFile()) },
            environment: ProcessInfo.processInfo.environment,
            outputIsTerminal: isatty(STDOUT_FILENO) != 0,
            errorIsTerminal: isatty(STDERR_FILENO) != 0
        )
    }

    /// The context of the running command.
    @TaskLocal public static var current: CommandContext = .process

    /// Writes a warning line to standard error.
    public func warn(_ message: String) {
        standardError("warning: \(message)\n")
    }
}

/// Collects output in memory: for tests, and for commands that must not print half a result.
public final class OutputBuffer: Sendable {
    private let storage = Mutex("")

    /// An empty buffer.
    public init() {}

    /// Appends text.
    public func append(_ text: String) {
        storage.withLock { $0 += text }
    }

    /// Everything appended so far.
    public var text: String { storage.withLock { $0 } }
}
