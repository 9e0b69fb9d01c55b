public import KubeModel

/// What `warrant evidence` read from the cluster, as values: the analysis runs on these without
/// touching the network (the CLI reads them; tests build them).
public struct ClusterSnapshot: Sendable {
    /// Each namespace reviewed.
    public var namespaces: [NamespaceSnapshot]
    /// ClusterRoles and ClusterRoleBindings, `nil` when the credential may not list them (then
    /// the built-in ClusterRoles stand in and cluster-wide grants cannot be checked).
    public var clusterRBAC: [KubeObject]?
    /// What could not be read, for the report.
    public var notes: [String]

    /// Creates a snapshot.
    public init(namespaces: [NamespaceSnapshot], clusterRBAC: [KubeObject]? = nil, notes: [String] = []) {
        self.namespaces = namespaces
        self.clusterRBAC = clusterRBAC
        self.notes = notes
    }
}

/// What was read from one namespace.
public struct NamespaceSnapshot: Sendable {
    /// The namespace.
    public var namespace: String
    /// The history ConfigMaps (`warrant-history` and its archives); `nil` when they could not be read.
    public var historyConfigMaps: [KubeObject]?
    /// Why the history could not be read.
    public var historyError: String?
    /// Roles and RoleBindings of the namespace; `nil` when they could not be read.
    public var rbacObjects: [KubeObject]?
    /// The ApplySet parent ConfigMaps found (`--applyset`).
    public var applySetParents: [KubeObject]
    /// The ServiceAccount token Secrets, metadata only; `nil` when they could not be listed.
    public var tokenSecrets: [TokenSecret]?

    /// Creates a namespace snapshot.
    public init(
        namespace: String, historyConfigMaps: [KubeObject]?, historyError: String? = nil, rbacObjects: [KubeObject]? = nil,
        applySetParents: [KubeObject] = [], tokenSecrets: [TokenSecret]? = nil
    ) {
        self.namespace = namespace
        self.historyConfigMaps = historyConfigMaps
        self.historyError = historyError
        self.rbacObjects = rbacObjects
        self.applySetParents = applySetParents
        self.tokenSecrets = tokenSecrets
    }
}

/// A `kubernetes.io/service-account-token` Secret, as its metadata tells (never its data).
public struct TokenSecret: Sendable, Hashable {
    /// The Secret's name.
    public var name: String
    /// The ServiceAccount it holds a token of (`kubernetes.io/service-account.name`).
    public var serviceAccount: String
    /// Its `creationTimestamp`.
    public var created: String

    /// Creates an entry.
    public init(name: String, serviceAccount: String, created: String) {
        self.name = name
        self.serviceAccount = serviceAccount
        self.created = created
    }

    /// The entry of a Secret's metadata (a `PartialObjectMetadata`), `nil` when it names no ServiceAccount.
    public init?(metadata object: KubeObject) {
        guard let account = object.annotations["kubernetes.io/service-account.name"] else { return nil }
        self.init(
            name: object.name, serviceAccount: account, created: object.content[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "")
    }
}
