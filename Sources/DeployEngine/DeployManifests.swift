public import Delivery
public import KubeModel

/// The objects of one deploy, placed into its namespace and validated, before anything is sent.
///
/// Namespaced objects written without a namespace are put into the deploy's namespace
/// (``NamespacePlacement``, the step every command takes); then ``DeployValidation`` runs. Its
/// errors (another namespace, cluster-scoped objects, duplicates, unknown kinds, and with `strict` the platform safeguards) stop the deploy; its warnings are
/// kept in ``warnings`` for the caller to show.
public struct DeployManifests: Sendable {
    /// The objects, every namespaced one in ``namespace``.
    public var objects: [KubeObject]
    /// The kinds the objects are read with (built-in kinds, the input's CRDs, a resource map).
    public var kinds: KindTable
    /// The namespace they were placed into and validated for.
    public var namespace: String
    /// Platform-safeguard warnings (empty with `strict`, where they are errors).
    public var warnings: [DeployIssue]

    /// Places and validates `objects` for a deploy into `namespace`.
    ///
    /// No objects at all is an error unless `allowingEmpty`: an empty folder or a failed rendering
    /// must not look like a successful deploy, nor prune the whole set (kubectl apply refuses it
    /// too: "no objects passed to apply", k8s.io/kubectl `pkg/cmd/apply/apply.go`).
    ///
    /// - Throws: ``DeployError/Code/invalidManifests`` with one detail per problem.
    public init(
        objects: consuming [KubeObject], kinds: KindTable, namespace: String, strict: Bool = false, allowingEmpty: Bool = false
    ) throws(DeployError) {
        if objects.isEmpty && !allowingEmpty {
            throw DeployError(
                .invalidManifests, "the input holds no objects; nothing was deployed",
                hint: "hint: to prune every member of the ApplySet, give --prune --allow-empty", summary: "no objects")
        }
        // Placed in place: the caller hands the objects over, so a large input is not held twice.
        var placed = consume objects
        NamespacePlacement.place(&placed, in: namespace, kinds: kinds)
        let validation = DeployValidation.validate(placed, namespace: namespace, kinds: kinds, strict: strict)
        guard validation.errors.isEmpty else {
            throw DeployError(
                .invalidManifests, "the manifests cannot be deployed into \(namespace):", details: validation.errors.map(\.description),
                summary: "\(validation.errors.count) invalid object(s)")
        }
        self.objects = placed
        self.kinds = kinds
        self.namespace = namespace
        self.warnings = validation.warnings
    }
}
