import Agent
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// A Git HTTPS server on loopback: TLS with a test certificate authority, HTTP basic
/// authentication, and the real `git http-backend` (CGI) serving the repositories under a folder.
final class GitHTTPServer: Sendable {
    /// `git http-backend`, where Debian and most Linux distributions put it (`git --exec-path`).
    static let backendProgram = ["/usr/lib/git-core/git-http-backend", "/usr/libexec/git-core/git-http-backend"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `https://127.0.0.1:PORT`.
    let url: String
    /// A PEM file with the certificate authority that signed the server's certificate.
    let certificateAuthorityFile: String
    /// Every request: method, path, and whether it carried the right credentials.
    let requests = Mutex<[String]>([])
    private let channel: any Channel
    private let loop = Mutex<Task<Void, Never>?>(nil)

    private init(url: String, certificateAuthorityFile: String, channel: any Channel) {
        self.url = url
        self.certificateAuthorityFile = certificateAuthorityFile
        self.channel = channel
    }

    /// Serves the bare repositories in `projectRoot`, to clients that send `username` and `password`.
    static func start(projectRoot: String, username: String, password: String, in folder: String) async throws -> GitHTTPServer {
        let authority = try TestAuthority()
        let serving = try authority.issueServerCertificate()
        let caFile = folder + "/git-ca.pem"
        try Data(authority.certificatePEM.utf8).write(to: URL(fileURLWithPath: caFile))
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(serving.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serving.privateKeyPEM.utf8), format: .pem)))
        let context = try NIOSSLContext(configuration: tls)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let port = server.channel.localAddress?.port ?? 0
        let gitServer = GitHTTPServer(url: "https://127.0.0.1:\(port)", certificateAuthorityFile: caFile, channel: server.channel)
        let expected = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        let task = Task {
            _ = try? await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await gitServer.serve(connection, projectRoot: projectRoot, expected: expected) }
                    }
                }
            }
        }
        gitServer.loop.withLock { $0 = task }
        return gitServer
    }

    /// Stops listening and waits for the accept loop.
    func shutdown() async {
        try? await channel.close()
        await loop.withLock { $0 }?.value
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, projectRoot: String, expected: String) async {
        _ = try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = []
                case .body(let buffer):
                    body += Array(buffer: buffer)
                case .end:
                    guard let head else { continue }
                    let authorized = head.headers["Authorization"].first == expected
                    requests.withLock { $0.append("\(head.method) \(head.uri) authorized=\(authorized)") }
                    let (status, headers, bytes) =
                        authorized
                        ? await backend(head, body: body, projectRoot: projectRoot)
                        : (401, [("WWW-Authenticate", "Basic realm=\"git\"")], Array("authentication required\n".utf8))
                    var responseHeaders = HTTPHeaders(headers)
                    responseHeaders.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
                    try await outbound.write(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: status), headers: responseHeaders)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                    try await outbound.write(.end(nil))
                }
            }
        }
    }

    /// Runs `git http-backend` for one request and splits its CGI answer.
    private func backend(_ head: HTTPRequestHead, body: [UInt8], projectRoot: String) async -> (Int, [(String, String)], [UInt8]) {
        let parts = head.uri.split(separator: "?", maxSplits: 1)
        var environment = [
            "GIT_PROJECT_ROOT": projectRoot, "GIT_HTTP_EXPORT_ALL": "1", "REQUEST_METHOD": head.method.rawValue, "PATH_INFO": String(parts[0]),
            "QUERY_STRING": parts.count > 1 ? String(parts[1]) : "", "REMOTE_USER": "agent", "REMOTE_ADDR": "127.0.0.1",
            "PATH": "/usr/local/bin:/usr/bin:/bin", "CONTENT_LENGTH": String(body.count), "GIT_CONFIG_NOSYSTEM": "1", "HOME": projectRoot,
        ]
        if let type = head.headers["Content-Type"].first { environment["CONTENT_TYPE"] = type }
        if let encoding = head.headers["Content-Encoding"].first { environment["HTTP_CONTENT_ENCODING"] = encoding }
        if let proto = head.headers["Git-Protocol"].first { environment["GIT_PROTOCOL"] = proto }
        let runner = ProgramRunner(logger: Logger(label: "git-http-backend") { _ in SwiftLogNoOpLogHandler() })
        guard
            let output = try? await runner.run(
                ProgramInvocation(
                    executable: Self.backendProgram ?? "git-http-backend", arguments: [], environment: environment, input: body, timeout: .seconds(60),
                    outputLimit: 256 << 20))
        else { return (500, [], Array("backend failed\n".utf8)) }
        let bytes = output.standardOutput
        guard let split = Self.headerEnd(bytes) else { return (502, [], Array("bad CGI answer\n".utf8)) }
        var status = 200
        var headers: [(String, String)] = []
        for line in String(decoding: bytes[..<split.start], as: UTF8.self).split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" {
                status = Int(value.prefix(3)) ?? 500
            } else {
                headers.append((name, value))
            }
        }
        return (status, headers, Array(bytes[split.end...]))
    }

    /// Where the CGI headers end (`\r\n\r\n` or `\n\n`).
    private static func headerEnd(_ bytes: [UInt8]) -> (start: Int, end: Int)? {
        for index in bytes.indices {
            if bytes[index...].starts(with: [13, 10, 13, 10]) { return (index, index + 4) }
            if bytes[index...].starts(with: [10, 10]) { return (index, index + 2) }
        }
        return nil
    }
}

/// A certificate authority made in memory, and a serving certificate for 127.0.0.1 it signs.
struct TestAuthority {
    let key: P256.Signing.PrivateKey
    let certificate: Certificate
    let certificatePEM: String

    init() throws {
        let key = P256.Signing.PrivateKey()
        self.key = key
        let name = try DistinguishedName { CommonName("warrant-agent-test-ca") }
        let now = Date()
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    func issueServerCertificate() throws -> (certificatePEM: String, privateKeyPEM: String) {
        let leafKey = P256.Signing.PrivateKey()
        let now = Date()
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400), issuer: certificate.subject,
            subject: try DistinguishedName { CommonName("127.0.0.1") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
            },
            issuerPrivateKey: .init(key))
        return (try leaf.serializeAsPEM().pemString, leafKey.pemRepresentation)
    }
}
