import Foundation
import KubeModel
import RBAC

extension ServerState {
    /// The request body as one object (JSON or YAML).
    static func decodeBody(_ request: APIRequest) throws(APIError) -> JSONValue {
        guard !request.body.isEmpty else { throw APIError.badRequest("the request body is empty") }
        do {
            let documents = try ManifestLoader().documents(bytes: request.body, file: "request body")
            guard documents.count == 1 else { throw APIError.badRequest("the request body must hold exactly one object") }
            return documents[0].value
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("the request body could not be decoded: \(error)")
        }
    }

    /// The field manager of a non-apply write: `fieldManager`, else the user agent up to the
    /// first `/` (`fieldmanager.go` `prefixFromUserAgent`).
    static func manager(_ request: APIRequest) -> String {
        if let manager = request.query["fieldManager"], !manager.isEmpty { return manager }
        let agent = request.headers["user-agent"] ?? ""
        let prefix = agent.split(separator: "/").first.map(String.init) ?? ""
        return prefix.isEmpty ? "unknown" : String(prefix.prefix(128))
    }

    /// Checks a body's `apiVersion`, `kind`, namespace and name against the URL, filling what is
    /// missing (`rest/create.go` `BeforeCreate`, `handlers/rest.go` namespace checks).
    func checkIdentity(_ object: inout KubeObject, info: RequestInfo, kind: ResourceKind, name: String?) throws(APIError) {
        guard object.content.objectValue != nil else { throw APIError.badRequest("the request body is not an object") }
        let apiVersion = kind.group.isEmpty ? info.version : "\(kind.group)/\(info.version)"
        if object.apiVersion.isEmpty { object.content["apiVersion"] = .string(apiVersion) }
        if object.kind.isEmpty { object.content["kind"] = .string(kind.kind) }
        guard object.apiVersion == apiVersion, object.kind == kind.kind else {
            throw APIError.badRequest(
                "the API version in the data (\(object.apiVersion)) does not match the expected API version (\(apiVersion))"
                    + (object.kind == kind.kind ? "" : " or kind \(object.kind) does not match \(kind.kind)"))
        }
        if kind.namespaced {
            if let namespace = object.namespace, !namespace.isEmpty, namespace != info.namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.namespace = info.namespace
        } else {
            object.namespace = nil
        }
        if let name, !object.name.isEmpty, object.name != name {
            throw APIError.badRequest("the name of the object (\(object.name)) does not match the name on the URL (\(name))")
        }
        if let name, object.name.isEmpty { object.setMetadata("name", .string(name)) }
    }

    /// Validation kube-apiserver does for every kind (names) and for the kinds whose shape the
    /// server relies on (RBAC, CRDs, token Secrets).
    func validate(_ object: KubeObject, kind: ResourceKind) throws(APIError) {
        var causes: [APIError.Cause] = []
        let name = object.name
        if name.isEmpty {
            causes.append(.init(type: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name"))
        } else if let problem = Self.nameProblem(name, kind: kind) {
            causes.append(.init(type: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(problem)", field: "metadata.name"))
        }
        if kind.group == RBACAPI.group {
            do {
                switch kind.kind {
                case "Role", "ClusterRole": _ = try RBACRole(object)
                default: _ = try RBACBinding(object)
                }
            } catch {
                causes.append(.init(type: "FieldValueInvalid", message: "Invalid value: \(error.message)", field: "rules"))
            }
        }
        if kind.group.isEmpty && kind.kind == "Secret" && object.content["type"]?.stringValue == "kubernetes.io/service-account-token"
            && object.annotations["kubernetes.io/service-account.name"] == nil
        {
            causes.append(.init(type: "FieldValueRequired", message: "Required value", field: "metadata.annotations[kubernetes.io/service-account.name]"))
        }
        if kind.group.isEmpty, kind.kind == "ConfigMap" || kind.kind == "Secret" {
            // validation.IsConfigMapKey (apimachinery pkg/util/validation/validation.go); a Secret's
            // stringData is validated as data, after the merge (pkg/apis/core/validation ValidateSecret).
            for member in kind.kind == "Secret" ? ["data", "stringData"] : ["data", "binaryData"] {
                for key in object.content[member]?.objectValue?.keys ?? [] where !Self.isConfigKey(key) {
                    causes.append(
                        .init(
                            type: "FieldValueInvalid",
                            message:
                                "Invalid value: \"\(key)\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                            field: "\(member == "stringData" ? "data" : member)[\(key)]"))
                }
            }
        }
        if kind.group == "apiextensions.k8s.io" {
            do {
                _ = try KindTable.kind(fromCRD: object)
            } catch {
                causes.append(.init(type: "FieldValueRequired", message: "Required value: \(error.message)", field: "spec"))
            }
        }
        if kind.group == "coordination.k8s.io" && kind.kind == "Lease" {
            causes += try Self.leaseProblems(object)
        }
        guard causes.isEmpty else { throw APIError.invalid(kind: kind.kind, group: kind.group, name: name, causes) }
    }

    /// A Lease's spec as kube-apiserver checks it: its times must decode as `metav1.MicroTime`
    /// (six fractional digits, apimachinery `micro_time.go`; else 400), `leaseDurationSeconds`
    /// must be positive and `leaseTransitions` not negative (`pkg/apis/coordination/validation`).
    static func leaseProblems(_ object: KubeObject) throws(APIError) -> [APIError.Cause] {
        let spec = object.content["spec"]
        for field in ["acquireTime", "renewTime"] {
            guard let text = spec?[field]?.stringValue else { continue }
            let pattern = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/#
            guard text.wholeMatch(of: pattern) != nil else {
                throw APIError.badRequest(
                    "Lease in version \"v1\" cannot be handled as a Lease: parsing time \"\(text)\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"\(text.dropFirst(19))\" as \".000000\""
                )
            }
        }
        var causes: [APIError.Cause] = []
        if let duration = spec?["leaseDurationSeconds"]?.integerValue, duration <= 0 {
            causes.append(.init(type: "FieldValueInvalid", message: "Invalid value: \(duration): must be greater than 0", field: "spec.leaseDurationSeconds"))
        }
        if let transitions = spec?["leaseTransitions"]?.integerValue, transitions < 0 {
            causes.append(
                .init(type: "FieldValueInvalid", message: "Invalid value: \(transitions): must be greater than or equal to 0", field: "spec.leaseTransitions"))
        }
        return causes
    }

    /// Kinds whose updates must carry a `resourceVersion` (their strategy's
    /// `AllowUnconditionalUpdate` is false): Leases (`pkg/registry/coordination/lease/strategy.go`).
    static func requiresResourceVersionOnUpdate(_ kind: ResourceKind) -> Bool {
        kind.group == "coordination.k8s.io" && kind.kind == "Lease"
    }

    /// The `resourceVersion` a write carries as its precondition, `nil` when it carries none
    /// (missing, empty or `0`: kube-apiserver's `ObjectResourceVersion` reads 0 as unset).
    static func preconditionVersion(_ object: KubeObject) -> String? {
        guard let version = object.content[path: ["metadata", "resourceVersion"]]?.stringValue, !version.isEmpty, version != "0" else {
            return nil
        }
        return version
    }

    /// Whether `key` may name an entry of a ConfigMap or Secret: `[-._a-zA-Z0-9]+`, at most 253
    /// characters, not `.` or `..`.
    static func isConfigKey(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 253 && key != "." && key != ".."
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// A Secret as kube-apiserver stores it: `stringData` merged into `data` as base64 (it wins
    /// over a `data` entry of the same key) and dropped (`pkg/apis/core/v1/conversion.go`,
    /// `Convert_v1_Secret_To_core_Secret`); any other object as it is.
    static func mergingStringData(_ object: KubeObject, kind: ResourceKind) -> KubeObject {
        guard kind.group.isEmpty, kind.kind == "Secret", let stringData = object.content["stringData"] else { return object }
        var result = object
        var data = object.content["data"]?.objectValue ?? JSONObject()
        for (key, value) in stringData.objectValue ?? JSONObject() {
            data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
        }
        result.content["data"] = data.isEmpty ? nil : .object(data)
        result.content["stringData"] = nil
        return result
    }

    /// Why `name` is not a valid object name, or `nil` (`apimachinery/pkg/api/validation/path` and `util/validation`).
    static func nameProblem(_ name: String, kind: ResourceKind) -> String? {
        if kind.group == RBACAPI.group {
            if name == "." || name == ".." { return "may not be '\(name)'" }
            if name.contains("/") || name.contains("%") { return "may not contain '/' or '%'" }
            return nil
        }
        let alnum = { (c: Character) in c.isASCII && (c.isLowercase || c.isNumber) }
        if kind.group.isEmpty && kind.kind == "Namespace" {
            let valid = name.count <= 63 && name.allSatisfy { alnum($0) || $0 == "-" } && alnum(name.first!) && alnum(name.last!)
            return valid
                ? nil
                : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            name.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.allSatisfy { alnum($0) || $0 == "-" } && alnum(label.first!) && alnum(label.last!)
            }
        return valid
            ? nil
            : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    }

    /// The status subresource owns `status`: writes to the main resource keep the stored status,
    /// writes to `/status` change nothing else (`registry/.../strategy.go` `PrepareForUpdate`).
    static func separateStatus(kind: ResourceKind, subresource: String, old: KubeObject?, new: inout KubeObject) {
        guard kind.subresources.contains("status") else { return }
        if subresource == "status" {
            guard let old else { return }
            let status = new.content["status"]
            new.content = old.content
            new.content["status"] = status
        } else {
            new.content["status"] = old?.content["status"]
        }
    }

    mutating func requireNamespace(_ kind: ResourceKind, _ namespace: String) throws(APIError) {
        guard kind.namespaced else { return }
        let key = ObjectKey(group: "", resource: "namespaces", namespace: "", name: namespace)
        guard store[key] != nil else { throw APIError.notFound(GroupResource(group: "", resource: "namespaces"), name: namespace) }
    }

    mutating func create(_ request: APIRequest, info: RequestInfo, kind: ResourceKind, user: UserInfo) throws(APIError) -> KubeObject {
        var object = KubeObject(try Self.decodeBody(request))
        try checkIdentity(&object, info: info, kind: kind, name: nil)
        if object.name.isEmpty, let prefix = object.content[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty {
            let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
            object.setMetadata("name", .string(prefix + String((0..<5).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })))
        }
        try validate(object, kind: kind)
        try requireNamespace(kind, info.namespace)
        let key = Self.key(info, kind: kind, name: object.name)
        guard store[key] == nil else { throw APIError.alreadyExists(info.groupResource, name: object.name) }
        try checkEscalation(object, kind: kind, user: user)
        for field in ["uid", "resourceVersion", "deletionTimestamp", "generation", "managedFields"] { object.setMetadata(field, nil) }
        if kind.subresources.contains("status") {
            object.content["status"] = listItemsKeepTypeMeta(kind) ? nil : .object(JSONObject())
        }
        FieldManager.recordUpdate(old: nil, new: &object, manager: Self.manager(request), stripStatus: kind.subresources.contains("status"), now: Self.now)
        return try commit(key, old: nil, new: object, kind: kind, dryRun: request.isDryRun)
    }

    /// Stores a new version unless it equals the old one, filling server-set metadata:
    /// uid and creationTimestamp on create, a new resourceVersion, generation bumped when
    /// anything but metadata and status changed.
    mutating func commit(_ key: ObjectKey, old: KubeObject?, new input: KubeObject, kind: ResourceKind, dryRun: Bool) throws(APIError) -> KubeObject {
        var object = Self.mergingStringData(input, kind: kind)
        object.source = nil
        if let old {
            for field in ["uid", "creationTimestamp", "generation", "deletionTimestamp"] {
                object.setMetadata(field, old.content[path: ["metadata", field]])
            }
            object.setMetadata("resourceVersion", old.content[path: ["metadata", "resourceVersion"]])
            if object.content == old.content { return old }
            var oldBody = old.content
            var newBody = object.content
            for key in ["metadata", "status"] {
                oldBody[key] = nil
                newBody[key] = nil
            }
            if oldBody != newBody {
                object.setMetadata("generation", .integer((old.content[path: ["metadata", "generation"]]?.integerValue ?? 1) + 1))
            }
        } else {
            object.setMetadata("uid", .string(Self.newUID()))
            object.setMetadata("creationTimestamp", .string(Self.now))
            object.setMetadata("generation", 1)
        }
        if dryRun { return object }
        try afterWrite(kind: kind, object: &object, creating: old == nil)
        let version = store.nextVersion()
        object.setMetadata("resourceVersion", .string(String(version)))
        // Removing the last finalizer of an object being deleted completes the deletion.
        if object.content[path: ["metadata", "deletionTimestamp"]] != nil,
            (object.content[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty
        {
            store.write(key, object, type: "MODIFIED", version: version)
            let finalVersion = store.nextVersion()
            store.write(key, nil, type: "DELETED", version: finalVersion)
            noteWrite(key: key, object: object, kind: .deleted)
            return object
        }
        store.write(key, object, type: old == nil ? "ADDED" : "MODIFIED", version: version)
        noteWrite(key: key, object: object, kind: old == nil ? .created : .updated)
        return object
    }

    mutating func update(_ request: APIRequest, info: RequestInfo, kind: ResourceKind, user: UserInfo) throws(APIError) -> APIResponse {
        var object = KubeObject(try Self.decodeBody(request))
        try checkIdentity(&object, info: info, kind: kind, name: info.name)
        try validate(object, kind: kind)
        let key = Self.key(info, kind: kind)
        guard let old = store[key] else {
            // RBAC objects may be created by PUT (`AllowCreateOnUpdate`); most kinds may not.
            guard kind.group == RBACAPI.group, info.subresource.isEmpty else { throw APIError.notFound(info.groupResource, name: info.name) }
            try requireNamespace(kind, info.namespace)
            try checkEscalation(object, kind: kind, user: user)
            FieldManager.recordUpdate(old: nil, new: &object, manager: Self.manager(request), stripStatus: false, now: Self.now)
            return .json(try commit(key, old: nil, new: object, kind: kind, dryRun: request.isDryRun).content, status: 201)
        }
        let precondition = Self.preconditionVersion(object)
        if precondition == nil && Self.requiresResourceVersionOnUpdate(kind) {
            throw APIError.invalid(
                kind: kind.resource, group: kind.group, name: info.name,
                [.init(type: "FieldValueInvalid", message: "Invalid value: 0: must be specified for an update", field: "metadata.resourceVersion")])
        }
        if let precondition, precondition != old.content[path: ["metadata", "resourceVersion"]]?.stringValue {
            throw APIError.staleResourceVersion(info.groupResource, name: info.name)
        }
        try checkImmutable(old: old, new: object, kind: kind)
        try checkEscalation(object, kind: kind, user: user)
        Self.separateStatus(kind: kind, subresource: info.subresource, old: old, new: &object)
        object.setMetadata("managedFields", old.content[path: ["metadata", "managedFields"]])
        FieldManager.recordUpdate(old: old, new: &object, manager: Self.manager(request), stripStatus: false, now: Self.now)
        return .json(try commit(key, old: old, new: object, kind: kind, dryRun: request.isDryRun).content)
    }

    /// `roleRef` of a binding cannot change (`registry/rbac/.../strategy.go` `ValidateUpdate`).
    func checkImmutable(old: KubeObject, new: KubeObject, kind: ResourceKind) throws(APIError) {
        guard kind.group == RBACAPI.group, kind.kind.hasSuffix("Binding"), let roleRef = new.content["roleRef"],
            roleRef != old.content["roleRef"]
        else { return }
        throw APIError.invalid(
            kind: kind.kind, group: kind.group, name: new.name,
            [.init(type: "FieldValueInvalid", message: "Invalid value: \(JSONWriter.write(roleRef, indent: 0)): cannot change roleRef", field: "roleRef")])
    }

    mutating func patch(_ request: APIRequest, info: RequestInfo, kind: ResourceKind, user: UserInfo) throws(APIError) -> APIResponse {
        let key = Self.key(info, kind: kind)
        let old = store[key]
        let contentType = request.contentType
        if contentType == "application/apply-patch+yaml" {
            return try apply(request, info: info, kind: kind, user: user, old: old, key: key)
        }
        guard let old else { throw APIError.notFound(info.groupResource, name: info.name) }
        let patch = try Self.decodeBody(request)
        var patched: JSONValue
        switch contentType {
        case "application/merge-patch+json": patched = Patches.mergePatch(old.content, patch)
        case "application/strategic-merge-patch+json": patched = Patches.mergePatch(old.content, patch, strategic: true)
        case "application/json-patch+json": patched = try Patches.jsonPatch(old.content, patch)
        default: throw APIError.unsupportedMediaType(contentType)
        }
        var object = KubeObject(patched)
        if let version = object.content[path: ["metadata", "resourceVersion"]]?.stringValue, !version.isEmpty,
            version != old.content[path: ["metadata", "resourceVersion"]]?.stringValue
        {
            throw APIError.staleResourceVersion(info.groupResource, name: info.name)
        }
        try checkIdentity(&object, info: info, kind: kind, name: info.name)
        try validate(object, kind: kind)
        try checkImmutable(old: old, new: object, kind: kind)
        try checkEscalation(object, kind: kind, user: user)
        Self.separateStatus(kind: kind, subresource: info.subresource, old: old, new: &object)
        object.setMetadata("managedFields", old.content[path: ["metadata", "managedFields"]])
        FieldManager.recordUpdate(old: old, new: &object, manager: Self.manager(request), stripStatus: false, now: Self.now)
        return .json(try commit(key, old: old, new: object, kind: kind, dryRun: request.isDryRun).content)
    }

    /// Server-side apply (`handlers/patch.go` `applyPatcher`): `fieldManager` is required, a
    /// missing object is created (which also needs the `create` verb), conflicts are 409s.
    mutating func apply(
        _ request: APIRequest, info: RequestInfo, kind: ResourceKind, user: UserInfo, old: KubeObject?, key: ObjectKey
    ) throws(APIError) -> APIResponse {
        guard let manager = request.query["fieldManager"], !manager.isEmpty else {
            throw APIError.invalid(
                kind: kind.kind, group: kind.group, name: info.name,
                [.init(type: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager")])
        }
        if let force = request.query["force"], force != "true" && force != "false" {
            throw APIError.badRequest("force: Invalid value: \"\(force)\": must be true or false")
        }
        var applied = KubeObject(try Self.decodeBody(request))
        try checkIdentity(&applied, info: info, kind: kind, name: info.name)
        try validate(applied, kind: kind)
        // A resourceVersion in the applied configuration is a precondition on an existing object
        // (a compare-and-swap); an object that does not exist yet is created whatever it says
        // (registry `Store.Update` checks it only when not creating).
        if let old, let precondition = Self.preconditionVersion(applied),
            precondition != old.content[path: ["metadata", "resourceVersion"]]?.stringValue
        {
            throw APIError.staleResourceVersion(info.groupResource, name: info.name)
        }
        applied.setMetadata("resourceVersion", nil)
        if old == nil {
            let create = Self.accessRequest(info, user: user, verb: "create")
            guard allows(create) else { throw Self.forbidden(create) }
            try requireNamespace(kind, info.namespace)
        }
        let stripStatus = kind.subresources.contains("status") && info.subresource.isEmpty
        switch FieldManager.apply(
            live: old, applied: applied, manager: manager, force: request.query["force"] == "true", stripStatus: stripStatus, now: Self.now)
        {
        case .failure(let conflicts):
            throw conflicts.apiError
        case .success(var object):
            object.content["apiVersion"] = .string(applied.apiVersion)
            object.content["kind"] = .string(kind.kind)
            object.setMetadata("name", .string(info.name))
            if kind.namespaced { object.namespace = info.namespace }
            if let old {
                for field in ["uid", "creationTimestamp", "generation", "resourceVersion"] {
                    object.setMetadata(field, old.content[path: ["metadata", field]])
                }
                try checkImmutable(old: old, new: object, kind: kind)
            }
            try checkEscalation(object, kind: kind, user: user)
            if old == nil && kind.subresources.contains("status") && info.subresource.isEmpty {
                object.content["status"] = listItemsKeepTypeMeta(kind) ? nil : .object(JSONObject())
            }
            let stored = try commit(key, old: old, new: object, kind: kind, dryRun: request.isDryRun)
            return .json(stored.content, status: old == nil && !request.isDryRun ? 201 : 200)
        }
    }
}
