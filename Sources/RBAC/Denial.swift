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
            text += "; " + unresolvedBindings.map { Self.problem(of: $0) }.joined(separator: "; ")
        }
        return text
    }

    /// Why a binding grants nothing: `RoleBinding "shop/ci" refers to Role "deployer", which does not exist`.
    public static func problem(of binding: RBACBinding) -> String {
        switch (binding.kind, binding.roleRef.kind) {
        case (.clusterRoleBinding, RBACRole.Kind.role.rawValue):
            "\(binding) refers to \(binding.roleRef), but a ClusterRoleBinding can only use a ClusterRole"
        case (_, RBACRole.Kind.role.rawValue), (_, RBACRole.Kind.clusterRole.rawValue):
            "\(binding) refers to \(binding.roleRef), which does not exist"
        default:
            "\(binding) refers to \(binding.roleRef), which is not a Role or ClusterRole"
        }
    }
}
