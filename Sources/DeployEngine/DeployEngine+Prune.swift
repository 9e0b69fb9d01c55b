import Delivery
import KubeAPI
import KubeModel
import Synchronization

extension DeployEngine {
    /// Deletes the set's members that left the manifests: Secrets by the names the parent
    /// recorded (listing Secrets would return their contents), other kinds by the part-of label.
    /// The parent is applied with the old and new members first, so that an interrupted prune
    /// still knows the whole set next time (kubectl does the same). The parent and the lists of
    /// the members' kinds come from `live`, read before the apply; only kinds the parent records
    /// and the manifests no longer hold are listed here.
    func prune(
        _ applySet: ApplySet, members: [KubeObject], live: LiveSet, client: KubeClient, progress: DeployProgress, reporter: DeployReporter
    ) async throws {
        let secret = GroupKind(group: "", kind: "Secret")
        let parentName = configuration.applySetName
        let parent = live.parent
        // KEP-3659: a tool leaves sets that another tool manages alone (kubectl refuses Warrant's the same way).
        if let parent, let tooling = parent.annotations[ApplySet.toolingAnnotation], !tooling.hasPrefix("warrant/") {
            throw DeployError(
                .foreignApplySet,
                "the ApplySet \(namespace)/\(parentName) is managed by \(tooling) (\(ApplySet.toolingAnnotation)); Warrant does not prune a set another tool manages",
                hint: "hint: choose another parent with --applyset, or keep deploying this set with that tool",
                summary: "ApplySet \(parentName) is managed by \(tooling)")
        }
        if let parent, parent.labels[ApplySet.idLabel] != applySet.id {
            throw DeployError(
                .foreignApplySet,
                "ConfigMap \(namespace)/\(parentName) is not the parent of ApplySet \(applySet.id) (its \(ApplySet.idLabel) label differs); nothing was pruned",
                summary: "ConfigMap \(parentName) is not this ApplySet's parent")
        }
        var seen: Set<GroupKind> = []
        let groupKinds = ((parent.map(ApplySet.recordedGroupKinds) ?? []) + members.map(\.groupKind)).filter { seen.insert($0).inserted }
        var listed: [KubeObject] = []
        for groupKind in groupKinds where groupKind != secret {
            if let objects = live.listed[groupKind] {
                listed += objects
                continue
            }
            listed += try await client.list(
                groupKind, namespace: namespace, options: ListOptions(labelSelector: "\(ApplySet.partOfLabel)=\(applySet.id)")
            ).objects
        }
        var candidates: [ObjectReference] = applySet.pruneCandidates(live: listed, applied: members).map(ObjectReference.init)
        candidates += applySet.recordedPruneCandidates(parent: parent, applied: members)
        let previousMembers = parent.map { ApplySet.recordedMembers(in: $0).count } ?? 0
        let limit = configuration.maxPrune
        if !candidates.isEmpty, limit.isExceeded(candidates: candidates.count, previousMembers: previousMembers) {
            throw DeployError(
                .pruneLimit,
                "pruning would delete \(candidates.count) of the set's \(previousMembers) object(s), more than --max-prune \(limit) allows; nothing was deleted:",
                details: candidates.map { "\($0)" }, hint: "raise --max-prune if that is intended",
                summary: "prune stopped at --max-prune \(limit): \(candidates.count) candidate(s)")
        }
        if !candidates.isEmpty, let parent {
            _ = try await client.apply(
                applySet.parent(members: members, previous: parent), fieldManager: configuration.fieldManager, dryRun: configuration.dryRun)
        }
        for reference in candidates {
            try Task.checkCancellation()
            let deleted: Bool
            do {
                deleted = try await client.delete(reference.groupKind, namespace: namespace, name: reference.name, dryRun: configuration.dryRun)
            } catch {
                // A delete without an answer may have happened: read back before the record.
                let refused = (error as? KubeAPIError).map { (400..<500).contains($0.code) && $0.code != 408 } ?? false
                if !refused && !configuration.dryRun {
                    progress.state.withLock { $0.uncertain.append(.init(reference: reference, change: .prune)) }
                }
                throw error
            }
            guard deleted else { continue }
            progress.state.withLock {
                $0.pruned.append(RecordedObject(reference: reference, action: .pruned, digest: nil))
            }
            reporter.report(.pruned(reference, dryRun: configuration.dryRun))
        }
        let desired = applySet.parent(members: members)
        if parent == nil || !candidates.isEmpty || !ObjectDiff.isUnchanged(live: parent!, desired: desired, fieldManager: configuration.fieldManager) {
            _ = try await client.apply(desired, fieldManager: configuration.fieldManager, dryRun: configuration.dryRun)
        }
    }
}
