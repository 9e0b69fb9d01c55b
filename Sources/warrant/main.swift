import AgentService
import Foundation
import WarrantCLI

let arguments = Array(CommandLine.arguments.dropFirst())
// An agent runs for months: one event loop and two malloc arenas, set before any thread starts.
if arguments.starts(with: ["agent", "run"]) { ProcessMemory.configureAgentProcess(environment: ProcessInfo.processInfo.environment) }
// A deploy sends from many threads: two malloc arenas keep its peak within issue 18's bound.
if arguments.first == "deploy" { ProcessMemory.configureDeployProcess(environment: ProcessInfo.processInfo.environment) }
let status = await WarrantMain.run(arguments, context: .process)
exit(status)
