import KubeModel
import RBAC

/// One line of an access-policy test file (`warrant can --check FILE`).
struct AccessExpectation {
    var request: AccessRequest
    var allow: Bool
    var location: SourceLocation

    static let fields: Set<String> = ["as", "groups", "verb", "resource", "group", "subresource", "name", "namespace", "nonResourceURL", "expect"]

    /// Reads a list of expectations (top-level, or under `checks:`).
    static func load(bytes: [UInt8], file: String, kinds: KindTable) throws(ManifestError) -> [AccessExpectation] {
        var result: [AccessExpectation] = []
        for document in try ManifestLoader().documents(bytes: bytes, file: file) {
            let key = document.value.arrayValue != nil ? "" : "checks"
            guard let entries = document.value.arrayValue ?? document.value["checks"]?.arrayValue else {
                throw ManifestError(
                    .invalidResourceMap, at: SourceLocation(file: file, line: document.line),
                    "a check file holds a list of expectations (or one under 'checks:')",
                    hint: "each entry: {as, groups, verb, resource, group, subresource, name, namespace, nonResourceURL, expect: allow|deny}")
            }
            for (index, entry) in entries.enumerated() {
                let location = SourceLocation(file: file, line: document.line(ofElement: index, in: key))
                result.append(try expectation(entry, at: location))
            }
        }
        return result
    }

    private static func expectation(_ entry: JSONValue, at location: SourceLocation) throws(ManifestError) -> AccessExpectation {
        func fail(_ message: String) -> ManifestError {
            ManifestError(
                .invalidResourceMap, at: location, message,
                hint: "each entry: {as, groups, verb, resource, group, subresource, name, namespace, nonResourceURL, expect: allow|deny}")
        }
        guard let object = entry.objectValue else { throw fail("an expectation must be a mapping, found \(entry.typeDescription)") }
        for key in object.keys where !fields.contains(key) {
            throw fail("unknown field '\(key)'")
        }
        func string(_ key: String) throws(ManifestError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let string = value.stringValue else { throw fail("\(key) must be a string, found \(value.typeDescription)") }
            return string
        }
        guard let user = try string("as"), !user.isEmpty else { throw fail("'as' (the user) is missing") }
        guard let verb = try string("verb"), !verb.isEmpty else { throw fail("'verb' is missing") }
        var groups: [String] = []
        if let value = object["groups"] {
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else { throw fail("groups must be a list of strings") }
            groups = list.compactMap(\.stringValue)
        }
        let allow: Bool
        switch try string("expect") {
        case "allow": allow = true
        case "deny": allow = false
        default: throw fail("expect must be allow or deny")
        }
        let userInfo = UserInfo(name: user, groups: groups)
        if let url = try string("nonResourceURL") {
            return AccessExpectation(request: AccessRequest(user: userInfo, verb: verb, nonResourceURL: url), allow: allow, location: location)
        }
        guard let resource = try string("resource"), !resource.isEmpty else { throw fail("give 'resource' or 'nonResourceURL'") }
        let request = AccessRequest(
            user: userInfo, verb: verb, apiGroup: try string("group") ?? "", resource: resource,
            subresource: try string("subresource") ?? "", name: try string("name") ?? "", namespace: try string("namespace") ?? "")
        return AccessExpectation(request: request, allow: allow, location: location)
    }
}
