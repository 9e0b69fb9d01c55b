import Delivery
public import DeployEngine
public import Foundation
public import KubeAPI
import KubeModel
public import Logging

/// The agent's loop: poll the branch, verify every new commit, deploy the tip with the engine
/// `warrant deploy` uses, record what happened, keep the status.
///
/// One pass (``step(_:)``):
/// 1. `git ls-remote` of the branch; fetch only when it moved.
/// 2. Unchanged: nothing, unless ``AgentConfiguration/reconcileInterval`` has passed since the
///    last apply; then the last applied commit is applied again and only what had to be
///    corrected is recorded.
/// 3. Moved: every commit from the last applied commit to the new tip must verify
///    (``CommitVerifier``). A refused range is recorded (result `refused`, with every commit's
///    author and reason) and nothing is applied; it is tried again when the branch moves.
/// 4. Verified: the tip is checked out, its manifests rendered and deployed
///    (``DeployEngine/deploy(_:identity:client:reporter:)``) with field manager
///    `warrant-agent`; the record names the range, every commit's author, committer and signer.
///
/// The status ConfigMap (``AgentStatusStore``) is written when something changes.
public struct Reconciler: Sendable {
    /// The server-side apply field manager of everything the agent writes.
    public static let fieldManager = "warrant-agent"

    /// The agent's configuration.
    public let configuration: AgentConfiguration
    /// Where commits come from.
    public let source: any GitSource
    /// Who decides whether a range may be applied.
    public let verifier: any CommitVerifier
    /// The deploy engine.
    public let engine: DeployEngine
    /// The API client, authenticated as the agent's ServiceAccount.
    public let client: KubeClient
    /// The status ConfigMap.
    public let statusStore: AgentStatusStore
    /// Where the loop says what it does: applied and refused ranges at `notice`, errors at `warning`.
    public let logger: Logger
    /// The current time.
    let now: @Sendable () -> Date

    /// Creates a loop.
    ///
    /// - Parameters:
    ///   - toolVersion: the Warrant version, for the ApplySet's tooling annotation.
    public init(
        configuration: AgentConfiguration, source: any GitSource, verifier: any CommitVerifier, client: KubeClient, toolVersion: String,
        logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.source = source
        self.verifier = verifier
        self.client = client
        self.statusStore = AgentStatusStore(namespace: configuration.namespace)
        self.engine = DeployEngine(configuration: Self.deployConfiguration(configuration, toolVersion: toolVersion), logger: logger)
        self.logger = logger
        self.now = now
    }

    /// The engine's settings for the agent: its field manager, prune, wait and ApplySet, its
    /// status ConfigMap and leader-election Lease as its own rules, and no record for a re-apply that changed nothing.
    ///
    /// Conflicts are forced: the signed commit is what the namespace must hold, so a field that
    /// someone changed by hand (and so owns, for server-side apply) is taken back, and the record
    /// names the object as corrected.
    public static func deployConfiguration(_ configuration: AgentConfiguration, toolVersion: String) -> DeployConfiguration {
        DeployConfiguration(
            namespace: configuration.namespace, toolVersion: toolVersion, fieldManager: fieldManager, prune: configuration.prune,
            maxPrune: configuration.maxPrune, applySetName: configuration.applySet, wait: configuration.wait,
            forceConflicts: true,
            ownRules: AgentStatusStore(namespace: configuration.namespace).rules + AgentLease(namespace: configuration.namespace).rules,
            recordUnchanged: false)
    }

    // MARK: Resume

    /// The state recorded in the status ConfigMap: the last applied commit, its signers, the
    /// refused tip. Reads only; nothing is written.
    ///
    /// - Throws: ``KubeAPIError`` when the status cannot be read, ``AgentStatusError`` when it is not a status.
    public func resume() async throws -> ReconcileState {
        var state = ReconcileState()
        guard let status = try await statusStore.read(client: client) else { return state }
        state.written = status
        // A status written for another repository or branch is not a base to build on.
        guard status.repository == configuration.repository.address, status.branch == configuration.branch, status.path == configuration.path
        else {
            logger.notice(
                "the status ConfigMap names another source; starting trust again",
                metadata: ["was": "\(status.repository) \(status.branch) \(status.path)"])
            return state
        }
        state.status = status
        if let applied = status.lastApplied {
            state.lastApplied = applied.commit
            state.lastAppliedAt = AgentTime.parse(applied.appliedAt)
            state.lastSigners = applied.signers
        }
        state.refusedTip = status.pending?.commit
        return state
    }

    // MARK: One pass

    /// One pass of the loop; see ``Reconciler``.
    public func step(_ state: inout ReconcileState) async -> ReconcileStep {
        let update: SourceUpdate
        do {
            update = try await source.update(from: state.lastFetched)
        } catch {
            return await fail(&state, ReconcileFailure(.git, error.description, retrying: true))
        }
        let tip = update.tip
        state.lastFetched = tip
        if tip == state.lastApplied {
            let due = state.lastAppliedAt.map { now().timeIntervalSince($0) >= Self.seconds(configuration.reconcileInterval) } ?? true
            guard due else { return await settle(&state, .unchanged(tip)) }
            return await reapply(&state, tip)
        }
        if tip == state.refusedTip || tip == state.brokenTip { return await settle(&state, .unchanged(tip)) }

        let range = CommitRange(base: state.lastApplied, tip: tip)
        let verdict: VerificationVerdict
        do {
            verdict = try await verifier.verify(range, in: source)
        } catch {
            return await fail(&state, ReconcileFailure(.verification, error.description, retrying: true))
        }
        guard verdict.isAccepted else { return await refuse(&state, verdict) }
        logger.info("verified", metadata: ["range": "\(range)", "summary": "\(verdict.summary)"])
        let signers = AgentRecordFields.unique(verdict.verified.map(\.signer))
        let identity = AgentRecordFields.identity(configuration: configuration, trigger: .commits, range: range, verified: verdict.verified, signers: signers)
        let manifests: DeployManifests
        switch await prepare(tip) {
        case .success(let value): manifests = value
        case .failure(let failure):
            state.brokenTip = tip
            return await fail(&state, failure)
        }
        let outcome: DeployOutcome
        do {
            outcome = try await engine.deploy(manifests, identity: identity, client: client)
        } catch {
            return await fail(&state, Self.failure(error))
        }
        if outcome.result == .succeeded {
            state.lastApplied = tip
            state.lastAppliedAt = now()
            state.lastSigners = signers
            state.lastManifests = manifests
            state.refusedTip = nil
            state.brokenTip = nil
            state.status = makeStatus(state, lastError: nil)
            state.status?.lastApplied = AgentStatus.Applied(
                commit: tip, range: range.description, signers: signers, appliedAt: AgentTime.format(now()), recordID: outcome.record?.id,
                trustStartedHere: range.startsTrust)
            state.status?.pending = nil
            logger.notice(
                "applied", metadata: ["range": "\(range)", "signers": "\(signers.map(\.principal).joined(separator: ", "))", "record": "\(outcome.deployID)"])
        }
        return await settle(&state, .deployed(verdict, outcome), problem: Self.problem(outcome))
    }

    /// Applies the last applied commit again; the record (only when something was corrected)
    /// names the objects that had drifted.
    private func reapply(_ state: inout ReconcileState, _ tip: CommitID) async -> ReconcileStep {
        let manifests: DeployManifests
        if let cached = state.lastManifests {
            manifests = cached
        } else {
            switch await prepare(tip) {
            case .success(let value):
                manifests = value
                state.lastManifests = value
            case .failure(let failure): return await fail(&state, failure)
            }
        }
        let identity = AgentRecordFields.identity(
            configuration: configuration, trigger: .drift, range: CommitRange(base: tip, tip: tip), verified: [], signers: state.lastSigners)
        let outcome: DeployOutcome
        do {
            outcome = try await engine.deploy(manifests, identity: identity, client: client)
        } catch {
            return await fail(&state, Self.failure(error))
        }
        if outcome.result == .succeeded {
            state.lastAppliedAt = now()
            if !outcome.applied.isEmpty || !outcome.pruned.isEmpty {
                logger.notice("corrected drift", metadata: ["objects": "\(outcome.applied.map { "\($0.reference)" }.joined(separator: ", "))"])
            }
        }
        return await settle(&state, .reconciled(tip, outcome), problem: Self.problem(outcome))
    }

    /// Records a refused range and keeps the cluster as it is.
    private func refuse(_ state: inout ReconcileState, _ verdict: VerificationVerdict) async -> ReconcileStep {
        let range = verdict.range
        logger.warning("refused", metadata: ["range": "\(range)", "reason": "\(verdict.summary)"])
        let identity = AgentRecordFields.identity(
            configuration: configuration, trigger: .refused, range: range, verified: verdict.verified, signers: verdict.verified.map(\.signer),
            refusals: verdict.refusals)
        let outcome = await engine.recordRefusal(verdict.summary, identity: identity, client: client)
        state.refusedTip = range.tip
        state.status = makeStatus(state, lastError: state.status?.lastError)
        state.status?.pending = AgentStatus.Pending(
            commit: range.tip, range: range.description, refusals: verdict.refusals, refusedAt: AgentTime.format(now()), recordID: outcome.record?.id)
        let problem = outcome.recordProblems.first.map { ReconcileFailure(.deploy, "the refusal could not be recorded: \($0)", retrying: true) }
        return await settle(&state, .refused(verdict, outcome), problem: problem)
    }

    /// The tip's manifests, checked out, rendered and validated for the namespace.
    private func prepare(_ tip: CommitID) async -> Result<DeployManifests, ReconcileFailure> {
        do {
            let checkout = try await source.checkout(tip)
            let rendered = try await source.manifests(in: checkout, path: configuration.path)
            return .success(try DeployManifests(objects: rendered.objects, kinds: rendered.kinds, namespace: configuration.namespace))
        } catch let error as GitError {
            return .failure(ReconcileFailure(.git, error.description, retrying: true))
        } catch let error as ManifestErrors {
            return .failure(ReconcileFailure(.manifests, "commit \(tip.short): \(error.description)", retrying: false))
        } catch {
            return .failure(ReconcileFailure(.manifests, "commit \(tip.short): \(error)", retrying: false))
        }
    }

    // MARK: Status

    private func fail(_ state: inout ReconcileState, _ failure: ReconcileFailure) async -> ReconcileStep {
        logger.warning("nothing applied", metadata: ["stage": "\(failure.stage.rawValue)", "reason": "\(failure.message)"])
        return await settle(&state, .failed(failure), problem: failure)
    }

    /// Counts failures and writes the status when what it says changed.
    private func settle(_ state: inout ReconcileState, _ step: ReconcileStep, problem: ReconcileFailure? = nil) async -> ReconcileStep {
        if step.isFailure || problem != nil {
            state.consecutiveFailures += 1
        } else {
            state.consecutiveFailures = 0
        }
        var status = state.status ?? makeStatus(state, lastError: nil)
        if let problem {
            let message = problem.description
            let since = state.status?.lastError?.message == message ? state.status?.lastError?.since : nil
            status.lastError = AgentStatus.Problem(message: message, retrying: problem.retrying, since: since ?? AgentTime.format(now()))
        } else {
            status.lastError = nil
        }
        status.nextPoll = AgentTime.format(now().addingTimeInterval(Self.seconds(delay(after: state))))
        state.status = status
        if let written = state.written, written.sameState(as: status) { return step }
        status.updated = AgentTime.format(now())
        do {
            try await statusStore.write(status, client: client, fieldManager: Self.fieldManager)
            state.status = status
            state.written = status
        } catch {
            // The status is a convenience; the record is the evidence. Try again next pass.
            logger.warning("could not write the status ConfigMap", metadata: ["error": "\(error)"])
        }
        return step
    }

    private func makeStatus(_ state: ReconcileState, lastError: AgentStatus.Problem?) -> AgentStatus {
        var status =
            state.status
            ?? AgentStatus(
                repository: configuration.repository.address, branch: configuration.branch, path: configuration.path,
                intervalSeconds: configuration.interval.components.seconds, updated: AgentTime.format(now()))
        status.lastError = lastError
        return status
    }

    // MARK: Timing

    /// How long to wait before the next pass: the interval, doubled for each failure in a row,
    /// at most five minutes (or the interval, when that is longer).
    public func delay(after state: ReconcileState) -> Duration {
        let interval = configuration.interval
        guard state.consecutiveFailures > 0 else { return interval }
        let ceiling = max(interval, .seconds(300))
        let factor = 1 << min(state.consecutiveFailures - 1, 16)
        return min(interval * factor, ceiling)
    }

    /// Runs passes until the calling task is cancelled, waiting ``delay(after:)`` between them.
    ///
    /// - Parameters:
    ///   - state: where to start; ``resume()`` when `nil` (an unreadable status starts afresh and says so).
    ///   - onStep: called after each pass.
    public func run(from start: ReconcileState? = nil, onStep: @Sendable (ReconcileStep) -> Void = { _ in }) async {
        var state: ReconcileState
        if let given = start {
            state = given
        } else {
            do {
                state = try await resume()
            } catch {
                logger.warning("cannot read the status ConfigMap; starting without it", metadata: ["error": "\(error)"])
                state = ReconcileState()
            }
        }
        while !Task.isCancelled {
            let step = await step(&state)
            onStep(step)
            writeHeartbeat()
            do {
                try await Task.sleep(for: delay(after: state))
            } catch {
                return
            }
        }
    }

    /// The file the loop touches after every pass; `warrant agent probe` reads its age.
    public static func heartbeatFile(workingDirectory: String) -> String { workingDirectory + "/heartbeat" }

    /// Touches the heartbeat file (``heartbeatFile(workingDirectory:)``) with the current time.
    public func writeHeartbeat() {
        let path = Self.heartbeatFile(workingDirectory: configuration.workingDirectory)
        try? FileManager.default.createDirectory(atPath: configuration.workingDirectory, withIntermediateDirectories: true)
        if !FileManager.default.createFile(atPath: path, contents: Data((AgentTime.format(now()) + "\n").utf8)) {
            logger.warning("cannot write the heartbeat file; the liveness probe will fail", metadata: ["file": "\(path)"])
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }

    static func failure(_ error: DeployError) -> ReconcileFailure {
        if error.code == .interrupted { return ReconcileFailure(.interrupted, error.description, retrying: false) }
        return ReconcileFailure(.preflight, error.description, retrying: true)
    }

    static func problem(_ outcome: DeployOutcome) -> ReconcileFailure? {
        if let failure = outcome.failure { return ReconcileFailure(.deploy, "deploy \(outcome.result): \(failure.description)", retrying: true) }
        if let problem = outcome.recordProblems.first { return ReconcileFailure(.deploy, "\(problem)", retrying: true) }
        return nil
    }
}
