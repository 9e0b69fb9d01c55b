import Foundation
import KubeModel

extension ServerState {
    /// The media type of aggregated discovery (KEP-3352, `apidiscovery.k8s.io/v2`).
    static let aggregatedDiscovery = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// `/version`, `/api`, `/apis`, `/apis/{group}`, `/api/v1`, `/apis/{group}/{version}`,
    /// aggregated discovery, and a schema-less `/openapi/v3` (no `/openapi/v2`).
    func discovery(_ request: APIRequest, info: RequestInfo, serverURL: String) throws(APIError) -> APIResponse {
        guard request.method == "GET" || request.method == "HEAD" else { throw APIError.methodNotAllowed }
        let parts = info.path.split(separator: "/").map(String.init)
        let aggregated = (request.headers["accept"] ?? "").contains("as=APIGroupDiscoveryList")
        let address = serverURL.replacingOccurrences(of: "https://", with: "")
        switch parts {
        case ["version"]:
            let (major, minor) = configuration.kubernetesVersion
            return .json([
                "major": .string(String(major)), "minor": .string(String(minor)), "gitVersion": .string("v\(major).\(minor).0-warrant"),
                "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z",
                "goVersion": "go1.24.0", "compiler": "gc", "platform": "linux/amd64",
            ])
        case ["healthz"], ["livez"], ["readyz"]:
            return .full(status: 200, headers: [("Content-Type", "text/plain")], body: Array("ok".utf8))
        case ["api"]:
            if aggregated { return .json(aggregatedList(core: true), contentType: Self.aggregatedDiscovery) }
            return .json([
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(address)]],
            ])
        case ["apis"]:
            if aggregated { return .json(aggregatedList(core: false), contentType: Self.aggregatedDiscovery) }
            return .json(["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups().map { group($0.name, $0.versions) })])
        case ["api", "v1"]:
            return .json(resourceList(group: "", version: "v1"))
        case let path where path.count == 2 && path[0] == "apis":
            guard let found = groups().first(where: { $0.name == path[1] }) else { throw APIError.pathNotFound }
            var value = group(found.name, found.versions)
            value["kind"] = "APIGroup"
            value["apiVersion"] = "v1"
            return .json(value)
        case let path where path.count == 3 && path[0] == "apis":
            guard groups().contains(where: { $0.name == path[1] && $0.versions.contains(path[2]) }) else { throw APIError.pathNotFound }
            return .json(resourceList(group: path[1], version: path[2]))
        case ["openapi", "v3"]:
            var paths: JSONValue = ["api/v1": ["serverRelativeURL": "/openapi/v3/api/v1"]]
            for group in groups() {
                for version in group.versions {
                    paths["apis/\(group.name)/\(version)"] = ["serverRelativeURL": .string("/openapi/v3/apis/\(group.name)/\(version)")]
                }
            }
            return .json(["paths": paths])
        case ["openapi", "v3", "api", "v1"]:
            return .json(openAPIDocument(group: "", version: "v1"))
        case let path where path.count == 5 && path[0] == "openapi" && path[1] == "v3" && path[2] == "apis":
            return .json(openAPIDocument(group: path[3], version: path[4]))
        default:
            throw APIError.pathNotFound
        }
    }

    /// A per-group-version OpenAPI v3 document without schemas: one PATCH operation per resource,
    /// tagged with `x-kubernetes-group-version-kind` and declaring the `fieldValidation` query
    /// parameter, which is what kubectl looks for (`query_param_verifier_v3.go`) before it leaves
    /// validation to the server.
    func openAPIDocument(group: String, version: String) -> JSONValue {
        var paths = JSONObject()
        for kind in kinds.kinds where kind.group == group && kind.versions.contains(version) {
            let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
            let path =
                kind.namespaced
                ? "\(prefix)/namespaces/{namespace}/\(kind.resource)/{name}" : "\(prefix)/\(kind.resource)/{name}"
            paths[path] = [
                "patch": [
                    "x-kubernetes-group-version-kind": ["group": .string(group), "version": .string(version), "kind": .string(kind.kind)],
                    "parameters": [["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]]],
                    "responses": ["200": ["description": "OK"]],
                ]
            ]
        }
        let (major, minor) = configuration.kubernetesVersion
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": .string("v\(major).\(minor).0")],
            "paths": .object(paths), "components": ["schemas": [:]],
        ]
    }

    /// The served groups, sorted as kube-apiserver lists them (here by name), with their versions.
    func groups() -> [(name: String, versions: [String])] {
        var byGroup: [String: [String]] = [:]
        for kind in kinds.kinds where !kind.group.isEmpty {
            for version in kind.versions where !(byGroup[kind.group] ?? []).contains(version) {
                byGroup[kind.group, default: []].append(version)
            }
        }
        return byGroup.keys.sorted().map { ($0, byGroup[$0] ?? []) }
    }

    private func group(_ name: String, _ versions: [String]) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return ["name": .string(name), "versions": .array(entries), "preferredVersion": entries.first ?? .null]
    }

    static let allVerbs: [JSONValue] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    private static func verbs(_ kind: ResourceKind) -> [JSONValue] {
        if kind.group == "authorization.k8s.io" || kind.group == "authentication.k8s.io" || kind.resource == "bindings" {
            return ["create"]
        }
        if kind.resource == "componentstatuses" { return ["get", "list"] }
        return allVerbs
    }

    /// Verbs and response kind of a subresource (`pkg/registry/...` storage of each subresource).
    private static func subresource(_ name: String, of kind: ResourceKind) -> (verbs: [JSONValue], group: String, version: String, kind: String) {
        switch name {
        case "status", "ephemeralcontainers", "resize": (["get", "patch", "update"], "", "", kind.kind)
        case "scale": (["get", "patch", "update"], "autoscaling", "v1", "Scale")
        case "log": (["get"], "", "", kind.kind)
        case "token": (["create"], "authentication.k8s.io", "v1", "TokenRequest")
        case "eviction": (["create"], "policy", "v1", "Eviction")
        case "binding": (["create"], "", "", "Binding")
        case "finalize": (["update"], "", "", kind.kind)
        case "exec", "attach", "portforward": (["create", "get"], "", "", "\(kind.kind)\(name == "portforward" ? "PortForward" : name.capitalized)Options")
        default: (["create", "delete", "get", "patch", "update"], "", "", "\(kind.kind)ProxyOptions")
        }
    }

    private static func categories(_ kind: ResourceKind) -> [JSONValue]? {
        let all = [
            "pods", "services", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
            "replicationcontrollers", "horizontalpodautoscalers",
        ]
        return all.contains(kind.resource) ? ["all"] : nil
    }

    func resourceList(group: String, version: String) -> JSONValue {
        var resources: [JSONValue] = []
        for kind in kinds.kinds where kind.group == group && kind.versions.contains(version) {
            var entry: JSONValue = [
                "name": .string(kind.resource), "singularName": .string(kind.singular), "namespaced": .bool(kind.namespaced),
                "kind": .string(kind.kind), "verbs": .array(Self.verbs(kind)),
            ]
            if !kind.shortNames.isEmpty { entry["shortNames"] = .array(kind.shortNames.map(JSONValue.string)) }
            if let categories = Self.categories(kind) { entry["categories"] = .array(categories) }
            resources.append(entry)
            for sub in kind.subresources {
                let details = Self.subresource(sub, of: kind)
                var subEntry: JSONValue = [
                    "name": .string("\(kind.resource)/\(sub)"), "singularName": "", "namespaced": .bool(kind.namespaced),
                ]
                if !details.group.isEmpty { subEntry["group"] = .string(details.group) }
                if !details.version.isEmpty { subEntry["version"] = .string(details.version) }
                subEntry["kind"] = .string(details.kind)
                subEntry["verbs"] = .array(details.verbs)
                resources.append(subEntry)
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(resources),
        ]
    }

    /// `APIGroupDiscoveryList` for `/api` (core) or `/apis` (every other group).
    func aggregatedList(core: Bool) -> JSONValue {
        let names: [(name: String, versions: [String])] = core ? [("", ["v1"])] : groups()
        let items: [JSONValue] = names.map { group in
            let versions: [JSONValue] = group.versions.map { version in
                let resources: [JSONValue] = kinds.kinds.filter { $0.group == group.name && $0.versions.contains(version) }.map { kind in
                    var entry: JSONValue = [
                        "resource": .string(kind.resource),
                        "responseKind": ["group": .string(kind.group), "version": .string(version), "kind": .string(kind.kind)],
                        "scope": .string(kind.namespaced ? "Namespaced" : "Cluster"), "singularResource": .string(kind.singular),
                        "verbs": .array(Self.verbs(kind)),
                    ]
                    if !kind.shortNames.isEmpty { entry["shortNames"] = .array(kind.shortNames.map(JSONValue.string)) }
                    if let categories = Self.categories(kind) { entry["categories"] = .array(categories) }
                    if !kind.subresources.isEmpty {
                        entry["subresources"] = .array(
                            kind.subresources.map { sub in
                                let details = Self.subresource(sub, of: kind)
                                return [
                                    "subresource": .string(sub),
                                    "responseKind": [
                                        "group": .string(details.group.isEmpty ? kind.group : details.group),
                                        "version": .string(details.version.isEmpty ? version : details.version), "kind": .string(details.kind),
                                    ],
                                    "verbs": .array(details.verbs),
                                ]
                            })
                    }
                    return entry
                }
                return ["version": .string(version), "resources": .array(resources), "freshness": "Current"]
            }
            let metadata: JSONValue = group.name.isEmpty ? ["creationTimestamp": nil] : ["name": .string(group.name), "creationTimestamp": nil]
            return ["metadata": metadata, "versions": .array(versions)]
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": .array(items)]
    }
}
