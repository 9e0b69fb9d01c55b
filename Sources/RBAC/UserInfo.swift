/// The identity a request is made as: a user name and every group it belongs to.
///
/// Kubernetes' authenticators add groups on their own; ``init(name:groups:addingImplicitGroups:)``
/// adds them the same way, so that bindings to `system:authenticated` or
/// `system:serviceaccounts:<namespace>` apply as they would on a cluster.
public struct UserInfo: Sendable, Hashable, CustomStringConvertible {
    /// The group every authenticated user is in.
    public static let allAuthenticated = "system:authenticated"
    /// The group of requests without credentials.
    public static let allUnauthenticated = "system:unauthenticated"
    /// The user name of requests without credentials.
    public static let anonymousName = "system:anonymous"
    /// The group of every ServiceAccount.
    public static let allServiceAccounts = "system:serviceaccounts"
    /// The prefix of ServiceAccount user names.
    public static let serviceAccountPrefix = "system:serviceaccount:"

    /// The user name (`alice`, `system:serviceaccount:ci:deployer`).
    public let name: String
    /// Every group, implicit ones included.
    public let groups: [String]

    /// A user with `groups` and, unless `addingImplicitGroups` is `false`, the groups Kubernetes adds:
    ///
    /// - a ServiceAccount's user name `system:serviceaccount:<ns>:<name>` brings
    ///   `system:serviceaccounts` and `system:serviceaccounts:<ns>`;
    /// - every user but `system:anonymous` gets `system:authenticated`, unless `groups` already
    ///   hold `system:authenticated` or `system:unauthenticated`.
    ///
    /// - Parameters:
    ///   - name: the user name.
    ///   - groups: the groups the authenticator reported.
    ///   - addingImplicitGroups: `false` to take `groups` exactly as given.
    public init(name: String, groups: [String] = [], addingImplicitGroups: Bool = true) {
        self.name = name
        guard addingImplicitGroups else {
            self.groups = groups
            return
        }
        var all = groups
        if let account = Self.parseServiceAccount(name) {
            all.append(Self.allServiceAccounts)
            all.append("\(Self.allServiceAccounts):\(account.namespace)")
        }
        if name != Self.anonymousName && !groups.contains(Self.allAuthenticated) && !groups.contains(Self.allUnauthenticated) {
            all.append(Self.allAuthenticated)
        }
        var seen: Set<String> = []
        self.groups = all.filter { seen.insert($0).inserted }
    }

    /// The ServiceAccount `namespace/name` as the user its tokens authenticate as, with its groups.
    public static func serviceAccount(_ name: String, namespace: String, groups: [String] = []) -> UserInfo {
        UserInfo(name: serviceAccountUsername(namespace: namespace, name: name), groups: groups)
    }

    /// A request without credentials: `system:anonymous` in `system:unauthenticated`.
    public static let anonymous = UserInfo(
        name: anonymousName, groups: [allUnauthenticated], addingImplicitGroups: false)

    /// `system:serviceaccount:<namespace>:<name>`.
    public static func serviceAccountUsername(namespace: String, name: String) -> String {
        "\(serviceAccountPrefix)\(namespace):\(name)"
    }

    /// The ServiceAccount this user is, when the name has the ServiceAccount form.
    public var serviceAccount: (namespace: String, name: String)? { Self.parseServiceAccount(name) }

    /// Splits `system:serviceaccount:<ns>:<name>` as Kubernetes' `SplitUsername` does: exactly two
    /// non-empty parts after the prefix.
    static func parseServiceAccount(_ username: String) -> (namespace: String, name: String)? {
        guard username.hasPrefix(serviceAccountPrefix) else { return nil }
        let parts = username.dropFirst(serviceAccountPrefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// `alice (groups: dev, system:authenticated)`.
    public var description: String {
        groups.isEmpty ? name : "\(name) (groups: \(groups.joined(separator: ", ")))"
    }
}
