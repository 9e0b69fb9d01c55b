public import Foundation
import Synchronization

/// Produces what a request needs to authenticate, refreshing it as needed. Thread-safe.
///
/// - A token file is re-read when its modification time or size changes, at least once a minute
///   otherwise (client-go `transport/token_source.go`, `cachingTokenSource`), and after
///   ``invalidate()``; a failed periodic re-read keeps the last token, as client-go does.
/// - An exec plugin is run on first use and again when its credential has expired or after
///   ``invalidate()`` (client-go `plugin/pkg/client/auth/exec/exec.go`); concurrent callers
///   share one run.
public final class CredentialSource: Sendable {
    /// How long an exec plugin may run by default.
    public static let defaultExecTimeout: Duration = .seconds(30)
    /// How long a token file's content is trusted when the file looks unchanged.
    public static let tokenFileMaximumAge: TimeInterval = 60

    private let credentials: Credentials
    private let cluster: ClusterConnection?
    private let environment: [String: String]
    private let runner: any ExecPluginRunner
    private let now: @Sendable () -> Date
    private let execTimeout: Duration
    private let state = Mutex(State())

    private struct State {
        var material: AuthMaterial?
        /// When an exec credential expires (`nil`: never).
        var expiry: Date?
        /// A token file's modification time and size when it was read, and when that was.
        var fileStamp: FileStamp?
        var readAt: Date?
        /// The plugin run in progress, shared by concurrent callers.
        var running: (id: Int, task: Task<Result<ExecOutcome, KubeConfigError>, Never>)?
        var nextRunID = 0
    }

    private struct FileStamp: Equatable {
        var modified: Date?
        var size: UInt64?
    }

    private struct ExecOutcome: Sendable {
        var material: AuthMaterial
        var expiry: Date?
    }

    /// Creates a source.
    ///
    /// - Parameters:
    ///   - credentials: What the connection authenticates with.
    ///   - cluster: The connection, passed to exec plugins that ask for it (`provideClusterInfo`).
    ///   - environment: The environment exec plugins start from (their configured variables are added).
    ///   - runner: Runs exec plugins; tests substitute their own.
    ///   - now: The clock; tests substitute their own.
    ///   - execTimeout: How long an exec plugin may run before it is killed.
    public init(
        _ credentials: Credentials,
        cluster: ClusterConnection? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        runner: any ExecPluginRunner = ProcessExecPluginRunner(),
        now: @escaping @Sendable () -> Date = { Date() },
        execTimeout: Duration = defaultExecTimeout
    ) {
        self.execTimeout = execTimeout
        self.credentials = credentials
        self.cluster = cluster
        self.environment = environment
        self.runner = runner
        self.now = now
    }

    /// Creates a source for a connection's credentials, giving exec plugins its cluster details.
    public convenience init(
        connection: ClusterConnection,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        runner: any ExecPluginRunner = ProcessExecPluginRunner()
    ) {
        self.init(connection.credentials, cluster: connection, environment: environment, runner: runner)
    }

    /// What the next request should authenticate with.
    ///
    /// - Throws: ``KubeConfigError`` when the token file is missing or empty, or the exec plugin
    ///   fails; the text never contains the credential or the plugin's output.
    public func current() async throws(KubeConfigError) -> AuthMaterial {
        switch credentials {
        case .none: return .none
        case .token(let token): return .bearer(token)
        case .clientCertificate(let certificate, let key): return .clientCertificate(certificatePEM: certificate, keyPEM: key)
        case .tokenFile(let path): return try tokenFromFile(path)
        case .exec(let config): return try await execCredential(config)
        }
    }

    /// Forgets the cached credential, after the server answered 401: the next ``current()``
    /// re-reads the token file or re-runs the exec plugin.
    public func invalidate() {
        state.withLock { state in
            state.material = nil
            state.expiry = nil
            state.fileStamp = nil
            state.readAt = nil
        }
    }

    // MARK: - Token file

    private func tokenFromFile(_ path: String) throws(KubeConfigError) -> AuthMaterial {
        let stamp = Self.stamp(of: path)
        let now = self.now()
        let cached: AuthMaterial? = state.withLock { state in
            guard let material = state.material, let readAt = state.readAt, state.fileStamp == stamp,
                now.timeIntervalSince(readAt) < Self.tokenFileMaximumAge, now >= readAt
            else { return nil }
            return material
        }
        if let cached { return cached }
        do {
            let token = try Self.readToken(at: path, file: path, field: nil)
            let material = AuthMaterial.bearer(token)
            state.withLock { state in
                state.material = material
                state.fileStamp = stamp
                state.readAt = now
            }
            return material
        } catch {
            // A transient failure of a periodic re-read keeps the last token (client-go does the same);
            // after invalidate() there is none, and the error is reported.
            let previous: AuthMaterial? = state.withLock { $0.material }
            if let previous { return previous }
            throw error
        }
    }

    private static func stamp(of path: String) -> FileStamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return FileStamp(
            modified: attributes[.modificationDate] as? Date,
            size: (attributes[.size] as? NSNumber)?.uint64Value)
    }

    /// The trimmed token in `path`; errors name `file` and `field` and never the content.
    static func readToken(at path: String, file: String?, line: Int? = nil, field: String?) throws(KubeConfigError) -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw KubeConfigError(
                .fileNotFound, file: file, line: line, field: field, "the token file \(path) does not exist",
                hint: "fix the path (relative paths in a kubeconfig start at its folder), or check that the service-account token is mounted")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError(.unreadable, file: file, line: line, field: field, "cannot read the token file \(path)", hint: "check its permissions")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw KubeConfigError(
                .emptyToken, file: file, line: line, field: field, "the token file \(path) is empty",
                hint: "write the bearer token into the file, or check that the service-account token is mounted")
        }
        return token
    }

    // MARK: - Exec plugin

    private func execCredential(_ config: ExecConfig) async throws(KubeConfigError) -> AuthMaterial {
        let now = self.now()
        enum Step: Sendable {
            case cached(AuthMaterial)
            case wait(id: Int, task: Task<Result<ExecOutcome, KubeConfigError>, Never>)
        }
        let step: Step = state.withLock { state in
            if let material = state.material, state.expiry.map({ now <= $0 }) ?? true {
                return .cached(material)
            }
            if let running = state.running { return .wait(id: running.id, task: running.task) }
            let id = state.nextRunID
            state.nextRunID += 1
            // An unstructured task so that concurrent callers share one plugin run and a
            // cancelled caller does not cancel it for the others.
            let task = Task { [self] () -> Result<ExecOutcome, KubeConfigError> in
                do throws(KubeConfigError) {
                    return .success(try await runPlugin(config))
                } catch {
                    return .failure(error)
                }
            }
            state.running = (id, task)
            return .wait(id: id, task: task)
        }
        switch step {
        case .cached(let material):
            return material
        case .wait(let id, let task):
            let result = await task.value
            state.withLock { state in
                guard state.running?.id == id else { return }
                state.running = nil
                if case .success(let outcome) = result {
                    state.material = outcome.material
                    state.expiry = outcome.expiry
                }
            }
            return try result.get().material
        }
    }

    private func runPlugin(_ config: ExecConfig) async throws(KubeConfigError) -> ExecOutcome {
        let executable = try resolveCommand(config)
        var environment = self.environment
        for variable in config.environment { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = ExecCredential.request(config, cluster: config.provideClusterInfo ? cluster : nil)
        let invocation = ExecPluginInvocation(
            executable: executable, arguments: config.arguments, environment: environment, timeout: execTimeout)
        let result: ExecPluginResult
        do {
            result = try await runner.run(invocation)
        } catch {
            switch error {
            case .launchFailed(let reason):
                throw KubeConfigError(
                    .execFailed, file: config.file, field: config.field.map { "\($0).command" },
                    "the exec plugin \(config.command) could not be started: \(reason)",
                    hint: config.installHint ?? "check that the command exists and is executable")
            case .timedOut:
                throw KubeConfigError(
                    .execTimedOut, file: config.file, field: config.field,
                    "the exec plugin \(config.command) did not finish within \(execTimeout) and was stopped (with its children)",
                    hint: "a plugin that waits for a browser or a prompt cannot run in CI; log in beforehand or use a non-interactive credential")
            case .outputTooLarge(let limit):
                throw KubeConfigError(
                    .execInvalidOutput, file: config.file, field: config.field,
                    "the exec plugin \(config.command) printed more than \(limit >> 10) KiB and was stopped (with its children)",
                    hint: "an ExecCredential is a few kilobytes; check the plugin (its output is not shown because it may hold a credential)")
            }
        }
        guard result.exitCode == 0 else {
            // Neither standard output nor standard error goes into the message: either may hold a credential.
            throw KubeConfigError(
                .execFailed, file: config.file, field: config.field,
                "the exec plugin \(config.command) failed with exit code \(result.exitCode)",
                hint: [config.installHint, "the plugin's own messages, if any, went to standard error"].compactMap { $0 }.joined(separator: "; "))
        }
        let credential = try ExecCredential.parse(result.standardOutput, config: config)
        return ExecOutcome(material: credential.material, expiry: credential.expiry)
    }

    /// The executable: a path as given, or a bare name looked up on `PATH` (client-go uses `exec.LookPath`).
    private func resolveCommand(_ config: ExecConfig) throws(KubeConfigError) -> String {
        let manager = FileManager.default
        if config.command.contains("/") {
            guard manager.isExecutableFile(atPath: config.command) else {
                throw KubeConfigError(
                    .execNotFound, file: config.file, field: config.field.map { "\($0).command" },
                    manager.fileExists(atPath: config.command)
                        ? "the exec plugin \(config.command) is not executable" : "the exec plugin \(config.command) does not exist",
                    hint: config.installHint ?? "install the plugin or fix the command's path (relative paths start at the kubeconfig's folder)")
            }
            return config.command
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = folder.hasSuffix("/") ? "\(folder)\(config.command)" : "\(folder)/\(config.command)"
            if manager.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw KubeConfigError(
            .execNotFound, file: config.file, field: config.field.map { "\($0).command" },
            "the exec plugin \(config.command) was not found on PATH",
            hint: config.installHint ?? "install \(config.command) or add its folder to PATH")
    }
}
