import Agent
import ArgumentParser
import Foundation
import KubeAPI

/// `-o` values of `warrant agent status`.
enum AgentStatusFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// `warrant agent status`: what the agent of a namespace last did, read from its status ConfigMap.
struct AgentStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the agent's last applied commit and signer, the refused commit, the last error and the next poll.",
        discussion: """
            Reads the ConfigMap warrant-agent-status that 'warrant agent run' keeps in its \
            namespace, so it works from anywhere the namespace can be read. The agent writes it \
            when something changes (a commit applied or refused, an error that appears or \
            clears); 'warrant history' has the full record of every deploy and refusal.

            EXIT CODES
              0  the status was printed and the agent reports no error
              1  the agent reports an error or a refused commit, or has not written a status yet
              2  invalid usage, or the ConfigMap holds no agent status
              3  the cluster could not be reached or refused the request
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .shortAndLong, help: "The agent's namespace (default: the kubeconfig's).")
    var namespace: String?

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: AgentStatusFormat = .text

    func run() async throws {
        let context = CommandContext.current
        let status: AgentStatus? = try await connection.withClient(namespace: namespace, context: context) { client, cluster in
            let store = AgentStatusStore(namespace: namespace ?? cluster.namespace)
            do {
                return try await store.read(client: client)
            } catch let error as AgentStatusError {
                // The ConfigMap holds no agent status (documented as exit 2).
                throw CommandError(.invalidInput, wrapping: error)
            }
        }
        guard let status else {
            throw CommandError(
                .failed, "no agent status in this namespace (ConfigMap \(AgentStatusStore.defaultName) not found)",
                hint: "is 'warrant agent run' deployed here, and has it completed a pass?")
        }
        switch output {
        case .json: context.standardOutput(status.encoded() + "\n")
        case .text: context.standardOutput(Self.text(status, now: Date()))
        }
        if status.lastError != nil || status.pending != nil { throw CommandExit(.failure) }
    }

    /// The status as aligned lines.
    static func text(_ status: AgentStatus, now: Date) -> String {
        var lines: [(String, String)] = [("source", "\(status.repository) branch \(status.branch), path \(status.path)")]
        if let applied = status.lastApplied {
            let signers = applied.signers.map(\.description).joined(separator: ", ")
            lines.append(("applied", "\(applied.commit.short) at \(applied.appliedAt)\(applied.recordID.map { " (record \($0))" } ?? "")"))
            lines.append(("signed by", signers.isEmpty ? "-" : signers))
            if applied.trustStartedHere { lines.append(("trust", "started at \(applied.commit.short): the agent's first commit; only it was verified")) }
        } else {
            lines.append(("applied", "nothing yet"))
        }
        if let pending = status.pending {
            lines.append(("refused", "\(pending.commit.short) (range \(pending.range)) at \(pending.refusedAt); nothing of it was applied"))
            for refusal in pending.refusals { lines.append(("", "- \(refusal)")) }
        }
        if let problem = status.lastError {
            lines.append(("last error", "since \(problem.since)\(problem.retrying ? ", retrying with backoff" : ", a person must act"):"))
            for line in problem.message.split(separator: "\n") { lines.append(("", String(line))) }
        } else {
            lines.append(("last error", "none"))
        }
        var next = status.nextPoll ?? "-"
        if let planned = status.nextPoll.flatMap({ try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) }), planned < now {
            next = "every \(status.intervalSeconds)s (the status changes only when something happens)"
        }
        lines.append(("next poll", next))
        lines.append(("updated", status.updated))
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { label, value in
            (label.isEmpty ? String(repeating: " ", count: width + 2) : label + ":" + String(repeating: " ", count: width - label.count + 1)) + value
        }.joined(separator: "\n") + "\n"
    }
}
