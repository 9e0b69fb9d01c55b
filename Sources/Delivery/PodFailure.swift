public import Foundation
public import KubeModel

/// A reason to stop waiting for a rollout now rather than at its deadline: a pod that cannot
/// pull its image, crash-loops, lacks a ConfigMap or Secret it refers to, or cannot be scheduled,
/// or a Job that failed.
///
/// This is what `warrant deploy --wait` reports instead of "timed out": the pod, the container,
/// the kubelet's reason and the pod's last events.
public struct PodFailure: Sendable, Hashable, CustomStringConvertible {
    /// Container waiting reasons that do not resolve by themselves (kubelet `images/types.go`,
    /// `kuberuntime` `ErrCreateContainerConfig`, CrashLoopBackOff from `pkg/kubelet/container`).
    public static let fatalWaitingReasons: Set<String> = [
        "ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName", "CrashLoopBackOff",
        "CreateContainerConfigError", "CreateContainerError",
    ]
    /// How many of the newest events a failure carries.
    public static let eventLimit = 3

    /// The pod (or, for a Job without a failed pod, the Job).
    public var pod: String
    /// The container at fault, when one is.
    public var container: String?
    /// The reason: a waiting reason above, `Unschedulable`, `JobFailed`, or a pod's failure reason.
    public var reason: String
    /// The kubelet's or scheduler's message.
    public var message: String
    /// The messages of the object's newest events, oldest first.
    public var events: [String]

    /// Creates a failure.
    public init(pod: String, container: String?, reason: String, message: String, events: [String] = []) {
        self.pod = pod
        self.container = container
        self.reason = reason
        self.message = message
        self.events = events
    }

    /// `pod/container: Reason: message`, then the events on their own lines.
    public var description: String {
        let subject = container.map { "\(pod)/\($0)" } ?? pod
        var text = "\(subject): \(reason)"
        if !message.isEmpty { text += ": \(message)" }
        for event in events { text += "\n  event: \(event)" }
        return text
    }

    /// The failures among `pods` (of a rollout) and `jobs`, in the order given.
    ///
    /// - Parameters:
    ///   - pods: the rollout's pods.
    ///   - events: events in the namespace (`v1` Events or `events.k8s.io/v1`); each failure gets
    ///     the newest ones about its pod.
    ///   - jobs: Jobs being waited for; a failed one is reported with its newest failed pod.
    ///   - now: the current time: an unschedulable pod gets ``HealthStatus/scheduleWindow`` before it counts.
    public static func detect(pods: [KubeObject], events: [KubeObject] = [], jobs: [KubeObject] = [], now: Date = Date()) -> [PodFailure] {
        var failures: [PodFailure] = []
        for pod in pods {
            let recent = messages(of: events, about: "Pod", named: pod.name)
            let waiting = waitingContainers(in: pod, reasons: fatalWaitingReasons)
            if !waiting.isEmpty {
                for entry in waiting {
                    failures.append(PodFailure(pod: pod.name, container: entry.container, reason: entry.reason, message: entry.message, events: recent))
                }
                continue
            }
            let health = HealthStatus.compute(pod, now: now)
            if health.status == .failed, health.reason == "PodUnschedulable" {
                let condition = Condition.all(in: pod).first { $0.type == "PodScheduled" }
                failures.append(
                    PodFailure(pod: pod.name, container: nil, reason: "Unschedulable", message: condition?.message ?? health.message, events: recent))
            }
        }
        for job in jobs where HealthStatus.compute(job, now: now).status == .failed {
            let condition = Condition.all(in: job).first { $0.type == "Failed" && $0.status == "True" }
            let jobPods = pods.filter {
                ($0.labels["batch.kubernetes.io/job-name"] ?? $0.labels["job-name"]) == job.name
                    && $0.content[path: ["status", "phase"]]?.stringValue == "Failed"
            }
            if let pod = jobPods.last {
                let terminated = terminatedContainer(in: pod)
                failures.append(
                    PodFailure(
                        pod: pod.name, container: terminated?.container, reason: "JobFailed",
                        message: [condition?.message, terminated?.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "; "),
                        events: messages(of: events, about: "Pod", named: pod.name)))
            } else {
                failures.append(
                    PodFailure(
                        pod: job.name, container: nil, reason: "JobFailed", message: condition?.message ?? "",
                        events: messages(of: events, about: "Job", named: job.name)))
            }
        }
        return failures
    }

    /// Containers (init containers included) waiting for one of `reasons`.
    static func waitingContainers(in pod: KubeObject, reasons: Set<String>) -> [(container: String, reason: String, message: String)] {
        var result: [(container: String, reason: String, message: String)] = []
        for key in ["initContainerStatuses", "containerStatuses"] {
            for status in pod.content[path: ["status", key]]?.arrayValue ?? [] {
                guard let name = status["name"]?.stringValue, let waiting = status[path: ["state", "waiting"]],
                    let reason = waiting["reason"]?.stringValue, reasons.contains(reason)
                else { continue }
                var message = waiting["message"]?.stringValue ?? ""
                if reason == "CrashLoopBackOff", let last = status[path: ["lastState", "terminated"]] {
                    let exit = last["exitCode"]?.integerValue.map { "exit code \($0)" }
                    let detail = [last["reason"]?.stringValue, exit].compactMap { $0 }.joined(separator: ", ")
                    if !detail.isEmpty { message = message.isEmpty ? "last run: \(detail)" : "\(message) (last run: \(detail))" }
                }
                result.append((name, reason, message))
            }
        }
        return result
    }

    private static func terminatedContainer(in pod: KubeObject) -> (container: String, message: String)? {
        for status in pod.content[path: ["status", "containerStatuses"]]?.arrayValue ?? [] {
            guard let name = status["name"]?.stringValue, let terminated = status[path: ["state", "terminated"]],
                let code = terminated["exitCode"]?.integerValue, code != 0
            else { continue }
            let reason = terminated["reason"]?.stringValue ?? "Error"
            let text = terminated["message"]?.stringValue.map { ": \($0)" } ?? ""
            return (name, "\(reason), exit code \(code)\(text)")
        }
        return nil
    }

    /// The newest event messages about an object, oldest first.
    static func messages(of events: [KubeObject], about kind: String, named name: String) -> [String] {
        let relevant = events.filter { event in
            let subject = event.content["involvedObject"] ?? event.content["regarding"]
            return subject?["kind"]?.stringValue == kind && subject?["name"]?.stringValue == name
        }
        let ordered = relevant.enumerated().sorted { lhs, rhs in
            let left = time(of: lhs.element)
            let right = time(of: rhs.element)
            return left == right ? lhs.offset < rhs.offset : left < right
        }
        return ordered.suffix(eventLimit).compactMap { entry in
            let event = entry.element
            guard let message = (event.content["message"] ?? event.content["note"])?.stringValue else { return nil }
            let reason = event.content["reason"]?.stringValue.map { "\($0): " } ?? ""
            let count = event.content["count"]?.integerValue ?? event.content[path: ["series", "count"]]?.integerValue ?? 1
            return count > 1 ? "\(reason)\(message) (×\(count))" : "\(reason)\(message)"
        }
    }

    /// The event's time as RFC 3339 text, which sorts chronologically (all UTC).
    private static func time(of event: KubeObject) -> String {
        for path in [["lastTimestamp"], ["eventTime"], ["series", "lastObservedTime"], ["metadata", "creationTimestamp"]] {
            if let text = event.content[path: path]?.stringValue, !text.isEmpty { return text }
        }
        return ""
    }
}
