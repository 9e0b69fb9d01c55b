public import KubeModel

/// Which tool an install manifest is, deciding the tool-specific settings `restrict` makes.
public enum ToolProfile: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Argo CD (`install.yaml`, `namespace-install.yaml`).
    case argocd
    /// Flux v2 (`gotk-components.yaml`).
    case flux
    /// Any other controller: confine what can be confined, list the rest.
    case generic

    public var description: String { rawValue }

    /// The profile of `objects`: Argo CD when its workloads or CRDs are there, Flux when its
    /// controllers or CRDs are, else generic. Works on `restrict`'s own output too, which no
    /// longer holds the CRDs.
    public static func detect(_ objects: [KubeObject]) -> ToolProfile {
        var argo = 0
        var flux = 0
        for object in objects {
            let group = object.groupKind.group
            if group == "argoproj.io" || object.labels["app.kubernetes.io/part-of"] == "argocd" { argo += 1 }
            if group.hasSuffix(".toolkit.fluxcd.io") || object.labels["app.kubernetes.io/part-of"] == "flux" { flux += 1 }
            if object.kind == "CustomResourceDefinition", let crdGroup = object.content[path: ["spec", "group"]]?.stringValue {
                if crdGroup == "argoproj.io" { argo += 1 }
                if crdGroup.hasSuffix(".toolkit.fluxcd.io") { flux += 1 }
            }
        }
        if argo == 0 && flux == 0 { return .generic }
        return argo >= flux ? .argocd : .flux
    }

    /// The tool's own custom resources as `group/plural`, known without its CRDs (so that
    /// `restrict` of its own output, where the CRDs have moved to the administrator's file, still
    /// recognises them). CRDs in the input add to these.
    var knownCustomResources: Set<String> {
        switch self {
        case .argocd:
            return ["argoproj.io/applications", "argoproj.io/applicationsets", "argoproj.io/appprojects"]
        case .flux:
            return [
                "source.toolkit.fluxcd.io/gitrepositories", "source.toolkit.fluxcd.io/helmrepositories",
                "source.toolkit.fluxcd.io/helmcharts", "source.toolkit.fluxcd.io/buckets", "source.toolkit.fluxcd.io/ocirepositories",
                "kustomize.toolkit.fluxcd.io/kustomizations", "helm.toolkit.fluxcd.io/helmreleases",
                "notification.toolkit.fluxcd.io/alerts", "notification.toolkit.fluxcd.io/providers",
                "notification.toolkit.fluxcd.io/receivers", "image.toolkit.fluxcd.io/imagepolicies",
                "image.toolkit.fluxcd.io/imagerepositories", "image.toolkit.fluxcd.io/imageupdateautomations",
            ]
        case .generic:
            return []
        }
    }

    /// The kinds of the tool's custom resources that its restricted output may hold without
    /// their CRDs (Argo CD's AppProject, say), so that `restrict` of its own output knows them.
    var knownKinds: [ResourceKind] {
        switch self {
        case .argocd:
            return [
                ResourceKind(group: "argoproj.io", versions: ["v1alpha1"], kind: "Application", resource: "applications", namespaced: true),
                ResourceKind(
                    group: "argoproj.io", versions: ["v1alpha1"], kind: "ApplicationSet", resource: "applicationsets", namespaced: true,
                    subresources: ["status"]),
                ResourceKind(group: "argoproj.io", versions: ["v1alpha1"], kind: "AppProject", resource: "appprojects", namespaced: true),
            ]
        case .flux, .generic:
            return []
        }
    }

    /// A short name for generated objects (the administrator's aggregated ClusterRole).
    var toolName: String {
        switch self {
        case .argocd: return "argocd"
        case .flux: return "flux"
        case .generic: return "tool"
        }
    }
}
