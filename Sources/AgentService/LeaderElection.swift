import Agent
import Foundation
public import KubeAPI
import Logging

/// Leader election among the agent's replicas over a `coordination.k8s.io/v1` Lease (KubeAPI's
/// ``LeaseLock``, client-go's leaderelection semantics: lease duration, renew deadline, retry
/// period), so that replicas > 1 never apply concurrently.
///
/// ``ReconcileService`` with an election runs its passes only inside ``LeaseLock/holding(_:)``:
/// a leader that cannot renew within the renew deadline has its pass cancelled (recorded as
/// interrupted) before its lease can expire in the others' eyes; then it waits to lead again.
/// A graceful shutdown releases the Lease, so that another replica takes over at once.
public struct LeaderElection: Sendable {
    /// The lock.
    public let lock: LeaseLock

    /// Creates an election over `lock`.
    public init(lock: LeaseLock) {
        self.lock = lock
    }

    /// The settings for the agent's Lease: ``AgentLease``'s name, this replica's identity
    /// (client-go uses `hostname_uuid`), client-go's default durations (15 s, 10 s, 2 s) unless given.
    public static func configuration(
        namespace: String, identity: String, leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2)
    ) -> LeaseLock.Configuration {
        LeaseLock.Configuration(
            namespace: namespace, name: AgentLease.defaultName, identity: identity, leaseDuration: leaseDuration, renewDeadline: renewDeadline,
            retryPeriod: retryPeriod, acquireInterval: retryPeriod, fieldManager: Reconciler.fieldManager,
            labels: ["app.kubernetes.io/managed-by": "warrant", "app.kubernetes.io/component": "agent-leader"])
    }

    /// `HOSTNAME_UUID`: the pod's name and a random part (two processes in one pod stay apart).
    public static func defaultIdentity() -> String {
        let host = ProcessInfo.processInfo.hostName
        return "\(host.isEmpty ? "warrant-agent" : host)_\(UUID().uuidString.lowercased())"
    }
}
