import Delivery
import KubeAPI
import KubeModel
import Synchronization

extension DeployEngine {
    /// Apply in stages, prune, wait.
    func run(_ manifests: DeployManifests, client: KubeClient, deployID: String, progress: DeployProgress, reporter: DeployReporter) async throws {
        let objects = manifests.objects
        let clock = ContinuousClock()
        let applySet = ApplySet(
            name: configuration.applySetName, namespace: namespace, version: configuration.toolVersion, prunePVCs: configuration.prunePVCs)
        let members: [KubeObject]
        do {
            members = try applySet.labeled(objects)
        } catch {
            throw DeployError(.invalidApplySet, "\(error)", underlying: error)
        }
        var diffs: [String] = []
        let applyTime = try await clock.measure {
            let known = try await liveMembers(of: members, applySet: applySet, client: client)
            for stage in DeployPlan.stages(members) {
                try Task.checkCancellation()
                let results = try await withThrowingTaskGroup(of: Applied.self) { group in
                    for object in stage {
                        let live = known[Self.key(object)]
                        group.addTask { try await apply(object, live: live, deployID: deployID, client: client, reporter: reporter) }
                    }
                    var results: [Applied] = []
                    for try await result in group { results.append(result) }
                    return results
                }
                var conflicts: [Conflict] = []
                for result in results.sorted(by: { $0.object.displayName < $1.object.displayName }) {
                    if let conflict = result.conflict {
                        conflicts.append(conflict)
                        continue
                    }
                    progress.state.withLock { state in
                        if let action = result.action {
                            state.applied.append(RecordedObject(result.object, action: action))
                            state.diff = state.diff + result.summary
                        } else {
                            state.unchanged += 1
                        }
                    }
                    if let text = result.diff { diffs.append(text) }
                }
                if !conflicts.isEmpty { throw Self.combine(conflicts) }
            }
        }
        progress.state.withLock { $0.durations["apply"] = Self.milliseconds(applyTime) }
        if configuration.diff && !diffs.isEmpty { reporter.report(.diff(diffs.joined())) }
        if configuration.prune {
            let pruneTime = try await clock.measure {
                try await prune(applySet, members: members, client: client, progress: progress, reporter: reporter)
            }
            progress.state.withLock { $0.durations["prune"] = Self.milliseconds(pruneTime) }
        }
        let changed = progress.state.withLock { $0.applied.count + $0.pruned.count }
        if changed == 0 {
            reporter.report(.noChanges(objectCount: objects.count))
        }
        if configuration.wait && !configuration.dryRun {
            let waitTime = try await clock.measure { try await waitForHealth(objects, client: client, reporter: reporter) }
            progress.state.withLock { $0.durations["wait"] = Self.milliseconds(waitTime) }
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// One object's apply: what was done, or the conflicts that stopped it.
    struct Applied: Sendable {
        var object: KubeObject
        var action: RecordedObject.Action?
        var summary: DiffSummary
        var diff: String?
        var conflict: Conflict?
    }

    static func key(_ object: KubeObject) -> String { "\(object.groupKind)/\(object.name)" }

    /// The conflicts of one stage as one error, field by field: one object's as it is, several
    /// objects' with each field prefixed by its object.
    static func combine(_ conflicts: [Conflict]) -> DeployError {
        let hint = "take them over with --force-conflicts, or leave them out of the manifests"
        let summary = conflicts.map { conflict in
            "conflicts on \(conflict.object.displayName): " + conflict.error.causes.map(\.field).joined(separator: ", ")
        }.joined(separator: "; ")
        func place(_ object: KubeObject) -> String { "\(object.displayName) (\(object.source?.description ?? "-"))" }
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

    /// Fields another field manager owns in one object.
    struct Conflict: Sendable {
        var object: KubeObject
        var error: KubeAPIError
    }

    /// What the set's members look like live: one list per kind by the ApplySet's part-of label
    /// (instead of a request per object), and Secrets one by one (a list would return every
    /// Secret's contents). An object missing here is new, or not yet in the set.
    private func liveMembers(of members: [KubeObject], applySet: ApplySet, client: KubeClient) async throws -> [String: Lookup] {
        var result: [String: Lookup] = [:]
        var seen: Set<GroupKind> = []
        for object in members where seen.insert(object.groupKind).inserted && object.groupKind != GroupKind(group: "", kind: "Secret") {
            let listed = try await client.list(
                object.groupKind, namespace: namespace, options: ListOptions(labelSelector: "\(ApplySet.partOfLabel)=\(applySet.id)"))
            for live in listed.objects { result[Self.key(live)] = .found(live) }
        }
        for object in members where result[Self.key(object)] == nil {
            if object.groupKind == GroupKind(group: "", kind: "Secret") || configuration.diff {
                let live = try await client.get(object.groupKind, namespace: namespace, name: object.name)
                result[Self.key(object)] = live.map(Lookup.found) ?? .absent
            } else {
                result[Self.key(object)] = .notInSet
            }
        }
        return result
    }

    /// A member's live state before the deploy.
    enum Lookup: Sendable {
        /// Read: the live object.
        case found(KubeObject)
        /// Read: it does not exist.
        case absent
        /// Not in the set's list: new, or existing without the label (adopted by this apply).
        case notInSet
    }

    /// Applies one object unless the live one already holds what the manifest says (then no
    /// write at all); conflicts are returned field by field.
    private func apply(_ object: KubeObject, live lookup: Lookup?, deployID: String, client: KubeClient, reporter: DeployReporter) async throws
        -> Applied
    {
        var live: KubeObject?
        if case .found(let found) = lookup { live = found }
        if let live, ObjectDiff.isUnchanged(live: live, desired: object) {
            return Applied(object: object, action: nil, summary: DiffSummary(), diff: nil)
        }
        var annotated = object
        var annotations = object.content[path: ["metadata", "annotations"]]?.objectValue ?? JSONObject()
        annotations[Self.recordAnnotation] = .string(deployID)
        annotated.setMetadata("annotations", .object(annotations))
        let result: KubeObject
        do {
            result = try await client.apply(
                annotated, fieldManager: configuration.fieldManager, force: configuration.forceConflicts, dryRun: configuration.dryRun)
        } catch let error as KubeAPIError where error.isConflict && !error.causes.isEmpty {
            let conflict = Conflict(object: object, error: error)
            return Applied(object: object, action: nil, summary: DiffSummary(), diff: nil, conflict: conflict)
        }
        // Not read before: the server's answer tells whether this apply created it.
        let created = live == nil && result.content[path: ["metadata", "generation"]]?.integerValue ?? 1 <= 1
            && (result.content[path: ["metadata", "managedFields"]]?.arrayValue?.count ?? 1) <= 1
        reporter.report(.applied(object: object.displayName, action: created ? .created : .configured, dryRun: configuration.dryRun))
        return Applied(
            object: object, action: created ? .created : .configured, summary: ObjectDiff.summary(live: live, desired: result),
            diff: configuration.diff ? ObjectDiff.unifiedDiff(live: live, desired: result) : nil)
    }
}
