public import KubeModel

/// The fields a field manager owns in a live object, read from `metadata.managedFields`, and
/// whether a manifest still sets each of them.
///
/// A server-side apply removes the fields its manager owned before and no longer sets (unless
/// another manager owns them too), so "every field of the manifest is live with its value" is not
/// enough to call an object unchanged: the fields it dropped must be checked as well.
///
/// `fieldsV1` is a tree of path elements (sigs.k8s.io/structured-merge-diff
/// `fieldpath/serialize-pe.go`): `f:NAME` a field, `k:{…}` the element of an associative list
/// with these key fields, `v:VALUE` an element of a set, `i:N` a list index, and `.` the node
/// itself; an empty object ends a path.
public enum ManagedFields {
    /// The `fieldsV1` of `manager`'s apply entry for the object itself (not a subresource), or
    /// `nil` when the manager never applied the object.
    public static func applied(by manager: String, in object: KubeObject) -> JSONValue? {
        for entry in object.content[path: ["metadata", "managedFields"]]?.arrayValue ?? [] {
            guard entry["manager"]?.stringValue == manager, entry["operation"]?.stringValue == "Apply",
                entry["subresource"]?.stringValue.map(\.isEmpty) ?? true
            else { continue }
            return entry["fieldsV1"] ?? .object(JSONObject())
        }
        return nil
    }

    /// Whether `value` sets every field of the `fieldsV1` tree `fields`. Answers `false` when
    /// unsure (an element it cannot match, a path element it does not know), never `true` wrongly.
    public static func isCovered(_ fields: JSONValue, by value: JSONValue?) -> Bool {
        guard let children = fields.objectValue, !children.isEmpty else { return true }
        guard let value, !value.isNull else {
            // Only the node itself ("." alone) may be owned where the manifest sets null.
            return children.keys.allSatisfy { $0 == "." }
        }
        var keyed: [(key: JSONObject, fields: JSONValue)] = []
        for (element, child) in children {
            switch element.first {
            case ".":
                continue
            case "f" where element.hasPrefix("f:"):
                guard let object = value.objectValue, let member = object[String(element.dropFirst(2))] else { return false }
                guard isCovered(child, by: member) else { return false }
            case "k" where element.hasPrefix("k:"):
                guard let key = try? JSONValue.parseJSON(Array(element.utf8.dropFirst(2)), source: "fieldsV1").objectValue else { return false }
                keyed.append((key, child))
            case "v" where element.hasPrefix("v:"):
                guard let member = try? JSONValue.parseJSON(Array(element.utf8.dropFirst(2)), source: "fieldsV1"),
                    let elements = value.arrayValue, elements.contains(where: { equal($0, member) })
                else { return false }
            case "i" where element.hasPrefix("i:"):
                guard let index = Int(element.dropFirst(2)), let elements = value.arrayValue, elements.indices.contains(index),
                    isCovered(child, by: elements[index])
                else { return false }
            default:
                return false
            }
        }
        guard !keyed.isEmpty else { return true }
        guard let elements = value.arrayValue else { return false }
        return coversKeyed(keyed, elements)
    }

    /// Each owned element of an associative list matched to its own element of the manifest's
    /// list: all key fields equal first, then allowing key fields the manifest leaves out (the
    /// server defaults them, e.g. a port's `protocol: TCP`, and records the defaulted key).
    private static func coversKeyed(_ keyed: [(key: JSONObject, fields: JSONValue)], _ elements: [JSONValue]) -> Bool {
        var used = Set<Int>()
        var pending: [(key: JSONObject, fields: JSONValue)] = []
        for owned in keyed {
            let match = elements.indices.first { index in
                !used.contains(index) && owned.key.allSatisfy { field in elements[index][field.key].map { equal($0, field.value) } ?? false }
            }
            if let match {
                guard isCovered(owned.fields, by: elements[match]) else { return false }
                used.insert(match)
            } else {
                pending.append(owned)
            }
        }
        for owned in pending {
            let match = elements.indices.first { index in
                !used.contains(index) && elements[index].objectValue != nil
                    && owned.key.allSatisfy { field in elements[index][field.key].map { equal($0, field.value) } ?? true }
            }
            guard let match, isCovered(owned.fields, by: elements[match]) else { return false }
            used.insert(match)
        }
        return true
    }

    /// JSON equality with integers and equal floating-point numbers the same.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let integer), .double(let double)), (.double(let double), .integer(let integer)):
            return Double(integer) == double
        default:
            return lhs == rhs
        }
    }
}
