public import KubeModel

/// What changes when a desired object is applied over the live one: a unified diff of their
/// YAML for people, a summary for the record, and whether anything changes at all.
public enum ObjectDiff {
    /// Metadata members the API server sets, left out of diffs.
    public static let serverMetadata: Set<String> = [
        "managedFields", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
    ]
    /// Annotations tools and controllers set, left out of diffs: kubectl's client-side apply
    /// record and the Deployment controller's revision counter.
    public static let serverAnnotations: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
    ]
    /// Lines of context around each change, as `diff -u`.
    public static let contextLines = 3

    /// `object` without ``serverMetadata``, ``serverAnnotations`` and `status`.
    public static func strip(_ object: KubeObject) -> KubeObject {
        var result = object
        result.content["status"] = nil
        for key in serverMetadata { result.content.setValue(nil, at: ["metadata", key]) }
        if var annotations = result.content[path: ["metadata", "annotations"]]?.objectValue {
            for key in serverAnnotations { annotations[key] = nil }
            result.setMetadata("annotations", annotations.isEmpty ? nil : .object(annotations))
        }
        return result
    }

    /// The unified diff (`--- live`, `+++ desired`, `@@` hunks with 3 lines of context) of the YAML
    /// of `live` and `desired`, after ``strip(_:)``; `nil` when they are equal. A missing live
    /// object diffs against nothing (every line added). A Secret's values are masked as
    /// `kubectl diff` masks them (``maskingSecrets(live:desired:)``): the diff names the keys
    /// that changed, never their values.
    public static func unifiedDiff(live: KubeObject?, desired: KubeObject) -> String? {
        let (live, desired) = maskingSecrets(live: live, desired: desired)
        let old = live.map { lines(YAMLWriter.write(strip($0).content)) } ?? []
        let new = lines(YAMLWriter.write(strip(desired).content))
        return UnifiedDiff.text(old: old, new: new, oldName: "live", newName: "desired", context: contextLines)
    }

    /// Lines added and removed between `live` and `desired`, counting the object as changed when
    /// any are; a Secret's values count as one line each (masked), whatever they hold.
    public static func summary(live: KubeObject?, desired: KubeObject) -> DiffSummary {
        let (live, desired) = maskingSecrets(live: live, desired: desired)
        let old = live.map { lines(YAMLWriter.write(strip($0).content)) } ?? []
        let new = lines(YAMLWriter.write(strip(desired).content))
        let edits = UnifiedDiff.edits(old: old, new: new)
        let added = edits.filter { $0.kind == .insert }.count
        let removed = edits.filter { $0.kind == .delete }.count
        return DiffSummary(objectsChanged: added + removed > 0 ? 1 : 0, linesAdded: added, linesRemoved: removed)
    }

    /// Whether applying `desired` would leave `live` as it is: every field `desired` sets is
    /// present in `live` with an equal value.
    ///
    /// Only the fields `desired` sets are compared, so what the API server defaults (a
    /// container's `imagePullPolicy`, a Service's `clusterIP`) does not count as a change. Lists
    /// must have the same length and compare element by element the same way; `null` in
    /// `desired` asks for the field to be absent. Integers and equal floating-point numbers are
    /// equal. Resource quantities the server normalises (`1000m` → `1`) count as changes, which
    /// only costs an apply that changes nothing.
    public static func isUnchanged(live: KubeObject, desired: KubeObject) -> Bool {
        isSubset(desired.content, of: live.content)
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
