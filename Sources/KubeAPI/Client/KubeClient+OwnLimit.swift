import Synchronization

extension KubeClient {
    /// A client over the same connection, credentials, settings and discovery, with a limit of
    /// requests in flight of its own: for requests that must not wait behind a busy caller's
    /// (the renewal of a Lease held during a large deploy).
    package func withOwnRequestLimit(_ limit: Int) -> KubeClient {
        var configuration = self.configuration
        configuration.maximumConcurrentRequests = limit
        let client = KubeClient(connection: connection, transport: transport, credentials: credentials, configuration: configuration, sleep: sleeper)
        let mapper = mapperCache.withLock { $0 }
        client.mapperCache.withLock { $0 = mapper }
        return client
    }
}
