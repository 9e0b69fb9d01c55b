import HTTPTypes
public import Hummingbird
public import KubeAPI
import KubeModel
public import Logging
import NIOCore

/// The agent's HTTP endpoints on one port (Hummingbird):
///
/// - `GET /healthz`: 200 while the loop shows life (``AgentHealth/liveness``), else 503;
/// - `GET /readyz`: 200 once the first poll and verification completed and while the API server
///   answers, else 503 (``AgentHealth/readiness(cacheFor:check:)``);
/// - `GET /metrics`: the Prometheus text format (``AgentMetrics``);
/// - `POST /hooks/github` and `POST /hooks/gitlab` when a ``WebhookReceiver`` is given (with
///   `--webhook-secret-file`); without one these paths are not registered and answer 404.
///
/// Each answer is one line of plain text saying why; nothing secret is in it.
public enum AgentHTTPServer {
    /// The Prometheus text exposition format's content type.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The server as a service for the agent's service group.
    ///
    /// - Parameters:
    ///   - apiCheck: asks the API server whether it answers; a problem description, or `nil`.
    ///   - webhooks: the webhook receiver, if the agent has a webhook secret.
    ///   - onRunning: called with the bound port once the server listens (port 0 picks one).
    public static func application(
        host: String, port: Int, health: AgentHealth, metrics: AgentMetrics, readinessCache: Double = 5,
        apiCheck: @escaping @Sendable () async -> String?, webhooks: WebhookReceiver? = nil, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ -> Response in
            let (alive, detail) = health.liveness
            return text(alive ? .ok : .serviceUnavailable, detail)
        }
        router.get("/readyz") { _, _ -> Response in
            let (ready, detail) = await health.readiness(cacheFor: readinessCache, check: apiCheck)
            return text(ready ? .ok : .serviceUnavailable, detail)
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: metricsContentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        webhooks?.register(on: router)
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    private static func text(_ status: HTTPResponse.Status, _ line: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: line + "\n")))
    }

    /// The API check for `/readyz`: a read of the agent's status ConfigMap (which its Role
    /// allows); any answer, found or not, means the API server is reachable.
    public static func statusCheck(client: KubeClient, namespace: String, name: String) -> @Sendable () async -> String? {
        {
            do {
                _ = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: name)
                return nil
            } catch {
                return "\(error)"
            }
        }
    }
}
