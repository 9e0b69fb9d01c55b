import KubeModel

/// One step of a field path: a map member, or an element of a list of maps keyed by `name`.
enum PathElement: Sendable, Hashable, Comparable {
    case field(String)
    case key(String)

    /// The `fieldsV1` key: `f:replicas`, `k:{"name":"web"}`.
    var fieldsV1Key: String {
        switch self {
        case .field(let name): "f:\(name)"
        case .key(let name): "k:" + JSONWriter.write(["name": .string(name)], indent: 0)
        }
    }

    init?(fieldsV1Key key: String) {
        if key.hasPrefix("f:") {
            self = .field(String(key.dropFirst(2)))
        } else if key.hasPrefix("k:"),
            let document = try? ManifestLoader().documents(bytes: Array(key.dropFirst(2).utf8), file: "fieldsV1").first,
            let name = document.value["name"]?.stringValue
        {
            self = .key(name)
        } else {
            return nil
        }
    }
}

/// A path to a field, as structured-merge-diff prints it: `.spec.replicas`,
/// `.spec.template.spec.containers[name="web"].image`.
typealias FieldPath = [PathElement]

extension [PathElement] {
    var text: String {
        map { element in
            switch element {
            case .field(let name): ".\(name)"
            case .key(let name): "[name=\"\(name)\"]"
            }
        }.joined()
    }
}

/// Reading, writing and enumerating fields of an object by ``FieldPath``.
///
/// Lists of maps whose every element has a string `name` (containers, env, ports, volumes, ...)
/// are treated as keyed by `name`, like Kubernetes' `listType: map` lists with key `name`; every
/// other list is atomic (owned and replaced as a whole). Kubernetes keys some lists by other
/// fields (`containerPort`/`protocol`, `mountPath`); here those are keyed by `name` when every
/// element has one, else atomic.
enum FieldPaths {
    static func isKeyedList(_ elements: [JSONValue]) -> Bool {
        !elements.isEmpty && elements.allSatisfy { $0["name"]?.stringValue != nil }
    }

    /// The leaf fields and keyed list elements set in `value`.
    static func fields(of value: JSONValue, prefix: FieldPath = [], into set: inout Set<FieldPath>) {
        guard let object = value.objectValue else {
            set.insert(prefix)
            return
        }
        if object.isEmpty && !prefix.isEmpty {
            set.insert(prefix)
            return
        }
        for (key, member) in object where !member.isNull {
            let path = prefix + [.field(key)]
            if let elements = member.arrayValue {
                if isKeyedList(elements) {
                    for element in elements {
                        let elementPath = path + [.key(element["name"]?.stringValue ?? "")]
                        set.insert(elementPath)
                        fields(of: element, prefix: elementPath, into: &set)
                    }
                } else {
                    set.insert(path)
                }
            } else {
                fields(of: member, prefix: path, into: &set)
            }
        }
    }

    static func value(in root: JSONValue, at path: FieldPath) -> JSONValue? {
        var current = root
        for element in path {
            switch element {
            case .field(let name):
                guard let next = current[name] else { return nil }
                current = next
            case .key(let name):
                guard let next = current.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else { return nil }
                current = next
            }
        }
        return current
    }

    /// Removes the field at `path`, then members left empty on the way up (never the root).
    static func remove(in root: inout JSONValue, at path: FieldPath) {
        guard let first = path.first else { return }
        let rest = Array(path.dropFirst())
        switch first {
        case .field(let name):
            guard var object = root.objectValue, var child = object[name] else { return }
            if rest.isEmpty {
                object[name] = nil
            } else {
                remove(in: &child, at: rest)
                object[name] = isEmptyContainer(child) ? nil : child
            }
            root = .object(object)
        case .key(let name):
            guard var elements = root.arrayValue,
                let index = elements.firstIndex(where: { $0["name"]?.stringValue == name })
            else { return }
            if rest.isEmpty {
                elements.remove(at: index)
            } else {
                remove(in: &elements[index], at: rest)
            }
            root = .array(elements)
        }
    }

    private static func isEmptyContainer(_ value: JSONValue) -> Bool {
        if let object = value.objectValue { return object.isEmpty }
        if let array = value.arrayValue { return array.isEmpty }
        return false
    }

    /// `applied` merged into `live`: maps member by member, keyed lists element by element,
    /// everything else replaced.
    static func merge(_ live: JSONValue?, _ applied: JSONValue) -> JSONValue {
        switch (live, applied) {
        case (.object(var result)?, .object(let changes)):
            for (key, value) in changes where !value.isNull {
                result[key] = merge(result[key], value)
            }
            return .object(result)
        case (.array(var result)?, .array(let changes)) where isKeyedList(changes) && isKeyedList(result):
            for element in changes {
                let name = element["name"]?.stringValue
                if let index = result.firstIndex(where: { $0["name"]?.stringValue == name }) {
                    result[index] = merge(result[index], element)
                } else {
                    result.append(element)
                }
            }
            return .array(result)
        case (_, .object(let changes)):
            return merge(.object(JSONObject()), .object(changes))
        default:
            return applied
        }
    }

    /// `metadata.managedFields[].fieldsV1` for a set: nested `f:`/`k:` keys, `{}` at the leaves,
    /// `".": {}` on keyed list elements that also have members.
    static func fieldsV1(_ set: Set<FieldPath>) -> JSONValue {
        final class Node {
            var children: [PathElement: Node] = [:]
            var isMember = false
        }
        let root = Node()
        for path in set {
            var node = root
            for element in path {
                if let child = node.children[element] {
                    node = child
                } else {
                    let child = Node()
                    node.children[element] = child
                    node = child
                }
            }
            node.isMember = true
        }
        func render(_ node: Node) -> JSONValue {
            var object = JSONObject()
            if node.isMember && !node.children.isEmpty { object["."] = .object(JSONObject()) }
            for (element, child) in node.children.sorted(by: { $0.key.fieldsV1Key < $1.key.fieldsV1Key }) {
                object[element.fieldsV1Key] = render(child)
            }
            return .object(object)
        }
        return render(root)
    }

    static func set(fromFieldsV1 value: JSONValue) -> Set<FieldPath> {
        var set: Set<FieldPath> = []
        func walk(_ value: JSONValue, _ prefix: FieldPath) {
            guard let object = value.objectValue else { return }
            if object.isEmpty {
                if !prefix.isEmpty { set.insert(prefix) }
                return
            }
            for (key, child) in object {
                if key == "." {
                    set.insert(prefix)
                } else if let element = PathElement(fieldsV1Key: key) {
                    walk(child, prefix + [element])
                }
            }
        }
        walk(value, [])
        return set
    }
}
