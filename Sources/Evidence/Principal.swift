/// What kind of identity a user name is.
public enum Principal: Sendable, Hashable {
    /// A person's own credential (any name outside `system:`).
    case person
    /// A ServiceAccount outside `kube-system`.
    case serviceAccount(namespace: String, name: String)
    /// A Kubernetes component: `system:` users that are not ServiceAccounts (the
    /// controller-manager, scheduler, nodes, the API server itself) and ServiceAccounts of `kube-system`.
    case controlPlane
    /// `system:anonymous`.
    case anonymous
    /// No user: authentication failed.
    case unauthenticated

    /// The kind of `user`.
    public static func of(_ user: String) -> Principal {
        if user.isEmpty { return .unauthenticated }
        if user == "system:anonymous" { return .anonymous }
        if user.hasPrefix("system:serviceaccount:") {
            let parts = user.dropFirst("system:serviceaccount:".count).split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return .controlPlane }
            if parts[0] == "kube-system" { return .controlPlane }
            return .serviceAccount(namespace: String(parts[0]), name: String(parts[1]))
        }
        if user.hasPrefix("system:") { return .controlPlane }
        return .person
    }
}
