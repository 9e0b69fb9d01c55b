/// Why a request was not allowed.
public struct Denial: Sendable, Hashable {
    /// The request.
    public var request: AccessRequest
    /// Bindings that apply to the user but refer to a role that does not exist: on a cluster,
    /// creating that role would change the answer.
    public var unresolvedBindings: [RBACBinding]

    /// Creates a denial.
    public init(request: AccessRequest, unresolvedBindings: [RBACBinding] = []) {
        self.request = request
        self.unresolvedBindings = unresolvedBindings
    }

    /// `RBAC: no rule allows user alice (groups: ...) to get secrets in namespace "shop"`, with
    /// the bindings to missing roles named.
    public var reason: String {
        var text = "RBAC: no rule allows \(request)"
        if !unresolvedBindings.isEmpty {
            let missing = unresolvedBindings.map { "\($0) refers to \($0.roleRef), which does not exist" }
            text += "; " + missing.joined(separator: "; ")
        }
        return text
    }
}
