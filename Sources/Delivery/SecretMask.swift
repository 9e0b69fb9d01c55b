import Foundation
public import KubeModel

/// Secret values hidden from everything Warrant prints: each value of a Secret's `data` and
/// `stringData` becomes a mask that tells whether the key was kept, added, removed or changed,
/// never what it holds.
///
/// The masks are kubectl diff's (`staging/src/k8s.io/kubectl/pkg/cmd/diff/diff.go`, `Masker`):
/// `***` for a value that is the same on both sides (or on one side only), `*** (before)` and
/// `*** (after)` for a value that changed, so that a diff still shows which keys changed. Values
/// are compared as the API server stores them: `stringData` counts as the base64 of its text in
/// `data` (it is merged into `data` on write, `pkg/apis/core/v1/conversion.go`). The
/// client-side apply annotation of a Secret holds its data too and is masked as a whole.
public enum SecretMask {
    /// The mask of a value that did not change, or that only one side has.
    public static let same = "***"
    /// The mask of a changed value, on the live side.
    public static let before = "*** (before)"
    /// The mask of a changed value, on the desired side.
    public static let after = "*** (after)"
    /// The annotation in which `kubectl apply` (client-side) keeps the whole last-applied object.
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    /// Whether `object` is a core Secret.
    public static func isSecret(_ object: KubeObject) -> Bool {
        object.kind == "Secret" && object.groupKind.group.isEmpty
    }

    /// `live` and `desired` with every Secret value masked; objects that are not Secrets as they are.
    public static func masked(live: KubeObject?, desired: KubeObject) -> (live: KubeObject?, desired: KubeObject) {
        guard isSecret(desired) || live.map(isSecret) == true else { return (live, desired) }
        let old = live.map(stored) ?? [:]
        let new = stored(desired)
        func mask(_ object: KubeObject, changed: String) -> KubeObject {
            var result = object
            for member in ["data", "stringData"] {
                guard let value = result.content[member], !value.isNull else { continue }
                guard let values = value.objectValue else {
                    result.content[member] = .string(same)
                    continue
                }
                var masked = JSONObject()
                for key in values.keys {
                    let differs = old[key] != nil && new[key] != nil && old[key] != new[key]
                    masked[key] = .string(differs ? changed : same)
                }
                result.content[member] = .object(masked)
            }
            if result.content[path: ["metadata", "annotations", lastApplied]] != nil {
                result.content.setValue(.string(same), at: ["metadata", "annotations", lastApplied])
            }
            return result
        }
        return (live.map { mask($0, changed: before) }, mask(desired, changed: after))
    }

    /// `object` with every Secret value masked as `***`.
    public static func masked(_ object: KubeObject) -> KubeObject {
        masked(live: nil, desired: object).desired
    }

    /// The Secret's values as the API server stores them: `data`, with `stringData` merged in as base64.
    static func stored(_ object: KubeObject) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in object.content["data"]?.objectValue ?? JSONObject() {
            values[key] = value.stringValue ?? "\(value)"
        }
        for (key, value) in object.content["stringData"]?.objectValue ?? JSONObject() {
            values[key] = Data((value.stringValue ?? "\(value)").utf8).base64EncodedString()
        }
        return values
    }

    /// `object` with `stringData` merged into `data` as base64, as the API server stores a Secret;
    /// any other object as it is.
    public static func normalized(_ object: KubeObject) -> KubeObject {
        guard isSecret(object), let stringData = object.content["stringData"]?.objectValue else { return object }
        var result = object
        var data = object.content["data"]?.objectValue ?? JSONObject()
        for (key, value) in stringData {
            guard let text = value.stringValue else { return object }
            data[key] = .string(Data(text.utf8).base64EncodedString())
        }
        result.content["data"] = .object(data)
        result.content["stringData"] = nil
        return result
    }
}
