import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel

/// How `warrant deploy` shows a deploy: each event as a line on standard error (the diff on
/// standard output). Errors are thrown, and rendered once (``CommandErrors/init(deploy:)``).
///
/// With `--wait`, a terminal (standard error a terminal and `CI` unset) gets one status line
/// redrawn in place; CI logs get a plain line with a UTC time for each change.
struct DeployPrinter: Sendable {
    let context: CommandContext
    let namespace: String

    /// Whether the wait draws a live status line instead of log lines.
    var live: Bool { context.errorIsTerminal && context.environment["CI"] == nil }

    var reporter: DeployReporter {
        let printer = self
        return DeployReporter { event in printer.show(event) }
    }

    func show(_ event: DeployEvent) {
        let write = context.standardError
        switch event {
        case .applied(let object, let action, let dryRun):
            write("\(dryRun ? "would apply" : (action == .created ? "created" : "configured")) \(object)\n")
        case .diff(let text):
            context.standardOutput(text)
        case .pruned(let reference, let dryRun):
            write("\(dryRun ? "would prune" : "pruned") \(reference)\n")
        case .noChanges(let count):
            write("no changes: the \(count) object(s) in \(namespace) already match the manifests\n")
        case .waiting(let object, let message):
            if !live { write("\(Self.now()) waiting for \(object): \(message)\n") }
        case .waitStatus(let status):
            guard live, let first = status.pending.first else { return }
            let more = status.pending.count > 1 ? " (+\(status.pending.count - 1) more)" : ""
            write("\r\u{1B}[2K\(status.ready)/\(status.total) ready, \(status.elapsedSeconds) s: \(first)\(more)")
        case .waitEnded:
            if live { write("\r\u{1B}[2K") }
        case .ready(let count):
            write("\(Self.now()) all \(count) object(s) are ready\n")
        case .waitingForLock(let lease, let holder):
            write("\(Self.now()) waiting for another deploy of this ApplySet: Lease \(lease) is \(LeaseError.describe(holder))\n")
        case .recorded(let record):
            // The actor and commit are stored as given; printed escaped and cut.
            let actor = DisplayText.escaped(record.identity.actor, limit: 80)
            let commit = record.identity.commit.map { " at \(DisplayText.escaped(String($0.prefix(12))))" } ?? ""
            write("recorded \(record.id): \(actor) \(record.result) in \(record.namespace)\(commit)\n")
        }
    }

    static func now() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }
}
