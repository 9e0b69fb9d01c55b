/// The authorizer's answer to an ``AccessRequest``.
public enum AuthorizationDecision: Sendable, Hashable, CustomStringConvertible {
    /// Allowed, by the first rule (in kube-apiserver's order) that matches.
    case allowed(Grant)
    /// Not allowed by any rule (RBAC never denies explicitly: another authorizer could still allow).
    case denied(Denial)

    /// Whether the request is allowed.
    public var isAllowed: Bool {
        if case .allowed = self { return true }
        return false
    }

    /// The grant that allows the request, or `nil`.
    public var grant: Grant? {
        if case .allowed(let grant) = self { return grant }
        return nil
    }

    /// Why: `RBAC: allowed by ...` or `RBAC: no rule allows ...`.
    public var reason: String {
        switch self {
        case .allowed(let grant): "RBAC: allowed by \(grant)"
        case .denied(let denial): denial.reason
        }
    }

    /// The reason.
    public var description: String { reason }
}
