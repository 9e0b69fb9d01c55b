import Delivery
import Foundation
public import KubeAPI
import KubeModel
public import Logging
import RBAC

/// Deploys manifests into one namespace: pre-flight, staged server-side apply, prune, wait, and
/// the tamper-evident record on every exit path.
///
/// `warrant deploy` and a pull-style agent call the same engine; each brings its own
/// ``DeployConfiguration`` (field manager, prune and wait settings), ``DeployIdentity`` (who and
/// what the record names) and ``DeployReporter`` (how progress is shown). The engine prints
/// nothing and logs to its `Logger` only.
///
/// Steps, in order; nothing changes before the first two pass:
/// 1. pre-flight: the credential's rules in the namespace (SelfSubjectRulesReview) must hold what
///    `warrant scope --for warrant` derives for the manifests and, unless
///    ``DeployConfiguration/allowBroadCredential``, nothing more;
/// 2. the lock: a Lease named like the ApplySet parent (`LeaseLock`), held until the record is
///    written, so that deploys of one set run one after the other; a deploy waits up to
///    ``DeployConfiguration/lockTimeout`` for another one to finish (none for a dry run);
///    with ``DeployConfiguration/prune``, the ApplySet parent is then widened to the old and new
///    members before any member is applied, so that an interrupted deploy leaks nothing;
/// 3. apply in stages (ServiceAccounts, Secrets, ConfigMaps, RBAC, then workloads), concurrently
///    within a stage; objects that already match are not written (where the listed live object
///    leaves it open, a server-side dry run decides); every object a stage wrote is recorded,
///    also when another object of the stage fails;
/// 4. prune the ApplySet's members that left the manifests (``DeployConfiguration/prune``);
/// 5. wait until every object is healthy (``DeployConfiguration/wait``);
/// 6. the record: appended to the history ConfigMap (a hash chain) by compare-and-swap, so that
///    concurrent deploys never lose one, then to the record file, then an Event.
///
/// Cancelling the calling task stops the deploy between requests; the record is still written,
/// with result `interrupted`, within ``DeployConfiguration/recordTimeout``. A deploy that loses
/// its Lease (it could not renew it) stops the same way, with result `failed`.
public struct DeployEngine: Sendable {
    /// The annotation applied objects carry: the id of the deploy record that changed them last.
    public static let recordAnnotation = ObjectDiff.recordAnnotation

    /// How deploys run.
    public var configuration: DeployConfiguration
    /// Where the engine logs what it does (at `debug`); quiet by default.
    public var logger: Logger

    var namespace: String { configuration.namespace }

    /// Creates an engine.
    public init(configuration: DeployConfiguration, logger: Logger = Logger(label: "warrant.deploy", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Deploys `manifests` with `client`'s credential.
    ///
    /// - Parameters:
    ///   - manifests: the placed and validated objects; their namespace must be the configuration's.
    ///   - identity: who the record names.
    ///   - client: the API client, authenticated as the deploy's credential.
    ///   - reporter: receives progress as it happens.
    /// - Returns: the outcome of a deploy that got past its pre-flight, also when it failed, was
    ///   interrupted or the record could not be written (see ``DeployOutcome/failure`` and
    ///   ``DeployOutcome/recordProblems``).
    /// - Throws: ``DeployError`` when nothing was changed: invalid manifests, a refused
    ///   credential, an API error during the pre-flight, or cancellation before the deploy began.
    public func deploy(
        _ manifests: DeployManifests, identity: DeployIdentity, client: KubeClient, reporter: DeployReporter = .silent
    ) async throws(DeployError) -> DeployOutcome {
        try await deploy(ManifestHandoff(manifests), identity: identity, client: client, reporter: reporter)
    }

    /// Deploys the manifests `handoff` holds, as ``deploy(_:identity:client:reporter:)-(DeployManifests,_,_,_)``
    /// does, letting each object go once it is sent (see ``ManifestHandoff``).
    ///
    /// - Throws: ``DeployError`` as the other `deploy` does; `invalidManifests` when the
    ///   manifests were taken by another deploy.
    public func deploy(
        _ handoff: ManifestHandoff, identity: DeployIdentity, client: KubeClient, reporter: DeployReporter = .silent
    ) async throws(DeployError) -> DeployOutcome {
        guard let manifests = handoff.take() else {
            throw DeployError(.invalidManifests, "these manifests were handed to another deploy", hint: "give each deploy its own ManifestHandoff")
        }
        guard manifests.namespace == namespace else {
            throw DeployError(
                .invalidManifests, "the manifests were prepared for namespace \(manifests.namespace), not \(namespace)",
                hint: "prepare them with DeployManifests(objects:kinds:namespace:) for the namespace deployed to")
        }
        let started = Date()
        let deployID = Self.makeID(started: started)
        var logger = self.logger
        logger[metadataKey: "deploy"] = "\(deployID)"
        let required = try requiredRules(manifests)
        try checkRecordSize(manifests)
        do {
            try await preflight(client: client, required: required)
        } catch {
            throw Task.isCancelled ? DeployError(.interrupted, "interrupted; nothing was changed", underlying: error) : DeployError.from(error)
        }
        logger.debug("pre-flight passed", metadata: ["namespace": "\(namespace)", "objects": "\(manifests.objects.count)"])
        let lock = try await acquireLock(client: client, deployID: deployID, identity: identity, reporter: reporter)
        let progress = DeployProgress()
        var failure: (any Error)?
        // Handed on, so that the apply holds the only reference to the objects.
        let input = ManifestHandoff(consume manifests)
        do {
            let engine = self
            let work: @Sendable () async throws -> Void = {
                guard let manifests = input.take() else { return }
                try await engine.widenApplySet(manifests, client: client, progress: progress)
                try await engine.run(consume manifests, client: client, deployID: deployID, progress: progress, reporter: reporter)
            }
            if let lock { try await lock.holding(work) } else { try await work() }
        } catch {
            failure = error
        }
        var result: DeployResult = configuration.dryRun ? .dryRun : .succeeded
        var message = ""
        var deployError: DeployError?
        if let failure {
            let interrupted = !(failure is LeaseError) && (failure is CancellationError || Task.isCancelled)
            result = interrupted ? .interrupted : .failed
            message = Self.describe(failure)
            deployError =
                interrupted
                ? DeployError(.interrupted, "interrupted; the record says what was done", summary: message, underlying: failure)
                : DeployError.from(failure)
            logger.debug("deploy stopped", metadata: ["result": "\(result)", "reason": "\(message)"])
        }
        if !configuration.recordUnchanged, result == .succeeded, progress.snapshot.applied.isEmpty, progress.snapshot.pruned.isEmpty {
            let state = progress.snapshot
            logger.debug("nothing changed; no record", metadata: ["unchanged": "\(state.unchanged)"])
            if let lock { await lock.release() }
            return DeployOutcome(
                result: result, deployID: deployID, record: nil, applied: [], unchanged: state.unchanged, pruned: [], diff: state.diff,
                durations: state.durations, failure: nil, recordProblems: [])
        }
        // The record is written even when the caller cancelled the deploy: a new task does not
        // inherit the cancellation, and it is awaited right here.
        let outcome = result
        let text = message
        let written = await Task {
            await settleUncertain(progress: progress, deployID: deployID, client: client, reporter: reporter)
            return await record(
                outcome, message: text, progress: progress, deployID: deployID, identity: identity, client: client, started: started,
                reporter: reporter)
        }.value
        // Released once the record is in the history, so that the set's records are in the
        // order its deploys ran; release() also runs to its end when the caller was cancelled.
        if let lock { await lock.release() }
        let state = progress.snapshot
        return DeployOutcome(
            result: result, deployID: deployID, record: written.record, applied: state.applied, unchanged: state.unchanged,
            pruned: state.pruned, diff: state.diff, durations: written.record?.durations ?? state.durations, failure: deployError,
            recordProblems: written.problems)
    }

    /// `20261126T224054Z-1a2b3c4d`: sortable, and valid in an Event's name once lower-cased.
    static func makeID(started: Date) -> String {
        let stamp = DeployRecord.timestamp(started).filter { $0 != "-" && $0 != ":" }.split(separator: ".").first.map(String.init) ?? "deploy"
        return "\(stamp.hasSuffix("Z") ? stamp : stamp + "Z")-\(String(format: "%08x", UInt32.random(in: 0...UInt32.max)))"
    }

    /// The record's message for an error.
    static func describe(_ error: any Error) -> String {
        if let error = error as? DeployError { return error.summary }
        if error is CancellationError { return "interrupted" }
        return "\(error)"
    }
}
