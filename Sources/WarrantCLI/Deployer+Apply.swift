import Delivery
import Foundation
import KubeAPI
import KubeModel
import RBAC
import Synchronization

extension Deployer {
    /// Apply in stages, prune, wait.
    func deploy(client: KubeClient, deployID: String, progress: Progress) async throws {
        let clock = ContinuousClock()
        let applySet = ApplySet(name: command.applyset, namespace: namespace, version: Warrant.version, prunePVCs: command.prunePVCs)
        let members: [KubeObject]
        do {
            members = try applySet.labeled(objects)
        } catch {
            context.standardError("error: \(error)\n")
            throw DeployFailure(message: "\(error)")
        }
        var diffs: [String] = []
        let applyTime = try await clock.measure {
            let known = try await liveMembers(of: members, applySet: applySet, client: client)
            for stage in DeployPlan.stages(members) {
                try Task.checkCancellation()
                let results = try await withThrowingTaskGroup(of: Applied.self) { group in
                    for object in stage {
                        let live = known[Self.key(object)]
                        group.addTask { try await apply(object, live: live, deployID: deployID, client: client) }
                    }
                    var results: [Applied] = []
                    for try await result in group { results.append(result) }
                    return results
                }
                for result in results.sorted(by: { $0.object.displayName < $1.object.displayName }) {
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
            }
        }
        progress.state.withLock { $0.durations["apply"] = Self.milliseconds(applyTime) }
        if command.diff && !diffs.isEmpty { context.standardOutput(diffs.joined()) }
        if command.prune {
            let pruneTime = try await clock.measure { try await prune(applySet, members: members, client: client, progress: progress) }
            progress.state.withLock { $0.durations["prune"] = Self.milliseconds(pruneTime) }
        }
        let changed = progress.state.withLock { $0.applied.count + $0.pruned.count }
        if changed == 0 {
            context.standardError("no changes: the \(objects.count) object(s) in \(namespace) already match the manifests\n")
        }
        if command.wait && !command.dryRun {
            let waitTime = try await clock.measure { try await waitForHealth(client: client) }
            progress.state.withLock { $0.durations["wait"] = Self.milliseconds(waitTime) }
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    struct Applied: Sendable {
        var object: KubeObject
        var action: RecordedObject.Action?
        var summary: DiffSummary
        var diff: String?
    }

    static func key(_ object: KubeObject) -> String { "\(object.groupKind)/\(object.name)" }

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
            if object.groupKind == GroupKind(group: "", kind: "Secret") || command.diff {
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
    /// write at all); conflicts are reported field by field.
    private func apply(_ object: KubeObject, live lookup: Lookup?, deployID: String, client: KubeClient) async throws -> Applied {
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
            result = try await client.apply(annotated, fieldManager: "warrant", force: command.forceConflicts, dryRun: command.dryRun)
        } catch let error as KubeAPIError where error.isConflict && !error.causes.isEmpty {
            var text = "error: \(object.displayName) (\(object.source?.description ?? "-")): fields another field manager owns:\n"
            for cause in error.causes { text += "  - \(cause.field): \(cause.message)\n" }
            text += "  take them over with --force-conflicts, or leave them out of the manifests\n"
            context.standardError(text)
            throw DeployFailure(message: "conflicts on \(object.displayName): " + error.causes.map(\.field).joined(separator: ", "))
        }
        // Not read before: the server's answer tells whether this apply created it.
        let created = live == nil && result.content[path: ["metadata", "generation"]]?.integerValue ?? 1 <= 1
            && (result.content[path: ["metadata", "managedFields"]]?.arrayValue?.count ?? 1) <= 1
        context.standardError("\(command.dryRun ? "would apply" : (created ? "created" : "configured")) \(object.displayName)\n")
        return Applied(
            object: object, action: created ? .created : .configured, summary: ObjectDiff.summary(live: live, desired: result),
            diff: command.diff ? ObjectDiff.unifiedDiff(live: live, desired: result) : nil)
    }

    /// Deletes the set's members that left the manifests: Secrets by the names the parent
    /// recorded (listing Secrets would return their contents), other kinds by the part-of label.
    /// The parent is applied with the old and new members first, so that an interrupted prune
    /// still knows the whole set next time (kubectl does the same).
    private func prune(_ applySet: ApplySet, members: [KubeObject], client: KubeClient, progress: Progress) async throws {
        let secret = GroupKind(group: "", kind: "Secret")
        let parent = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: command.applyset)
        // KEP-3659: a tool leaves sets that another tool manages alone (kubectl refuses Warrant's the same way).
        if let parent, let tooling = parent.annotations[ApplySet.toolingAnnotation], !tooling.hasPrefix("warrant/") {
            context.standardError(
                "error: the ApplySet \(namespace)/\(command.applyset) is managed by \(tooling) (\(ApplySet.toolingAnnotation)); Warrant does not prune a set another tool manages\n  hint: choose another parent with --applyset, or keep deploying this set with that tool\n")
            throw DeployFailure(message: "ApplySet \(command.applyset) is managed by \(tooling)")
        }
        if let parent, parent.labels[ApplySet.idLabel] != applySet.id {
            context.standardError(
                "error: ConfigMap \(namespace)/\(command.applyset) is not the parent of ApplySet \(applySet.id) (its \(ApplySet.idLabel) label differs); nothing was pruned\n")
            throw DeployFailure(message: "ConfigMap \(command.applyset) is not this ApplySet's parent")
        }
        var seen: Set<GroupKind> = []
        let groupKinds = ((parent.map(ApplySet.recordedGroupKinds) ?? []) + members.map(\.groupKind)).filter { seen.insert($0).inserted }
        var live: [KubeObject] = []
        for groupKind in groupKinds where groupKind != secret {
            live += try await client.list(
                groupKind, namespace: namespace, options: ListOptions(labelSelector: "\(ApplySet.partOfLabel)=\(applySet.id)")
            ).objects
        }
        var candidates: [ObjectReference] = applySet.pruneCandidates(live: live, applied: members).map(ObjectReference.init)
        candidates += applySet.recordedPruneCandidates(parent: parent, applied: members)
        let previousMembers = parent.map { ApplySet.recordedMembers(in: $0).count } ?? 0
        let limit = try command.maxPrune.map { text throws -> MaxPrune in try MaxPrune(parsing: text) } ?? .default
        if !candidates.isEmpty, limit.isExceeded(candidates: candidates.count, previousMembers: previousMembers) {
            context.standardError(
                "error: pruning would delete \(candidates.count) of the set's \(previousMembers) object(s), more than --max-prune \(limit) allows; nothing was deleted:\n"
                    + candidates.map { "  - \($0)\n" }.joined() + "  raise --max-prune if that is intended\n")
            throw DeployFailure(message: "prune stopped at --max-prune \(limit): \(candidates.count) candidate(s)")
        }
        if !candidates.isEmpty, let parent {
            _ = try await client.apply(applySet.parent(members: members, previous: parent), fieldManager: "warrant", dryRun: command.dryRun)
        }
        for reference in candidates {
            try Task.checkCancellation()
            let deleted = try await client.delete(reference.groupKind, namespace: namespace, name: reference.name, dryRun: command.dryRun)
            guard deleted else { continue }
            progress.state.withLock {
                $0.pruned.append(RecordedObject(reference: reference, action: .pruned, digest: nil))
            }
            context.standardError("\(command.dryRun ? "would prune" : "pruned") \(reference)\n")
        }
        let desired = applySet.parent(members: members)
        if parent == nil || !candidates.isEmpty || !ObjectDiff.isUnchanged(live: parent!, desired: desired) {
            _ = try await client.apply(desired, fieldManager: "warrant", dryRun: command.dryRun)
        }
    }

    /// Waits until every object is healthy (kstatus), failing fast on broken pods. On a terminal
    /// one status line is redrawn in place; in CI logs (not a terminal, or `CI` set) each change
    /// is a plain line with a UTC time.
    private func waitForHealth(client: KubeClient) async throws {
        let started = ContinuousClock.now
        let live = context.errorIsTerminal && context.environment["CI"] == nil
        var reported: [String: String] = [:]
        // The same kinds the Role from `scope --for warrant --wait` grants pod and event reads for.
        let workloads = objects.contains { RequestPlanner.workloadKinds.contains($0.groupKind) }
        func finishLine() { if live { context.standardError("\r\u{1B}[2K") } }
        while true {
            try Task.checkCancellation()
            var pending: [String] = []
            for object in objects {
                let current = try await client.get(object.groupKind, namespace: namespace, name: object.name)
                let health = HealthStatus.compute(current)
                switch health.status {
                case .current:
                    continue
                case .failed:
                    finishLine()
                    context.standardError("error: \(object.displayName) failed: \(health.message)\n")
                    throw DeployFailure(message: "\(object.displayName) failed: \(health.message)")
                default:
                    pending.append("\(object.displayName): \(health.message)")
                    if !live && reported[object.displayName] != health.message {
                        reported[object.displayName] = health.message
                        context.standardError("\(Self.now()) waiting for \(object.displayName): \(health.message)\n")
                    }
                }
            }
            if pending.isEmpty {
                finishLine()
                context.standardError("\(Self.now()) all \(objects.count) object(s) are ready\n")
                return
            }
            if live {
                let elapsed = (ContinuousClock.now - started).components.seconds
                context.standardError(
                    "\r\u{1B}[2K\(objects.count - pending.count)/\(objects.count) ready, \(elapsed) s: \(pending[0])\(pending.count > 1 ? " (+\(pending.count - 1) more)" : "")")
            }
            if workloads {
                let pods = try await client.list(GroupKind(group: "", kind: "Pod"), namespace: namespace).objects
                let events = try await client.list(GroupKind(group: "", kind: "Event"), namespace: namespace).objects
                if let failure = PodFailure.detect(pods: pods, events: events).first {
                    finishLine()
                    context.standardError("error: \(failure)\n")
                    throw DeployFailure(message: "\(failure)")
                }
            }
            if ContinuousClock.now - started > waitLimit {
                finishLine()
                context.standardError("error: timed out after \(waitLimit) waiting for:\n" + pending.map { "  - \($0)\n" }.joined())
                throw DeployFailure(message: "timed out waiting for " + pending.joined(separator: "; "))
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    static func now() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }
}
