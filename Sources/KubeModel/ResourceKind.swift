/// What Warrant knows about one kind of Kubernetes object: where it is served and how the API names it.
///
/// The REST mapping of a kind (`Deployment` in `apps` is served as the resource `deployments`,
/// namespaced) is what RBAC rules, the API client and `scope` speak in. Built-in kinds come from
/// ``KindTable/builtin``; custom resources are added from CustomResourceDefinitions or a
/// resource map.
public struct ResourceKind: Sendable, Hashable {
    /// The API group, `""` for the core group.
    public var group: String
    /// The served versions, the preferred (storage) version first.
    public var versions: [String]
    /// The kind, as written in `kind:`.
    public var kind: String
    /// The resource name in URLs and RBAC rules: lower case and plural (`deployments`).
    public var resource: String
    /// Whether objects of this kind live in a namespace.
    public var namespaced: Bool
    /// Short names kubectl accepts (`deploy`), possibly empty.
    public var shortNames: [String]
    /// The subresources served below an object of this kind (`status`, `scale`, `exec`, ...).
    public var subresources: [String]

    /// Creates a description of a kind.
    public init(
        group: String,
        versions: [String],
        kind: String,
        resource: String,
        namespaced: Bool,
        shortNames: [String] = [],
        subresources: [String] = []
    ) {
        self.group = group
        self.versions = versions
        self.kind = kind
        self.resource = resource
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.subresources = subresources
    }

    /// The preferred version, the first of ``versions``.
    public var preferredVersion: String { versions.first ?? "v1" }

    /// The singular resource name kubectl accepts, the kind in lower case (`deployment`).
    public var singular: String { kind.lowercased() }

    /// `resource.group` as kubectl prints it (`deployments.apps`), or just the resource for the core group.
    public var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// An API that Kubernetes once served and has removed, with what to use instead.
public struct RemovedAPI: Sendable, Hashable {
    /// The API group, `""` for the core group.
    public var group: String
    /// The removed version.
    public var version: String
    /// The kind served there.
    public var kind: String
    /// The Kubernetes minor release that stopped serving it (`"1.22"`).
    public var removedIn: String
    /// The apiVersion to use instead (`networking.k8s.io/v1`), or `nil` when the kind is gone.
    public var replacement: String?

    /// Creates a removed-API entry.
    public init(group: String, version: String, kind: String, removedIn: String, replacement: String?) {
        self.group = group
        self.version = version
        self.kind = kind
        self.removedIn = removedIn
        self.replacement = replacement
    }
}
