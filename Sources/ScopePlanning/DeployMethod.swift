/// How manifests get into the cluster, which decides the API requests a deployer makes and so
/// the least-privilege Role `warrant scope` derives. ``RequestPlanner`` holds the requests of each.
public enum DeployMethod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `warrant deploy`: server-side apply with a `get` first to skip unchanged objects, an
    /// ApplySet ConfigMap for pruning and a history ConfigMap plus an Event for the record.
    case warrant
    /// `kubectl apply` (client-side): get, then create or a strategic-merge patch.
    case kubectl
    /// `kubectl apply --server-side`: an apply patch, which creates missing objects.
    case kubectlSSA = "kubectl-ssa"
    /// `helm upgrade --install` with the default Secret storage driver.
    case helm

    /// The name used on the command line.
    public var description: String { rawValue }
}

/// Options of a deploy that change the requests it makes.
public struct DeployOptions: Sendable, Hashable {
    /// Delete objects that left the manifests (ApplySet pruning; Helm always does it).
    public var prune: Bool
    /// Wait for workloads to become ready.
    public var wait: Bool
    /// The ApplySet parent ConfigMap (warrant, kubectl with `--applyset=configmaps/NAME`).
    public var applySetName: String
    /// The ConfigMap holding `warrant deploy`'s records.
    public var historyName: String
    /// Where Helm keeps release revisions (its `HELM_DRIVER`).
    public var helmStorage: HelmStorage

    /// Helm's release storage drivers.
    public enum HelmStorage: String, Sendable, Hashable, CaseIterable {
        /// Secrets, Helm's default: the deployer must list Secrets, which the audit reports as high.
        case secret
        /// ConfigMaps (`HELM_DRIVER=configmap`): no Secret reads beyond the chart's own objects.
        case configMap = "configmap"
    }

    /// Creates options.
    public init(
        prune: Bool = false, wait: Bool = false, applySetName: String = "warrant-applyset", historyName: String = "warrant-history",
        helmStorage: HelmStorage = .secret
    ) {
        self.prune = prune
        self.wait = wait
        self.applySetName = applySetName
        self.historyName = historyName
        self.helmStorage = helmStorage
    }
}
