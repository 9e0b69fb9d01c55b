/// The one placement step of every command that reads manifests for a namespace: namespaced
/// objects written without a namespace go into the command's namespace (`-n`), as
/// `kubectl apply -n` puts them (k8s.io/cli-runtime `pkg/resource/visitor.go`, `SetNamespace`:
/// an empty namespace counts as none). Cluster-scoped objects and objects of unknown kinds stay
/// as they are.
///
/// `deploy`, `audit`, `scope` and the RBAC commands place the loaded objects with it before
/// anything reads their namespaces; ``NamespaceCheck`` then decides whether each may be deployed.
public enum NamespacePlacement {
    /// Whether `object` is of a namespaced kind in `kinds` and names no namespace (none, or empty).
    public static func isUnplaced(_ object: KubeObject, kinds: KindTable) -> Bool {
        guard object.namespace?.isEmpty ?? true else { return false }
        return kinds.kind(object.groupKind)?.namespaced == true
    }

    /// Puts every namespaced object of `objects` written without a namespace into `namespace`,
    /// changing them in place so that a large input is never held twice.
    public static func place(_ objects: inout [KubeObject], in namespace: String, kinds: KindTable) {
        for index in objects.indices where isUnplaced(objects[index], kinds: kinds) {
            objects[index].namespace = namespace
        }
    }

    /// `object`, put into `namespace` when it is namespaced and names none.
    public static func placed(_ object: KubeObject, in namespace: String, kinds: KindTable) -> KubeObject {
        guard isUnplaced(object, kinds: kinds) else { return object }
        var placed = object
        placed.namespace = namespace
        return placed
    }
}
