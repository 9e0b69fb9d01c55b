public import Testing

extension Trait where Self == ConditionTrait {
    /// Runs the test only where the real control plane in `../shared/kube` can start; elsewhere it
    /// is skipped with ``RealCluster/unavailableReason`` printed.
    public static var realCluster: Self {
        .enabled(if: RealCluster.isAvailable, Comment(rawValue: RealCluster.unavailableReason ?? "the real kube-apiserver is available"))
    }
}
