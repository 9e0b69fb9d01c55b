public import KubeModel

/// One change `restrict` made, or one thing it could not do, with the reason.
public struct RestrictChange: Sendable, Hashable {
    /// What kind of entry this is.
    public enum Category: String, Sendable, Hashable, CaseIterable {
        /// An object was changed in place.
        case changed
        /// An object was added.
        case added
        /// An object was replaced by namespaced ones, or removed.
        case replaced
        /// An object moved to the administrator's file.
        case needsAdministrator = "needs-administrator"
        /// A permission was cut because a namespace administrator does not hold it.
        case cut
        /// Something that cannot be confined to namespaces.
        case cannotConfine = "cannot-confine"
        /// A risk the output keeps on purpose, recorded as an audit suppression on the object.
        case acceptedRisk = "accepted-risk"
        /// Something to look at; nothing was changed.
        case warning
        /// An object in an API version Kubernetes no longer serves, left out of both files.
        case unservedAPI = "unserved-api"
    }

    /// The category.
    public var category: Category
    /// The object, as `Kind namespace/name`.
    public var object: String
    /// What happened.
    public var summary: String
    /// Why.
    public var reason: String
    /// Where the object came from, when it was in the input.
    public var source: SourceLocation?

    /// Creates an entry.
    public init(_ category: Category, object: String, _ summary: String, reason: String, source: SourceLocation? = nil) {
        self.category = category
        self.object = object
        self.summary = summary
        self.reason = reason
        self.source = source
    }
}

/// A namespace-confined install and its report.
public struct RestrictResult: Sendable {
    /// The profile used.
    public var profile: ToolProfile
    /// The options used.
    public var options: RestrictOptions
    /// The namespace the input was written for (e.g. `argocd`, `flux-system`), when it named one.
    public var installNamespace: String?
    /// Why ``installNamespace`` was taken: given with `--source-namespace`, or the namespace the
    /// input names most often (with the counts, when it names several).
    public var installNamespaceReason: String?
    /// The tool's short name, part of the names of the cluster-scoped objects `restrict` makes
    /// (`warrant-NAME-NAMESPACE-aggregate-to-admin`).
    public var toolName: String
    /// The confined install, applicable by a namespace administrator once ``administratorObjects`` are in place.
    public var objects: [KubeObject]
    /// What a cluster administrator must apply first (CRDs, the Namespaces, the aggregated
    /// ClusterRole for the tool's custom resources) or decide on.
    public var administratorObjects: [KubeObject]
    /// Every change and its reason, in input order.
    public var changes: [RestrictChange]
    /// What a cluster administrator must read before applying ``administratorObjects``: the
    /// grants of cluster-admin it is asked for first, then each admission webhook (what it
    /// intercepts, where, whether it fails closed, how it gets its CA bundle), CRDs missing from
    /// the input, and how the install's namespace was chosen when the input named several.
    public var attention: [String]
    /// The administrator's prerequisites in words.
    public var prerequisites: [String]
    /// Why the tool still needs an administrator's risk analysis, when it does (Flux).
    public var riskAnalysis: [String]
}
