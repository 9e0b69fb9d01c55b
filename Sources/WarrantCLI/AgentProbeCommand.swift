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

    @Option(
        name: .customLong("max-age"), help: ArgumentHelp("How old the last pass may be, e.g. 15m (default 15m, at most 168h).", valueName: "duration"),
        transform: DurationArgument.option(in: .seconds(1) ... .seconds(7 * 86_400)))
    var maxAge: DurationArgument?

    /// How old the last pass may be.
    var limit: DurationArgument { maxAge ?? DurationArgument(duration: .seconds(900)) }

    func run() async throws {
        let context = CommandContext.current
        let file = Reconciler.heartbeatFile(workingDirectory: workDir)
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date else {
            throw CommandError(.failed, at: file, "no pass completed yet")
        }
        let age = Date().timeIntervalSince(modified)
        guard age <= TimeInterval(limit.seconds) else {
            throw CommandError(.failed, "the last pass ended \(Int(age))s ago (more than \(limit))")
        }
        context.standardError("ok: the last pass ended \(Int(age))s ago\n")
    }
}
