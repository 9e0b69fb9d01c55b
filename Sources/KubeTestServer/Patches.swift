import Foundation
import KubeModel

/// The non-apply patch formats: JSON merge patch (RFC 7386), strategic merge patch (here read as
/// a merge patch: lists are replaced, not merged by key, and `$`-directives are dropped) and
/// JSON patch (RFC 6902: add, remove, replace, test).
enum Patches {
    static func mergePatch(_ target: JSONValue?, _ patch: JSONValue, strategic: Bool = false) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var result = target?.objectValue ?? JSONObject()
        for (key, value) in changes {
            if strategic && key.hasPrefix("$") { continue }
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = mergePatch(result[key], value, strategic: strategic)
            }
        }
        return .object(result)
    }

    static func jsonPatch(_ target: JSONValue, _ patch: JSONValue) throws(APIError) -> JSONValue {
        guard let operations = patch.arrayValue else { throw APIError.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch") }
        var document = target
        for operation in operations {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw APIError.badRequest("the server rejected our request due to an error in our request")
            }
            let pointer = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            switch op {
            case "add", "replace":
                guard let value = operation["value"] else { throw APIError.badRequest("missing value in \(op) operation") }
                try set(&document, pointer[...], value, insert: op == "add")
            case "remove":
                try remove(&document, pointer[...])
            case "test":
                guard read(document, pointer[...]) == operation["value"] else {
                    throw APIError(
                        code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: testing value \(path) failed")
                }
            default:
                throw APIError.badRequest("unsupported JSON patch operation \"\(op)\"")
            }
        }
        return document
    }

    private static func read(_ value: JSONValue, _ pointer: ArraySlice<String>) -> JSONValue? {
        guard let first = pointer.first else { return value }
        if let elements = value.arrayValue {
            guard let index = Int(first), elements.indices.contains(index) else { return nil }
            return read(elements[index], pointer.dropFirst())
        }
        return value[first].flatMap { read($0, pointer.dropFirst()) }
    }

    private static func set(_ value: inout JSONValue, _ pointer: ArraySlice<String>, _ newValue: JSONValue, insert: Bool) throws(APIError) {
        guard let first = pointer.first else {
            value = newValue
            return
        }
        let rest = pointer.dropFirst()
        if var elements = value.arrayValue {
            if rest.isEmpty && insert {
                let index = first == "-" ? elements.count : (Int(first) ?? -1)
                guard index >= 0 && index <= elements.count else { throw APIError.badRequest("add operation does not apply: index out of range") }
                elements.insert(newValue, at: index)
            } else {
                guard let index = Int(first), elements.indices.contains(index) else {
                    throw APIError.badRequest("replace operation does not apply: doc is missing key: \(first)")
                }
                try set(&elements[index], rest, newValue, insert: insert)
            }
            value = .array(elements)
        } else if var object = value.objectValue {
            if rest.isEmpty {
                guard insert || object[first] != nil else {
                    throw APIError.badRequest("replace operation does not apply: doc is missing key: /\(pointer.joined(separator: "/"))")
                }
                object[first] = newValue
            } else {
                guard var child = object[first] else { throw APIError.badRequest("add operation does not apply: doc is missing path") }
                try set(&child, rest, newValue, insert: insert)
                object[first] = child
            }
            value = .object(object)
        } else {
            throw APIError.badRequest("patch path does not exist")
        }
    }

    private static func remove(_ value: inout JSONValue, _ pointer: ArraySlice<String>) throws(APIError) {
        guard let first = pointer.first else { return }
        let rest = pointer.dropFirst()
        if var elements = value.arrayValue, let index = Int(first), elements.indices.contains(index) {
            if rest.isEmpty { elements.remove(at: index) } else { try remove(&elements[index], rest) }
            value = .array(elements)
        } else if var object = value.objectValue, var child = object[first] {
            if rest.isEmpty {
                object[first] = nil
            } else {
                try remove(&child, rest)
                object[first] = child
            }
            value = .object(object)
        } else {
            throw APIError.badRequest("remove operation does not apply: doc is missing path")
        }
    }
}
