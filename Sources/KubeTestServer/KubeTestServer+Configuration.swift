extension KubeTestServer {
    /// How a test server behaves; every property has a default that suits most tests.
    public struct Configuration: Sendable {
        /// How many watch events the server keeps for watches that resume from a `resourceVersion`;
        /// a watch from an older version gets a `410 Gone` (`Expired`) ERROR event, as from an etcd
        /// compaction. Default 1000.
        public var eventHistoryLimit: Int = 1000
        /// How long the simulated token controller waits before filling a
        /// `kubernetes.io/service-account-token` Secret. With `.zero` (the default) the Secret is
        /// filled before the create request returns, as a separate write; otherwise in the background.
        public var tokenControllerDelay: Duration = .zero
        /// The interval between `BOOKMARK` events on watches that allow them. Default one minute,
        /// as kube-apiserver's watch cache sends them.
        public var bookmarkInterval: Duration = .seconds(60)
        /// The seed of the random generator that decides which requests an injected ``Fault`` hits.
        public var faultSeed: UInt64 = 0x5EED
        /// The largest request body accepted; larger bodies get `413`. Default 3 MiB, as kube-apiserver.
        public var maximumRequestBodySize: Int = 3 << 20
        /// Where the audit log goes: one `audit.k8s.io/v1` `Event` per request at level
        /// `Metadata`, JSON lines (see ``AuditLogDestination``). Default ``AuditLogDestination/memory``.
        public var auditLog: AuditLogDestination = .memory
        /// The version `/version` reports (`major`, `minor`).
        public var kubernetesVersion: (major: Int, minor: Int) = (1, 34)

        /// A configuration with every default.
        public init() {}
    }
}
