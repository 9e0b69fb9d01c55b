import Agent
import Foundation
import Logging
import Testing

/// The runner every external program goes through: timeouts that stop the whole process group,
/// bounded output, a closed environment.
@Suite(.timeLimit(.minutes(5)))
struct ProgramRunnerTests {
    let runner = ProgramRunner(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })

    @Test func aTimeoutStopsTheProgramAndTheChildrenItStarted() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: marker) }
        // The shell starts a child that sleeps a minute and records its process ID; the timeout is 1 s.
        let script = "sleep 60 & echo $! > '\(marker)'; wait"
        let started = ContinuousClock.now
        await #expect(throws: ProgramFailure.timedOut("sh", .seconds(1))) {
            _ = try await runner.run(
                ProgramInvocation(executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(1)))
        }
        #expect(ContinuousClock.now - started < .seconds(50), "the timeout must fire long before the child's sleep ends")
        let child = try #require(Int32(try String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The child got the group's signal: it is gone, or a zombie waiting to be reaped by init.
        var alive = true
        for _ in 0..<100 where alive {
            let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            alive = state != nil && state != "Z"
            if alive { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!alive, "the child \(child) of the timed-out program survived")
    }

    @Test func outputBeyondTheLimitFails() async throws {
        await #expect(throws: ProgramFailure.outputTooLarge("sh", 1000)) {
            _ = try await runner.run(
                ProgramInvocation(
                    executable: "/bin/sh", arguments: ["-c", "head -c 100000 /dev/zero"], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(120),
                    outputLimit: 1000))
        }
    }

    @Test func theEnvironmentIsExactlyTheOneGiven() async throws {
        let output = try await runner.run(
            ProgramInvocation(executable: "/usr/bin/env", arguments: [], environment: ["ONLY": "this"], timeout: .seconds(120)))
        #expect(output.outputText == "ONLY=this\n")
    }

    @Test func inputReachesTheProgramAndExitCodesAreReported() async throws {
        let output = try await runner.run(
            ProgramInvocation(executable: "/bin/sh", arguments: ["-c", "cat; exit 3"], environment: [:], input: Array("hello".utf8), timeout: .seconds(120)))
        #expect(output.outputText == "hello")
        #expect(output.exitCode == 3)
        #expect(!output.succeeded)
    }

    @Test func aProgramThatDoesNotReadItsInputDoesNotEndTheProcess() async throws {
        let output = try await runner.run(
            ProgramInvocation(executable: "/bin/true", arguments: [], environment: [:], input: Array(repeating: 65, count: 1 << 20), timeout: .seconds(120)))
        #expect(output.succeeded)
    }

    @Test func aMissingProgramIsNamed() async throws {
        await #expect(throws: ProgramFailure.notFound("/nonexistent/git")) {
            _ = try await runner.run(ProgramInvocation(executable: "/nonexistent/git", arguments: [], environment: [:], timeout: .seconds(1)))
        }
    }
}
