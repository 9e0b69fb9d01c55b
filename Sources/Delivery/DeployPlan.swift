public import KubeModel

/// The order in which `warrant deploy` applies objects: stages applied one after another, the
/// objects of one stage concurrently.
///
/// Dependencies come first, so that a pod never starts before what it mounts, runs as or is
/// governed by: namespace policies (ResourceQuota, LimitRange, NetworkPolicy,
/// PodDisruptionBudget — Helm applies them first too, helm `pkg/release/util/kind_sorter.go`
/// `InstallOrder`, and a workload should not run a moment without its NetworkPolicy), then
/// ServiceAccounts, Secrets, ConfigMaps, Roles, RoleBindings, PersistentVolumeClaims, Services,
/// the workloads, and last everything else (Ingresses, HorizontalPodAutoscalers, custom
/// resources). Deletes (pruning) go in the reverse order. Within a stage the input order is kept.
public enum DeployPlan {
    /// The stages, in order; each lists group-kinds, empty for "everything else".
    static let order: [[GroupKind]] = [
        [
            GroupKind(group: "", kind: "ResourceQuota"), GroupKind(group: "", kind: "LimitRange"),
            GroupKind(group: "networking.k8s.io", kind: "NetworkPolicy"), GroupKind(group: "policy", kind: "PodDisruptionBudget"),
        ],
        [GroupKind(group: "", kind: "ServiceAccount")],
        [GroupKind(group: "", kind: "Secret")],
        [GroupKind(group: "", kind: "ConfigMap")],
        [GroupKind(group: "rbac.authorization.k8s.io", kind: "Role")],
        [GroupKind(group: "rbac.authorization.k8s.io", kind: "RoleBinding")],
        [GroupKind(group: "", kind: "PersistentVolumeClaim")],
        [GroupKind(group: "", kind: "Service")],
        [
            GroupKind(group: "apps", kind: "Deployment"), GroupKind(group: "apps", kind: "StatefulSet"),
            GroupKind(group: "apps", kind: "DaemonSet"), GroupKind(group: "apps", kind: "ReplicaSet"),
            GroupKind(group: "", kind: "ReplicationController"), GroupKind(group: "", kind: "Pod"),
            GroupKind(group: "batch", kind: "Job"), GroupKind(group: "batch", kind: "CronJob"),
        ],
    ]

    private static let stageOfKind: [GroupKind: Int] = {
        var result: [GroupKind: Int] = [:]
        for (stage, kinds) in order.enumerated() {
            for kind in kinds { result[kind] = stage }
        }
        return result
    }()

    /// The stage index of a group-kind (the last stage for "everything else").
    public static func stage(of groupKind: GroupKind) -> Int { stageOfKind[groupKind] ?? order.count }

    /// `objects` grouped into the stages to apply one after another; empty stages are left out.
    public static func stages(_ objects: [KubeObject]) -> [[KubeObject]] {
        var buckets = Array(repeating: [KubeObject](), count: order.count + 1)
        for object in objects { buckets[stage(of: object.groupKind)].append(object) }
        return buckets.filter { !$0.isEmpty }
    }

    /// The stages for deleting `objects` (pruning): the apply stages in reverse.
    public static func deleteStages(_ objects: [KubeObject]) -> [[KubeObject]] {
        stages(objects).reversed()
    }
}
