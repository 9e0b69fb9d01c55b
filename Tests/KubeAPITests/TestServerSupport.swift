import AsyncHTTPClient
import Foundation
import KubeModel
import KubeTestServer
import NIOCore
import NIOHTTP1
import NIOSSL

/// An HTTPS client for the test server that trusts its CA, with a bearer token or a client certificate.
struct TestClient {
    let server: KubeTestServer
    let client: HTTPClient
    var token: String?

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue {
            (try? ManifestLoader().documents(bytes: body, file: "reply").first?.value) ?? .null
        }
    }

    static func makeClient(server: KubeTestServer, certificate: (certificatePEM: String, privateKeyPEM: String)? = nil) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(server.caCertificatePEM.utf8), format: .pem)])
        if let certificate {
            tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(certificate.certificatePEM.utf8), format: .pem))]
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func request(
        _ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String = "application/json",
        accept: String? = nil, token: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: server.url + path)
        request.method = method
        if let bearer = token ?? self.token { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
    }

    func get(_ path: String, token: String? = nil) async throws -> Reply { try await request(.GET, path, token: token) }

    func post(_ path: String, _ body: String, token: String? = nil) async throws -> Reply {
        try await request(.POST, path, body: body, token: token)
    }

    func apply(
        _ path: String, _ body: String, manager: String = "warrant", force: Bool = false, dryRun: Bool = false, token: String? = nil
    ) async throws -> Reply {
        var query = "?fieldManager=\(manager)"
        if force { query += "&force=true" }
        if dryRun { query += "&dryRun=All" }
        return try await request(.PATCH, path + query, body: body, contentType: "application/apply-patch+yaml", token: token)
    }
}

/// Runs `body` with a fresh server and an admin client, then shuts both down.
func withTestServer(
    _ configuration: KubeTestServer.Configuration = .init(),
    _ body: (KubeTestServer, TestClient) async throws -> Void
) async throws {
    let server = try await KubeTestServer.start(configuration)
    let client = try TestClient.makeClient(server: server)
    do {
        try await body(server, TestClient(server: server, client: client, token: KubeTestServer.adminToken))
    } catch {
        try? await client.shutdown()
        try? await server.shutdown()
        throw error
    }
    try await client.shutdown()
    try await server.shutdown()
}

func object(_ yaml: String) throws -> KubeObject {
    try ManifestLoader().load(bytes: Array(yaml.utf8), file: "test.yaml")[0]
}

let deploymentYAML = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
      labels: {app: web}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: nginx:1.27
    """

let shopNamespace = #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}"#
