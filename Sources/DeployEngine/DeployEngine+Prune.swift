import Delivery
import KubeAPI
import KubeModel
import Logging
import Synchronization

extension DeployEngine {
    /// The ApplySet of this deploy.
    var applySet: ApplySet {
        ApplySet(name: configuration.applySetName, namespace: namespace, version: configuration.toolVersion, prunePVCs: configuration.prunePVCs)
    }

    /// With prune, before any member is applied: makes the ApplySet parent exist and record the
    /// old and the new members (kubectl's "superset" step, KEP-3659), so that a deploy stopped
    /// anywhere after leaves no member the next prune cannot find (Secrets are pruned by the
    /// names the parent records). Remembers the parent as it was, for `--max-prune`.
    func widenApplySet(_ manifests: DeployManifests, client: KubeClient, progress: DeployProgress) async throws {
        guard configuration.prune else { return }
        do {
            try applySet.checkLabels(manifests.objects)
        } catch {
            throw DeployError(.invalidApplySet, "\(error)", underlying: error)
        }
        let members = manifests.objects.map(ObjectReference.init)
        let before = try await writeParent(client: client) { parent in applySet.parent(memberReferences: members, previous: parent) }
        progress.state.withLock { $0.parentBeforeWidening = before }
    }

    /// Writes the parent `desired(live parent)` unless the live one already says it, as a
    /// compare-and-swap: a server-side apply carrying the live `resourceVersion` (a missing parent
    /// is created), repeated on a fresh read when the parent changed in between. The apply is
    /// forced: the parent's fields belong to whichever Warrant field manager deployed the set
    /// last (`warrant` or `warrant-agent`), never a reason to fail. A parent of another tool or
    /// set is refused.
    ///
    /// `known` is the parent as the caller read it (`.some(nil)`: there was none), used by the
    /// first attempt instead of a read; a stale one costs a conflict and a fresh read.
    ///
    /// - Returns: the parent as read before the write, `nil` when there was none.
    @discardableResult
    func writeParent(client: KubeClient, known: KubeObject?? = nil, _ desired: (KubeObject?) -> KubeObject) async throws -> KubeObject? {
        let configMap = GroupKind(group: "", kind: "ConfigMap")
        var attempt = 0
        while true {
            attempt += 1
            let parent: KubeObject?
            if attempt == 1, let known {
                parent = known
            } else {
                parent = try await client.get(configMap, namespace: namespace, name: configuration.applySetName)
            }
            try checkParent(parent)
            let target = desired(parent)
            if let parent, ObjectDiff.isUnchanged(live: parent, desired: target) { return parent }
            var body = target
            if let version = parent?.content[path: ["metadata", "resourceVersion"]] { body.setMetadata("resourceVersion", version) }
            do {
                _ = try await client.apply(body, fieldManager: configuration.fieldManager, force: true, dryRun: configuration.dryRun)
                return parent
            } catch let error as KubeAPIError where error.isConflict && error.causes.isEmpty && attempt < 10 {
                logger.debug("the ApplySet parent changed while writing it; reading it again", metadata: ["attempt": "\(attempt)"])
            }
        }
    }

    /// KEP-3659: a tool leaves sets that another tool manages alone (kubectl refuses Warrant's
    /// the same way), and a ConfigMap that is not this set's parent is not taken over.
    private func checkParent(_ parent: KubeObject?) throws(DeployError) {
        let parentName = configuration.applySetName
        if let parent, let tooling = parent.annotations[ApplySet.toolingAnnotation], !tooling.hasPrefix("warrant/") {
            throw DeployError(
                .foreignApplySet,
                "the ApplySet \(namespace)/\(parentName) is managed by \(DisplayText.escaped(tooling)) (\(ApplySet.toolingAnnotation)); Warrant does not prune a set another tool manages",
                hint: "hint: choose another parent with --applyset, or keep deploying this set with that tool",
                summary: "ApplySet \(parentName) is managed by \(DisplayText.escaped(tooling))")
        }
        if let parent, parent.labels[ApplySet.idLabel] != applySet.id {
            throw DeployError(
                .foreignApplySet,
                "ConfigMap \(namespace)/\(parentName) is not the parent of ApplySet \(applySet.id) (its \(ApplySet.idLabel) label differs); nothing was pruned",
                summary: "ConfigMap \(parentName) is not this ApplySet's parent")
        }
    }

    /// Deletes the set's members that left the manifests: Secrets by the names the parent
    /// recorded (listing Secrets would return their contents), other kinds by the part-of label.
    /// The parent is applied with the old and new members first, so that an interrupted prune
    /// still knows the whole set next time (kubectl does the same). The parent and the lists of
    /// the members' kinds come from `live`, read before the apply (after ``widenApplySet(_:client:progress:)``,
    /// under the deploy's Lease); only kinds the parent records and the manifests no longer hold
    /// are listed here.
    func prune(
        _ applySet: ApplySet, members: [ObjectReference], live: LiveSet, client: KubeClient, progress: DeployProgress, reporter: DeployReporter
    ) async throws {
        let secret = GroupKind(group: "", kind: "Secret")
        let parent = live.parent
        try checkParent(parent)
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
        var candidates: [ObjectReference] = applySet.pruneCandidates(live: listed, appliedReferences: members).map(ObjectReference.init)
        candidates += applySet.recordedPruneCandidates(parent: parent, appliedReferences: members)
        // The set as it was before this deploy widened its parent; a set whose parent was
        // missing (a deploy of an older Warrant stopped before writing it) counts its live members.
        let before = progress.snapshot.parentBeforeWidening
        let previousMembers = before.map { ApplySet.recordedMembers(in: $0).count } ?? listed.count
        let limit = configuration.maxPrune
        if !candidates.isEmpty, limit.isExceeded(candidates: candidates.count, previousMembers: previousMembers) {
            throw DeployError(
                .pruneLimit,
                "pruning would delete \(candidates.count) of the set's \(previousMembers) object(s), more than --max-prune \(limit) allows; nothing was deleted:",
                details: candidates.map { "\($0)" }, hint: "raise --max-prune if that is intended",
                summary: "prune stopped at --max-prune \(limit): \(candidates.count) candidate(s)")
        }
        if !candidates.isEmpty {
            // Normally the parent already holds the superset (widenApplySet); this keeps a set
            // whose parent changed since complete before anything is deleted.
            try await writeParent(client: client, known: parent) { parent in applySet.parent(memberReferences: members, previous: parent) }
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
        // Narrowed to the members applied now ("latest"): written whenever it differs.
        let desired = applySet.parent(memberReferences: members)
        // The parent as read before the apply is the compare-and-swap's first guess, unless the
        // superset was written since.
        let known: KubeObject?? = candidates.isEmpty ? .some(parent) : .none
        try await writeParent(client: client, known: known) { _ in desired }
    }
}
