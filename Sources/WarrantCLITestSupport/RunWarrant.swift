public import Foundation
import WarrantCLI

/// What one in-process run of `warrant` produced.
public struct WarrantRun: Sendable {
    /// The exit code.
    public var status: Int32
    /// Everything written to standard output.
    public var standardOutput: String
    /// Everything written to standard error.
    public var standardError: String
}

/// Runs `warrant ARGUMENTS` in-process with captured output.
///
/// - Parameters:
///   - arguments: the arguments after the program name.
///   - standardInput: what `-f -` reads.
///   - environment: the environment the command sees (nothing else leaks in).
///   - terminal: whether standard output claims to be a terminal.
public func runWarrant(
    _ arguments: [String], standardInput: String = "", environment: [String: String] = [:], terminal: Bool = false
) async -> WarrantRun {
    let output = OutputBuffer()
    let errors = OutputBuffer()
    let input = Array(standardInput.utf8)
    var environment = environment
    if environment["PATH"] == nil { environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] }
    let context = CommandContext(
        standardOutput: { output.append($0) },
        standardError: { errors.append($0) },
        readStandardInput: { input },
        environment: environment,
        outputIsTerminal: terminal,
        errorIsTerminal: terminal
    )
    let status = await WarrantMain.run(arguments, context: context)
    return WarrantRun(status: status, standardOutput: output.text, standardError: errors.text)
}

/// The `warrant` executable built next to the test bundle, for tests that need a real process.
public func warrantExecutable() -> URL? {
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("warrant")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    return nil
}
