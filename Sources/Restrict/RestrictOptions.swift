/// What `restrict` confines an install to.
public struct RestrictOptions: Sendable {
    /// The namespace the tool runs in.
    public var toolNamespace: String
    /// The namespaces the tool deploys to.
    public var targetNamespaces: [String]
    /// The tool, or `nil` to detect it (``ToolProfile/detect(_:)``).
    public var profile: ToolProfile?
    /// The kinds the tool may manage in the target namespaces.
    public var applicationKinds: [ApplicationKind]
    /// Resource requests given to containers that have none, by resource name.
    public var defaultRequests: [String: String]
    /// Resource limits given to containers that have none, by resource name.
    public var defaultLimits: [String: String]
    /// Flux: the ServiceAccount, in the tool namespace, that Kustomizations and HelmReleases
    /// without one are applied as (`--default-service-account`).
    public var fluxServiceAccount: String
    /// The namespace the install was written for (its objects there move to the tool
    /// namespace), or `nil` to take the one the input names most often.
    public var sourceNamespace: String?

    /// Creates options; see the properties for the defaults.
    public init(
        toolNamespace: String,
        targetNamespaces: [String],
        profile: ToolProfile? = nil,
        applicationKinds: [ApplicationKind] = ApplicationKind.defaults,
        defaultRequests: [String: String] = ["cpu": "100m", "memory": "128Mi"],
        defaultLimits: [String: String] = ["cpu": "1", "memory": "1Gi"],
        fluxServiceAccount: String = "flux-reconciler",
        sourceNamespace: String? = nil
    ) {
        self.toolNamespace = toolNamespace
        self.targetNamespaces = targetNamespaces
        self.profile = profile
        self.applicationKinds = applicationKinds
        self.defaultRequests = defaultRequests
        self.defaultLimits = defaultLimits
        self.fluxServiceAccount = fluxServiceAccount
        self.sourceNamespace = sourceNamespace
    }
}
