public import Delivery
public import RBAC
public import ScopePlanning

/// How one deploy runs: where to, what it may delete, whether it waits, how it writes.
///
/// The same settings serve `warrant deploy` (field manager `warrant`) and a long-running caller
/// such as a pull-style agent (its own field manager). Every property has the default of the
/// command line's flag.
public struct DeployConfiguration: Sendable, Hashable {
    /// The namespace deployed to; every object lands here.
    public var namespace: String
    /// The Warrant version, written into the ApplySet parent's tooling annotation (`warrant/VERSION`).
    public var toolVersion: String
    /// The server-side apply field manager for the objects, the ApplySet parent and the history.
    public var fieldManager: String
    /// Delete members of the ApplySet that left the manifests.
    public var prune: Bool
    /// With ``prune``: the most objects (or the share of the set) one prune may delete.
    public var maxPrune: MaxPrune
    /// With ``prune``: also delete PersistentVolumeClaims.
    public var prunePVCs: Bool
    /// The ApplySet parent ConfigMap; also the name of the Lease that serialises the set's deploys.
    public var applySetName: String
    /// The ConfigMap that keeps the records.
    public var historyName: String
    /// Wait until every object is healthy (kstatus rules), failing fast on broken pods.
    public var wait: Bool
    /// With ``wait``: how long to wait.
    public var waitTimeout: Duration
    /// How often ``wait`` reads the objects again.
    public var waitInterval: Duration
    /// Send every write with `dryRun=All`: validated and authorized, nothing stored.
    public var dryRun: Bool
    /// Compute the unified diff of live and desired objects (``DeployEvent/diff(_:)``).
    public var diff: Bool
    /// Take over fields another field manager owns instead of failing on the conflict.
    public var forceConflicts: Bool
    /// Deploy even with a credential that holds more than the deploy needs.
    public var allowBroadCredential: Bool
    /// Also append the record to this JSON-lines file (a CI artifact); `nil` for none.
    public var recordFile: String?
    /// How long to wait for another deploy of the same ApplySet to finish (its Lease, see
    /// ``DeployEngine``); zero fails at once when the set is being deployed, `nil` waits as
    /// long as it takes.
    public var lockTimeout: Duration?
    /// The deploy Lease's duration: a deploy that stops renewing (killed) is taken over this long
    /// after its last renewal (`LeaseLock.Configuration`, client-go's `LeaseDuration`).
    ///
    /// Longer than client-go's 15 s for controllers: a deploy runs on a CI runner that may be
    /// overloaded or cut off from the API server for a while, and a deploy stopped because it
    /// could not renew in time costs more than the next deploy waiting a minute after a
    /// runner was killed.
    public var leaseDuration: Duration = .seconds(60)
    /// How long a deploy tries to renew its Lease before it stops, shorter than ``leaseDuration``.
    public var leaseRenewDeadline: Duration = .seconds(40)
    /// How often a deploy renews its Lease.
    public var leaseRetryPeriod: Duration = .seconds(5)
    /// How often a deploy waiting for the Lease looks again (plus up to 50 % jitter).
    public var lockPollInterval: Duration = .seconds(1)
    /// How often the record is appended again when the history changed between reading and
    /// writing it (each try re-reads the chain); the deploy's record problems say when all failed.
    /// Every conflict means another deploy's record landed, so with N deploys writing at once
    /// the last needs N tries; ``recordTimeout`` bounds the whole.
    public var recordAttempts: Int = 60
    /// How long writing the record may take in all (history, record file, Event), also after an
    /// interruption; what is not written by then is reported as a record problem.
    public var recordTimeout: Duration = .seconds(30)
    /// Rules the caller's credential holds for the caller's own work (an agent's status
    /// ConfigMap): the pre-flight does not count them as more than the deploy needs.
    public var ownRules: [PolicyRule]
    /// Write a record when the deploy succeeded and neither applied nor pruned anything. An agent
    /// that re-applies every few minutes to correct drift turns this off: only corrections are
    /// recorded.
    public var recordUnchanged: Bool

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - namespace: the namespace deployed to.
    ///   - toolVersion: the Warrant version, for the ApplySet's tooling annotation.
    public init(
        namespace: String, toolVersion: String, fieldManager: String = "warrant", prune: Bool = false, maxPrune: MaxPrune = .default,
        prunePVCs: Bool = false, applySetName: String = DeployOptions().applySetName, historyName: String = DeployOptions().historyName,
        wait: Bool = false, waitTimeout: Duration = .seconds(300), waitInterval: Duration = .milliseconds(500), dryRun: Bool = false,
        diff: Bool = false, forceConflicts: Bool = false, allowBroadCredential: Bool = false, recordFile: String? = nil,
        lockTimeout: Duration? = .seconds(300), ownRules: [PolicyRule] = [], recordUnchanged: Bool = true
    ) {
        self.namespace = namespace
        self.toolVersion = toolVersion
        self.fieldManager = fieldManager
        self.prune = prune
        self.maxPrune = maxPrune
        self.prunePVCs = prunePVCs
        self.applySetName = applySetName
        self.historyName = historyName
        self.wait = wait
        self.waitTimeout = waitTimeout
        self.waitInterval = waitInterval
        self.dryRun = dryRun
        self.diff = diff
        self.forceConflicts = forceConflicts
        self.allowBroadCredential = allowBroadCredential
        self.recordFile = recordFile
        self.lockTimeout = lockTimeout
        self.ownRules = ownRules
        self.recordUnchanged = recordUnchanged
    }

    /// The options `warrant scope --for warrant` derives the deploy's Role with.
    public var scopeOptions: DeployOptions {
        DeployOptions(prune: prune, wait: wait, applySetName: applySetName, historyName: historyName)
    }
}
