public import KubeModel

/// What changes when a desired object is applied over the live one: a unified diff of their
/// YAML for people, a summary for the record, and whether anything changes at all.
public enum ObjectDiff {
    /// Metadata members the API server sets, left out of diffs.
    public static let serverMetadata: Set<String> = [
        "managedFields", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
    ]
    /// Annotations tools and controllers set, left out of diffs and comparisons: kubectl's
    /// client-side apply record, the Deployment controller's revision counter, and Warrant's own
    /// record annotation (``recordAnnotation``), which names the deploy that last changed an object.
    public static let serverAnnotations: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision", recordAnnotation,
    ]
    /// The annotation every object `warrant deploy` writes carries: the id of the deploy record
    /// that changed it last.
    public static let recordAnnotation = "warrant.dev/deploy-record"
    /// Lines of context around each change, as `diff -u`.
    public static let contextLines = 3

    /// `object` without ``serverMetadata``, ``serverAnnotations`` and `status`.
    public static func strip(_ object: KubeObject) -> KubeObject {
        var result = object
        result.content["status"] = nil
        guard var metadata = result.content["metadata"]?.objectValue else { return result }
        for key in serverMetadata { metadata[key] = nil }
        result.content["metadata"] = .object(metadata)
        if var annotations = result.content[path: ["metadata", "annotations"]]?.objectValue {
            for key in serverAnnotations { annotations[key] = nil }
            result.setMetadata("annotations", annotations.isEmpty ? nil : .object(annotations))
        }
        return result
    }

    /// The unified diff of the YAML of `live` and `desired`, for people: a header naming the
    /// object (`--- live/Deployment/shop/web`, `+++ desired/Deployment/shop/web`), `@@` hunks
    /// with 3 lines of context, `nil` when they are equal.
    ///
    /// Both sides are stripped (``strip(_:)``), put into the field order of `manifest` (the
    /// object as written; `desired` when not given) so that no line moves only because the API
    /// server orders fields differently, and Secret values are masked (``SecretMask``). A missing
    /// live object diffs against nothing (every line added).
    public static func unifiedDiff(live: KubeObject?, desired: KubeObject, manifest: KubeObject? = nil) -> String? {
        let (old, new) = comparableLines(live: live, desired: desired, manifest: manifest)
        let name = objectPath(desired)
        return UnifiedDiff.text(old: old, new: new, oldName: "live/\(name)", newName: "desired/\(name)", context: contextLines)
    }

    /// What applying `desired` over `live` changes, for the record: whether the object changed,
    /// the fields added, removed or changed (``DiffSummary/fieldsChanged``), and the lines of
    /// ``unifiedDiff(live:desired:manifest:)``.
    public static func summary(live: KubeObject?, desired: KubeObject, manifest: KubeObject? = nil) -> DiffSummary {
        let (old, new) = comparableLines(live: live, desired: desired, manifest: manifest)
        let edits = UnifiedDiff.edits(old: old, new: new)
        let added = edits.filter { $0.kind == .insert }.count
        let removed = edits.filter { $0.kind == .delete }.count
        let fields = changedFields(live.map { strip($0).content }, strip(desired).content)
        return DiffSummary(
            objectsChanged: added + removed > 0 || fields > 0 ? 1 : 0, linesAdded: added, linesRemoved: removed, fieldsChanged: fields)
    }

    /// `Kind/namespace/name`, or `Kind/name` for a cluster-scoped object.
    static func objectPath(_ object: KubeObject) -> String {
        [object.kind, object.namespace, object.name].compactMap { $0 }.joined(separator: "/")
    }

    private static func comparableLines(live: KubeObject?, desired: KubeObject, manifest: KubeObject?) -> (old: [String], new: [String]) {
        let masked = SecretMask.masked(live: live.map(strip), desired: strip(desired))
        let template = (manifest ?? desired).content
        let old = masked.live.map { lines(YAMLWriter.write(ordered($0.content, like: template))) } ?? []
        let new = lines(YAMLWriter.write(ordered(masked.desired.content, like: template)))
        return (old, new)
    }

    /// Whether applying `desired` would leave `live` as it is, decided from the live object
    /// alone (no request): every field `desired` sets is live with an equal value, and, with
    /// `fieldManager`, every field that manager owns in `live` is still set by `desired` (an
    /// apply removes the owned fields a manifest dropped, see ``ManagedFields``).
    ///
    /// Only the fields `desired` sets are compared, so what the API server defaults (a
    /// container's `imagePullPolicy`, a Service's `clusterIP`) does not count as a change. Lists
    /// must have the same length and compare element by element the same way; `null` in
    /// `desired` asks for the field to be absent. Integers and equal floating-point numbers are
    /// equal; a Secret's `stringData` counts as the base64 `data` the server stores. Values the
    /// server normalises (`1000m` → `1`, `data: {}` dropped, `targetPort: 0` defaulted) count as
    /// changes here: ``isSameObject(live:applied:)`` on a dry-run apply decides those.
    public static func isUnchanged(live: KubeObject, desired: KubeObject, fieldManager: String? = nil) -> Bool {
        guard isSubset(strip(SecretMask.normalized(desired)).content, of: live.content) else { return false }
        guard let fieldManager, let owned = ManagedFields.applied(by: fieldManager, in: live) else { return true }
        return ManagedFields.isCovered(owned, by: desired.content)
    }

    /// Whether `applied`, the API server's answer to an apply of the object (a dry run), is the
    /// object `live` already is: equal but for status, the metadata the server sets and
    /// ``serverAnnotations``. This is how Flux decides "unchanged" (fluxcd/pkg `ssa`,
    /// `ResourceManager.ApplyAll` dry-runs each object and `hasDrifted` in `manager_diff.go`
    /// compares the result with the existing object); it sees every default and normalisation
    /// the server applies, which no comparison with the manifest can.
    public static func isSameObject(live: KubeObject, applied: KubeObject) -> Bool {
        strip(live).content == strip(applied).content
    }

    static func isSubset(_ desired: JSONValue, of live: JSONValue?) -> Bool {
        switch desired {
        case .null:
            return live == nil || live?.isNull == true
        case .object(let object):
            guard let liveObject = live?.objectValue else { return false }
            return object.allSatisfy { member in
                let liveMember = liveObject[member.key]
                if member.value.isNull { return liveMember == nil || liveMember?.isNull == true }
                return liveMember != nil && isSubset(member.value, of: liveMember)
            }
        case .array(let elements):
            guard let liveElements = live?.arrayValue, liveElements.count == elements.count else { return false }
            return zip(elements, liveElements).allSatisfy { isSubset($0, of: $1) }
        case .integer(let integer):
            if case .double(let double)? = live { return Double(integer) == double }
            return live == desired
        case .double(let double):
            if case .integer(let integer)? = live { return Double(integer) == double }
            return live == desired
        default:
            return live == desired
        }
    }

    private static func lines(_ text: String) -> [String] {
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if result.last == "" { result.removeLast() }
        return result
    }
}
