public import Foundation
public import KubeModel

extension HealthStatus {
    /// How long a Pod may stay unschedulable before it counts as failed (kstatus' `scheduleWindow`).
    public static let scheduleWindow: TimeInterval = 15

    /// The health of a live object, by kstatus' rules (sigs.k8s.io/cli-utils
    /// `pkg/kstatus/status/status.go` `Compute`, `generic.go` `checkGenericProperties`, `core.go`):
    ///
    /// 1. `nil` is ``notFound``; a `metadata.deletionTimestamp` is ``terminating``;
    /// 2. `status.observedGeneration` behind `metadata.generation` is ``inProgress``;
    /// 3. a `Reconciling` condition that is True is ``inProgress``, a `Stalled` one ``failed``;
    /// 4. then the kind's own rules (`core.go`): Deployment, StatefulSet, DaemonSet, ReplicaSet,
    ///    Pod, Job, PersistentVolumeClaim, Service, CustomResourceDefinition, PodDisruptionBudget;
    /// 5. any other object is ``current`` — unless it has a `Ready` condition that is not True,
    ///    which Warrant reads as ``inProgress`` (the convention of Flux, cert-manager and most
    ///    operators; kstatus itself ignores `Ready`).
    ///
    /// Warrant departs from kstatus in two places, both to fail a deploy instead of passing it: a
    /// Pod in phase `Failed` is ``failed`` (kstatus: Current, "completed, but not successfully"),
    /// and a LoadBalancer Service is ``inProgress`` until `status.loadBalancer.ingress` is set
    /// (kstatus only checks `spec.clusterIP`).
    ///
    /// - Parameters:
    ///   - object: the live object, `nil` when it does not exist.
    ///   - now: the current time, for the Pod scheduling window.
    public static func compute(_ object: KubeObject?, now: Date = Date()) -> HealthResult {
        guard let object else { return HealthResult(.notFound, reason: "NotFound", "Resource not found") }
        let content = object.content
        if let deletion = content[path: ["metadata", "deletionTimestamp"]], !deletion.isNull {
            return HealthResult(.terminating, reason: "Terminating", "Resource scheduled for deletion")
        }
        if let generation = content[path: ["metadata", "generation"]]?.integerValue,
            let observed = content[path: ["status", "observedGeneration"]]?.integerValue, observed != generation
        {
            return HealthResult(
                .inProgress, reason: "LatestGenerationNotObserved",
                "\(object.kind) generation is \(generation), but latest observed generation is \(observed)")
        }
        let conditions = Condition.all(in: object)
        if let reconciling = conditions.first(where: { $0.type == "Reconciling" && $0.status == "True" }) {
            return HealthResult(.inProgress, reason: reconciling.reason, reconciling.message)
        }
        if let stalled = conditions.first(where: { $0.type == "Stalled" && $0.status == "True" }) {
            return HealthResult(.failed, reason: stalled.reason, stalled.message)
        }
        let group = object.groupKind.group
        switch (group, object.kind) {
        case ("apps", "Deployment"), ("extensions", "Deployment"): return deployment(object, conditions)
        case ("apps", "StatefulSet"): return statefulSet(object)
        case ("apps", "DaemonSet"), ("extensions", "DaemonSet"): return daemonSet(object)
        case ("apps", "ReplicaSet"), ("extensions", "ReplicaSet"): return replicaSet(object, conditions)
        case ("", "Pod"): return pod(object, conditions, now: now)
        case ("batch", "Job"): return job(object, conditions)
        case ("", "PersistentVolumeClaim"):
            let phase = content[path: ["status", "phase"]]?.stringValue ?? "unknown"
            return phase == "Bound"
                ? HealthResult(.current, "PVC is Bound") : HealthResult(.inProgress, reason: "NotBound", "PVC is not Bound. phase: \(phase)")
        case ("", "Service"): return service(object)
        case ("apiextensions.k8s.io", "CustomResourceDefinition"): return crd(conditions)
        case ("", "Secret"), ("", "ConfigMap"), ("batch", "CronJob"):
            return HealthResult(.current, "Resource is always ready")
        case ("policy", "PodDisruptionBudget"):
            return HealthResult(.current, "AllowedDisruptions has been computed.")
        default:
            if let ready = conditions.first(where: { $0.type == "Ready" }), ready.status != "True" {
                let message = ready.message.isEmpty ? "Ready condition is \(ready.status)" : ready.message
                return HealthResult(.inProgress, reason: ready.reason.isEmpty ? "NotReady" : ready.reason, message)
            }
            return HealthResult(.current, "Resource is current")
        }
    }

    private static func int(_ object: KubeObject, _ path: [String], default value: Int64) -> Int64 {
        guard let field = object.content[path: path] else { return value }
        if let integer = field.integerValue { return integer }
        if case .double(let double) = field, double.isFinite, let integer = Int64(exactly: double.rounded()) { return integer }
        return value
    }

    private static func inProgress(_ reason: String, _ message: String) -> HealthResult {
        HealthResult(.inProgress, reason: reason, message)
    }

    /// kstatus `deploymentConditions`.
    private static func deployment(_ object: KubeObject, _ conditions: [Condition]) -> HealthResult {
        // Without progressDeadlineSeconds the controller never sets Progressing.
        var progressing = int(object, ["spec", "progressDeadlineSeconds"], default: Int64(Int32.max)) == Int64(Int32.max)
        var available = false
        for condition in conditions {
            switch condition.type {
            case "Progressing":
                if condition.reason == "ProgressDeadlineExceeded" {
                    let detail = condition.message.isEmpty ? "" : ": \(condition.message)"
                    return HealthResult(.failed, reason: "ProgressDeadlineExceeded", "Progress deadline exceeded\(detail)")
                }
                if condition.status == "True" && condition.reason == "NewReplicaSetAvailable" { progressing = true }
            case "Available":
                if condition.status == "True" { available = true }
            default: break
            }
        }
        let spec = int(object, ["spec", "replicas"], default: 1)
        let replicas = int(object, ["status", "replicas"], default: 0)
        let updated = int(object, ["status", "updatedReplicas"], default: 0)
        let ready = int(object, ["status", "readyReplicas"], default: 0)
        let availableReplicas = int(object, ["status", "availableReplicas"], default: 0)
        if spec > replicas { return inProgress("LessReplicas", "replicas: \(replicas)/\(spec)") }
        if spec > updated { return inProgress("LessUpdated", "Updated: \(updated)/\(spec)") }
        if replicas > spec { return inProgress("ExtraPods", "Pending termination: \(replicas - spec)") }
        if updated > availableReplicas { return inProgress("LessAvailable", "Available: \(availableReplicas)/\(updated)") }
        if spec > ready { return inProgress("LessReady", "Ready: \(ready)/\(spec)") }
        if !progressing { return inProgress("ReplicaSetNotAvailable", "ReplicaSet not Available") }
        if !available { return inProgress("DeploymentNotAvailable", "Deployment not Available") }
        return HealthResult(.current, "Deployment is available. Replicas: \(replicas)")
    }

    /// kstatus `stsConditions`.
    private static func statefulSet(_ object: KubeObject) -> HealthResult {
        if object.content[path: ["spec", "updateStrategy", "type"]]?.stringValue == "OnDelete" {
            return HealthResult(.current, "StatefulSet is using the ondelete update strategy")
        }
        let spec = int(object, ["spec", "replicas"], default: 1)
        let ready = int(object, ["status", "readyReplicas"], default: 0)
        let current = int(object, ["status", "currentReplicas"], default: 0)
        let updated = int(object, ["status", "updatedReplicas"], default: 0)
        let replicas = int(object, ["status", "replicas"], default: 0)
        let partition = int(object, ["spec", "updateStrategy", "rollingUpdate", "partition"], default: -1)
        if spec > replicas { return inProgress("LessReplicas", "Replicas: \(replicas)/\(spec)") }
        if spec > ready { return inProgress("LessReady", "Ready: \(ready)/\(spec)") }
        if replicas > spec { return inProgress("ExtraPods", "Pending termination: \(replicas - spec)") }
        if partition != -1 {
            if updated < spec - partition { return inProgress("PartitionRollout", "updated: \(updated)/\(spec - partition)") }
            return HealthResult(.current, "Partition rollout complete. updated: \(updated)")
        }
        if spec > current { return inProgress("LessCurrent", "current: \(current)/\(spec)") }
        let currentRevision = object.content[path: ["status", "currentRevision"]]?.stringValue ?? ""
        let updateRevision = object.content[path: ["status", "updateRevision"]]?.stringValue ?? ""
        if currentRevision != updateRevision {
            return inProgress("RevisionMismatch", "Waiting for updated revision to match current")
        }
        return HealthResult(.current, "All replicas scheduled as expected. Replicas: \(replicas)")
    }

    /// kstatus `daemonsetConditions`.
    private static func daemonSet(_ object: KubeObject) -> HealthResult {
        let desired = int(object, ["status", "desiredNumberScheduled"], default: -1)
        let current = int(object, ["status", "currentNumberScheduled"], default: 0)
        let updated = int(object, ["status", "updatedNumberScheduled"], default: 0)
        let available = int(object, ["status", "numberAvailable"], default: 0)
        let ready = int(object, ["status", "numberReady"], default: 0)
        if desired == -1 { return inProgress("NoDesiredNumber", "Missing .status.desiredNumberScheduled") }
        if desired > current { return inProgress("LessCurrent", "Current: \(current)/\(desired)") }
        if desired > updated { return inProgress("LessUpdated", "Updated: \(updated)/\(desired)") }
        if desired > available { return inProgress("LessAvailable", "Available: \(available)/\(desired)") }
        if desired > ready { return inProgress("LessReady", "Ready: \(ready)/\(desired)") }
        return HealthResult(.current, "All replicas scheduled as expected. Replicas: \(desired)")
    }

    /// kstatus `replicasetConditions`.
    private static func replicaSet(_ object: KubeObject, _ conditions: [Condition]) -> HealthResult {
        if conditions.contains(where: { $0.type == "ReplicaFailure" && $0.status == "True" }) {
            return inProgress("ReplicaFailure", "Replica Failure condition. Check Pods")
        }
        let spec = int(object, ["spec", "replicas"], default: 1)
        let replicas = int(object, ["status", "replicas"], default: 0)
        let ready = int(object, ["status", "readyReplicas"], default: 0)
        let available = int(object, ["status", "availableReplicas"], default: 0)
        let labelled = int(object, ["status", "fullyLabeledReplicas"], default: 0)
        if spec > labelled { return inProgress("LessLabelled", "Labelled: \(labelled)/\(spec)") }
        if spec > available { return inProgress("LessAvailable", "Available: \(available)/\(spec)") }
        if spec > ready { return inProgress("LessReady", "Ready: \(ready)/\(spec)") }
        if replicas > spec { return inProgress("ExtraPods", "Pending termination: \(replicas - spec)") }
        return HealthResult(.current, "ReplicaSet is available. Replicas: \(replicas)")
    }

    /// kstatus `podConditions`, except that phase Failed is ``failed``.
    private static func pod(_ object: KubeObject, _ conditions: [Condition], now: Date) -> HealthResult {
        let phase = object.content[path: ["status", "phase"]]?.stringValue ?? ""
        switch phase {
        case "Succeeded":
            return HealthResult(.current, "Pod has completed successfully")
        case "Failed":
            return HealthResult(.failed, reason: "PodFailed", "Pod has completed, but not successfully")
        case "Running":
            if conditions.contains(where: { $0.type == "Ready" && $0.status == "True" }) {
                return HealthResult(.current, "Pod is Ready")
            }
            let crashLooping = PodFailure.waitingContainers(in: object, reasons: ["CrashLoopBackOff"]).map(\.container)
            if !crashLooping.isEmpty {
                return HealthResult(
                    .failed, reason: "ContainerCrashLooping", "Containers in CrashLoop state: \(crashLooping.joined(separator: ","))")
            }
            return inProgress("PodRunningNotReady", "Pod is running but is not Ready")
        case "Pending":
            if conditions.contains(where: { $0.type == "PodScheduled" && $0.status == "False" && $0.reason == "Unschedulable" }) {
                if let created = object.content[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(parseTimestamp),
                    now.timeIntervalSince(created) < scheduleWindow
                {
                    return inProgress("PodNotScheduled", "Pod has not been scheduled")
                }
                return HealthResult(.failed, reason: "PodUnschedulable", "Pod could not be scheduled")
            }
            return inProgress("PodPending", "Pod is in the Pending phase")
        case "":
            return inProgress("PodNotObserved", "Pod phase not available")
        default:
            return HealthResult(.unknown, reason: "UnknownPhase", "unknown phase \(phase)")
        }
    }

    /// kstatus `jobConditions`: a started Job is Current while it runs.
    private static func job(_ object: KubeObject, _ conditions: [Condition]) -> HealthResult {
        let parallelism = int(object, ["spec", "parallelism"], default: 1)
        let completions = int(object, ["spec", "completions"], default: parallelism)
        let succeeded = int(object, ["status", "succeeded"], default: 0)
        let active = int(object, ["status", "active"], default: 0)
        let failed = int(object, ["status", "failed"], default: 0)
        for condition in conditions where condition.status == "True" {
            if condition.type == "Complete" {
                return HealthResult(.current, "Job Completed. succeeded: \(succeeded)/\(completions)")
            }
            if condition.type == "Failed" {
                let detail = condition.message.isEmpty ? "" : " (\(condition.message))"
                return HealthResult(.failed, reason: "JobFailed", "Job Failed. failed: \(failed)/\(completions)\(detail)")
            }
        }
        if (object.content[path: ["status", "startTime"]]?.stringValue ?? "").isEmpty {
            return inProgress("JobNotStarted", "Job not started")
        }
        return HealthResult(.current, "Job in progress. success:\(succeeded), active: \(active), failed: \(failed)")
    }

    /// kstatus `serviceConditions`, plus the load balancer's ingress.
    private static func service(_ object: KubeObject) -> HealthResult {
        guard object.content[path: ["spec", "type"]]?.stringValue == "LoadBalancer" else {
            return HealthResult(.current, "Service is ready")
        }
        if (object.content[path: ["spec", "clusterIP"]]?.stringValue ?? "").isEmpty {
            return inProgress("NoIPAssigned", "ClusterIP not set. Service type: LoadBalancer")
        }
        if (object.content[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []).isEmpty {
            return inProgress("NoIngress", "LoadBalancer has no ingress address yet")
        }
        return HealthResult(.current, "Service is ready")
    }

    /// kstatus `crdConditions`.
    private static func crd(_ conditions: [Condition]) -> HealthResult {
        for condition in conditions {
            if condition.type == "NamesAccepted" && condition.status == "False" {
                return HealthResult(.failed, reason: condition.reason, condition.message)
            }
            if condition.type == "Established" {
                if condition.status == "False" && condition.reason != "Installing" {
                    return HealthResult(.failed, reason: condition.reason, condition.message)
                }
                if condition.status == "True" { return HealthResult(.current, "CRD is established") }
            }
        }
        return inProgress("Installing", "Install in progress")
    }

    static func parseTimestamp(_ text: String) -> Date? {
        try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}

/// One entry of `status.conditions`.
struct Condition: Sendable, Hashable {
    var type: String
    var status: String
    var reason: String
    var message: String

    static func all(in object: KubeObject) -> [Condition] {
        (object.content[path: ["status", "conditions"]]?.arrayValue ?? []).compactMap { entry in
            guard let type = entry["type"]?.stringValue else { return nil }
            return Condition(
                type: type, status: entry["status"]?.stringValue ?? "Unknown", reason: entry["reason"]?.stringValue ?? "",
                message: entry["message"]?.stringValue ?? "")
        }
    }
}
