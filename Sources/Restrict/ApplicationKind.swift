public import KubeModel

/// A kind the applications in the target namespaces are made of, and the verbs the tool gets on it there.
public struct ApplicationKind: Sendable, Hashable {
    /// The API group, `""` for core.
    public var group: String
    /// The kind, e.g. `Deployment`; empty for a subresource such as `pods/log`.
    public var kind: String
    /// The resource, e.g. `deployments` or `pods/log`.
    public var resource: String
    /// The most the tool may do with it in a target namespace.
    public var verbs: [String]

    /// Creates an application kind.
    public init(group: String, kind: String, resource: String, verbs: [String]) {
        self.group = group
        self.kind = kind
        self.resource = resource
        self.verbs = verbs
    }

    /// What a deploying tool does with a kind it manages: read it, watch it, change it, delete it.
    public static let manageVerbs = ["get", "list", "watch", "create", "update", "patch", "delete"]
    /// What a tool does with a kind it only observes.
    public static let observeVerbs = ["get", "list", "watch"]

    /// The kinds a tool only observes in target namespaces to judge health (a Deployment's
    /// ReplicaSets and Pods, Events, Endpoints) and the Pods it may restart. Always added.
    public static let observed: [ApplicationKind] = [
        ApplicationKind(group: "", kind: "Pod", resource: "pods", verbs: ["get", "list", "watch", "delete"]),
        ApplicationKind(group: "", kind: "", resource: "pods/log", verbs: ["get"]),
        ApplicationKind(group: "", kind: "Event", resource: "events", verbs: observeVerbs),
        ApplicationKind(group: "", kind: "Endpoints", resource: "endpoints", verbs: observeVerbs),
        ApplicationKind(group: "apps", kind: "ReplicaSet", resource: "replicasets", verbs: observeVerbs),
        ApplicationKind(group: "discovery.k8s.io", kind: "EndpointSlice", resource: "endpointslices", verbs: observeVerbs),
    ]

    /// The default set when no application manifests are given (`--allow-from`): the common
    /// namespaced workload kinds. Never Secrets (give manifests holding Secrets to grant them),
    /// never RBAC, never DaemonSets (node-wide by nature).
    public static let defaults: [ApplicationKind] =
        [
            ApplicationKind(group: "", kind: "ConfigMap", resource: "configmaps", verbs: manageVerbs),
            ApplicationKind(group: "", kind: "Service", resource: "services", verbs: manageVerbs),
            ApplicationKind(group: "", kind: "ServiceAccount", resource: "serviceaccounts", verbs: manageVerbs),
            ApplicationKind(group: "", kind: "PersistentVolumeClaim", resource: "persistentvolumeclaims", verbs: manageVerbs),
            ApplicationKind(group: "apps", kind: "Deployment", resource: "deployments", verbs: manageVerbs),
            ApplicationKind(group: "apps", kind: "StatefulSet", resource: "statefulsets", verbs: manageVerbs),
            ApplicationKind(group: "batch", kind: "Job", resource: "jobs", verbs: manageVerbs),
            ApplicationKind(group: "batch", kind: "CronJob", resource: "cronjobs", verbs: manageVerbs),
            ApplicationKind(group: "autoscaling", kind: "HorizontalPodAutoscaler", resource: "horizontalpodautoscalers", verbs: manageVerbs),
            ApplicationKind(group: "networking.k8s.io", kind: "Ingress", resource: "ingresses", verbs: manageVerbs),
            ApplicationKind(group: "networking.k8s.io", kind: "NetworkPolicy", resource: "networkpolicies", verbs: manageVerbs),
            ApplicationKind(group: "policy", kind: "PodDisruptionBudget", resource: "poddisruptionbudgets", verbs: manageVerbs),
        ] + observed

    /// The kinds of the namespaced objects in `objects` (an application's manifests), each with
    /// ``manageVerbs``, plus ``observed``. RBAC objects are left out (granting them would let the
    /// tool hand out permissions): they are returned in `skipped`, with cluster-scoped and unknown kinds.
    public static func from(objects: [KubeObject], kinds: KindTable) -> (kinds: [ApplicationKind], skipped: [KubeObject]) {
        var result: [ApplicationKind] = []
        var seen: Set<String> = []
        var skipped: [KubeObject] = []
        for object in objects {
            guard let kind = kinds.kind(object.groupKind), kind.namespaced, kind.group != "rbac.authorization.k8s.io" else {
                skipped.append(object)
                continue
            }
            if seen.insert("\(kind.group)/\(kind.resource)").inserted {
                result.append(ApplicationKind(group: kind.group, kind: kind.kind, resource: kind.resource, verbs: manageVerbs))
            }
        }
        for extra in observed where seen.insert("\(extra.group)/\(extra.resource)").inserted {
            result.append(extra)
        }
        return (result, skipped)
    }
}
