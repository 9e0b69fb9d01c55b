public import KubeModel
import RBAC
public import ScopePlanning

/// The prune inventory of `warrant deploy`: an ApplySet (KEP-3659) whose parent is a ConfigMap in
/// the namespace, interoperable with `kubectl apply --prune --applyset`.
///
/// Reproduces kubectl's `staging/src/k8s.io/kubectl/pkg/cmd/apply/applyset.go`:
/// - the ID is `applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1`, the hash
///   encoded with Go's `base64.RawURLEncoding` (URL-safe alphabet, no padding), per
///   `V1ApplySetIdFormat` and `ApplySet.ID()`; for a ConfigMap parent the group is empty, so the
///   hashed text ends in `.ConfigMap.`;
/// - the parent carries the label `applyset.kubernetes.io/id` and the annotations
///   `applyset.kubernetes.io/tooling` (`<tool>/<version>`) and
///   `applyset.kubernetes.io/contains-group-kinds` (`generateKindsAnnotation`: each
///   `schema.GroupKind.String()`, i.e. `Kind.group` or `Kind` for the core group, sorted with
///   `sort.Strings` — byte order — and joined by commas);
/// - members carry `applyset.kubernetes.io/part-of: <id>`.
///
/// Warrant adds one annotation, ``membersAnnotation``, listing every member as `Kind.group/name`, so
/// that Secrets can be pruned by name: listing Secrets returns their contents, and Warrant's
/// credential is not granted that (see `RequestPlanner`).
public struct ApplySet: Sendable, Hashable {
    /// The label on the parent holding the set's ID.
    public static let idLabel = "applyset.kubernetes.io/id"
    /// The label on every member naming the set's ID.
    public static let partOfLabel = "applyset.kubernetes.io/part-of"
    /// The annotation on the parent naming the tool that manages the set.
    public static let toolingAnnotation = "applyset.kubernetes.io/tooling"
    /// The annotation on the parent listing the members' group-kinds.
    public static let groupKindsAnnotation = "applyset.kubernetes.io/contains-group-kinds"
    /// Warrant's annotation on the parent listing the members as `Kind.group/name`, sorted.
    public static let membersAnnotation = "warrant.dev/applyset-members"
    /// cli-utils' annotation that keeps an object when it leaves the set
    /// (`cli-utils.sigs.k8s.io/on-remove: keep`, cli-utils `pkg/apply/filter/prevent-remove-filter.go`).
    public static let onRemoveAnnotation = "cli-utils.sigs.k8s.io/on-remove"
    /// The older spelling cli-utils also honours (`client.lifecycle.config.k8s.io/deletion: detach`).
    public static let deletionAnnotation = "client.lifecycle.config.k8s.io/deletion"

    /// The parent ConfigMap's name.
    public var name: String
    /// The namespace of the parent and of every member.
    public var namespace: String
    /// The value of the tooling annotation, `warrant/<version>`.
    public var tooling: String
    /// Whether PersistentVolumeClaims that left the manifests are pruned (off by default: deleting
    /// a claim can delete its data).
    public var prunePVCs: Bool

    /// Creates the ApplySet of a namespace.
    ///
    /// - Parameters:
    ///   - name: the parent ConfigMap's name; `DeployOptions`' `applySetName` (`warrant-applyset`) by default.
    ///   - namespace: the namespace deployed to.
    ///   - version: Warrant's version, for the tooling annotation.
    ///   - prunePVCs: whether PersistentVolumeClaims may be pruned.
    public init(name: String = DeployOptions().applySetName, namespace: String, version: String, prunePVCs: Bool = false) {
        self.name = name
        self.namespace = namespace
        self.tooling = "warrant/\(version)"
        self.prunePVCs = prunePVCs
    }

    /// The set's ID: `applyset-<base64url(sha256("<name>.<namespace>.ConfigMap."))>-v1`.
    public var id: String { Self.id(name: name, namespace: namespace, kind: "ConfigMap", group: "") }

    /// The ApplySet ID of a parent object, as kubectl's `ApplySet.ID()` computes it.
    public static func id(name: String, namespace: String, kind: String, group: String) -> String {
        let hashed = CanonicalJSON.sha256([name, namespace, kind, group].joined(separator: "."))
        return "applyset-\(CanonicalJSON.base64URLWithoutPadding(hashed))-v1"
    }

    /// The parent ConfigMap recording `members`, to server-side apply.
    ///
    /// kubectl first widens the parent to the union of the previous and the current group-kinds
    /// before applying (`BeforeApply`, "superset" mode) so that an interrupted deploy leaks no
    /// object, then narrows it to the applied set after pruning ("latest" mode). Pass the live
    /// parent as `previous` to get the superset; leave it `nil` for the latest set.
    ///
    /// - Parameters:
    ///   - members: the objects applied in this deploy.
    ///   - previous: the live parent, to keep its recorded group-kinds and members as well.
    public func parent(members: [KubeObject], previous: KubeObject? = nil) -> KubeObject {
        parent(memberReferences: members.map(ObjectReference.init), previous: previous)
    }

    /// The parent ConfigMap recording the members `memberReferences` name, to server-side apply:
    /// ``parent(members:previous:)`` for a deploy that no longer holds the objects themselves.
    public func parent(memberReferences: [ObjectReference], previous: KubeObject? = nil) -> KubeObject {
        var references = Set(memberReferences.map(memberReference))
        var groupKinds = Set(memberReferences.map(\.groupKind))
        if let previous {
            references.formUnion(Self.recordedMembers(in: previous))
            groupKinds.formUnion(Self.recordedGroupKinds(in: previous))
        }
        let kinds = groupKinds.map(\.description).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let memberList = references.map(\.description).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return KubeObject([
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": [.init(stringLiteral: Self.idLabel): .string(id)],
                "annotations": [
                    .init(stringLiteral: Self.toolingAnnotation): .string(tooling),
                    .init(stringLiteral: Self.groupKindsAnnotation): .string(kinds.joined(separator: ",")),
                    .init(stringLiteral: Self.membersAnnotation): .string(memberList.joined(separator: ",")),
                ],
            ],
        ])
    }

    /// `objects` with the `applyset.kubernetes.io/part-of` label set to this set's ID.
    ///
    /// - Throws: ``ApplySetError`` when an object already carries the label with another value
    ///   (kubectl's `AddLabels` refuses any preset value: "ApplySet label already set in input data";
    ///   Warrant accepts this set's own ID, so that labelled manifests can be re-applied).
    public func labeled(_ objects: [KubeObject]) throws(ApplySetError) -> [KubeObject] {
        var result: [KubeObject] = []
        result.reserveCapacity(objects.count)
        for var object in objects {
            try checkLabel(of: object)
            label(&object)
            result.append(object)
        }
        return result
    }

    /// Checks that none of `objects` carries the part-of label of another set, without copying
    /// them: what ``labeled(_:)`` checks, for a deploy that labels each object as it sends it.
    ///
    /// - Throws: ``ApplySetError`` for the first object labelled for another set.
    public func checkLabels(_ objects: [KubeObject]) throws(ApplySetError) {
        for object in objects { try checkLabel(of: object) }
    }

    /// Sets the `applyset.kubernetes.io/part-of` label of `object` to this set's ID, whatever it
    /// held; check it with ``checkLabels(_:)`` first.
    public func label(_ object: inout KubeObject) {
        var labels = object.content[path: ["metadata", "labels"]]?.objectValue ?? JSONObject()
        labels[Self.partOfLabel] = .string(id)
        object.setMetadata("labels", .object(labels))
    }

    private func checkLabel(of object: KubeObject) throws(ApplySetError) {
        if let existing = object.labels[Self.partOfLabel], existing != id {
            throw ApplySetError(
                object: object.displayName, source: object.source,
                message: "the label \(Self.partOfLabel) is already set to '\(existing)', which is not this ApplySet (\(id))",
                hint: "remove the label from the manifest; warrant deploy sets it")
        }
    }

    /// The live objects to delete: members of this set (labelled `part-of` this ID, in this
    /// namespace) that were not applied in this deploy.
    ///
    /// Objects of other sets or namespaces are never candidates, whatever `live` holds.
    /// PersistentVolumeClaims are left alone unless ``prunePVCs``; objects annotated
    /// `cli-utils.sigs.k8s.io/on-remove: keep` or `client.lifecycle.config.k8s.io/deletion: detach`
    /// are kept, as cli-utils keeps them.
    public func pruneCandidates(live: [KubeObject], applied: [KubeObject]) -> [KubeObject] {
        pruneCandidates(live: live, appliedReferences: applied.map(ObjectReference.init))
    }

    /// ``pruneCandidates(live:applied:)`` with the applied objects named by their references.
    public func pruneCandidates(live: [KubeObject], appliedReferences applied: [ObjectReference]) -> [KubeObject] {
        let appliedReferences = Set(applied.map(memberReference))
        return live.filter { object in
            guard object.labels[Self.partOfLabel] == id, object.namespace == namespace else { return false }
            guard isPrunable(ObjectReference(object)) else { return false }
            if object.annotations[Self.onRemoveAnnotation] == "keep" || object.annotations[Self.deletionAnnotation] == "detach" {
                return false
            }
            return !appliedReferences.contains(memberReference(ObjectReference(object)))
        }
    }

    /// Members recorded in the live parent, of the given kinds, that were not applied in this
    /// deploy: how Secrets are pruned without listing them.
    ///
    /// - Parameters:
    ///   - parent: the live parent ConfigMap, `nil` when the set is new.
    ///   - applied: the objects applied in this deploy.
    ///   - kinds: the group-kinds to consider, Secrets by default.
    public func recordedPruneCandidates(
        parent: KubeObject?, applied: [KubeObject], kinds: Set<GroupKind> = [GroupKind(group: "", kind: "Secret")]
    ) -> [ObjectReference] {
        recordedPruneCandidates(parent: parent, appliedReferences: applied.map(ObjectReference.init), kinds: kinds)
    }

    /// ``recordedPruneCandidates(parent:applied:kinds:)`` with the applied objects named by their
    /// references.
    public func recordedPruneCandidates(
        parent: KubeObject?, appliedReferences applied: [ObjectReference], kinds: Set<GroupKind> = [GroupKind(group: "", kind: "Secret")]
    ) -> [ObjectReference] {
        guard let parent, parent.labels[Self.idLabel] == id else { return [] }
        let appliedReferences = Set(applied.map(memberReference))
        return Self.recordedMembers(in: parent)
            .filter { kinds.contains($0.groupKind) && isPrunable($0) && !appliedReferences.contains($0) }
            .map { ObjectReference(group: $0.group, kind: $0.kind, namespace: namespace, name: $0.name) }
            .sorted()
    }

    /// The members Warrant recorded in a parent's ``membersAnnotation`` (without namespace).
    public static func recordedMembers(in parent: KubeObject) -> [ObjectReference] {
        guard let list = parent.annotations[membersAnnotation], !list.isEmpty else { return [] }
        return list.split(separator: ",").compactMap { entry in
            guard let slash = entry.firstIndex(of: "/") else { return nil }
            let groupKind = parseGroupKind(entry[..<slash])
            let name = String(entry[entry.index(after: slash)...])
            guard !name.isEmpty, !groupKind.kind.isEmpty else { return nil }
            return ObjectReference(group: groupKind.group, kind: groupKind.kind, namespace: nil, name: name)
        }
    }

    /// The group-kinds in a parent's `contains-group-kinds` annotation.
    public static func recordedGroupKinds(in parent: KubeObject) -> [GroupKind] {
        guard let list = parent.annotations[groupKindsAnnotation], !list.isEmpty else { return [] }
        return list.split(separator: ",").map(parseGroupKind).filter { !$0.kind.isEmpty }
    }

    /// `schema.ParseGroupKind`: the kind up to the first dot, the group after it.
    private static func parseGroupKind(_ text: Substring) -> GroupKind {
        guard let dot = text.firstIndex(of: ".") else { return GroupKind(group: "", kind: String(text)) }
        return GroupKind(group: String(text[text.index(after: dot)...]), kind: String(text[..<dot]))
    }

    /// The reference as recorded in the members annotation: without namespace.
    private func memberReference(_ reference: ObjectReference) -> ObjectReference {
        ObjectReference(group: reference.group, kind: reference.kind, namespace: nil, name: reference.name)
    }

    private func isPrunable(_ reference: ObjectReference) -> Bool {
        prunePVCs || reference.groupKind != GroupKind(group: "", kind: "PersistentVolumeClaim")
    }
}
