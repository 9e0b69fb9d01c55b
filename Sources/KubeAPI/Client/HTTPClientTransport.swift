import AsyncHTTPClient
import KubeModel
import NIOCore
import NIOHTTP1
import NIOSSL

/// The ``KubeTransport`` over async-http-client, with TLS from the cluster's configuration: the
/// cluster's CA as the only trust root, client certificates, and verification always on unless
/// the kubeconfig sets `insecure-skip-tls-verify`.
public final class HTTPClientTransport: KubeTransport {
    private let client: HTTPClient
    private let server: String
    private let caOrigin: String
    private let userAgent: String
    private let timeout: TimeAmount

    /// Creates the transport; call ``shutdown()`` when done.
    ///
    /// - Throws: ``KubeAPIError`` (reason `TLS`) when the CA or the client certificate cannot be read.
    public init(connection: ClusterConnection, authentication: AuthMaterial, userAgent: String, timeout: Duration = .seconds(60)) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        // Closing a connection (an abandoned watch, shutdown) waits this long for the server's
        // close_notify; NIOSSL's 5 s default would hold every command that ends during a watch.
        tls.shutdownTimeout = .milliseconds(500)
        let label = "TLS \(URLUserInfo.stripped(connection.server))"
        do {
            if connection.insecureSkipTLSVerify {
                tls.certificateVerification = .none
            } else if let ca = connection.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if case .clientCertificate(let certificate, let key) = authentication {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw KubeAPIError.transport(
                .tls, message: "the certificate authority or client certificate from \(connection.origin) is not valid PEM", request: label,
                underlying: error)
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10), read: .seconds(Int64(timeout.components.seconds)))
        configuration.httpVersion = .http1Only
        // The client's own RetryPolicy decides about repeating; a TLS failure fails at once.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.server = connection.server
        self.caOrigin =
            connection.certificateAuthorityPEM != nil ? "the certificate authority from \(connection.origin)" : "the system's trusted certificates"
        self.userAgent = userAgent
        self.timeout = .seconds(timeout.components.seconds)
    }

    /// Closes the connections.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    private func makeRequest(_ request: KubeRequest, authorization: String?) -> HTTPClientRequest {
        var http = HTTPClientRequest(url: server + request.target)
        http.method = HTTPMethod(rawValue: request.method)
        http.headers.add(name: "User-Agent", value: userAgent)
        if let authorization { http.headers.add(name: "Authorization", value: authorization) }
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if let body = request.body {
            http.body = .bytes(ByteBuffer(bytes: body))
        }
        return http
    }

    public func send(_ request: KubeRequest, authorization: String?) async throws -> KubeResponse {
        do {
            let response = try await client.execute(makeRequest(request, authorization: authorization), timeout: timeout)
            var body = try await response.body.collect(upTo: 256 * 1024 * 1024)
            let bytes = body.readBytes(length: body.readableBytes) ?? []
            return KubeResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name.lowercased(), $0.value) }, body: bytes)
        } catch let error as KubeAPIError {
            throw error
        } catch {
            throw transportError(error, request: request)
        }
    }

    public func stream(_ request: KubeRequest, authorization: String?) async throws -> (status: Int, lines: AsyncThrowingStream<[UInt8], any Error>) {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(makeRequest(request, authorization: authorization), timeout: .hours(24))
        } catch {
            throw transportError(error, request: request)
        }
        let body = response.body
        let lines = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task {
                var pending: [UInt8] = []
                do {
                    for try await buffer in body {
                        pending.append(contentsOf: buffer.readableBytesView)
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = Array(pending[..<newline])
                            pending.removeSubrange(...newline)
                            if !line.isEmpty { continuation.yield(line) }
                        }
                    }
                    if !pending.isEmpty { continuation.yield(pending) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return (Int(response.status.code), lines)
    }

    /// A transport failure in words that name the server (without user information), and for
    /// TLS the CA that was used; the error underneath is kept.
    private func transportError(_ error: any Error, request: KubeRequest) -> KubeAPIError {
        let text = URLUserInfo.redacted(in: String(describing: error))
        let server = URLUserInfo.stripped(self.server)
        let label = "\(request.method) \(request.path)"
        switch Self.failure(for: error) {
        case .tls:
            return .transport(
                .tls, message: "TLS verification of \(server) failed: its certificate is not trusted by \(caOrigin) (\(Self.short(text)))",
                request: label, underlying: error)
        case .unreachable, .timeout:
            return .transport(.unreachable, message: "cannot reach \(server): \(Self.short(text))", request: label, underlying: error)
        }
    }

    /// What kind of transport failure `error` is, by its type: NIOSSL's handshake, certificate
    /// and hostname errors are TLS; a TLS connection that closed or broke (an unclean shutdown, a
    /// failed close) and every other error is the server being unreachable.
    static func failure(for error: any Error) -> KubeAPIError.TransportFailure {
        switch error {
        case let error as NIOSSLError:
            switch error {
            case .uncleanShutdown, .writeDuringTLSShutdown, .readInInvalidTLSState, .shutdownFailed: return .unreachable
            default: return .tls
            }
        case is NIOSSLExtraError, is BoringSSLError:
            return .tls
        default:
            return .unreachable
        }
    }

    private static func short(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
