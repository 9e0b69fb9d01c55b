import Foundation
import KubeModel
import KubeTestServer
import Testing

@testable import KubeAPI

/// A request that gets no answer carries its kind of failure as a type (unreachable, TLS,
/// timeout) and the error underneath, instead of callers matching its message text.
@Suite(.timeLimit(.minutes(2))) struct TransportFailureTests {
    private func get(_ connection: ClusterConnection, retry: RetryPolicy = .none) async -> KubeAPIError? {
        await #expect(throws: KubeAPIError.self) {
            try await KubeClient.with(
                connection, credentials: CredentialSource(connection.credentials), configuration: KubeClient.Configuration(retry: retry)
            ) { client in
                try await client.send(KubeRequest(method: "GET", path: "/api/v1/namespaces/shop/configmaps"))
            }
        }
    }

    @Test("a server whose certificate the CA does not sign is a TLS failure, with the NIOSSL error kept")
    func untrustedCertificateIsTLS() async throws {
        let server = try await KubeTestServer.start()
        let other = try await KubeTestServer.start()
        defer {
            Task {
                try? await server.shutdown()
                try? await other.shutdown()
            }
        }
        let connection = ClusterConnection(
            server: server.url, certificateAuthorityPEM: Array(other.caCertificatePEM.utf8), credentials: .token(KubeTestServer.adminToken),
            origin: "test")
        let error = try #require(await get(connection))
        #expect(error.transportFailure == .tls)
        #expect(error.isTransportFailure && error.code == 0 && error.reason == "TLS")
        let underlying = try #require(error.underlying)
        #expect(HTTPClientTransport.failure(for: underlying) == .tls)
        #expect(error.description.contains("TLS verification of \(server.url) failed"))
    }

    @Test("a closed port is unreachable, with the connection error kept")
    func refusedConnectionIsUnreachable() async throws {
        // Port 1 (tcpmux) is closed on any machine that runs these tests.
        let connection = ClusterConnection(server: "https://127.0.0.1:1", credentials: .token("t0ken"), origin: "test")
        let error = try #require(await get(connection))
        #expect(error.transportFailure == .unreachable)
        #expect(error.isTransportFailure && error.reason == "Unreachable")
        #expect(error.underlying != nil)
        #expect(error.description.contains("cannot reach https://127.0.0.1:1"))
    }

    /// An error that is no TLS error but talks about certificates (a proxy's message, a file
    /// name) was once taken for one because its text said "certificate".
    struct WordyError: Error, CustomStringConvertible {
        var description: String { "proxy refused: client certificate required by policy (handshakeFailed upstream)" }
    }

    @Test("the kind of failure comes from the error's type, not its words")
    func classificationIsByType() {
        #expect(HTTPClientTransport.failure(for: WordyError()) == .unreachable)
        #expect(HTTPClientTransport.failure(for: CancellationError()) == .unreachable)
    }

    @Test("only an unreachable server is retried; TLS failures and deadlines are final")
    func retryFollowsTheType() {
        let policy = RetryPolicy(maximumAttempts: 3)
        let request = KubeRequest(method: "GET", path: "/api/v1/namespaces/shop/configmaps")
        for (failure, retried) in [(KubeAPIError.TransportFailure.unreachable, true), (.tls, false), (.timeout, false)] {
            let error = KubeAPIError.transport(failure, message: "x", request: "GET /x")
            #expect(policy.shouldRetry(error, request: request, attempt: 1) == retried, "\(failure)")
        }
        // An answer with the same words as a failure's reason is not a transport failure.
        let answered = KubeAPIError(code: 503, reason: "Unreachable", message: "x", request: "GET /x")
        #expect(!answered.isTransportFailure && answered.transportFailure == nil)
    }
}
