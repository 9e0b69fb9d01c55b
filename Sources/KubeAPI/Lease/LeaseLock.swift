import Foundation
public import KubeModel
public import Logging
import Synchronization

/// A lock held through a `coordination.k8s.io/v1` Lease, with the semantics of client-go's
/// leader election (`tools/leaderelection/leaderelection.go` over `resourcelock.LeaseLock`):
/// `warrant deploy` serialises the deploys of one ApplySet with it, and the agent elects its
/// leader with it.
///
/// - The holder writes its identity, `leaseDurationSeconds`, `acquireTime` and `renewTime` into
///   the Lease, and renews it every ``Configuration/retryPeriod``; `leaseTransitions` counts the
///   changes of holder.
/// - Others take the lease when nobody holds it (no or empty `holderIdentity`, as a release
///   leaves it) or when its record has not changed for `leaseDurationSeconds` **as measured on
///   their own clock since they first saw that record**, as client-go does: clocks of different
///   machines are never compared.
/// - Every write is a compare-and-swap: an update (`PUT`) carrying the `resourceVersion` read, so
///   two contenders can never both win; the loser gets 409 `Conflict` and reads again.
/// - A holder that cannot renew within ``Configuration/renewDeadline`` of its last successful
///   renewal (shorter than the lease duration), or that sees another holder, stops: ``holding(_:)``
///   cancels its work and throws ``LeaseError`` `lost` before the lease can expire in anyone
///   else's eyes.
///
/// Unlike client-go, a missing Lease is created with a server-side apply of its labels only (the
/// holder fields are then written by the update): a server-side apply that creates an object is
/// authorized as `create` **with the object's name**, so the lock needs `get`, `create`, `patch`
/// and `update` on this one Lease by name and nothing on other Leases (client-go's `POST` needs
/// `create` on every Lease of the namespace). The apply cannot overwrite a holder: it owns the
/// labels, never the `spec`.
///
/// ```swift
/// let lock = try LeaseLock(.init(namespace: "team", name: "warrant-applyset", identity: id), client: client)
/// try await lock.acquire(timeout: .seconds(300)) { holder in
///     print("waiting: Lease \(lock.leaseName) is \(LeaseError.describe(holder))")
/// }
/// let result: Result<Output, any Error>
/// do {
///     result = .success(try await lock.holding { try await work() })  // work is cancelled if the lease is lost
/// } catch {
///     result = .failure(error)
/// }
/// await lock.release()  // always, also after an error: the next contender need not wait
/// return try result.get()
/// ```
///
/// A leader-election loop (the agent) calls ``acquire(timeout:onWaiting:)`` with `nil` (wait as
/// long as it takes), runs its work in ``holding(_:)``, and on ``LeaseError`` `lost` releases and
/// acquires again: one ``LeaseLock`` may be taken again after it was released or lost.
public final class LeaseLock: Sendable {
    /// How the lock is held.
    public struct Configuration: Sendable, Hashable {
        /// The Lease's namespace.
        public var namespace: String
        /// The Lease's name.
        public var name: String
        /// This holder's identity, unique among contenders (client-go uses `hostname_uuid`).
        public var identity: String
        /// How long others wait after the last renewal they saw before they take the lease
        /// (client-go `LeaseDuration`); whole seconds, at least 1.
        public var leaseDuration: Duration
        /// How long the holder keeps trying to renew before it gives up (client-go `RenewDeadline`).
        public var renewDeadline: Duration
        /// How often the holder renews, and how often a renewal is retried (client-go `RetryPeriod`).
        public var retryPeriod: Duration
        /// How often a contender tries to take a held lease, plus up to 50 % random jitter.
        public var acquireInterval: Duration
        /// The field manager of the lock's writes.
        public var fieldManager: String
        /// Labels of a Lease the lock creates.
        public var labels: [String: String]

        /// Creates settings; the durations default to client-go's (15 s, 10 s, 2 s).
        public init(
            namespace: String, name: String, identity: String, leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
            retryPeriod: Duration = .seconds(2), acquireInterval: Duration = .seconds(1), fieldManager: String = "warrant",
            labels: [String: String] = ["app.kubernetes.io/managed-by": "warrant"]
        ) {
            self.namespace = namespace
            self.name = name
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
            self.acquireInterval = acquireInterval
            self.fieldManager = fieldManager
            self.labels = labels
        }

        /// Whole seconds of ``leaseDuration``.
        var leaseDurationSeconds: Int { Int(leaseDuration.components.seconds) }
    }

    /// The Lease's group-kind.
    public static let leaseKind = GroupKind(group: "coordination.k8s.io", kind: "Lease")

    /// The settings.
    public let configuration: Configuration
    private let client: KubeClient
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        /// The Lease as last read or written: its `resourceVersion` is the compare-and-swap's.
        var lease: KubeObject?
        /// The holder record last seen, and when (on this machine's clock) it was first seen.
        var observed: LeaseRecord?
        var observedAt: ContinuousClock.Instant?
        /// When the last successful renewal was sent.
        var renewedAt: ContinuousClock.Instant?
        var renewal: Task<Void, Never>?
        var lost: LeaseError?
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelledWaiters: Set<Int> = []
        var nextWaiter = 0
    }

    /// Creates a lock; nothing is read or written yet.
    ///
    /// - Throws: ``LeaseError`` `invalidConfiguration` when the settings break client-go's rules:
    ///   a lease duration of at least a second and longer than the renew deadline, a renew
    ///   deadline longer than 1.2 retry periods (client-go's `JitterFactor`), an identity.
    public init(
        _ configuration: Configuration, client: KubeClient,
        logger: Logger = Logger(label: "warrant.lease", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(LeaseError) {
        let lease = "\(configuration.namespace)/\(configuration.name)"
        func invalid(_ message: String) -> LeaseError { LeaseError(.invalidConfiguration, lease: lease, message: "Lease \(lease): \(message)") }
        guard !configuration.identity.isEmpty else { throw invalid("the holder identity is empty") }
        guard configuration.leaseDuration >= .seconds(1) else { throw invalid("the lease duration must be at least 1 s") }
        guard configuration.leaseDuration > configuration.renewDeadline else {
            throw invalid("the lease duration must be longer than the renew deadline")
        }
        guard configuration.retryPeriod > .zero, configuration.renewDeadline > configuration.retryPeriod * 1.2 else {
            throw invalid("the renew deadline must be longer than 1.2 times the retry period")
        }
        guard configuration.acquireInterval > .zero else { throw invalid("the acquire interval must be positive") }
        self.configuration = configuration
        // A request limit of its own: a renewal must not queue behind the holder's own work
        // (a deploy applying hundreds of objects through the same client).
        self.client = client.withOwnRequestLimit(2)
        self.logger = logger
    }

    /// `namespace/name`.
    public var leaseName: String { "\(configuration.namespace)/\(configuration.name)" }

    /// Whether this holder holds the lease: it took it, has not released it, and has not lost it.
    public var isHeld: Bool {
        state.withLock { $0.lost == nil && $0.observed?.holderIdentity == configuration.identity && $0.renewal != nil }
    }

    /// The holder record last seen.
    public var observedRecord: LeaseRecord? { state.withLock { $0.observed } }

    // MARK: - Acquiring

    /// Takes the lease, waiting while someone else holds it, then renews it in the background
    /// until ``release()`` (or until it is lost, see ``holding(_:)``).
    ///
    /// - Parameters:
    ///   - timeout: how long to wait for another holder; `nil` waits as long as it takes, zero
    ///     tries once.
    ///   - onWaiting: called with the other holder's record when the lock first finds the lease
    ///     held, and again whenever the holder changes.
    /// - Returns: the record written.
    /// - Throws: ``LeaseError`` `held` after `timeout`, `CancellationError` when cancelled,
    ///   ``KubeAPIError`` for errors other than a lost race (403, 422, an unreachable server).
    @discardableResult
    public func acquire(timeout: Duration?, onWaiting: @Sendable (LeaseRecord) -> Void = { _ in }) async throws -> LeaseRecord {
        let clock = ContinuousClock()
        let started = clock.now
        var reported: String?
        while true {
            try Task.checkCancellation()
            if try await tryAcquireOrRenew() {
                startRenewing()
                return observedRecord ?? LeaseRecord(lease: KubeObject(.object(JSONObject())))
            }
            let holder = observedRecord
            if let holder, holder.holderIdentity != reported {
                reported = holder.holderIdentity
                onWaiting(holder)
            }
            let waited = clock.now - started
            if let timeout, waited >= timeout {
                let description = holder.map(LeaseError.describe) ?? "held by someone else"
                throw LeaseError(
                    .held, lease: leaseName, holder: holder, message: "Lease \(leaseName) is \(description); waited \(Self.seconds(waited))")
            }
            var pause = configuration.acquireInterval * Double.random(in: 1.0...1.5)
            if let timeout { pause = min(pause, max(timeout - waited, .milliseconds(10))) }
            try await Task.sleep(for: pause)
        }
    }

    /// One attempt to take or renew the lease (client-go `tryAcquireOrRenew`): `true` when this
    /// holder holds it afterwards, `false` when someone else does or won a race.
    ///
    /// - Throws: ``KubeAPIError`` for errors other than a lost race (409).
    @discardableResult
    public func tryAcquireOrRenew() async throws -> Bool {
        let identity = configuration.identity
        let now = Date()
        let sent = ContinuousClock.now
        var desired = LeaseRecord(
            holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0)
        // 1. The holder renews on the Lease it wrote last, assuming nobody changed it.
        let (cached, observed, valid) = state.withLock { ($0.lease, $0.observed, Self.isValid($0)) }
        if let cached, let observed, observed.holderIdentity == identity, valid {
            desired.acquireTime = observed.acquireTime ?? now
            desired.leaseTransitions = observed.leaseTransitions
            do {
                try await write(desired, onto: cached, sent: sent)
                return true
            } catch {
                logger.debug("optimistic renewal failed; reading the Lease", metadata: ["lease": "\(leaseName)", "error": "\(error)"])
            }
        }
        // 2. Read the Lease, creating it (labels only) when it does not exist.
        let lease = try await readOrCreate()
        let current = LeaseRecord(lease: lease)
        let (isLeader, stillValid) = state.withLock { state in
            state.lease = lease
            if state.observed != current {
                state.observed = current
                state.observedAt = ContinuousClock.now
            }
            return (current.holderIdentity == identity, Self.isValid(state))
        }
        // 3. Someone else holds it and it has not expired in our eyes.
        if current.isHeld && !isLeader && stillValid { return false }
        // 4. Take it (or renew it, when it is still ours).
        if isLeader {
            desired.acquireTime = current.acquireTime ?? now
            desired.leaseTransitions = current.leaseTransitions
        } else {
            let everHeld = current.isHeld || current.acquireTime != nil
            desired.leaseTransitions = everHeld ? current.leaseTransitions + 1 : current.leaseTransitions
        }
        do {
            try await write(desired, onto: lease, sent: sent)
            return true
        } catch let error as KubeAPIError where error.isConflict {
            logger.debug("lost a race for the Lease", metadata: ["lease": "\(leaseName)"])
            return false
        }
    }

    private func readOrCreate() async throws -> KubeObject {
        if let lease = try await client.get(Self.leaseKind, namespace: configuration.namespace, name: configuration.name) { return lease }
        var labels = JSONObject()
        for (key, value) in configuration.labels.sorted(by: { $0.key < $1.key }) { labels[key] = .string(value) }
        let skeleton = KubeObject([
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(configuration.name), "namespace": .string(configuration.namespace), "labels": .object(labels)],
        ])
        // A server-side apply of the labels: creates the Lease (authorized as `create` with its
        // name) or, when a contender just created it, changes nothing of its holder.
        return try await client.apply(skeleton, fieldManager: configuration.fieldManager)
    }

    private func write(_ record: LeaseRecord, onto lease: KubeObject, sent: ContinuousClock.Instant) async throws {
        let written = try await client.update(record.applied(to: lease), fieldManager: configuration.fieldManager)
        state.withLock { state in
            state.lease = written
            state.observed = record
            state.observedAt = sent
            if record.holderIdentity == configuration.identity { state.renewedAt = sent }
        }
    }

    /// Whether the observed record is still valid: seen less than its lease duration ago.
    private static func isValid(_ state: State) -> Bool {
        guard let observed = state.observed, let at = state.observedAt, let seconds = observed.leaseDurationSeconds, seconds > 0 else {
            return false
        }
        return at + .seconds(seconds) > ContinuousClock.now
    }

    // MARK: - Renewing

    /// Renews in a task of its own, which runs until ``release()`` cancels it: a caller whose
    /// own task was cancelled (an interrupted deploy) still holds the lease while it finishes up
    /// (writes its record), so the renewal must not inherit that cancellation. The task runs at
    /// high priority: a renewal that waits behind the holder's own work (hundreds of objects
    /// applied concurrently) could let the lease lapse.
    private func startRenewing() {
        let task = Task(priority: .high) { [self] in await renewLoop() }
        let previous = state.withLock { state -> Task<Void, Never>? in
            let previous = state.renewal
            state.renewal = task
            state.lost = nil
            return previous
        }
        previous?.cancel()
    }

    private func renewLoop() async {
        let clock = ContinuousClock()
        while true {
            do {
                try await Task.sleep(for: configuration.retryPeriod)
            } catch {
                return
            }
            let deadline = (state.withLock { $0.renewedAt } ?? clock.now) + configuration.renewDeadline
            var renewed = false
            var lastError: (any Error)?
            while !Task.isCancelled, clock.now < deadline {
                switch await TimeLimit.run(deadline - clock.now, { try await self.tryAcquireOrRenew() }) {
                case .success(true)?:
                    renewed = true
                case .success(false)?:
                    lastError = nil
                case .failure(let error)?:
                    lastError = error
                case nil:
                    lastError = nil
                }
                if renewed || Task.isCancelled { break }
                if let observed = observedRecord, observed.isHeld, observed.holderIdentity != configuration.identity {
                    markLost(
                        LeaseError(.lost, lease: leaseName, holder: observed, message: "lost Lease \(leaseName): it is now \(LeaseError.describe(observed))"))
                    return
                }
                try? await Task.sleep(for: min(configuration.retryPeriod, max(.zero, deadline - clock.now)))
            }
            if Task.isCancelled { return }
            if !renewed {
                let reason = lastError.map { ": \($0)" } ?? ""
                markLost(
                    LeaseError(
                        .lost, lease: leaseName, holder: observedRecord,
                        message: "lost Lease \(leaseName): it could not be renewed within \(Self.seconds(configuration.renewDeadline))\(reason)",
                        underlying: lastError))
                return
            }
        }
    }

    private func markLost(_ error: LeaseError) {
        logger.debug("lease lost", metadata: ["lease": "\(leaseName)", "reason": "\(error.message)"])
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.lost = error
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: - Holding

    /// Runs `body` while the lease is held: when it is lost, `body` is cancelled and this throws
    /// ``LeaseError`` `lost` once `body` has returned. Call it after ``acquire(timeout:onWaiting:)``.
    ///
    /// - Throws: what `body` throws, or ``LeaseError`` `lost` (also when the lease was lost
    ///   before, released, or never acquired: `body` then does not run).
    public func holding<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        if let lost = state.withLock({ $0.lost }) { throw lost }
        guard isHeld else {
            throw LeaseError(
                .lost, lease: leaseName,
                message: "Lease \(leaseName) is not held by \(DisplayText.escaped(configuration.identity, limit: 120)); acquire it first")
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                if let lost = await self.waitUntilLost() { throw lost }
                return nil
            }
            while let next = try await group.next() {
                if let value = next {
                    group.cancelAll()
                    return value
                }
            }
            throw CancellationError()
        }
    }

    /// Returns the loss once the lease is lost, or `nil` when the waiting task is cancelled.
    private func waitUntilLost() async -> LeaseError? {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.lost != nil || state.cancelledWaiters.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.cancelledWaiters.insert(id)
                    return nil
                }
                return waiter
            }
            waiter?.resume()
        }
        return state.withLock { state in
            state.cancelledWaiters.remove(id)
            return state.lost
        }
    }

    // MARK: - Releasing

    /// Stops renewing and gives the lease up, so that the next contender takes it at once
    /// instead of after the lease duration (client-go `release`: an empty holder, a duration of
    /// one second). Runs to its end also when the caller is cancelled, bounded by the renew
    /// deadline.
    ///
    /// - Returns: whether the Lease now says nobody holds it (`false` when it was lost, or the
    ///   release could not be written; it then expires after the lease duration).
    @discardableResult
    public func release() async -> Bool {
        let renewal = state.withLock { state -> Task<Void, Never>? in
            let renewal = state.renewal
            state.renewal = nil
            return renewal
        }
        renewal?.cancel()
        await renewal?.value
        let limit = configuration.renewDeadline
        let result = await Task { [self] in await TimeLimit.run(limit) { try await self.writeRelease() } }.value
        switch result {
        case .success(let released)?:
            return released
        case .failure(let error)?:
            logger.debug("releasing the lease failed", metadata: ["lease": "\(leaseName)", "error": "\(error)"])
            return false
        case nil:
            return false
        }
    }

    /// Stops renewing without releasing, as a holder that is killed does: others take the
    /// lease once it expires. For tests.
    package func abandon() async {
        let renewal = state.withLock { state -> Task<Void, Never>? in
            let renewal = state.renewal
            state.renewal = nil
            return renewal
        }
        renewal?.cancel()
        await renewal?.value
    }

    private func writeRelease() async throws -> Bool {
        for _ in 0..<3 {
            let (lease, observed, lost) = state.withLock { ($0.lease, $0.observed, $0.lost) }
            guard lost == nil, let lease, let observed, observed.holderIdentity == configuration.identity else { return false }
            let now = Date()
            let released = LeaseRecord(
                holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: observed.leaseTransitions)
            do {
                try await write(released, onto: lease, sent: ContinuousClock.now)
                return true
            } catch let error as KubeAPIError where error.isConflict {
                // Written by someone else since: read it, and release only if it is still ours.
                guard let fresh = try await client.get(Self.leaseKind, namespace: configuration.namespace, name: configuration.name) else { return true }
                state.withLock { state in
                    state.lease = fresh
                    state.observed = LeaseRecord(lease: fresh)
                    state.observedAt = ContinuousClock.now
                }
            }
        }
        return false
    }

    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : String(format: "%.1f s", Double(milliseconds) / 1000)
    }
}
