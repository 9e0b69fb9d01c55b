/// The check `warrant deploy` and `warrant scope` make of every object before deploying into one
/// namespace (or deriving the Role for it): its kind must be known (the Role names its resource,
/// the deploy its URL) and, when namespaced, it must be in that namespace (a namespace's
/// credential reaches no other). Cluster-scoped objects pass with their kind: `scope` lists them
/// for a cluster administrator, `deploy` refuses them with ``clusterScoped(_:)``.
///
/// Objects without a namespace count as in the namespace: place them first
/// (``NamespacePlacement``) so that what is checked is what is sent.
public enum NamespaceCheck {
    /// The kind of `object`, when it may go into `namespace`.
    ///
    /// - Parameters:
    ///   - object: the object, as loaded and placed.
    ///   - namespace: the namespace deployed to (`-n`).
    ///   - kinds: the kinds known (built-in kinds, the input's CRDs, resource maps).
    ///   - command: the command that deploys a namespace, named in the hint (`scope`, `deploy`).
    /// - Throws: ``ManifestError`` `unknownKind`, or `namespaceMismatch` for a namespaced object in another namespace.
    public static func kind(of object: KubeObject, in namespace: String, kinds: KindTable, command: String) throws(ManifestError) -> ResourceKind {
        let location = object.source ?? SourceLocation(file: "<input>", line: 0)
        guard let kind = kinds.kind(object.groupKind) else {
            let removed = kinds.removedAPI(object.groupVersionKind)
            throw ManifestError(
                .unknownKind, at: location, "unknown kind \(object.groupKind) (\(object.displayName))",
                hint: removed.map { "\(object.apiVersion) was removed in Kubernetes \($0.removedIn); use \($0.replacement ?? "a current API")" }
                    ?? "check apiVersion and kind, or include its CustomResourceDefinition with -f, or declare it with --resource-map")
        }
        if kind.namespaced, let own = object.namespace, !own.isEmpty, own != namespace {
            throw ManifestError(
                .namespaceMismatch, at: location, "\(object.displayName) is in namespace \(own), not \(namespace)",
                hint: "deploy each namespace with its own credential: \(command) it with -n \(own), or remove metadata.namespace")
        }
        return kind
    }

    /// The error for a cluster-scoped `object` in a namespace's deploy.
    public static func clusterScoped(_ object: KubeObject) -> ManifestError {
        ManifestError(
            .clusterScoped, at: object.source ?? SourceLocation(file: "<input>", line: 0),
            "\(object.displayName) is cluster-scoped: a namespace's deploy cannot create it",
            hint: "ask a cluster administrator to apply it, and remove it from the deploy")
    }
}
