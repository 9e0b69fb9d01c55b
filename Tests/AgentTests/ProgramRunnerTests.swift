import Agent
import Foundation
import Logging
import Testing

/// The runner every external program goes through: timeouts that stop the whole process group,
/// bounded output, a closed environment.
@Suite(.timeLimit(.minutes(1)))
struct ProgramRunnerTests {
    let runner = ProgramRunner(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })

    @Test func aTimeoutStopsTheProgramAndTheChildrenItStarted() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)").path
        // The shell starts a child that would write the marker after 3 s; the timeout is 0.5 s.
        let script = "(sleep 3; echo late > '\(marker)') & sleep 30"
        let started = ContinuousClock.now
        await #expect(throws: ProgramFailure.timedOut("sh", .milliseconds(500))) {
            _ = try await runner.run(ProgramInvocation(executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"], timeout: .milliseconds(500)))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        try await Task.sleep(for: .seconds(4))
        #expect(!FileManager.default.fileExists(atPath: marker), "a child of the timed-out program survived")
    }

    @Test func outputBeyondTheLimitFails() async throws {
        await #expect(throws: ProgramFailure.outputTooLarge("sh", 1000)) {
            _ = try await runner.run(
                ProgramInvocation(
                    executable: "/bin/sh", arguments: ["-c", "head -c 100000 /dev/zero"], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(10),
                    outputLimit: 1000))
        }
    }

    @Test func theEnvironmentIsExactlyTheOneGiven() async throws {
        let output = try await runner.run(
            ProgramInvocation(executable: "/usr/bin/env", arguments: [], environment: ["ONLY": "this"], timeout: .seconds(10)))
        #expect(output.outputText == "ONLY=this\n")
    }

    @Test func inputReachesTheProgramAndExitCodesAreReported() async throws {
        let output = try await runner.run(
            ProgramInvocation(executable: "/bin/sh", arguments: ["-c", "cat; exit 3"], environment: [:], input: Array("hello".utf8), timeout: .seconds(10)))
        #expect(output.outputText == "hello")
        #expect(output.exitCode == 3)
        #expect(!output.succeeded)
    }

    @Test func aProgramThatDoesNotReadItsInputDoesNotEndTheProcess() async throws {
        let output = try await runner.run(
            ProgramInvocation(executable: "/bin/true", arguments: [], environment: [:], input: Array(repeating: 65, count: 1 << 20), timeout: .seconds(10)))
        #expect(output.succeeded)
    }

    @Test func aMissingProgramIsNamed() async throws {
        await #expect(throws: ProgramFailure.notFound("/nonexistent/git")) {
            _ = try await runner.run(ProgramInvocation(executable: "/nonexistent/git", arguments: [], environment: [:], timeout: .seconds(1)))
        }
    }
}
