import KubeModel

extension ObjectDiff {
    /// `value` with the members of every object in the order `template` (the manifest) has them,
    /// the members the manifest leaves out after them in the order they had.
    ///
    /// The API server writes `kind` before `apiVersion` and its own field order; a diff of two
    /// objects put into one order shows only what changed, never a line that only moved. List
    /// elements follow the manifest's element of the same `name` where they have one, else the
    /// one at the same position.
    static func ordered(_ value: JSONValue, like template: JSONValue?) -> JSONValue {
        switch value {
        case .object(let object):
            guard let model = template?.objectValue else {
                return .object(JSONObject(object.map { ($0.key, ordered($0.value, like: nil)) }))
            }
            var members: [(String, JSONValue)] = []
            members.reserveCapacity(object.count)
            for key in model.keys {
                if let member = object[key] { members.append((key, ordered(member, like: model[key]))) }
            }
            for (key, member) in object where !model.contains(key) {
                members.append((key, ordered(member, like: nil)))
            }
            return .object(JSONObject(members))
        case .array(let elements):
            let models = template?.arrayValue ?? []
            var byName: [String: JSONValue] = [:]
            for model in models {
                if let name = model["name"]?.stringValue { byName[name] = model }
            }
            return .array(
                elements.enumerated().map { index, element in
                    let model = element["name"]?.stringValue.flatMap { byName[$0] } ?? (models.indices.contains(index) ? models[index] : nil)
                    return ordered(element, like: model)
                })
        default:
            return value
        }
    }
}
