public import KubeModel
import Synchronization

/// Kinds to resources as the server serves them: from discovery, with scope and the preferred
/// version of each group.
public struct RESTMapper: Sendable {
    /// One served resource.
    public struct Mapping: Sendable, Hashable {
        /// The API group.
        public var group: String
        /// The version to use.
        public var version: String
        /// The kind.
        public var kind: String
        /// The resource (plural).
        public var resource: String
        /// Whether it lives in namespaces.
        public var namespaced: Bool
        /// The verbs the server supports on it.
        public var verbs: [String]

        /// Creates a mapping.
        public init(group: String, version: String, kind: String, resource: String, namespaced: Bool, verbs: [String]) {
            self.group = group
            self.version = version
            self.kind = kind
            self.resource = resource
            self.namespaced = namespaced
            self.verbs = verbs
        }

        /// `/api/v1` or `/apis/GROUP/VERSION`.
        ///
        /// Every component of a path is escaped (``KubeRequest/pathSegment(_:)``): names come
        /// from manifests and flags, groups and resources from the server, and none may change
        /// what the request does (`cfg?dryRun=` must stay a name).
        public var groupVersionPath: String {
            group.isEmpty ? "/api/\(KubeRequest.pathSegment(version))" : "/apis/\(KubeRequest.pathSegment(group))/\(KubeRequest.pathSegment(version))"
        }

        /// The collection's path, in `namespace` when namespaced (nil: across all namespaces).
        public func collectionPath(namespace: String?) -> String {
            if namespaced, let namespace {
                return "\(groupVersionPath)/namespaces/\(KubeRequest.pathSegment(namespace))/\(KubeRequest.pathSegment(resource))"
            }
            return "\(groupVersionPath)/\(KubeRequest.pathSegment(resource))"
        }

        /// One object's path.
        public func objectPath(namespace: String?, name: String) -> String {
            "\(collectionPath(namespace: namespaced ? namespace : nil))/\(KubeRequest.pathSegment(name))"
        }

        /// `apiVersion` for objects of this mapping.
        public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    }

    private var byGroupKind: [GroupKind: Mapping] = [:]
    private var byResource: [String: Mapping] = [:]

    /// Creates a mapper from mappings (the first one for a kind wins: list preferred versions first).
    public init(_ mappings: [Mapping]) {
        for mapping in mappings {
            let groupKind = GroupKind(group: mapping.group, kind: mapping.kind)
            if byGroupKind[groupKind] == nil { byGroupKind[groupKind] = mapping }
            let key = "\(mapping.group)/\(mapping.resource)"
            if byResource[key] == nil { byResource[key] = mapping }
        }
    }

    /// The mapping of a kind.
    public func mapping(for groupKind: GroupKind) -> Mapping? { byGroupKind[groupKind] }

    /// The mapping of a resource in a group.
    public func mapping(group: String, resource: String) -> Mapping? { byResource["\(group)/\(resource)"] }

    /// Every mapping.
    public var mappings: [Mapping] { Array(byGroupKind.values) }
}

extension KubeClient {
    /// The REST mapper, from discovery on first use, then cached for the client's lifetime;
    /// `refresh` discovers again (after a CRD was created, say).
    public func restMapper(refresh: Bool = false) async throws -> RESTMapper {
        if !refresh, let cached = mapperCache.withLock({ $0 }) { return cached }
        let mapper = try await discover()
        mapperCache.withLock { $0 = mapper }
        return mapper
    }

    /// The mapping for `object`'s kind, discovering again once when it is unknown.
    public func mapping(for groupKind: GroupKind) async throws -> RESTMapper.Mapping {
        if let mapping = try await restMapper().mapping(for: groupKind) { return mapping }
        if let mapping = try await restMapper(refresh: true).mapping(for: groupKind) { return mapping }
        throw KubeAPIError(
            code: 404, reason: "NotFound", message: "the server does not serve \(groupKind) (is its CRD installed?)",
            request: "GET discovery")
    }

    /// Aggregated discovery (`apidiscovery.k8s.io/v2`, one request each for `/api` and `/apis`)
    /// where the server offers it, else the legacy documents (`/api`, `/api/v1`, `/apis`, then each
    /// group's preferred version).
    func discover() async throws -> RESTMapper {
        let aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        let core = try await json(KubeRequest(method: "GET", path: "/api", headers: [("Accept", aggregated)]))
        if core["kind"]?.stringValue == "APIGroupDiscoveryList" {
            let groups = try await json(KubeRequest(method: "GET", path: "/apis", headers: [("Accept", aggregated)]))
            return RESTMapper(Self.aggregatedMappings(core) + Self.aggregatedMappings(groups))
        }
        var mappings: [RESTMapper.Mapping] = []
        for version in (core["versions"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(1) {
            let list = try await json(KubeRequest(method: "GET", path: "/api/\(KubeRequest.pathSegment(version))", headers: Self.jsonHeaders))
            mappings += Self.legacyMappings(list, group: "", version: version)
        }
        let groups = try await json(KubeRequest(method: "GET", path: "/apis", headers: Self.jsonHeaders))
        for group in groups["groups"]?.arrayValue ?? [] {
            guard let name = group["name"]?.stringValue,
                let version = group[path: ["preferredVersion", "version"]]?.stringValue
                    ?? group["versions"]?.arrayValue?.first?["version"]?.stringValue
            else { continue }
            let list = try await json(
                KubeRequest(
                    method: "GET", path: "/apis/\(KubeRequest.pathSegment(name))/\(KubeRequest.pathSegment(version))", headers: Self.jsonHeaders))
            mappings += Self.legacyMappings(list, group: name, version: version)
        }
        return RESTMapper(mappings)
    }

    static func legacyMappings(_ list: JSONValue, group: String, version: String) -> [RESTMapper.Mapping] {
        (list["resources"]?.arrayValue ?? []).compactMap { resource in
            guard let name = resource["name"]?.stringValue, !name.contains("/"), let kind = resource["kind"]?.stringValue else { return nil }
            return RESTMapper.Mapping(
                group: group, version: version, kind: kind, resource: name, namespaced: resource["namespaced"]?.boolValue ?? false,
                verbs: (resource["verbs"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
    }

    /// `APIGroupDiscoveryList`: groups, their versions (preferred first) and resources with
    /// `responseKind` and `scope`.
    static func aggregatedMappings(_ list: JSONValue) -> [RESTMapper.Mapping] {
        var mappings: [RESTMapper.Mapping] = []
        for group in list["items"]?.arrayValue ?? [] {
            let name = group[path: ["metadata", "name"]]?.stringValue ?? ""
            for version in group["versions"]?.arrayValue ?? [] {
                guard let versionName = version["version"]?.stringValue else { continue }
                for resource in version["resources"]?.arrayValue ?? [] {
                    guard let plural = resource["resource"]?.stringValue, let kind = resource[path: ["responseKind", "kind"]]?.stringValue
                    else { continue }
                    mappings.append(
                        RESTMapper.Mapping(
                            group: name, version: versionName, kind: kind, resource: plural,
                            namespaced: resource["scope"]?.stringValue == "Namespaced",
                            verbs: (resource["verbs"]?.arrayValue ?? []).compactMap(\.stringValue)))
                }
            }
        }
        return mappings
    }
}
