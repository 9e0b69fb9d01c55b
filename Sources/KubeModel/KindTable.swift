/// The REST mapping Warrant uses offline: kind → resource, scope and subresources.
///
/// Starts from the built-in kinds of Kubernetes 1.34 (``builtin``) and grows with the
/// CustomResourceDefinitions found in the input and the entries of a resource map, so that custom
/// resources are treated exactly like built-in ones.
public struct KindTable: Sendable {
    private var byGroupKind: [GroupKind: ResourceKind] = [:]
    private var byGroupResource: [String: ResourceKind] = [:]
    private var removed: [GroupVersionKind: RemovedAPI] = [:]

    /// A table holding `kinds`.
    public init(kinds: [ResourceKind], removedAPIs: [RemovedAPI] = []) {
        for kind in kinds { add(kind) }
        for api in removedAPIs {
            removed[GroupVersionKind(group: api.group, version: api.version, kind: api.kind)] = api
        }
    }

    /// The built-in kinds of Kubernetes 1.34 and the APIs it no longer serves.
    public static let builtin = KindTable(kinds: builtinKinds, removedAPIs: removedAPIs)

    /// Every kind in the table, sorted by group and kind.
    public var kinds: [ResourceKind] {
        byGroupKind.values.sorted { ($0.group, $0.kind) < ($1.group, $1.kind) }
    }

    /// Adds or replaces a kind.
    public mutating func add(_ kind: ResourceKind) {
        if let previous = byGroupKind[GroupKind(group: kind.group, kind: kind.kind)] {
            byGroupResource[Self.key(previous.group, previous.resource)] = nil
        }
        byGroupKind[GroupKind(group: kind.group, kind: kind.kind)] = kind
        byGroupResource[Self.key(kind.group, kind.resource)] = kind
    }

    private static func key(_ group: String, _ resource: String) -> String { "\(resource).\(group)" }

    /// The kind's mapping, or `nil` when the table does not know it.
    public func kind(_ groupKind: GroupKind) -> ResourceKind? { byGroupKind[groupKind] }

    /// The mapping for a resource name in a group (`deployments` in `apps`).
    public func kind(group: String, resource: String) -> ResourceKind? {
        byGroupResource[Self.key(group, resource)]
    }

    /// The removal record when `gvk` is an API version Kubernetes no longer serves.
    public func removedAPI(_ gvk: GroupVersionKind) -> RemovedAPI? {
        guard removed[gvk] != nil else { return nil }
        // A version removed upstream but declared again by a CRD or resource map is served.
        if let known = byGroupKind[gvk.groupKind], known.versions.contains(gvk.version) { return nil }
        return removed[gvk]
    }

    /// Resolves a resource type the way `kubectl get TYPE` does: a plural or singular resource,
    /// a short name, or a kind, optionally qualified by group (`deployments.apps`, `deploy`,
    /// `Deployment`, `ingresses.networking.k8s.io`). Matching is case-insensitive. Returns every
    /// match, so that the caller can report ambiguity.
    public func resolve(type: String) -> [ResourceKind] {
        let lowered = type.lowercased()
        var matches: [ResourceKind] = []
        for kind in byGroupKind.values {
            let names = [kind.resource, kind.singular, kind.kind.lowercased()] + kind.shortNames.map { $0.lowercased() }
            for name in names {
                if lowered == name || (!kind.group.isEmpty && lowered == "\(name).\(kind.group)") {
                    matches.append(kind)
                    break
                }
            }
        }
        return matches.sorted { ($0.group, $0.kind) < ($1.group, $1.kind) }
    }

    /// The table extended with the CustomResourceDefinitions among `objects`.
    ///
    /// Group, kind, plural, short names and scope come from the CRD's `spec`; versions from
    /// `spec.versions` (served ones, the storage version first); subresources from the versions'
    /// `subresources` (`status`, `scale`).
    public func adding(customResourceDefinitionsIn objects: [KubeObject]) throws(ManifestErrors) -> KindTable {
        var table = self
        var errors: [ManifestError] = []
        // The kind first: it is short, and few objects are CRDs.
        for object in objects where object.kind == "CustomResourceDefinition" && object.isInGroup("apiextensions.k8s.io") {
            do {
                table.add(try Self.kind(fromCRD: object))
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw ManifestErrors(errors) }
        return table
    }

    /// The mapping a CustomResourceDefinition declares.
    public static func kind(fromCRD object: KubeObject) throws(ManifestError) -> ResourceKind {
        let location = object.source ?? SourceLocation(file: "<input>", line: 0)
        func field(_ path: [String]) throws(ManifestError) -> String {
            guard let value = object.content[path: path]?.stringValue, !value.isEmpty else {
                throw ManifestError(
                    .missingField, at: location,
                    "CustomResourceDefinition \(object.name) has no \(path.joined(separator: "."))",
                    hint: "a CRD needs spec.group, spec.names.kind, spec.names.plural and spec.scope")
            }
            return value
        }
        let group = try field(["spec", "group"])
        let kind = try field(["spec", "names", "kind"])
        let plural = try field(["spec", "names", "plural"])
        let scope = try field(["spec", "scope"])
        guard scope == "Namespaced" || scope == "Cluster" else {
            throw ManifestError(
                .wrongType, at: location, "CustomResourceDefinition \(object.name) has spec.scope '\(scope)'",
                hint: "spec.scope must be Namespaced or Cluster")
        }
        var versions: [String] = []
        var subresources: Set<String> = []
        for version in object.content[path: ["spec", "versions"]]?.arrayValue ?? [] {
            guard let name = version["name"]?.stringValue else { continue }
            if version["served"]?.boolValue == false { continue }
            if version["storage"]?.boolValue == true { versions.insert(name, at: 0) } else { versions.append(name) }
            for sub in version["subresources"]?.objectValue?.keys ?? [] { subresources.insert(sub) }
        }
        if let version = object.content[path: ["spec", "version"]]?.stringValue, versions.isEmpty {
            versions = [version]  // apiextensions.k8s.io/v1beta1 form
        }
        let shortNames = (object.content[path: ["spec", "names", "shortNames"]]?.arrayValue ?? []).compactMap(\.stringValue)
        return ResourceKind(
            group: group, versions: versions, kind: kind, resource: plural, namespaced: scope == "Namespaced",
            shortNames: shortNames, subresources: subresources.sorted())
    }
}
