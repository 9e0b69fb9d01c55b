import Delivery
import KubeAPI
import KubeModel
import Logging

extension DeployEngine {
    /// The Lease that serialises the deploys of one ApplySet: named like the set's parent
    /// ConfigMap, in the namespace.
    var leaseName: String { configuration.applySetName }

    /// The deploy Lease's holder identity: the deploy's id (unique) and who deploys, escaped
    /// (`kubectl get lease` prints it as it is; it is not evidence, the record is).
    static func holderIdentity(deployID: String, identity: DeployIdentity) -> String {
        let actor = identity.ci.isActorKnown ? DisplayText.escaped(identity.ci.actor, limit: 100) : "unknown actor"
        var text = "\(deployID) \(actor)"
        if let pipeline = identity.ci.pipelineURL { text += " \(DisplayText.escaped(pipeline, limit: 120))" }
        return text.count > 256 ? String(text.prefix(256)) : text
    }

    /// Takes the ApplySet's Lease before anything changes, waiting up to
    /// ``DeployConfiguration/lockTimeout`` for another deploy of the set to finish; `nil` for a
    /// dry run, which changes nothing (its record is still appended safely).
    ///
    /// Deploys of one set are serialised so that their applies do not interleave object by
    /// object, the parent's member list is never widened or narrowed from a stale read, and the
    /// history lists the set's deploys in the order they ran.
    ///
    /// - Throws: ``DeployError`` `locked` when another deploy holds it longer, `interrupted` when
    ///   cancelled while waiting; nothing was changed in either case.
    func acquireLock(
        client: KubeClient, deployID: String, identity: DeployIdentity, reporter: DeployReporter
    ) async throws(DeployError)
        -> LeaseLock?
    {
        guard !configuration.dryRun else { return nil }
        let lock: LeaseLock
        do {
            lock = try LeaseLock(
                LeaseLock.Configuration(
                    namespace: namespace, name: leaseName, identity: Self.holderIdentity(deployID: deployID, identity: identity),
                    leaseDuration: configuration.leaseDuration, renewDeadline: configuration.leaseRenewDeadline,
                    retryPeriod: configuration.leaseRetryPeriod, acquireInterval: configuration.lockPollInterval,
                    fieldManager: configuration.fieldManager),
                client: client, logger: logger)
        } catch {
            throw DeployError(.unexpected, error.message, underlying: error)
        }
        let lease = "\(namespace)/\(leaseName)"
        do {
            try await lock.acquire(timeout: configuration.lockTimeout) { holder in
                reporter.report(.waitingForLock(lease: lease, holder: holder))
            }
            logger.debug("deploy lock taken", metadata: ["lease": "\(lease)"])
            return lock
        } catch let error as LeaseError {
            let waited = configuration.lockTimeout.map { "\($0.components.seconds) s" } ?? "ever"
            throw DeployError(
                .locked,
                "another deploy of ApplySet \(lease) is running: its Lease \(lease) is \(error.holder.map(LeaseError.describe) ?? "held"); waited \(waited); nothing was changed",
                hint:
                    "wait for that deploy, or raise --lock-timeout; a deploy that was killed loses the Lease \(configuration.leaseDuration.components.seconds) s after its last renewal",
                summary: "ApplySet \(lease) is being deployed by another run", underlying: error)
        } catch {
            if error is CancellationError || Task.isCancelled {
                throw DeployError(.interrupted, "interrupted while waiting for the deploy lock; nothing was changed", underlying: error)
            }
            throw DeployError.from(error)
        }
    }
}
