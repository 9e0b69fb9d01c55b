import Agent
import ArgumentParser
import Foundation

/// `warrant agent probe`: the liveness and readiness probe of the agent's pod.
struct AgentProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Check that the agent's loop completed a pass recently (the pod's liveness and readiness probe).",
        discussion: """
            'warrant agent run' touches WORK-DIR/heartbeat after every pass. The probe succeeds \
            when that file is younger than --max-age.

            EXIT CODES
              0  the last pass ended less than --max-age ago
              1  no pass yet, or the last one is older
              2  invalid usage
            """
    )

    @Option(name: .customLong("work-dir"), help: ArgumentHelp("The agent's working folder.", valueName: "dir"))
    var workDir: String = AgentConfiguration.defaultWorkingDirectory

    @Option(name: .customLong("max-age"), help: ArgumentHelp("How old the last pass may be, e.g. 15m.", valueName: "duration"))
    var maxAge: String = "15m"

    func run() async throws {
        let context = CommandContext.current
        guard let limit = AgentConfiguration.parseDuration(maxAge) else {
            context.standardError("error: --max-age: '\(maxAge)' is not a duration (write e.g. 90s, 15m)\n")
            throw CommandExit(.invalidInput)
        }
        let file = Reconciler.heartbeatFile(workingDirectory: workDir)
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date else {
            context.standardError("error: \(file): no pass completed yet\n")
            throw CommandExit(.failure)
        }
        let age = Date().timeIntervalSince(modified)
        guard age <= TimeInterval(limit.components.seconds) else {
            context.standardError("error: the last pass ended \(Int(age))s ago (more than \(maxAge))\n")
            throw CommandExit(.failure)
        }
        context.standardError("ok: the last pass ended \(Int(age))s ago\n")
    }
}
