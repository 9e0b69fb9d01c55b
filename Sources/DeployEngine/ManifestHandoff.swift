import Synchronization

/// Manifests handed over to a ``DeployEngine``,
/// so that the deploy holds the only reference to their objects and can let each go once it is
/// sent: a large input is not kept whole until the record is written.
///
/// The caller gives up its copy (`ManifestHandoff(consume manifests)`); the deploy takes the
/// manifests out once.
public final class ManifestHandoff: Sendable {
    private let manifests: Mutex<DeployManifests?>

    /// Holds `manifests` until a deploy takes them.
    public init(_ manifests: consuming DeployManifests) {
        self.manifests = Mutex(manifests)
    }

    /// The manifests, once; `nil` after they were taken.
    func take() -> DeployManifests? {
        manifests.withLock { $0.take() }
    }
}
