import KubeModel

/// Reads the typed fields of one RBAC object and turns a field of the wrong type into a
/// ``ManifestError`` that names the object and its file and line.
///
/// Field names and the object's name are only needed for errors, so they are built only then:
/// reading tens of thousands of valid objects builds none.
struct FieldReader {
    /// The object read.
    let kubeObject: KubeObject

    init(_ object: KubeObject) {
        kubeObject = object
    }

    /// Where the object was read from.
    var location: SourceLocation { kubeObject.source ?? SourceLocation(file: "<input>", line: 0) }
    /// `ClusterRole admin`, `RoleBinding team-a/deployers`: how messages name the object.
    var objectName: String { kubeObject.displayName }

    /// A list of strings; a missing or `null` field is an empty list.
    func strings(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ManifestError) -> [String] {
        guard let value, !value.isNull else { return [] }
        guard let elements = value.arrayValue else {
            throw wrongType(
                field(), expected: "a list of strings", found: value,
                hint: "write a YAML list, for example '\(Self.lastComponent(field())): [\"\(JSONWriter.plainText(value))\"]'")
        }
        var result: [String] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard let string = element.stringValue else {
                throw wrongType(
                    "\(field())[\(index)]", expected: "a string", found: element,
                    hint: "quote the value: \"\(JSONWriter.plainText(element))\"")
            }
            result.append(string)
        }
        return result
    }

    /// An optional string; `null` counts as missing.
    func string(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ManifestError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let string = value.stringValue else {
            throw wrongType(
                field(), expected: "a string", found: value, hint: "quote the value: \"\(JSONWriter.plainText(value))\"")
        }
        return string
    }

    /// A string that must be present and not empty.
    func requiredString(_ value: JSONValue?, _ field: @autoclosure () -> String, hint: @autoclosure () -> String) throws(ManifestError) -> String {
        guard let string = try string(value, field()), !string.isEmpty else {
            throw ManifestError(.missingField, at: location, "\(objectName) has no \(field())", hint: hint())
        }
        return string
    }

    /// An optional mapping; `null` counts as missing.
    func object(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ManifestError) -> JSONObject? {
        guard let value, !value.isNull else { return nil }
        guard let object = value.objectValue else {
            throw wrongType(
                field(), expected: "a mapping", found: value,
                hint: "write '\(Self.lastComponent(field())):' followed by indented fields")
        }
        return object
    }

    /// An optional list of any values; `null` counts as an empty list.
    func list(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ManifestError) -> [JSONValue] {
        guard let value, !value.isNull else { return [] }
        guard let elements = value.arrayValue else {
            throw wrongType(field(), expected: "a list", found: value, hint: "write each entry on its own line starting with '- '")
        }
        return elements
    }

    /// A mapping of strings to strings (`matchLabels`).
    func stringMap(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ManifestError) -> [String: String] {
        guard let object = try object(value, field()) else { return [:] }
        var result: [String: String] = [:]
        for (key, entry) in object {
            guard let string = entry.stringValue else {
                throw wrongType(
                    "\(field()).\(key)", expected: "a string", found: entry,
                    hint: "quote the value: \(key): \"\(JSONWriter.plainText(entry))\"")
            }
            result[key] = string
        }
        return result
    }

    func wrongType(_ field: String, expected: String, found value: JSONValue, hint: String? = nil) -> ManifestError {
        ManifestError(
            .wrongType, at: location, "\(objectName): \(field) must be \(expected), found \(value.typeDescription)", hint: hint)
    }

    private static func lastComponent(_ field: String) -> String {
        let afterDot = field.split(separator: ".").last.map(String.init) ?? field
        if let bracket = afterDot.firstIndex(of: "[") { return String(afterDot[..<bracket]) }
        return afterDot
    }
}
