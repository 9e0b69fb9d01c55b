public import KubeModel
import RBAC

extension Auditor {
    /// Whether the audit reads more of `object` than its `apiVersion`, `kind` and `metadata`:
    /// RBAC objects, and what tool detection reads (Argo CD's `argocd-cm` and `argocd-rbac-cm`,
    /// AppProjects, Flux's kustomize- and helm-controller Deployments). A command that audits a
    /// large input keeps only the identity of every other object (issue 18); a test checks that
    /// the audit of the real-world corpus is the same either way.
    public static func readsWhole(_ object: KubeObject) -> Bool {
        if RBACAPI.isRBACObject(object) { return true }
        switch (object.groupKind.group, object.kind) {
        case ("", "ConfigMap"): return object.name == "argocd-cm" || object.name == "argocd-rbac-cm"
        case ("argoproj.io", "AppProject"): return true
        case ("apps", "Deployment"): return object.name == "kustomize-controller" || object.name == "helm-controller"
        default: return false
        }
    }
}
