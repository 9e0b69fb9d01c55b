import Foundation
import Logging
import Synchronization

/// Keeps every log line in memory, with its metadata, for tests that check what was logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger at `level` that writes into this capture.
    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "agent-test") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    /// Everything logged so far, one line per message with its metadata.
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    /// The lines logged so far.
    var all: [String] { lines.withLock { $0 } }

    fileprivate func append(_ line: String) {
        if ProcessInfo.processInfo.environment["AGENT_TEST_LOG"] != nil { print("LOG \(line)") }
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.append("\(event.level) \(event.message) \(fields)")
        }
    }
}
