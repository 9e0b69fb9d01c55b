import Foundation
import KubeModel
import NIOCore
import NIOHTTP1
import NIOSSL
import RBAC
import Synchronization

extension KubeTestServer {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// Serves the requests of one connection in order, until the client closes it.
    func serve(_ connection: Connection) async {
        let channel = connection.channel
        let id = ObjectIdentifier(channel)
        connections.withLock { $0[id] = channel }
        defer { _ = connections.withLock { $0.removeValue(forKey: id) } }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                var tooLarge = false
                var certificateUser: UserInfo??
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body.clear()
                        tooLarge = false
                    case .body(var chunk):
                        if body.readableBytes + chunk.readableBytes > configuration.maximumRequestBodySize { tooLarge = true }
                        if !tooLarge { body.writeBuffer(&chunk) }
                    case .end:
                        guard let requestHead = head else { continue }
                        if certificateUser == nil {
                            let certificate = try? await channel.nioSSL_peerCertificate().get()
                            certificateUser = .some(
                                certificate.flatMap { certificate in
                                    (try? certificate.toDERBytes()).flatMap(CertificateAuthority.user(fromDER:))
                                        .map { UserInfo(name: $0.name, groups: $0.groups) }
                                })
                        }
                        let request = APIRequest(
                            method: requestHead.method.rawValue, uri: requestHead.uri,
                            headers: requestHead.headers.map { ($0.name, $0.value) }, body: Array(buffer: body))
                        let (response, audit) =
                            tooLarge
                            ? (
                                APIResponse.error(
                                    APIError(
                                        code: 413, reason: "RequestEntityTooLarge",
                                        message: "Request entity too large: limit is \(configuration.maximumRequestBodySize)")), nil
                            )
                            : await handle(request, certificateUser: certificateUser ?? nil)
                        switch response {
                        case .drop:
                            try await channel.close()
                            return
                        case .full(let status, let headers, let bytes):
                            // kube-apiserver logs a request refused by authentication at ResponseStarted.
                            if let audit {
                                auditSink.write(audit.event(stage: audit.user == nil ? "ResponseStarted" : "ResponseComplete", status: status, body: bytes))
                            }
                            var responseHeaders = HTTPHeaders(headers)
                            responseHeaders.add(name: "Content-Length", value: String(bytes.count))
                            responseHeaders.add(name: "Audit-Id", value: audit?.auditID ?? ServerState.newUID())
                            try await outbound.write(
                                .head(HTTPResponseHead(version: requestHead.version, status: .init(statusCode: status), headers: responseHeaders)))
                            if request.method != "HEAD" { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
                            try await outbound.write(.end(nil))
                        case .watch(let stream):
                            if let audit { auditSink.write(audit.event(stage: "ResponseStarted", status: 200, body: [])) }
                            defer { if let audit { auditSink.write(audit.event(stage: "ResponseComplete", status: 200, body: [])) } }
                            try await streamWatch(stream, version: requestHead.version, channel: channel, outbound: outbound)
                        }
                    }
                }
            }
        } catch {
            // The client went away; nothing to answer.
        }
    }

    /// Sends a watch: the initial events, then live ones, with bookmarks when allowed, until the
    /// timeout, the client closing the connection, or the server shutting down.
    private func streamWatch(
        _ stream: WatchStream, version: HTTPVersion, channel: any Channel, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        defer { state.withLock { _ = $0.store.watchers.removeValue(forKey: stream.id) } }
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Cache-Control", "no-cache, private")])
        try await outbound.write(.head(HTTPResponseHead(version: version, status: .ok, headers: headers)))
        for event in stream.initial { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: event.line)))) }
        let continuation = stream.continuation
        channel.closeFuture.whenComplete { _ in continuation.finish() }
        if stream.initial.last?.type == "ERROR" { continuation.finish() }
        let interval = configuration.bookmarkInterval
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let timeout = stream.timeout {
                group.addTask {
                    try await Task.sleep(for: timeout)
                    continuation.finish()
                }
            }
            if stream.bookmarks {
                group.addTask { [self] in
                    while true {
                        try await Task.sleep(for: interval)
                        self.state.withLock { state in
                            _ = continuation.yield(WatchEvent(type: "BOOKMARK", object: state.bookmarkObject(apiVersion: stream.apiVersion, kind: stream.kind)))
                        }
                    }
                }
            }
            for await event in stream.events {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: event.line))))
            }
            group.cancelAll()
        }
        try await outbound.write(.end(nil))
    }

    /// Faults, authentication, the request itself, then hooks and the token controller; also
    /// what the audit log says of the request (`nil` for injected faults, which stand for a
    /// proxy or network in front of the server).
    func handle(_ request: APIRequest, certificateUser: UserInfo?) async -> (APIResponse, AuditEntry?) {
        let info = RequestInfo(method: request.method, path: request.path, query: request.query)
        let fault = state.withLock { $0.drawFault(method: request.method, path: request.path) }
        switch fault {
        case .latency(let delay): try? await Task.sleep(for: delay)
        case .dropConnection:
            record(request, info: info, user: nil, status: 0)
            return (.drop, nil)
        case .status(let code, let retryAfter):
            let response = APIResponse.error(.injected(code, retryAfter: retryAfter))
            record(request, info: info, user: nil, status: code)
            return (response, nil)
        case .dropResponse, .lateResponse, nil: break
        }
        var audit = AuditEntry(request: request, info: info)
        // A bearer token wins over a client certificate; a bad token is a 401 (`request/union`).
        let user: UserInfo?
        var bearer: String?
        if let authorization = request.headers["authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2 && parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingSpaces()
                bearer = token
                user = state.withLock { $0.authenticate(token: token) }
            } else {
                user = nil
            }
        } else {
            user = certificateUser
        }
        guard let user else {
            record(request, info: info, user: nil, status: 401)
            return (.error(.unauthorized), audit)
        }
        audit.user = user
        let details = bearer.flatMap { token in state.withLock { $0.credentialDetails(token: token) } }
        if let details {
            audit.userUID = details.uid
            audit.credentialID = details.jti.map { "JTI=\($0)" }
            audit.legacySecret = details.secretName
        }
        let today = Date().formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0) ?? .gmt).year().month().day())
        let (response, changes, allowed, reason, tracked) = state.withLock { state in
            state.changes = []
            let access = ServerState.accessRequest(info, user: user)
            let allowed = state.allows(access)
            let reason = allowed ? state.authorizationReason(access) : ""
            var tracked: ObjectKey?
            if let details, let secretName = details.secretName, let account = user.serviceAccount {
                tracked = state.trackLegacyTokenUse(namespace: account.namespace, secretName: secretName, today: today)
            }
            state.issuedJTI = nil
            let response = state.serve(request, info: info, user: user, serverURL: url)
            audit.issuedCredentialID = state.issuedJTI.map { "JTI=\($0)" }
            defer { state.changes = [] }
            return (response, state.changes, allowed, reason, tracked)
        }
        audit.decision = allowed ? "allow" : "forbid"
        audit.reason = reason
        if let tracked {
            // kube-apiserver labels the Secret while it authenticates the request, and its audit
            // log stamps the request as received after that patch.
            auditSink.write(Self.legacyTokenTrackingEvent(tracked))
            audit.received = Date()
        }
        await react(to: changes)
        record(request, info: info, user: user, status: response.statusCode)
        if fault == .dropResponse {
            // Handled, then lost on the way back: kube-apiserver would have logged the request.
            if case .full(let status, _, let bytes) = response {
                auditSink.write(audit.event(stage: audit.user == nil ? "ResponseStarted" : "ResponseComplete", status: status, body: bytes))
            }
            return (.drop, nil)
        }
        if case .lateResponse(let delay) = fault { try? await Task.sleep(for: delay) }
        return (response, audit)
    }

    /// The audit event of kube-apiserver's own patch that labels a legacy token Secret with its
    /// last use (user `system:apiserver`).
    static func legacyTokenTrackingEvent(_ key: ObjectKey) -> JSONValue {
        var entry = AuditEntry(
            request: APIRequest(method: "PATCH", uri: "/api/v1/namespaces/\(key.namespace)/secrets/\(key.name)", headers: [], body: []),
            info: RequestInfo(method: "PATCH", path: "/api/v1/namespaces/\(key.namespace)/secrets/\(key.name)", query: [:]))
        entry.user = UserInfo(name: "system:apiserver", groups: ["system:authenticated", ServerState.superuserGroup], addingImplicitGroups: false)
        entry.userAgent = "kube-apiserver/v1.34.0 (linux/amd64) kubernetes/warrant-test"
        entry.decision = "allow"
        return entry.event(stage: "ResponseComplete", status: 200, body: [])
    }

    private func record(_ request: APIRequest, info: RequestInfo, user: UserInfo?, status: Int) {
        let entry = RecordedRequest(
            method: request.method, path: request.path, query: request.rawQuery, user: user?.name, verb: info.verb,
            statusCode: status, contentType: request.headers["content-type"] ?? "")
        state.withLock { $0.requests.append(entry) }
    }

    /// Runs the hooks on each change and the token controller on new token Secrets.
    private func react(to changes: [ServerState.Change]) async {
        let hooks = self.hooks.withLock { $0 }
        for change in changes {
            if !hooks.isEmpty {
                var object = change.object
                for hook in hooks { hook(&object, change.event) }
                if change.event.kind != .deleted && object != change.object {
                    let changed = object
                    state.withLock { $0.controllerWrite(change.key, changed) }
                }
            }
            if change.key.group.isEmpty && change.key.resource == "secrets" && change.event.kind == .created
                && change.object.content["type"]?.stringValue == "kubernetes.io/service-account-token"
            {
                let delay = configuration.tokenControllerDelay
                if delay == .zero {
                    state.withLock { $0.fillTokenSecret(change.key) }
                } else {
                    // The token controller runs in the background, like kube-controller-manager's.
                    Task { [self] in
                        try? await Task.sleep(for: delay)
                        self.state.withLock { $0.fillTokenSecret(change.key) }
                    }
                }
            }
        }
    }
}

extension ServerState {
    /// A write by a simulated controller: replaces the stored object when it still exists and changed.
    mutating func controllerWrite(_ key: ObjectKey, _ input: KubeObject) {
        guard let current = store[key] else { return }
        var object = input
        for field in ["uid", "creationTimestamp", "resourceVersion", "name", "namespace"] {
            object.setMetadata(field, current.content[path: ["metadata", field]])
        }
        guard object.content != current.content else { return }
        if key.group == "rbac.authorization.k8s.io" { cachedPolicy = nil }
        let version = store.nextVersion()
        object.setMetadata("resourceVersion", .string(String(version)))
        store.write(key, object, type: "MODIFIED", version: version)
    }
}
