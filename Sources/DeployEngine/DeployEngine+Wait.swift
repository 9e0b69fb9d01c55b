import Delivery
import KubeAPI
import KubeModel
import RBAC
import ScopePlanning

extension DeployEngine {
    /// Waits until every object is healthy (kstatus), failing fast on broken pods. Reports each
    /// object's new state once (``DeployEvent/waiting(object:message:)``) and a status after each
    /// round of reads (``DeployEvent/waitStatus(_:)``).
    func waitForHealth(_ objects: [ObjectReference], client: KubeClient, reporter: DeployReporter) async throws {
        let started = ContinuousClock.now
        let limit = configuration.waitTimeout
        var reported: [String: String] = [:]
        // The same kinds the Role from `scope --for warrant --wait` grants pod and event reads for.
        let workloads = objects.contains { RequestPlanner.workloadKinds.contains($0.groupKind) }
        while true {
            try Task.checkCancellation()
            var pending: [String] = []
            for object in objects {
                let current = try await client.get(object.groupKind, namespace: namespace, name: object.name)
                let health = HealthStatus.compute(current)
                switch health.status {
                case .current:
                    continue
                case .failed:
                    reporter.report(.waitEnded)
                    throw DeployError(.rolloutFailed, "\(Self.displayName(object)) failed: \(health.message)")
                default:
                    pending.append("\(Self.displayName(object)): \(health.message)")
                    if reported[Self.displayName(object)] != health.message {
                        reported[Self.displayName(object)] = health.message
                        reporter.report(.waiting(object: Self.displayName(object), message: health.message))
                    }
                }
            }
            if pending.isEmpty {
                reporter.report(.waitEnded)
                reporter.report(.ready(objectCount: objects.count))
                return
            }
            let elapsed = (ContinuousClock.now - started).components.seconds
            reporter.report(.waitStatus(.init(ready: objects.count - pending.count, total: objects.count, elapsedSeconds: elapsed, pending: pending)))
            if workloads {
                let pods = try await client.list(GroupKind(group: "", kind: "Pod"), namespace: namespace).objects
                let events = try await client.list(GroupKind(group: "", kind: "Event"), namespace: namespace).objects
                if let failure = PodFailure.detect(pods: pods, events: events).first {
                    reporter.report(.waitEnded)
                    throw DeployError(.rolloutFailed, "\(failure)", underlying: nil)
                }
            }
            if ContinuousClock.now - started > limit {
                reporter.report(.waitEnded)
                throw DeployError(
                    .timedOut, "timed out after \(limit) waiting for:", details: pending,
                    summary: "timed out waiting for " + pending.joined(separator: "; "))
            }
            try await Task.sleep(for: configuration.waitInterval)
        }
    }

    /// How ``KubeModel/KubeObject/displayName`` names the object `reference` names.
    static func displayName(_ reference: ObjectReference) -> String {
        if let namespace = reference.namespace { return "\(reference.kind) \(namespace)/\(reference.name)" }
        return "\(reference.kind) \(reference.name)"
    }
}
