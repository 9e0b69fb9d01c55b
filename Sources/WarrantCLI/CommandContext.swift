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
    /// Reads standard input in pieces: at most the number of bytes asked for, an empty array at
    /// the end. Loading counts what it reads against the input limit, so a stream that never
    /// ends is never held whole.
    public var standardInput: @Sendable (_ maximumCount: Int) -> [UInt8]
    /// The environment variables.
    public var environment: [String: String]
    /// Whether standard output is a terminal (for colour).
    public var outputIsTerminal: Bool
    /// Whether standard error is a terminal (for live progress instead of log lines).
    public var errorIsTerminal: Bool

    /// Creates a context.
    ///
    /// - Parameters:
    ///   - readStandardInput: all of standard input at once (for tests); used when `standardInput` is not given.
    ///   - standardInput: standard input in pieces (see ``standardInput``).
    public init(
        standardOutput: @escaping @Sendable (String) -> Void,
        standardError: @escaping @Sendable (String) -> Void,
        readStandardInput: (@Sendable () -> [UInt8])? = nil,
        standardInput: (@Sendable (Int) -> [UInt8])? = nil,
        environment: [String: String] = [:],
        outputIsTerminal: Bool = false,
        errorIsTerminal: Bool = false
    ) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.standardInput = standardInput ?? Self.pieces(of: readStandardInput ?? { [] })
        self.environment = environment
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal
    }

    /// Hands out what `readAll` returns (called once, on the first read) in pieces.
    private static func pieces(of readAll: @escaping @Sendable () -> [UInt8]) -> @Sendable (Int) -> [UInt8] {
        let state = Mutex<(bytes: [UInt8], position: Int)?>(nil)
        return { count in
            state.withLock { state in
                if state == nil { state = (readAll(), 0) }
                let end = min(state!.bytes.count, state!.position + count)
                defer { state!.position = end }
                return Array(state!.bytes[state!.position..<end])
            }
        }
    }

    /// Writes `text` to the file descriptor `descriptor` straight from the string's UTF-8 (a
    /// report can be over a hundred megabytes: no copy into `Data` first). Stops quietly when
    /// the reader went away.
    static func writeAll(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { utf8 in
            var offset = 0
            while offset < utf8.count {
                let written = write(descriptor, utf8.baseAddress! + offset, utf8.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// The process's own streams and environment.
    public static var process: CommandContext {
        CommandContext(
            standardOutput: { text in writeAll(text, to: STDOUT_FILENO) },
            standardError: { text in writeAll(text, to: STDERR_FILENO) },
            standardInput: { count in
                guard let data = try? FileHandle.standardInput.read(upToCount: count) else { return [] }
                return [UInt8](data)
            },
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
