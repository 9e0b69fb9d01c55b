/// Starts a ``KubeTestServer`` with `configuration`, runs `body` with it, and shuts the server
/// down when `body` returns or throws: the scoped form of ``KubeTestServer/start(_:)`` and
/// ``KubeTestServer/shutdown()``, so that no test leaves a server running or has to remember a
/// `defer` that cannot await.
public func withKubeTestServer<T>(
    _ configuration: KubeTestServer.Configuration = .init(), _ body: (KubeTestServer) async throws -> T
) async throws -> T {
    let server = try await KubeTestServer.start(configuration)
    let result: T
    do {
        result = try await body(server)
    } catch {
        try? await server.shutdown()
        throw error
    }
    try? await server.shutdown()
    return result
}
