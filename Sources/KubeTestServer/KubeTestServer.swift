public import KubeModel
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RBAC
import Synchronization
import X509

/// A Kubernetes API server for tests: HTTPS on loopback, with authentication, discovery, CRUD,
/// server-side apply, watch, RBAC enforcement, access reviews and TokenRequest, answering like
/// kube-apiserver down to the `Status` bodies of its errors.
///
/// Start one per test, talk to ``url`` trusting ``caCertificatePEM``, and shut it down:
///
/// ```swift
/// let server = try await KubeTestServer.start()
/// defer { Task { try await server.shutdown() } }
/// server.addUser(token: "ci-token", name: "system:serviceaccount:shop:ci")
/// ```
///
/// Every request is written to an audit log as kube-apiserver writes one (``AuditLogDestination``,
/// ``Configuration/auditLog``; in memory by default: ``auditLogLines``).
///
/// Where it differs from a real kube-apiserver is listed in `KubeTestServer.docc`.
public final class KubeTestServer: Sendable {
    /// A bearer token for the user `admin` in `system:masters`, who bypasses RBAC as in Kubernetes.
    public static let adminToken = "warrant-test-admin-token"

    /// `https://127.0.0.1:PORT`.
    public let url: String
    /// The PEM of the CA that signed the serving certificate (SANs IP 127.0.0.1 and DNS localhost)
    /// and signs client certificates from ``issueClientCertificate(user:groups:)``.
    public let caCertificatePEM: String

    let configuration: Configuration
    let authority: CertificateAuthority
    let state: Mutex<ServerState>
    let hooks = Mutex<[@Sendable (inout KubeObject, ChangeEvent) -> Void]>([])
    let serverChannel: any Channel
    let connections = Mutex<[ObjectIdentifier: any Channel]>([:])
    let acceptLoop = Mutex<Task<Void, Never>?>(nil)
    let auditSink: AuditLogSink

    private init(configuration: Configuration, authority: CertificateAuthority, channel: any Channel, port: Int, auditSink: AuditLogSink) {
        self.configuration = configuration
        self.auditSink = auditSink
        self.authority = authority
        self.caCertificatePEM = authority.certificatePEM
        self.serverChannel = channel
        self.url = "https://127.0.0.1:\(port)"
        var state = ServerState(configuration: configuration, caCertificatePEM: authority.certificatePEM)
        state.users[Self.adminToken] = UserInfo(name: "admin", groups: [ServerState.superuserGroup])
        self.state = Mutex(state)
    }

    /// Starts a server on `127.0.0.1`, on a free port.
    ///
    /// - Parameter configuration: history size, token controller delay, fault seed, ...
    /// - Throws: when the certificates cannot be made or the port cannot be bound.
    public static func start(_ configuration: Configuration = .init()) async throws -> KubeTestServer {
        let auditSink = try AuditLogSink(configuration.auditLog)
        let authority = try CertificateAuthority()
        let serving = try authority.issue(subject: try DistinguishedName { CommonName("kube-apiserver") }, server: true)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(serving.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serving.privateKeyPEM.utf8), format: .pem)))
        // Client certificates are optional (bearer tokens are the other way in) but must be signed by the CA.
        tls.certificateVerification = .optionalVerification
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(authority.certificatePEM.utf8), format: .pem)])
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let server = KubeTestServer(
            configuration: configuration, authority: authority, channel: channel.channel, port: channel.channel.localAddress?.port ?? 0,
            auditSink: auditSink)
        // The accept loop outlives `start`; `shutdown()` closes the channel and awaits it. It and
        // every connection's task run on a thread of the server's own, not on the cooperative pool.
        let loop = Task(executorPreference: DedicatedThreadExecutor(label: "kube-test-server")) { [server] in
            _ = try? await channel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await server.serve(connection) }
                    }
                }
            }
        }
        server.acceptLoop.withLock { $0 = loop }
        return server
    }

    /// Stops accepting connections, closes open ones (ending watches) and waits for them.
    public func shutdown() async throws {
        try? await serverChannel.close()
        state.withLock { state in
            for watcher in state.store.watchers.values { watcher.continuation.finish() }
        }
        for channel in connections.withLock({ Array($0.values) }) { channel.close(promise: nil) }
        await acceptLoop.withLock { $0 }?.value
    }

    /// Makes `token` authenticate as `name` in `groups` (plus `system:authenticated`, and the
    /// ServiceAccount groups for a `system:serviceaccount:` name).
    public func addUser(token: String, name: String, groups: [String] = []) {
        state.withLock { $0.users[token] = UserInfo(name: name, groups: groups) }
    }

    /// A client certificate and key (PEM) signed by the server's CA, with `CN=user` and one
    /// `O=` per group, which the server authenticates as that user, as kube-apiserver does.
    public func issueClientCertificate(user: String, groups: [String]) throws -> (certificatePEM: String, privateKeyPEM: String) {
        var names = [RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: user))]
        for group in groups {
            names.append(RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: group)))
        }
        return try authority.issue(subject: DistinguishedName(names), server: false)
    }

    /// Stores objects directly, as a superuser without admission or RBAC checks, filling `uid`,
    /// `resourceVersion`, `creationTimestamp` and `generation` (kept when already set). Namespaced
    /// objects without a namespace go to `default`; the namespace need not exist. Hooks do not run.
    ///
    /// - Throws: when an object's kind is not served.
    public func seed(_ objects: [KubeObject]) throws {
        try state.withLock { state throws(APIError) in
            defer { state.changes = [] }
            for object in objects { try state.seed(object) }
        }
    }

    /// The stored object, or `nil`. `group` is `""` for the core group; `namespace` is ignored
    /// for cluster-scoped kinds.
    public func object(group: String, kind: String, namespace: String?, name: String) -> KubeObject? {
        state.withLock { state in
            guard let resource = state.kinds.kind(GroupKind(group: group, kind: kind)) else { return nil }
            let key = ObjectKey(
                group: group, resource: resource.resource, namespace: resource.namespaced ? namespace ?? "" : "", name: name)
            return state.store[key]
        }
    }

    /// The stored objects of a kind in `namespace` (`nil` for all namespaces), in key order.
    public func objects(group: String, kind: String, namespace: String?) -> [KubeObject] {
        state.withLock { state in
            guard let resource = state.kinds.kind(GroupKind(group: group, kind: kind)) else { return [] }
            return state.store.list(group: group, resource: resource.resource, namespace: namespace ?? "").map(\.object)
        }
    }

    /// Every request answered so far, in order.
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// Adds a fault; faults are tried in the order added and the first that hits wins.
    public func inject(_ fault: Fault) {
        state.withLock { $0.faults.append(fault) }
    }

    /// Removes every fault.
    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// Registers a controller simulation: after every create or update made through the API, the
    /// hook may change the stored object (set a Deployment's status, put a Pod in
    /// CrashLoopBackOff); a change is stored as a separate write with its own resourceVersion and
    /// `MODIFIED` event, before the request's response is sent. Hooks run outside the server's
    /// lock, so they may call ``seed(_:)`` to create Pods or Events. Hook writes do not run hooks.
    public func onChange(_ hook: @escaping @Sendable (inout KubeObject, ChangeEvent) -> Void) {
        hooks.withLock { $0.append(hook) }
    }
}
