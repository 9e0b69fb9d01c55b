/// What a request path asks for, parsed as kube-apiserver's `RequestInfoFactory` does
/// (`k8s.io/apiserver/pkg/endpoints/request/requestinfo.go`).
struct RequestInfo: Sendable, Hashable {
    var isResourceRequest: Bool
    var path: String
    /// The authorization verb.
    var verb: String
    var group = ""
    var version = ""
    var namespace = ""
    var resource = ""
    var subresource = ""
    var name = ""

    var groupResource: GroupResource { GroupResource(group: group, resource: resource) }

    init(method: String, path: String, query: [String: String]) {
        self.path = path
        let parts = path.split(separator: "/").map(String.init)
        var verb: String
        switch method {
        case "POST": verb = "create"
        case "GET", "HEAD": verb = "get"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = "delete"
        default: verb = ""
        }
        self.verb = method.lowercased()
        isResourceRequest = false
        var rest: ArraySlice<String>
        if parts.first == "api", parts.count >= 3 {
            version = parts[1]
            rest = parts[2...]
        } else if parts.first == "apis", parts.count >= 4 {
            group = parts[1]
            version = parts[2]
            rest = parts[3...]
        } else {
            return
        }
        isResourceRequest = true
        if rest.first == "watch" {
            verb = "watch"
            rest = rest.dropFirst()
            guard !rest.isEmpty else {
                isResourceRequest = false
                return
            }
        }
        // Namespace subresources (`namespaces/foo/status`, `/finalize`) address the namespace itself.
        if rest.first == "namespaces", rest.count > 1 {
            namespace = rest[rest.startIndex + 1]
            if rest.count > 2 && !["status", "finalize"].contains(rest[rest.startIndex + 2]) {
                rest = rest.dropFirst(2)
            }
        }
        let items = Array(rest)
        resource = items[0]
        if items.count > 1 { name = items[1] }
        if items.count > 2 { subresource = items[2...].joined(separator: "/") }
        if resource == "namespaces" && group.isEmpty && !name.isEmpty { namespace = name }
        if name.isEmpty {
            switch verb {
            case "get":
                verb = ["true", "1"].contains(query["watch"] ?? "") ? "watch" : "list"
            case "delete": verb = "deletecollection"
            default: break
            }
            if verb == "list" || verb == "watch", let selector = query["fieldSelector"] {
                // kube-apiserver authorizes a list/watch of one name as a request for that name.
                for term in selector.split(separator: ",") {
                    let pair = term.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
                    if pair.count == 2 && pair[0] == "metadata.name" { name = pair[1] }
                    if pair.count == 3 && pair[0] == "metadata.name" && pair[1].isEmpty { name = pair[2] }
                }
            }
        }
        self.verb = verb
    }
}
