/// Checks that a loaded document is a Kubernetes object and flattens `List` documents.
///
/// The checks are the ones kubectl and the API server apply before anything else: a mapping with
/// string `apiVersion` and `kind`, a `metadata` mapping with a string `name`, and string-valued
/// `namespace`, labels and annotations. A label value written `true` or `8080` without quotes is a
/// Boolean or a number to YAML and is rejected by the API server; the error says to quote it.
/// Names and namespaces must be what Kubernetes accepts for the kind (``ObjectNames``): a name
/// goes into a request's URL, where `a?b` or `../x` would change what the request does.
struct ObjectValidator {
    let file: String
    let document: ParsedDocument

    func flatten(_ value: JSONValue, line: Int, path: [String], into objects: inout [KubeObject], errors: inout [ManifestError]) {
        guard case .object(let object) = value else {
            errors.append(
                ManifestError(
                    .notAnObject, at: location(path, fallback: line),
                    "expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found \(value.typeDescription)",
                    hint: value.arrayValue != nil
                        ? "to give several objects in one document, write them as 'kind: List' with 'items:', or separate documents with '---'"
                        : "remove this document or complete it as a Kubernetes object"))
            return
        }
        let kind = object["kind"]?.stringValue ?? ""
        if kind.hasSuffix("List"), let itemsValue = object["items"] {
            guard let items = itemsValue.arrayValue else {
                errors.append(
                    ManifestError(
                        .wrongType, at: location(path + ["items"], fallback: line),
                        "\(kind).items must be a list, found \(itemsValue.typeDescription)",
                        hint: "write the objects under 'items:' as a list, each starting with '- '"))
                return
            }
            for (index, item) in items.enumerated() {
                let itemLine = path.isEmpty && index < document.itemLines.count ? document.itemLines[index] : line
                flatten(item, line: itemLine, path: path + ["items", String(index)], into: &objects, errors: &errors)
            }
            return
        }
        let before = errors.count
        check(object, line: line, path: path, errors: &errors)
        if errors.count == before {
            objects.append(KubeObject(value, source: SourceLocation(file: file, line: line)))
        }
    }

    private func check(_ object: JSONObject, line: Int, path: [String], errors: inout [ManifestError]) {
        let kind = object["kind"]?.stringValue
        requireString(object, "apiVersion", line: line, path: path, errors: &errors, hint: apiVersionHint(kind: kind))
        requireString(
            object, "kind", line: line, path: path, errors: &errors,
            hint: "add kind, for example 'kind: Deployment'")
        guard let metadataValue = object["metadata"], !metadataValue.isNull else {
            errors.append(
                ManifestError(
                    .missingField, at: location(path, fallback: line),
                    "\(describe(kind)) has no metadata", hint: "add 'metadata:' with at least 'name:'"))
            return
        }
        guard case .object(let metadata) = metadataValue else {
            errors.append(
                ManifestError(
                    .wrongType, at: location(path + ["metadata"], fallback: line),
                    "metadata must be a mapping, found \(metadataValue.typeDescription)",
                    hint: "write 'metadata:' followed by indented fields such as 'name:'"))
            return
        }
        let metadataPath = path + ["metadata"]
        if metadata["name"] == nil || metadata["name"]?.isNull == true {
            let hint =
                metadata["generateName"] != nil
                ? "generateName cannot be applied declaratively (server-side apply needs a name); set metadata.name"
                : "add 'name:' under metadata"
            errors.append(
                ManifestError(
                    .missingField, at: location(metadataPath, fallback: line),
                    "\(describe(kind)) has no metadata.name", hint: hint))
        } else {
            requireString(metadata, "name", line: line, path: metadataPath, errors: &errors, hint: "add 'name:' under metadata")
            if let name = metadata["name"]?.stringValue, !name.isEmpty, let apiVersion = object["apiVersion"]?.stringValue, let kind {
                let groupKind = GroupVersionKind(apiVersion: apiVersion, kind: kind).groupKind
                let rule = ObjectNames.rule(for: groupKind)
                if let problem = ObjectNames.problem(with: name, rule: rule) {
                    errors.append(
                        ManifestError(
                            .invalidName, at: location(metadataPath + ["name"], fallback: line),
                            "metadata.name '\(name)' is not a valid \(kind) name: it \(problem)",
                            hint: "a \(kind) name must be \(rule)"))
                }
            }
        }
        if let namespace = metadata["namespace"], !namespace.isNull {
            if let text = namespace.stringValue {
                // An empty namespace means none, as for kubectl.
                if !text.isEmpty, let problem = ObjectNames.namespaceProblem(text) {
                    errors.append(
                        ManifestError(
                            .invalidName, at: location(metadataPath + ["namespace"], fallback: line),
                            "metadata.namespace '\(text)' is not a valid namespace name: it \(problem)",
                            hint: "a namespace name must be \(ObjectNames.Rule.dnsLabel)"))
                }
            } else {
                errors.append(wrongType("metadata.namespace", namespace, path: metadataPath + ["namespace"], line: line))
            }
        }
        for field in ["labels", "annotations"] {
            guard let value = metadata[field], !value.isNull else { continue }
            guard case .object(let map) = value else {
                errors.append(
                    ManifestError(
                        .wrongType, at: location(metadataPath + [field], fallback: line),
                        "metadata.\(field) must be a mapping of strings, found \(value.typeDescription)",
                        hint: "write \(field) as 'key: \"value\"' pairs indented under '\(field):'"))
                continue
            }
            for (key, entry) in map where entry.stringValue == nil {
                let label = field == "labels" ? "label" : "annotation"
                errors.append(
                    ManifestError(
                        .wrongType, at: location(metadataPath + [field, key], fallback: line),
                        "\(label) '\(key)' must be a string, found \(entry.typeDescription)",
                        hint: "quote the value: \(key): \"\(JSONWriter.plainText(entry))\""))
            }
        }
    }

    private func requireString(
        _ object: JSONObject, _ field: String, line: Int, path: [String], errors: inout [ManifestError],
        hint: @autoclosure () -> String
    ) {
        // Only an error names the field, so its dotted path is built only then.
        func dotted() -> String { (path.filter { Int($0) == nil && $0 != "items" } + [field]).joined(separator: ".") }
        guard let value = object[field], !value.isNull else {
            errors.append(
                ManifestError(.missingField, at: location(path, fallback: line), "\(dotted()) is missing", hint: hint()))
            return
        }
        guard let string = value.stringValue else {
            errors.append(wrongType(dotted(), value, path: path + [field], line: line))
            return
        }
        if string.isEmpty {
            errors.append(
                ManifestError(.missingField, at: location(path + [field], fallback: line), "\(dotted()) is empty", hint: hint()))
        }
    }

    private func apiVersionHint(kind: String?) -> String {
        if let kind, let known = KindTable.builtin.kinds.first(where: { $0.kind == kind }) {
            let apiVersion = GroupVersionKind(group: known.group, version: known.preferredVersion, kind: kind).apiVersion
            return "add 'apiVersion: \(apiVersion)' (the current version for \(kind))"
        }
        return "add apiVersion, for example 'apps/v1' for a Deployment or 'v1' for a ConfigMap"
    }

    private func wrongType(_ field: String, _ value: JSONValue, path: [String], line: Int) -> ManifestError {
        ManifestError(
            .wrongType, at: location(path, fallback: line), "\(field) must be a string, found \(value.typeDescription)",
            hint: "quote the value: \"\(JSONWriter.plainText(value))\"")
    }

    private func describe(_ kind: String?) -> String {
        guard let kind, !kind.isEmpty else { return "the object" }
        return "the \(kind)"
    }

    private func location(_ path: [String], fallback: Int) -> SourceLocation {
        SourceLocation(file: file, line: document.locate(path) ?? fallback)
    }
}
