public import Foundation

/// What a program printed and how it ended.
public struct ProcessResult: Sendable {
    /// The exit status (or the signal's number when it was killed by one).
    public var status: Int32
    /// Standard output.
    public var output: String
    /// Standard error.
    public var error: String
}

/// Runs a program to completion without blocking Swift's cooperative threads: the reads and the
/// wait happen on threads of their own. Tests need this because the cooperative pool has as many
/// threads as cores (two here): a thread blocked for as long as a program runs is one the tests
/// beside it, and the in-process code the program may talk to, cannot use.
///
/// - Parameter whileRunning: runs once the program has started (to interrupt it, say).
public func runProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
    whileRunning: (@Sendable (Process) async throws -> Void)? = nil
) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = FileHandle.nullDevice
    let exited = AsyncStream<Int32>.makeStream()
    process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
    try process.run()
    async let printed = readToEnd(output.fileHandleForReading)
    async let complained = readToEnd(error.fileHandleForReading)
    if let whileRunning { try await whileRunning(process) }
    var status: Int32 = -1
    for await value in exited.stream {
        status = value
        break
    }
    return ProcessResult(status: status, output: await printed, error: await complained)
}

/// Reads on a thread of its own: a blocking read on a Dispatch global queue would hold one of the
/// cooperative pool's threads (the same ones on Linux) for as long as the process runs.
private func readToEnd(_ handle: FileHandle) async -> String {
    // The closure cannot throw, so neither can the call.
    (try? await onNewThread { String(decoding: handle.readDataToEndOfFile(), as: UTF8.self) }) ?? ""
}
