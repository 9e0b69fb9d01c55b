import KubeModel

/// Field ownership in `metadata.managedFields`, after kube-apiserver's field manager
/// (`k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager`, `sigs.k8s.io/structured-merge-diff/merge`).
///
/// Simplified: ownership is tracked per leaf field and per element of lists keyed by `name`
/// (see ``FieldPaths``); there is no schema, so every other list is atomic and there is one
/// entry per manager and operation (no per-subresource entries).
struct FieldManager {
    struct Entry: Sendable {
        var manager: String
        var operation: String
        var apiVersion: String
        var time: String
        var fields: Set<FieldPath>
    }

    /// Fields never tracked: identity and server-owned metadata (`fieldmanager/internal/stripmeta.go`).
    static func strippedForTracking(_ content: JSONValue, stripStatus: Bool) -> JSONValue {
        var content = content
        content["apiVersion"] = nil
        content["kind"] = nil
        if stripStatus { content["status"] = nil }
        if var metadata = content["metadata"]?.objectValue {
            for key in [
                "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName",
            ] {
                metadata[key] = nil
            }
            content["metadata"] = metadata.isEmpty ? nil : .object(metadata)
        }
        return content
    }

    static func entries(of object: KubeObject) -> [Entry] {
        (object.content[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { value in
            guard let manager = value["manager"]?.stringValue else { return nil }
            return Entry(
                manager: manager, operation: value["operation"]?.stringValue ?? "Update",
                apiVersion: value["apiVersion"]?.stringValue ?? "", time: value["time"]?.stringValue ?? "",
                fields: FieldPaths.set(fromFieldsV1: value["fieldsV1"] ?? .null))
        }
    }

    static func write(_ entries: [Entry], into object: inout KubeObject) {
        let values: [JSONValue] = entries.filter { !$0.fields.isEmpty }.map { entry in
            [
                "manager": .string(entry.manager), "operation": .string(entry.operation),
                "apiVersion": .string(entry.apiVersion), "time": .string(entry.time), "fieldsType": "FieldsV1",
                "fieldsV1": FieldPaths.fieldsV1(entry.fields),
            ]
        }
        object.setMetadata("managedFields", values.isEmpty ? nil : .array(values))
    }

    /// A non-apply write (create, update, patch) by `manager`: it takes every field it changed
    /// (updates always force) and fields that no longer exist are dropped from every entry.
    static func recordUpdate(
        old: KubeObject?, new: inout KubeObject, manager: String, stripStatus: Bool, now: String
    ) {
        var entries = old.map(entries(of:)) ?? []
        let newContent = strippedForTracking(new.content, stripStatus: stripStatus)
        let oldContent = old.map { strippedForTracking($0.content, stripStatus: stripStatus) }
        var newFields: Set<FieldPath> = []
        FieldPaths.fields(of: newContent, into: &newFields)
        let changed = newFields.filter { path in
            guard let oldContent else { return true }
            return FieldPaths.value(in: oldContent, at: path) != FieldPaths.value(in: newContent, at: path)
        }
        for index in entries.indices {
            entries[index].fields = entries[index].fields.intersection(newFields).subtracting(changed)
        }
        if !changed.isEmpty {
            if let index = entries.firstIndex(where: { $0.manager == manager && $0.operation == "Update" }) {
                entries[index].fields.formUnion(changed)
                entries[index].time = now
                entries[index].apiVersion = new.apiVersion
            } else {
                entries.append(Entry(manager: manager, operation: "Update", apiVersion: new.apiVersion, time: now, fields: changed))
            }
        }
        write(entries, into: &new)
    }

    struct Conflict: Sendable {
        var manager: String
        var path: FieldPath
    }

    /// Server-side apply of `applied` by `manager` over `live` (nil when the object is new).
    ///
    /// - Returns: the new object content with its managedFields, or the conflicts when another
    ///   manager owns a field `applied` sets to a different value and `force` is off.
    static func apply(
        live: KubeObject?, applied: KubeObject, manager: String, force: Bool, stripStatus: Bool, now: String
    ) -> Result<KubeObject, ConflictError> {
        var entries = live.map(entries(of:)) ?? []
        let appliedContent = strippedForTracking(applied.content, stripStatus: stripStatus)
        var appliedFields: Set<FieldPath> = []
        FieldPaths.fields(of: appliedContent, into: &appliedFields)
        let liveContent = live.map { strippedForTracking($0.content, stripStatus: stripStatus) } ?? .object(JSONObject())

        var conflicts: [Conflict] = []
        for index in entries.indices where entries[index].manager != manager {
            for path in entries[index].fields.intersection(appliedFields).sorted(by: { $0.text < $1.text }) {
                if path.last.map({ if case .key = $0 { true } else { false } }) == true { continue }
                guard FieldPaths.value(in: liveContent, at: path) != FieldPaths.value(in: appliedContent, at: path) else { continue }
                if force {
                    entries[index].fields.remove(path)
                } else {
                    conflicts.append(Conflict(manager: describe(entries[index]), path: path))
                }
            }
        }
        guard conflicts.isEmpty else { return .failure(ConflictError(conflicts: conflicts)) }

        let previous = entries.firstIndex { $0.manager == manager && $0.operation == "Apply" }
        var content = live?.content ?? .object(JSONObject())
        if let previous {
            let othersOwn = entries.enumerated().filter { $0.offset != previous }.reduce(into: Set<FieldPath>()) {
                $0.formUnion($1.element.fields)
            }
            for path in entries[previous].fields.subtracting(appliedFields).sorted(by: { $0.count > $1.count }) {
                let ownedBelow = othersOwn.contains { $0.count >= path.count && Array($0.prefix(path.count)) == path }
                if !ownedBelow { FieldPaths.remove(in: &content, at: path) }
            }
        }
        var appliedBody = applied.content
        appliedBody["metadata"] = nil
        if stripStatus { appliedBody["status"] = nil }
        content = FieldPaths.merge(content, appliedBody)
        if let labels = applied.content[path: ["metadata", "labels"]] {
            content.setValue(FieldPaths.merge(content[path: ["metadata", "labels"]], labels), at: ["metadata", "labels"])
        }
        if let annotations = applied.content[path: ["metadata", "annotations"]] {
            content.setValue(FieldPaths.merge(content[path: ["metadata", "annotations"]], annotations), at: ["metadata", "annotations"])
        }
        for key in ["finalizers", "ownerReferences"] {
            if let value = applied.content[path: ["metadata", key]] { content.setValue(value, at: ["metadata", key]) }
        }

        let entry = Entry(manager: manager, operation: "Apply", apiVersion: applied.apiVersion, time: now, fields: appliedFields)
        if let previous {
            if entries[previous].fields != appliedFields || entries[previous].apiVersion != applied.apiVersion {
                entries[previous] = entry
            }
        } else {
            entries.append(entry)
        }
        var result = KubeObject(content)
        write(entries, into: &result)
        return .success(result)
    }

    /// How a conflict names a manager (`fieldmanager/internal/conflict.go` `printManager`).
    static func describe(_ entry: Entry) -> String {
        if entry.operation == "Update" && !entry.time.isEmpty {
            return "\"\(entry.manager)\" using \(entry.apiVersion) at \(entry.time)"
        }
        return "\"\(entry.manager)\" using \(entry.apiVersion)"
    }

    /// The 409 for apply conflicts (`fieldmanager/internal/conflict.go` `NewConflictError`).
    struct ConflictError: Error {
        var conflicts: [Conflict]

        var apiError: APIError {
            let causes: [JSONValue] = conflicts.map {
                ["type": "FieldManagerConflict", "message": .string("conflict with \($0.manager)"), "field": .string($0.path.text)]
            }
            let message: String
            if conflicts.count == 1 {
                message = "Apply failed with 1 conflict: conflict with \(conflicts[0].manager): \(conflicts[0].path.text)"
            } else {
                var lines: [String] = []
                for manager in Set(conflicts.map(\.manager)).sorted() {
                    lines.append("conflicts with \(manager)")
                    for conflict in conflicts where conflict.manager == manager { lines.append("- \(conflict.path.text)") }
                }
                message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
            }
            return APIError(code: 409, reason: "Conflict", message: message, details: JSONObject([("causes", .array(causes))]))
        }
    }
}
