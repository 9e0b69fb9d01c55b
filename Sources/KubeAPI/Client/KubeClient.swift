public import KubeModel
public import Logging
import Synchronization

/// A Kubernetes API client: typed `Status` errors, retries, a concurrency limit, discovery and a
/// REST mapper, get/list/watch/create/apply/delete, access reviews and TokenRequest.
///
/// Objects are ``KubeObject`` values (unstructured, as in the manifests); kinds are mapped to
/// resources through discovery. Credentials are asked for on every request, so a rotated token
/// file or an expired exec credential is picked up; a 401 invalidates them once and retries.
public final class KubeClient: Sendable {
    /// Client settings.
    public struct Configuration: Sendable {
        /// `User-Agent`, `warrant/VERSION`.
        public var userAgent: String
        /// Retries.
        public var retry: RetryPolicy
        /// Requests in flight at most.
        public var maximumConcurrentRequests: Int
        /// Where requests are logged: method, path, status and time at `debug`, headers (the
        /// Authorization header redacted) and body sizes at `trace`, retries at `notice`. Bodies
        /// are never logged: they may hold Secrets or tokens. Quiet by default.
        public var logger: Logger
        /// The longest one request may take, from the first byte sent to the last byte of the
        /// answer, retries and their waits included (kubectl's `--request-timeout`); `nil` for no
        /// limit. A server that sends its headers and then a byte a second fails here, with
        /// reason `Timeout` and the request named. Watches are not bounded by it.
        public var requestTimeout: Duration?
        /// Receives the text of each `Warning:` header (code 299) the API server answers with:
        /// deprecated fields, values it changed or will reject. kubectl prints them as
        /// `Warning: TEXT`; `nil` ignores them.
        public var warningHandler: (@Sendable (String) -> Void)?

        /// The default ``requestTimeout``: 60 s.
        public static let defaultRequestTimeout: Duration = .seconds(60)

        /// Creates settings.
        public init(
            userAgent: String = "warrant", retry: RetryPolicy = RetryPolicy(), maximumConcurrentRequests: Int = 16,
            logger: Logger = Logger(label: "warrant.kubeapi", factory: { _ in SwiftLogNoOpLogHandler() }),
            requestTimeout: Duration? = defaultRequestTimeout, warningHandler: (@Sendable (String) -> Void)? = nil
        ) {
            self.userAgent = userAgent
            self.retry = retry
            self.maximumConcurrentRequests = maximumConcurrentRequests
            self.logger = logger
            self.requestTimeout = requestTimeout
            self.warningHandler = warningHandler
        }
    }

    /// The cluster.
    public let connection: ClusterConnection
    let transport: any KubeTransport
    let credentials: CredentialSource
    let configuration: Configuration
    let limiter: ConcurrencyLimiter
    let mapperCache = Mutex<RESTMapper?>(nil)
    let random = Mutex(SystemRandomNumberGenerator())
    let sleeper: @Sendable (Duration) async throws -> Void

    /// Creates a client over `transport`.
    public init(
        connection: ClusterConnection, transport: any KubeTransport, credentials: CredentialSource, configuration: Configuration = Configuration(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.connection = connection
        self.transport = transport
        self.credentials = credentials
        self.configuration = configuration
        self.limiter = ConcurrencyLimiter(limit: configuration.maximumConcurrentRequests)
        self.sleeper = sleep
    }

    /// Runs `body` with a client for `connection` over HTTPS, closing it afterwards.
    public static func with<T: Sendable>(
        _ connection: ClusterConnection, credentials: CredentialSource, configuration: Configuration = Configuration(),
        _ body: (KubeClient) async throws -> T
    ) async throws -> T {
        let authentication = try await credentials.current()
        let transport = try HTTPClientTransport(connection: connection, authentication: authentication, userAgent: configuration.userAgent)
        let client = KubeClient(connection: connection, transport: transport, credentials: credentials, configuration: configuration)
        do {
            let result = try await body(client)
            try await transport.shutdown()
            return result
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }

    private func authorization() async throws -> String? {
        if case .bearer(let token) = try await credentials.current() { return "Bearer \(token)" }
        return nil
    }

    /// Sends `request`, retrying per the policy, within ``Configuration/requestTimeout``; a
    /// non-2xx answer throws ``KubeAPIError``, and so does the deadline (reason `Timeout`, code 0).
    public func send(_ request: KubeRequest) async throws -> KubeResponse {
        guard let limit = configuration.requestTimeout else { return try await sendRetrying(request) }
        return try await withThrowingTaskGroup(of: KubeResponse?.self) { group in
            group.addTask { try await self.sendRetrying(request) }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            while let outcome = try await group.next() {
                if let response = outcome { return response }
                configuration.logger.notice("request timed out", metadata: ["request": "\(request.method) \(request.path)", "after": "\(limit)"])
                throw KubeAPIError.transport(
                    .timeout, message: "no complete answer from \(connection.server) within \(limit) (--request-timeout)",
                    request: "\(request.method) \(request.path)")
            }
            throw CancellationError()
        }
    }

    /// ``send(_:)`` without the deadline.
    private func sendRetrying(_ request: KubeRequest) async throws -> KubeResponse {
        let started = ContinuousClock.now
        var attempt = 0
        var reauthenticated = false
        while true {
            attempt += 1
            let error: KubeAPIError
            let logger = configuration.logger
            do {
                let authorization = try await authorization()
                logger.debug("request", metadata: ["method": "\(request.method)", "target": "\(request.target)", "attempt": "\(attempt)"])
                if logger.logLevel <= .trace {
                    var headers = request.headers.map { "\($0.0): \($0.1)" }
                    headers.append("User-Agent: \(configuration.userAgent)")
                    if authorization != nil { headers.append("Authorization: Bearer <redacted>") }
                    logger.trace("request headers", metadata: ["headers": "\(headers.joined(separator: "; "))", "bodyBytes": "\(request.body?.count ?? 0)"])
                }
                let sent = ContinuousClock.now
                let response = try await limiter.run { try await self.transport.send(request, authorization: authorization) }
                if let handler = configuration.warningHandler {
                    for (name, value) in response.headers where name.lowercased() == "warning" {
                        for warning in WarningHeader.parse(value) where warning.code == 299 && !warning.text.isEmpty { handler(warning.text) }
                    }
                }
                logger.debug(
                    "response",
                    metadata: [
                        "method": "\(request.method)", "target": "\(request.target)", "status": "\(response.status)",
                        "duration": "\(ContinuousClock.now - sent)", "bodyBytes": "\(response.body.count)",
                    ])
                if (200..<300).contains(response.status) { return response }
                error = KubeAPIError.from(response, request: request)
            } catch let failure as KubeAPIError {
                error = failure
            }
            if error.code == 401 && !reauthenticated {
                // A rotated token or an expired exec credential: ask again, once.
                reauthenticated = true
                credentials.invalidate()
                attempt -= 1
                continue
            }
            guard configuration.retry.shouldRetry(error, request: request, attempt: attempt) else { throw error }
            let wait = random.withLock { configuration.retry.delay(after: error, attempt: attempt, random: &$0) }
            guard ContinuousClock.now - started + wait < configuration.retry.maximumTotal else { throw error }
            configuration.logger.notice(
                "retrying", metadata: ["request": "\(request.method) \(request.path)", "after": "\(wait)", "reason": "\(error.code) \(error.reason)"])
            try await sleeper(wait)
        }
    }

    /// Sends `request` and parses the JSON answer.
    public func json(_ request: KubeRequest) async throws -> JSONValue {
        let response = try await send(request)
        do {
            return try JSONValue.parseJSON(response.body, source: "\(request.method) \(request.path)")
        } catch {
            throw KubeAPIError(
                code: response.status, reason: "BadResponse", message: "the answer is not JSON: \(error)",
                request: "\(request.method) \(request.path)")
        }
    }

    static let jsonHeaders = [("Accept", "application/json")]

    static func body(_ value: JSONValue) -> [UInt8] {
        Array(JSONWriter.write(value, indent: 0).utf8)
    }
}
