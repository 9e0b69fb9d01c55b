extension KubeObject {
    /// The path to the pod spec of a built-in workload (a Pod's `spec`, a controller's pod
    /// template, a CronJob's job template), `nil` for other kinds.
    public var podSpecPath: [String]? {
        switch (groupKind.group, kind) {
        case ("", "Pod"): ["spec"]
        case ("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("apps", "ReplicaSet"), ("batch", "Job"),
            ("", "ReplicationController"):
            ["spec", "template", "spec"]
        case ("batch", "CronJob"): ["spec", "jobTemplate", "spec", "template", "spec"]
        default: nil
        }
    }
}
