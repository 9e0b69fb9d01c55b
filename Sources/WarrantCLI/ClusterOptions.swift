import ArgumentParser
import KubeAPI
import KubeModel
import Logging
import Synchronization

/// The options of commands that can also ask a cluster instead of manifests: `--cluster` and
/// the connection options.
struct ClusterOptions: ParsableArguments {
    @Flag(help: "Ask the cluster (from the kubeconfig, or in-cluster in a pod) instead of reading manifests.")
    var cluster = false

    @OptionGroup var connection: ConnectionOptions

    /// Whether the command talks to a cluster.
    var isLive: Bool { cluster || connection.kubeconfig != nil || connection.kubeContext != nil }

    func validate() throws {
        try ArgumentChecks.needs(
            !isLive && (connection.requestTimeout != nil || connection.logLevel != .warning), "--request-timeout or --log-level",
            "--cluster (or --kubeconfig, --context)")
    }

    func withClient<T: Sendable>(
        namespace: String?, context: CommandContext, _ body: (KubeClient, ClusterConnection) async throws -> T
    ) async throws -> T {
        try await connection.withClient(namespace: namespace, context: context, body)
    }
}

/// How to reach the cluster: `--kubeconfig`, `--context`. The namespace (`-n`) is each command's own.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The kubeconfig (default: KUBECONFIG, a colon-separated list, then ~/.kube/config).", valueName: "file"))
    var kubeconfig: String?

    @Option(name: .customLong("context"), help: "The kubeconfig context (default: its current-context).")
    var kubeContext: String?

    @Option(
        name: .customLong("log-level"),
        help: "Log API requests on standard error: trace (with headers, Authorization redacted), debug (method, path, status, time), notice (retries), warning."
    )
    var logLevel: LogLevelOption = .warning

    @Option(
        name: .customLong("request-timeout"),
        help: ArgumentHelp(
            "The longest one API request may take, retries included, as kubectl's: 30s, 2m, or seconds; 0 for no limit (default 60s, at most 24h).",
            valueName: "duration"),
        transform: DurationArgument.option(in: .seconds(1) ... .seconds(86_400), bareSeconds: true, allowsZero: true))
    var requestTimeout: DurationArgument?

    /// Whether any connection option was given (for commands that use them only with another flag).
    var isGiven: Bool { kubeconfig != nil || kubeContext != nil || requestTimeout != nil || logLevel != .warning }

    /// Where the cluster is and how to authenticate: the kubeconfig as kubectl finds it, else
    /// the pod's ServiceAccount when running in a cluster. Configuration errors (``KubeConfigError``,
    /// no kubeconfig at all) exit 2.
    func connection(namespace: String?, context: CommandContext) throws -> ClusterConnection {
        let loader = KubeConfigLoader(environment: context.environment, homeDirectory: context.environment["HOME"])
        let config = try loader.load(explicitPath: kubeconfig)
        // Like kubectl: the pod's ServiceAccount only when there is no kubeconfig at all.
        if config.isEmpty, kubeconfig == nil, InClusterConfig.isAvailable(environment: context.environment) {
            var connection = try InClusterConfig.connection(environment: context.environment)
            if let namespace { connection.namespace = namespace }
            return connection
        }
        if config.isEmpty {
            throw CommandError(
                .missingInput,
                "no kubeconfig found (looked at \(loader.candidateFiles(explicitPath: kubeconfig).joined(separator: ", "))) and not running in a pod",
                hint: "give one with --kubeconfig FILE or KUBECONFIG")
        }
        let connection = try config.connection(context: kubeContext, namespace: namespace)
        for warning in connection.warnings { context.warn(warning) }
        return connection
    }

    /// Client settings: the user agent, a logger on standard error at `--log-level`, the
    /// `--request-timeout` deadline, and the API server's warnings printed on standard error as
    /// kubectl prints them (`Warning: TEXT`, each text once).
    func clientConfiguration(context: CommandContext) -> KubeClient.Configuration {
        let write = context.standardError
        let timeout: Duration? =
            switch requestTimeout {
            case .none: KubeClient.Configuration.defaultRequestTimeout
            case .some(let given): given.duration == .zero ? nil : given.duration
            }
        let printed = Mutex(Set<String>())
        return KubeClient.Configuration(
            userAgent: "warrant/\(Warrant.version)", logger: logger(label: "warrant.kubeapi", context: context), requestTimeout: timeout,
            warningHandler: { text in
                // kubectl's warning writer deduplicates; so does Warrant, across the command's clients.
                guard printed.withLock({ $0.insert(text).inserted }) else { return }
                write("Warning: \(text)\n")
            })
    }

    /// A logger on standard error at `--log-level`.
    func logger(label: String, context: CommandContext) -> Logger {
        let level = logLevel.level
        let write = context.standardError
        return Logger(label: label) { _ in StandardErrorLogHandler(write: write, logLevel: level) }
    }

    /// Runs `body` with a client. Its errors are thrown on: ``CommandErrors`` renders an API
    /// error with exit 3 when the cluster could not be reached or refused the credentials
    /// (transport failures, 401) and 1 otherwise, a configuration error with exit 2.
    func withClient<T: Sendable>(
        namespace: String?, context: CommandContext, _ body: (KubeClient, ClusterConnection) async throws -> T
    ) async throws -> T {
        let connection = try connection(namespace: namespace, context: context)
        return try await KubeClient.with(
            connection, credentials: CredentialSource(connection: connection),
            configuration: clientConfiguration(context: context)
        ) { client in
            try await body(client, connection)
        }
    }
}

/// `--log-level` values.
enum LogLevelOption: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error

    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .warning }
}
