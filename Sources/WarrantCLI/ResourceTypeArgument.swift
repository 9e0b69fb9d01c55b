import ArgumentParser
import KubeModel
import RBAC

/// What `can` and `who-can` ask about: a resource (with optional name and subresource) or a
/// non-resource URL, parsed the way `kubectl auth can-i` parses `TYPE[/NAME]` and `/url`.
struct ResourceTarget {
    var apiGroup: String
    var resource: String
    var subresource: String
    var name: String
    var namespaced: Bool
    var nonResourceURL: String?

    /// Resolves `argument` (`pods`, `deploy/web`, `deployments.apps`, `Deployment`, `*`, `/healthz`)
    /// with `kinds`. Unknown types are used literally, as kubectl does, with a warning.
    static func parse(
        _ argument: String, subresource: String, kinds: KindTable, warn: (String) -> Void
    ) throws -> ResourceTarget {
        if argument.hasPrefix("/") {
            return ResourceTarget(apiGroup: "", resource: "", subresource: "", name: "", namespaced: false, nonResourceURL: argument)
        }
        var type = argument
        var name = ""
        if let slash = argument.firstIndex(of: "/") {
            type = String(argument[..<slash])
            name = String(argument[argument.index(after: slash)...])
            guard !name.isEmpty, !name.contains("/") else {
                throw ValidationError("'\(argument)' is not TYPE or TYPE/NAME; give the subresource with --subresource.")
            }
        }
        if type == "*" {
            return ResourceTarget(apiGroup: "*", resource: "*", subresource: subresource, name: name, namespaced: true, nonResourceURL: nil)
        }
        let matches = kinds.resolve(type: type)
        if let kind = matches.first {
            if matches.count > 1 {
                warn(
                    "'\(type)' matches \(matches.map(\.qualifiedResource).joined(separator: ", ")); using \(kind.qualifiedResource). Write RESOURCE.GROUP to choose."
                )
            }
            return ResourceTarget(
                apiGroup: kind.group, resource: kind.resource, subresource: subresource, name: name, namespaced: kind.namespaced,
                nonResourceURL: nil)
        }
        warn("the resource type '\(type)' is not known (no built-in kind, CRD in the input or --resource-map entry); checking it literally")
        var group = ""
        var resource = type.lowercased()
        if let dot = type.firstIndex(of: ".") {
            resource = String(type[..<dot]).lowercased()
            group = String(type[type.index(after: dot)...])
        }
        return ResourceTarget(apiGroup: group, resource: resource, subresource: subresource, name: name, namespaced: true, nonResourceURL: nil)
    }

    /// The request `user` would make, in `namespace` (ignored for cluster-scoped resources).
    func request(user: UserInfo, verb: String, namespace: String) -> AccessRequest {
        if let nonResourceURL {
            return AccessRequest(user: user, verb: verb, nonResourceURL: nonResourceURL)
        }
        return AccessRequest(
            user: user, verb: verb, apiGroup: apiGroup, resource: resource, subresource: subresource, name: name,
            namespace: namespaced ? namespace : "")
    }
}
