import Delivery
import KubeAPI
import KubeModel
import Logging
import Synchronization

extension DeployEngine {
    /// How many objects of a stage are being applied at once: enough to keep the client's
    /// concurrent requests busy, few enough that the labelled copies, request bodies and answers
    /// in flight stay small whatever the stage's size (issue 18).
    static let applyWindow = 32

    /// Apply in stages, prune, wait. Each object is let go once it is sent: when the caller
    /// handed the manifests over (``ManifestHandoff``), its memory is freed then.
    func run(
        _ manifests: consuming DeployManifests, client: KubeClient, deployID: String, progress: DeployProgress, reporter: DeployReporter
    )
        async throws
    {
        var objects = (consume manifests).objects
        let objectCount = objects.count
        let clock = ContinuousClock()
        let applySet = ApplySet(
            name: configuration.applySetName, namespace: namespace, version: configuration.toolVersion, prunePVCs: configuration.prunePVCs)
        // Checked for every object before any is applied; each is labelled as it is sent, so
        // that no labelled copy of the whole input is kept.
        do {
            try applySet.checkLabels(objects)
        } catch {
            throw DeployError(.invalidApplySet, "\(error)", underlying: error)
        }
        let members = objects.map(ObjectReference.init)
        var diffs: [String] = []
        var live = LiveSet()
        let applyTime = try await clock.measure {
            live = try await readLiveSet(of: objects, applySet: applySet, client: client)
            // From here on each object is held once, by its stage, until it is sent.
            var stages = DeployPlan.stages(objects)
            objects = []
            for index in stages.indices {
                try Task.checkCancellation()
                var stage = stages[index].map(Optional.some)
                stages[index] = []
                let lookups = live.lookups
                let (outcomes, skipped) = await withTaskGroup(of: Sent.self) { group in
                    var next = 0
                    func sendNext() {
                        guard let object = stage[next].take() else { return }
                        next += 1
                        let lookup = lookups[Self.key(object)]
                        group.addTask {
                            Sent(
                                object: SentObject(object),
                                outcome: await apply(object, applySet: applySet, live: lookup, deployID: deployID, client: client, reporter: reporter))
                        }
                    }
                    while next < stage.count, next < Self.applyWindow { sendNext() }
                    var outcomes: [Sent] = []
                    outcomes.reserveCapacity(stage.count)
                    for await outcome in group {
                        outcomes.append(outcome)
                        // Once cancelled, no further object is sent; the stage ends with what
                        // was.
                        if next < stage.count, !Task.isCancelled { sendNext() }
                    }
                    return (outcomes, stage.count - next)
                }
                // Every object of the stage is accounted for before a failure stops the deploy:
                // what was written is in the record whatever else went wrong.
                var conflicts: [Conflict] = []
                var failures: [Failure] = []
                for sent in outcomes.sorted(by: { $0.object.displayName < $1.object.displayName }) {
                    let object = sent.object
                    switch sent.outcome {
                    case .unchanged:
                        progress.state.withLock { $0.unchanged += 1 }
                    case .applied(let recorded, let summary, let diff):
                        progress.state.withLock { state in
                            state.applied.append(recorded)
                            state.diff = state.diff + summary
                        }
                        if let diff { diffs.append(diff) }
                    case .conflict(let conflict):
                        conflicts.append(conflict)
                    case .notWritten(let error):
                        failures.append(Failure(object: object, error: error))
                    case .uncertain(let error, let existed, let digest):
                        failures.append(Failure(object: object, error: error))
                        progress.state.withLock {
                            $0.uncertain.append(
                                .init(reference: object.reference, change: .apply(object.displayName, digest: digest, existed: existed)))
                        }
                    }
                }
                if skipped > 0 { throw CancellationError() }
                if !conflicts.isEmpty || !failures.isEmpty { throw Self.stageError(conflicts: conflicts, failures: failures) }
            }
        }
        progress.state.withLock { $0.durations["apply"] = Self.milliseconds(applyTime) }
        if configuration.diff && !diffs.isEmpty { reporter.report(.diff(diffs.joined())) }
        if configuration.prune {
            let pruneTime = try await clock.measure {
                try await prune(applySet, members: members, live: live, client: client, progress: progress, reporter: reporter)
            }
            progress.state.withLock { $0.durations["prune"] = Self.milliseconds(pruneTime) }
        }
        let changed = progress.state.withLock { $0.applied.count + $0.pruned.count }
        if changed == 0 {
            reporter.report(.noChanges(objectCount: objectCount))
        }
        if configuration.wait && !configuration.dryRun {
            let waitTime = try await clock.measure { try await waitForHealth(members, client: client, reporter: reporter) }
            progress.state.withLock { $0.durations["wait"] = Self.milliseconds(waitTime) }
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// What the deploy keeps of an object it sent: enough to name it in the record and in
    /// errors, not its content.
    struct SentObject: Sendable {
        var reference: ObjectReference
        /// ``KubeModel/KubeObject/displayName``.
        var displayName: String
        /// Where the manifest came from.
        var source: SourceLocation?

        init(_ object: KubeObject) {
            reference = ObjectReference(object)
            displayName = object.displayName
            source = object.source
        }
    }

    /// One object of a stage once its apply ended.
    struct Sent: Sendable {
        var object: SentObject
        var outcome: Outcome
    }

    /// How one object's apply ended; it holds what the record and the messages need, not the
    /// object nor the server's answer.
    enum Outcome: Sendable {
        /// The live object already is what the manifest says: nothing written.
        case unchanged
        /// Written (created or configured; with a dry run, it would be): the record's entry.
        case applied(RecordedObject, summary: DiffSummary, diff: String?)
        /// Fields another field manager owns; nothing written.
        case conflict(Conflict)
        /// The API server refused it, or the dry run before the write failed: nothing written.
        case notWritten(any Error)
        /// No answer (the connection failed, the server timed out, the deploy was cancelled): the
        /// write may have reached the server. `existed`: whether the object was live before;
        /// `digest`: the record's digest of what was sent.
        case uncertain(any Error, existed: Bool, digest: String?)
    }

    /// An object of a stage that was not applied, and why.
    struct Failure: Sendable {
        var object: SentObject
        var error: any Error
    }

    static func key(_ object: KubeObject) -> String { "\(object.groupKind)/\(object.name)" }

    static func place(_ object: SentObject) -> String { "\(object.displayName) (\(object.source?.description ?? "-"))" }

    /// The conflicts of one stage as one error, field by field: one object's as it is, several
    /// objects' with each field prefixed by its object.
    static func combine(_ conflicts: [Conflict]) -> DeployError {
        let hint = "take them over with --force-conflicts, or leave them out of the manifests"
        let summary = conflicts.map { conflict in
            "conflicts on \(conflict.object.displayName): " + conflict.error.causes.map(\.field).joined(separator: ", ")
        }.joined(separator: "; ")
        if conflicts.count == 1, let conflict = conflicts.first {
            return DeployError(
                .conflicts, "\(place(conflict.object)): fields another field manager owns:",
                details: conflict.error.causes.map { "\($0.field): \($0.message)" }, hint: hint, summary: summary, underlying: conflict.error)
        }
        return DeployError(
            .conflicts, "\(conflicts.count) objects have fields another field manager owns:",
            details: conflicts.flatMap { conflict in conflict.error.causes.map { "\(place(conflict.object)) \($0.field): \($0.message)" } },
            hint: hint, summary: summary, underlying: conflicts.last?.error)
    }

    /// What stops the deploy after a stage: a cancellation as such; conflicts alone as
    /// ``combine(_:)`` says; one failed object as its error, naming the object and its file;
    /// several, each on its own line.
    static func stageError(conflicts: [Conflict], failures: [Failure]) -> any Error {
        if failures.contains(where: { $0.error is CancellationError }) { return CancellationError() }
        if failures.isEmpty { return combine(conflicts) }
        func code(_ error: any Error) -> DeployError.Code { error is KubeAPIError ? .api : .unexpected }
        func line(_ failure: Failure) -> String { "\(place(failure.object)): \(failure.error)" }
        func short(_ failure: Failure) -> String {
            "\(failure.object.displayName): \((failure.error as? KubeAPIError)?.message ?? "\(failure.error)")"
        }
        if failures.count == 1, conflicts.isEmpty, let failure = failures.first {
            return DeployError(code(failure.error), line(failure), summary: short(failure), underlying: failure.error)
        }
        var details = failures.map(line)
        details += conflicts.map { conflict in
            "\(place(conflict.object)): fields another field manager owns: " + conflict.error.causes.map(\.field).joined(separator: ", ")
        }
        let count = failures.count + conflicts.count
        return DeployError(
            code(failures[0].error), "\(count) objects could not be applied:", details: details,
            summary: (failures.map(short) + conflicts.map { "conflicts on \($0.object.displayName)" }).joined(separator: "; "),
            underlying: failures[0].error)
    }

    /// Fields another field manager owns in one object.
    struct Conflict: Sendable {
        var object: SentObject
        var error: KubeAPIError
    }

    /// Applies one object unless it would not change; then nothing is written.
    ///
    /// Decided in two steps, the second only where the first says "changed": the live object
    /// holds every field of the manifest and the manifest every field Warrant owns
    /// (``ObjectDiff/isUnchanged(live:desired:fieldManager:)``, no request); else a server-side
    /// dry-run apply, whose answer is compared with the live object
    /// (``ObjectDiff/isSameObject(live:applied:)``), so that what the server normalises or
    /// defaults (`data: {}`, `targetPort: 0`, `stringData`) is not taken for a change. New
    /// objects are applied at once.
    ///
    /// `manifest` is labelled for `applySet` here, as it is sent; the labelled object, the
    /// request and the answer are gone when this returns.
    private func apply(
        _ manifest: KubeObject, applySet: ApplySet, live lookup: Lookup?, deployID: String, client: KubeClient, reporter: DeployReporter
    ) async
        -> Outcome
    {
        var object = manifest
        applySet.label(&object)
        var live: KubeObject?
        if case .found(let found) = lookup { live = found }
        if let listed = live, !object.apiVersion.isEmpty, listed.apiVersion != object.apiVersion {
            do {
                live = try await read(object, inVersionOf: object, client: client)
            } catch {
                return outcome(of: error, object: object, existed: true, mayHaveWritten: false)
            }
        }
        var annotated = object
        var annotations = object.content[path: ["metadata", "annotations"]]?.objectValue ?? JSONObject()
        annotations[Self.recordAnnotation] = .string(deployID)
        annotated.setMetadata("annotations", .object(annotations))
        if let live, ObjectDiff.isUnchanged(live: live, desired: annotated, fieldManager: configuration.fieldManager) {
            return .unchanged
        }
        let fieldManager = configuration.fieldManager
        let force = configuration.forceConflicts
        var result: KubeObject?
        if let live {
            let dryRun: KubeObject
            do {
                dryRun = try await client.apply(annotated, fieldManager: fieldManager, force: force, dryRun: true)
            } catch {
                return outcome(of: error, object: object, existed: true, mayHaveWritten: false)
            }
            if ObjectDiff.isSameObject(live: live, applied: dryRun) {
                logger.debug("unchanged after a dry run", metadata: ["object": "\(object.displayName)"])
                return .unchanged
            }
            if configuration.dryRun { result = dryRun }
        }
        if result == nil {
            do {
                result = try await client.apply(annotated, fieldManager: fieldManager, force: force, dryRun: configuration.dryRun)
            } catch {
                return outcome(of: error, object: object, existed: live != nil, mayHaveWritten: !configuration.dryRun)
            }
        }
        guard let result else { return .unchanged }
        // Not read before: the server's answer tells whether this apply created it.
        let created =
            live == nil && result.content[path: ["metadata", "generation"]]?.integerValue ?? 1 <= 1
            && (result.content[path: ["metadata", "managedFields"]]?.arrayValue?.count ?? 1) <= 1
        reporter.report(.applied(object: object.displayName, action: created ? .created : .configured, dryRun: configuration.dryRun))
        return .applied(
            RecordedObject(object, action: created ? .created : .configured), summary: ObjectDiff.summary(live: live, desired: result, manifest: object),
            diff: configuration.diff ? ObjectDiff.unifiedDiff(live: live, desired: result, manifest: object) : nil)
    }

    /// The live `object` in the API version of `manifest`. A list returns a group's preferred
    /// version (`autoscaling/v2`); a manifest written in another served version
    /// (`autoscaling/v1`) compares with the object in its own version only, and so does the
    /// dry run's answer, which comes in the manifest's version.
    private func read(_ object: KubeObject, inVersionOf manifest: KubeObject, client: KubeClient) async throws -> KubeObject? {
        var mapping = try await client.mapping(for: object.groupKind)
        mapping.version = manifest.groupVersionKind.version
        do {
            return KubeObject(
                try await client.json(
                    KubeRequest(method: "GET", path: mapping.objectPath(namespace: namespace, name: object.name), headers: [("Accept", "application/json")])))
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    /// How an apply that threw ended: conflicts field by field; nothing written when the server
    /// answered with a client error (or the request was a dry run); else unknown.
    private func outcome(of error: any Error, object: KubeObject, existed: Bool, mayHaveWritten: Bool) -> Outcome {
        if let error = error as? KubeAPIError, error.isConflict, !error.causes.isEmpty {
            return .conflict(Conflict(object: SentObject(object), error: error))
        }
        if !mayHaveWritten { return .notWritten(error) }
        // A 4xx Status is the server's decision not to write; 408, 5xx, a lost connection or a
        // cancelled request may come after the write.
        if let error = error as? KubeAPIError, (400..<500).contains(error.code), error.code != 408 { return .notWritten(error) }
        return .uncertain(error, existed: existed, digest: RecordedObject(object, action: existed ? .configured : .created).digest)
    }

    /// After a failure, the objects whose write may have reached the server without an answer:
    /// an applied one that carries this deploy's record annotation was written by it, a pruned
    /// one that is gone was deleted; either joins the record. Runs even when the deploy was
    /// cancelled; what cannot be read stays out.
    func settleUncertain(progress: DeployProgress, deployID: String, client: KubeClient, reporter: DeployReporter) async {
        let uncertain = progress.state.withLock { state in
            defer { state.uncertain = [] }
            return state.uncertain
        }
        guard !uncertain.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for entry in uncertain {
                group.addTask {
                    let reference = entry.reference
                    do {
                        let live = try await client.get(reference.groupKind, namespace: namespace, name: reference.name)
                        switch entry.change {
                        case .apply(let displayName, let digest, let existed):
                            guard let live, live.annotations[Self.recordAnnotation] == deployID else { return }
                            let action: RecordedObject.Action = existed ? .configured : .created
                            progress.state.withLock { state in
                                state.applied.append(RecordedObject(reference: reference, action: action, digest: digest))
                                state.diff = state.diff + DiffSummary(objectsChanged: 1, fieldsChanged: nil)
                            }
                            reporter.report(.applied(object: displayName, action: action, dryRun: false))
                        case .prune:
                            guard live == nil else { return }
                            progress.state.withLock { $0.pruned.append(RecordedObject(reference: reference, action: .pruned, digest: nil)) }
                            reporter.report(.pruned(reference, dryRun: false))
                        }
                    } catch {
                        logger.debug(
                            "could not read back an object whose write got no answer",
                            metadata: ["object": "\(reference)", "error": "\(error)"])
                    }
                }
            }
        }
    }
}
