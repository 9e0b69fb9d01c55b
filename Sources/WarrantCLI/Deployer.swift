import Delivery
import Foundation
import KubeAPI
import KubeModel
import RBAC
import Synchronization

/// One `warrant deploy`: pre-flight, apply, prune, wait, then the record, on every exit path.
struct Deployer: Sendable {
    let command: DeployCommand
    let objects: [KubeObject]
    let kinds: KindTable
    let context: CommandContext
    let waitLimit: Duration

    var namespace: String { command.namespace }

    /// The annotation applied objects carry: the id of the deploy record that changed them last.
    static let recordAnnotation = "warrant.dev/deploy-record"

    /// What happened, for the record; filled as the deploy goes, so an interrupted or failed
    /// deploy still records what it did.
    final class Progress: Sendable {
        struct State: Sendable {
            var applied: [RecordedObject] = []
            var unchanged = 0
            var pruned: [RecordedObject] = []
            var diff = DiffSummary()
            var durations: [String: Int64] = [:]
        }
        let state = Mutex(State())
    }

    /// Runs the deploy; SIGINT and SIGTERM cancel it, and the record still says what was done.
    func runInterruptibly(client: KubeClient, cluster: ClusterConnection) async throws {
        let started = Date()
        // 20261126T224054Z-1a2b3c4d: sortable, and valid in an Event's name once lower-cased.
        let stamp = DeployRecord.timestamp(started).filter { $0 != "-" && $0 != ":" }.split(separator: ".").first.map(String.init) ?? "deploy"
        let deployID = "\(stamp.hasSuffix("Z") ? stamp : stamp + "Z")-\(String(format: "%08x", UInt32.random(in: 0...UInt32.max)))"
        let required = try requiredRules()
        try await preflight(client: client, required: required)
        let progress = Progress()
        // An unstructured task because the signal handler needs a handle to cancel it; it is
        // awaited right below, so it never outlives the command.
        let work = Task { try await deploy(client: client, deployID: deployID, progress: progress) }
        let signals = SignalCancellation { work.cancel() }
        let result = await work.result
        signals.stop()
        var outcome: DeployResult = command.dryRun ? .dryRun : .succeeded
        var message = ""
        var failure: (any Error)?
        if case .failure(let error) = result {
            failure = error
            outcome = (error is CancellationError || work.isCancelled) ? .interrupted : .failed
            message = Self.describe(error)
        }
        try await record(
            outcome, message: message, progress: progress, deployID: deployID, client: client, cluster: cluster, started: started)
        guard let failure else { return }
        if outcome == .interrupted {
            context.standardError("error: interrupted; the record says what was done\n")
            throw CommandExit(.failure)
        }
        if let exit = failure as? CommandExit { throw exit }
        if failure is DeployFailure { throw CommandExit(.failure) }  // already explained
        if let api = failure as? KubeAPIError { throw reportAPIError(api, context: context) }
        context.standardError("error: \(failure)\n")
        throw CommandExit(.failure)
    }

    static func describe(_ error: any Error) -> String {
        if let exit = error as? DeployFailure { return exit.message }
        if error is CancellationError { return "interrupted" }
        return "\(error)"
    }

    /// The rules `warrant scope --for warrant` derives for these manifests and options.
    private func requiredRules() throws -> [PolicyRule] {
        let options = DeployOptions(prune: command.prune, wait: command.wait, applySetName: command.applyset)
        do {
            return try ScopeDeriver(method: .warrant, options: options, namespace: namespace, roleName: "deployer")
                .derive(objects: objects, kinds: kinds).role.rules
        } catch {
            for failure in error.errors { context.standardError("error: \(failure)\n") }
            throw CommandExit(.invalidInput)
        }
    }

    /// The credential holds what the deploy needs and, unless allowed, nothing more: no
    /// wildcard, nothing cluster-wide, nothing beyond `scope --for warrant`. Nothing changes before.
    private func preflight(client: KubeClient, required: [PolicyRule]) async throws {
        let held = try await client.selfSubjectRules(namespace: namespace)
        let missing = PolicyComparator.covers(held.rules, required).uncovered
        if !missing.isEmpty {
            var flags = ""
            if command.prune { flags += " --prune" }
            if command.wait { flags += " --wait" }
            context.standardError(
                "error: the credential lacks \(missing.count) permission(s) in \(namespace) that this deploy needs; nothing was changed:\n"
                    + missing.map { "  - \($0)\n" }.joined()
                    + "  derive its Role with: warrant scope -f … -n \(namespace) --for warrant\(flags)\n")
            throw CommandExit(.failure)
        }
        guard !command.allowBroadCredential else { return }
        var broad: [String] = []
        for rule in held.rules where !Self.isBaseline(rule) {
            if rule.hasWildcard {
                broad.append("wildcard: \(rule)")
            } else if !PolicyComparator.covers(required, PolicyComparator.breakdown(rule)).covered {
                broad.append("more than this deploy needs: \(rule)")
            }
        }
        // Whatever holds in a namespace the deploy never touches is granted cluster-wide.
        for rule in try await client.selfSubjectRules(namespace: "warrant-preflight-probe").rules where !Self.isBaseline(rule) {
            broad.append("cluster-wide: \(rule)")
        }
        guard !broad.isEmpty else { return }
        context.standardError(
            "error: the credential holds more than this deploy needs (least privilege); nothing was changed:\n"
                + broad.map { "  - \($0)\n" }.joined()
                + "  create a scoped one with 'warrant credentials create', or pass --allow-broad-credential\n")
        throw CommandExit(.failure)
    }

    /// What every authenticated user holds (system:basic-user, system:discovery,
    /// system:public-info-viewer): never a reason to refuse a credential.
    static func isBaseline(_ rule: PolicyRule) -> Bool {
        if !rule.nonResourceURLs.isEmpty { return rule.verbs.allSatisfy { $0 == "get" } }
        let reviews: Set<String> = ["selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"]
        return rule.verbs == ["create"] && Set(rule.resources).isSubset(of: reviews)
            && Set(rule.apiGroups).isSubset(of: ["authorization.k8s.io", "authentication.k8s.io"])
    }
}

/// A deploy step that failed, with the message for the record (already printed).
struct DeployFailure: Error {
    var message: String
}

/// Cancels a task on SIGINT or SIGTERM while it runs; the default handling comes back afterwards.
final class SignalCancellation: Sendable {
    // Dispatch sources are thread-safe; they are only created here and cancelled in stop().
    private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

    init(_ cancel: @escaping @Sendable () -> Void) {
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler(handler: cancel)
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func stop() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
