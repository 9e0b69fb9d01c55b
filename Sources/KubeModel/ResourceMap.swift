/// Declarations of custom resources for when their CustomResourceDefinitions are not in the input.
///
/// A resource map file (`--resource-map FILE`) is YAML or JSON holding CustomResourceDefinitions,
/// or entries of this form, as a list or under a top-level `kinds:` key:
///
/// ```yaml
/// kinds:
/// - group: monitoring.coreos.com
///   kind: ServiceMonitor
///   resource: servicemonitors
///   namespaced: true          # default true
///   versions: [v1]            # default [v1]; the first is preferred
///   shortNames: [smon]        # optional
///   subresources: [status]    # optional
/// ```
public enum ResourceMap {
    /// The kinds declared in a resource map file's bytes.
    public static func kinds(bytes: [UInt8], file: String, loader: ManifestLoader = ManifestLoader()) throws(ManifestError) -> [ResourceKind] {
        var kinds: [ResourceKind] = []
        for document in try loader.documents(bytes: bytes, file: file) {
            let value = document.value
            let location = SourceLocation(file: file, line: document.line)
            if value["kind"]?.stringValue == "CustomResourceDefinition" {
                kinds.append(try KindTable.kind(fromCRD: KubeObject(value, source: location)))
                continue
            }
            let entries: [JSONValue]
            let listKey: String
            if let list = value.arrayValue {
                entries = list
                listKey = ""
            } else if let list = value["kinds"]?.arrayValue {
                entries = list
                listKey = "kinds"
            } else {
                throw ManifestError(
                    .invalidResourceMap, at: location,
                    "a resource map must be a list of kinds, a mapping with 'kinds:', or CustomResourceDefinitions",
                    hint: "see 'warrant manifests --help' for the format")
            }
            for (index, entry) in entries.enumerated() {
                let entryLocation = SourceLocation(file: file, line: document.line(ofElement: index, in: listKey))
                kinds.append(try kind(entry, index: index, at: entryLocation))
            }
        }
        return kinds
    }

    private static func kind(_ entry: JSONValue, index: Int, at location: SourceLocation) throws(ManifestError) -> ResourceKind {
        func fail(_ message: String) -> ManifestError {
            ManifestError(
                .invalidResourceMap, at: location, "entry \(index + 1): \(message)",
                hint: "each entry needs group, kind and resource (plural), and may set namespaced, versions, shortNames, subresources")
        }
        guard entry.objectValue != nil else { throw fail("expected a mapping, found \(entry.typeDescription)") }
        func string(_ key: String) throws(ManifestError) -> String {
            guard let value = entry[key] else { throw fail("\(key) is missing") }
            guard let string = value.stringValue else { throw fail("\(key) must be a string, found \(value.typeDescription)") }
            return string
        }
        func strings(_ key: String) throws(ManifestError) -> [String]? {
            guard let value = entry[key] else { return nil }
            guard let array = value.arrayValue else { throw fail("\(key) must be a list of strings") }
            var result: [String] = []
            for element in array {
                guard let string = element.stringValue else { throw fail("\(key) must be a list of strings") }
                result.append(string)
            }
            return result
        }
        let group = try string("group")
        let kind = try string("kind")
        let resource = try string("resource")
        guard !kind.isEmpty, !resource.isEmpty else { throw fail("kind and resource may not be empty") }
        guard resource == resource.lowercased() else { throw fail("resource '\(resource)' must be lower case (the plural, as in URLs)") }
        var namespaced = true
        if let value = entry["namespaced"] {
            guard let bool = value.boolValue else { throw fail("namespaced must be true or false") }
            namespaced = bool
        }
        return ResourceKind(
            group: group, versions: try strings("versions") ?? ["v1"], kind: kind, resource: resource,
            namespaced: namespaced, shortNames: try strings("shortNames") ?? [], subresources: (try strings("subresources") ?? []).sorted())
    }
}
