import KubeModel
import RBAC

extension ServerState {
    /// DeleteOptions from the body, with `dryRun` and `propagationPolicy` also read from the query.
    struct DeleteOptions {
        var propagationPolicy: String?
        var uid: String?
        var resourceVersion: String?
        var dryRun: Bool
    }

    static func deleteOptions(_ request: APIRequest) throws(APIError) -> DeleteOptions {
        var options = DeleteOptions(propagationPolicy: request.query["propagationPolicy"], dryRun: request.isDryRun)
        if !request.body.isEmpty {
            let body = try decodeBody(request)
            if let policy = body["propagationPolicy"]?.stringValue { options.propagationPolicy = policy }
            options.uid = body[path: ["preconditions", "uid"]]?.stringValue
            options.resourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
            if body["dryRun"]?.arrayValue?.contains("All") == true { options.dryRun = true }
        }
        if let policy = options.propagationPolicy, !["Orphan", "Background", "Foreground"].contains(policy) {
            throw APIError.invalid(
                kind: "DeleteOptions", group: "meta.k8s.io", name: "",
                [
                    .init(
                        type: "FieldValueNotSupported",
                        message: "Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\"", field: "propagationPolicy")
                ])
        }
        return options
    }

    mutating func delete(_ request: APIRequest, info: RequestInfo, kind: ResourceKind, user: UserInfo) throws(APIError) -> JSONValue {
        let options = try Self.deleteOptions(request)
        let key = Self.key(info, kind: kind)
        guard let object = store[key] else { throw APIError.notFound(info.groupResource, name: info.name) }
        // Preconditions (`rest/delete.go`, `storage.Preconditions.Check`).
        let uid = object.content[path: ["metadata", "uid"]]?.stringValue ?? ""
        if let expected = options.uid, expected != uid {
            throw APIError.conflict(info.groupResource, name: info.name, "Precondition failed: UID in precondition: \(expected), UID in object meta: \(uid)")
        }
        let version = object.content[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        if let expected = options.resourceVersion, expected != version {
            throw APIError.conflict(
                info.groupResource, name: info.name,
                "Precondition failed: ResourceVersion in precondition: \(expected), ResourceVersion in object meta: \(version)")
        }
        let success: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
            "details": ["name": .string(info.name), "group": .string(kind.group), "kind": .string(kind.resource), "uid": .string(uid)],
        ]
        if options.dryRun { return success }
        // An object with finalizers is only marked (`registry/generic/registry/store.go` `updateForGracefulDeletionAndFinalizers`).
        if !(object.content[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty {
            guard object.content[path: ["metadata", "deletionTimestamp"]] == nil else { return object.content }
            var marked = object
            marked.setMetadata("deletionTimestamp", .string(Self.now))
            marked.setMetadata("deletionGracePeriodSeconds", 0)
            let versionNumber = store.nextVersion()
            marked.setMetadata("resourceVersion", .string(String(versionNumber)))
            store.write(key, marked, type: "MODIFIED", version: versionNumber)
            noteWrite(key: key, object: marked, kind: .updated)
            return marked.content
        }
        remove(key, object: object, kind: kind, orphan: options.propagationPolicy == "Orphan")
        return success
    }

    /// Removes an object, then what depends on it: a namespace's objects, a CRD's custom
    /// resources and kind, and (unless orphaned) the objects whose `ownerReferences` name it,
    /// as the namespace controller and garbage collector would, immediately.
    mutating func remove(_ key: ObjectKey, object: KubeObject, kind: ResourceKind, orphan: Bool) {
        let version = store.nextVersion()
        store.write(key, nil, type: "DELETED", version: version)
        noteWrite(key: key, object: object, kind: .deleted)
        if kind.group == "rbac.authorization.k8s.io" { cachedPolicy = nil }
        let uid = object.content[path: ["metadata", "uid"]]?.stringValue ?? ""
        if key.group.isEmpty && key.resource == "namespaces" {
            for (dependentKey, dependent) in store.objects where !dependentKey.namespace.isEmpty && dependentKey.namespace == key.name {
                if let dependentKind = kinds.kind(group: dependentKey.group, resource: dependentKey.resource) {
                    remove(dependentKey, object: dependent, kind: dependentKind, orphan: true)
                }
            }
        }
        if key.group == "apiextensions.k8s.io", let served = try? KindTable.kind(fromCRD: object) {
            for (dependentKey, dependent) in store.objects where dependentKey.group == served.group && dependentKey.resource == served.resource {
                remove(dependentKey, object: dependent, kind: served, orphan: true)
            }
            var table = KindTable.builtin
            for (crdKey, crd) in store.objects where crdKey.group == "apiextensions.k8s.io" && crdKey.resource == "customresourcedefinitions" {
                if let other = try? KindTable.kind(fromCRD: crd) { table.add(other) }
            }
            kinds = table
        }
        for (dependentKey, dependent) in store.objects {
            let owners = dependent.content[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
            guard owners.contains(where: { $0["uid"]?.stringValue == uid }) else { continue }
            if orphan {
                var updated = dependent
                let remaining = owners.filter { $0["uid"]?.stringValue != uid }
                updated.setMetadata("ownerReferences", remaining.isEmpty ? nil : .array(remaining))
                let next = store.nextVersion()
                updated.setMetadata("resourceVersion", .string(String(next)))
                store.write(dependentKey, updated, type: "MODIFIED", version: next)
            } else if let dependentKind = kinds.kind(group: dependentKey.group, resource: dependentKey.resource) {
                remove(dependentKey, object: dependent, kind: dependentKind, orphan: false)
            }
        }
    }

    mutating func deleteCollection(_ request: APIRequest, info: RequestInfo, kind: ResourceKind, user: UserInfo) throws(APIError) -> JSONValue {
        let options = try Self.deleteOptions(request)
        let filter = try ListFilter(labelSelector: request.query["labelSelector"], fieldSelector: request.query["fieldSelector"])
        let items = store.list(group: kind.group, resource: kind.resource, namespace: info.namespace).filter { filter.matches($0.object) }
        if !options.dryRun {
            for item in items where store[item.key] != nil {
                remove(item.key, object: item.object, kind: kind, orphan: options.propagationPolicy == "Orphan")
            }
        }
        let apiVersion = kind.group.isEmpty ? info.version : "\(kind.group)/\(info.version)"
        return [
            "kind": .string("\(kind.kind)List"), "apiVersion": .string(apiVersion),
            "metadata": ["resourceVersion": .string(String(store.resourceVersion))], "items": .array(items.map(\.object.content)),
        ]
    }
}
