import KubeModel

extension ObjectDiff {
    /// How many fields differ between `old` and `new`: each value (a scalar, an empty list or
    /// object) added, removed or changed counts once, wherever it is.
    ///
    /// List elements are paired by `name` where every element has one (containers, ports, env),
    /// else by position, so a container added in the middle counts its own fields only.
    static func changedFields(_ old: JSONValue?, _ new: JSONValue?) -> Int {
        switch (old, new) {
        case (nil, nil):
            return 0
        case (nil, let value?), (let value?, nil):
            return leaves(value)
        case (.object(let before)?, .object(let after)?):
            var count = 0
            for (key, value) in before { count += changedFields(value, after[key]) }
            for (key, value) in after where !before.contains(key) { count += leaves(value) }
            return count
        case (.array(let before)?, .array(let after)?):
            if let old = named(before), let new = named(after) {
                var count = 0
                for (name, value) in old { count += changedFields(value, new[name]) }
                for (name, value) in new where old[name] == nil { count += leaves(value) }
                return count
            }
            var count = 0
            for index in 0..<max(before.count, after.count) {
                count += changedFields(before.indices.contains(index) ? before[index] : nil, after.indices.contains(index) ? after[index] : nil)
            }
            return count
        case (let before?, let after?):
            if ManagedFields.equal(before, after) { return 0 }
            return max(leaves(before), leaves(after))
        }
    }

    /// The values in `value` (a scalar, an empty object or list count once).
    static func leaves(_ value: JSONValue) -> Int {
        switch value {
        case .object(let object) where !object.isEmpty: return object.reduce(0) { $0 + leaves($1.value) }
        case .array(let elements) where !elements.isEmpty: return elements.reduce(0) { $0 + leaves($1) }
        default: return 1
        }
    }

    /// The elements by `name` when every one is an object with a distinct string `name`.
    private static func named(_ elements: [JSONValue]) -> [String: JSONValue]? {
        guard !elements.isEmpty else { return nil }
        var result: [String: JSONValue] = [:]
        for element in elements {
            guard let name = element["name"]?.stringValue, result[name] == nil else { return nil }
            result[name] = element
        }
        return result
    }
}
