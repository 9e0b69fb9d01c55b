import Agent
import AgentService
import ArgumentParser
import Delivery
import DeployEngine
import KubeAPI
import Logging
import ServiceLifecycle
import UnixSignals

/// `warrant agent run`: the reconcile loop (poll, verify, deploy, record) until SIGTERM.
struct AgentRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Follow a branch and deploy its signed commits into one namespace.",
        discussion: """
            Settings come from flags, or from --config FILE: a YAML mapping whose keys are the flag \
            names without dashes (repo, branch, path, namespace, allowed-signers, interval, \
            max-prune, git-token-file, …). Flags given on the command line override the file.

            Repositories: https://host/path (credentials from files: --git-token-file or \
            --git-password-file, with --git-username or --git-username-file; --git-ca-file for a \
            private certificate authority), ssh://user@host/path or user@host:path (--ssh-key-file \
            and --ssh-known-hosts, both required; host keys are checked strictly), and \
            file:///path. Credentials in the address itself are refused.

            Every problem is reported at once, naming the flag or the file and line.

            Each --interval the agent runs 'git ls-remote' of the branch. When it moved, every \
            commit from the last applied commit to the new tip (both sides of merges) must carry \
            a valid signature by a key in --allowed-signers (or --gpg-keyring), and the tip must \
            descend from the last applied commit; otherwise nothing is applied and the refusal \
            is recorded (result 'refused') with each commit's author and reason. A verified tip \
            is deployed with the engine of 'warrant deploy' (field manager warrant-agent, \
            conflicts forced) and recorded with the commit range and each commit's signer. \
            Every --reconcile-interval the last applied commit is applied again; only \
            corrections are recorded. The status ConfigMap warrant-agent-status says what \
            happened ('warrant agent status').

            The cluster: the kubeconfig (--kubeconfig, KUBECONFIG), else the pod's ServiceAccount.

            Webhooks (with --webhook-secret-file; without it the paths answer 404): POST \
            /hooks/github checks X-Hub-Signature-256 (HMAC-SHA256 of the body with the secret), \
            POST /hooks/gitlab checks X-Gitlab-Token; a push of the followed branch (202) makes \
            the agent poll at once instead of at the next --interval. A webhook only wakes the \
            loop: every commit is still verified. Answers: 401 bad or missing signature or \
            token, 400 another event or a malformed body, 200 a push of another branch or a tag \
            (ignored) or a GitHub ping, 413 a body over 1 MiB, 429 over 10 requests at once or \
            1 a second (with Retry-After); each counted in warrant_agent_webhook_requests_total.

            EXIT CODES
              0  stopped by SIGTERM or SIGINT (a deploy under way may finish within \
                 --shutdown-grace; after that it is interrupted and recorded as such);
                 with --once: the pass applied the tip or found nothing new
              1  with --once: the pass refused the range or failed
              2  invalid configuration
              3  with --once: the cluster could not be reached
            """
    )

    @Option(help: ArgumentHelp("A YAML file with the settings (keys are the flag names without dashes).", valueName: "file"))
    var config: String?

    @OptionGroup var agent: AgentOptions

    @Option(name: .customLong("git-username"), help: ArgumentHelp("The HTTPS user name (default git).", valueName: "name"))
    var gitUsername: String?

    @Option(name: .customLong("git-username-file"), help: ArgumentHelp("A file holding the HTTPS user name.", valueName: "file"))
    var gitUsernameFile: String?

    @Option(name: .customLong("git-password-file"), help: ArgumentHelp("A file holding the HTTPS password.", valueName: "file"))
    var gitPasswordFile: String?

    @Option(name: .customLong("git-token-file"), help: ArgumentHelp("A file holding an HTTPS access token.", valueName: "file"))
    var gitTokenFile: String?

    @Option(name: .customLong("git-ca-file"), help: ArgumentHelp("PEM certificate authorities to trust for the HTTPS Git server.", valueName: "file"))
    var gitCAFile: String?

    @Option(name: .customLong("ssh-key-file"), help: ArgumentHelp("The SSH deploy key (private, no passphrase).", valueName: "file"))
    var sshKeyFile: String?

    @Option(name: .customLong("ssh-known-hosts"), help: ArgumentHelp("The known_hosts file with the Git server's host key.", valueName: "file"))
    var sshKnownHosts: String?

    @Option(name: .customLong("work-dir"), help: ArgumentHelp("The agent's working folder (default /tmp/warrant-agent).", valueName: "dir"))
    var workDir: String?

    @Option(
        name: .customLong("shutdown-grace"),
        help: ArgumentHelp("After SIGTERM, how long a deploy under way may finish before it is interrupted (default 20s).", valueName: "duration"))
    var shutdownGrace: String?

    @Option(help: ArgumentHelp("Where /healthz, /readyz and /metrics listen (default :8080).", valueName: "[host]:port"))
    var listen: String?

    @Flag(inversion: .prefixedNo, help: "Elect a leader among replicas over the Lease warrant-agent (default on).")
    var leaderElection: Bool?

    @Option(
        name: .customLong("lease-duration"),
        help: ArgumentHelp("How long other replicas wait after the leader's last renewal (default 15s).", valueName: "duration"))
    var leaseDuration: String?

    @Option(
        name: .customLong("renew-deadline"),
        help: ArgumentHelp("How long the leader tries to renew before it stops applying (default 10s).", valueName: "duration"))
    var renewDeadline: String?

    @Option(name: .customLong("retry-period"), help: ArgumentHelp("How often the leader renews and others try to lead (default 2s).", valueName: "duration"))
    var retryPeriod: String?

    @Option(
        name: .customLong("webhook-secret-file"),
        help: ArgumentHelp("A file holding the webhook secret: serve POST /hooks/github and /hooks/gitlab to poll at once on a push.", valueName: "file"))
    var webhookSecretFile: String?

    @Flag(help: "Run one pass (poll, verify, deploy) and exit.")
    var once = false

    @OptionGroup var connection: ConnectionOptions

    /// The settings given as flags.
    var flagSettings: AgentSettings {
        var settings = AgentSettings()
        agent.add(to: &settings)
        let values: [(AgentSetting, String?)] = [
            (.gitUsername, gitUsername), (.gitUsernameFile, gitUsernameFile), (.gitPasswordFile, gitPasswordFile), (.gitTokenFile, gitTokenFile),
            (.gitCAFile, gitCAFile), (.sshKeyFile, sshKeyFile), (.sshKnownHosts, sshKnownHosts), (.workDir, workDir),
            (.shutdownGrace, shutdownGrace), (.listen, listen), (.leaseDuration, leaseDuration), (.renewDeadline, renewDeadline),
            (.retryPeriod, retryPeriod), (.webhookSecretFile, webhookSecretFile),
        ]
        for case (let setting, let value?) in values { settings.set(setting, value) }
        if let leaderElection { settings.set(.leaderElection, leaderElection ? "true" : "false") }
        return settings
    }

    func run() async throws {
        let context = CommandContext.current
        // Each problem of the settings file and flags is an error of its own (exit 2).
        var settings = flagSettings
        if let config { settings = try AgentSettings.load(file: config).overridden(by: settings) }
        let configuration = try AgentConfiguration(settings: settings)
        let signers = configuration.allowedSigners.entries.count
        // The loop's own lines at info; --log-level trace or debug shows the engine's and git's too.
        let level = min(connection.logLevel.level, .info)
        let write = context.standardError
        var logger = Logger(label: "warrant.agent") { _ in StandardErrorLogHandler(write: write, logLevel: level) }
        logger.logLevel = level
        logger.info(
            "starting",
            metadata: [
                "repository": "\(configuration.repository)", "branch": "\(configuration.branch)", "path": "\(configuration.path)",
                "namespace": "\(configuration.namespace)", "signers": "\(signers)", "interval": "\(configuration.interval)",
            ])
        let agentLogger = logger
        let once = once
        try await connection.withClient(namespace: configuration.namespace, context: context) { client, _ in
            let reconciler = Reconciler(
                configuration: configuration, source: GitRepositorySource(configuration: configuration, logger: agentLogger),
                verifier: SignedCommitVerifier(configuration: configuration, logger: agentLogger), client: client, toolVersion: Warrant.version,
                logger: agentLogger)
            if once {
                let result = await SignalCancellation.run { () async throws -> ReconcileStep in
                    var state = try await reconciler.resume()
                    return await reconciler.step(&state)
                }
                let step: ReconcileStep
                switch result {
                case .success(let value): step = value
                case .failure(let error as KubeAPIError): throw error
                case .failure(let error): throw CommandError(.failed, wrapping: error)
                }
                // The pass's outcome, errors included, is its report: printed, then its status.
                context.standardError(Self.describe(step) + "\n")
                if step.isFailure { throw CommandExit(.failure) }
                if case .refused = step { throw CommandExit(.failure) }
                return
            }
            // SIGTERM or SIGINT: no new pass; a deploy under way gets --shutdown-grace to finish,
            // then it is interrupted (and recorded so); then the process exits 0.
            // The HTTP server comes first: a service group stops its services in reverse order, so
            // the endpoints answer until the loop has stopped.
            let health = AgentHealth(maxAge: AgentHealth.maxAge(interval: configuration.interval))
            let metrics = AgentMetrics()
            var wakeUp: PollWakeUp?
            var webhooks: WebhookReceiver?
            if let file = configuration.webhookSecretFile {
                let secret: WebhookSecret
                do {
                    secret = try WebhookSecret(file: file)
                } catch {
                    throw CommandError(.invalidInput, wrapping: error)
                }
                let wake = PollWakeUp()
                wakeUp = wake
                webhooks = WebhookReceiver(secret: secret, branch: configuration.branch, wakeUp: wake, metrics: metrics, logger: agentLogger)
            }
            let server = AgentHTTPServer.application(
                host: configuration.listen.host, port: configuration.listen.port, health: health, metrics: metrics,
                apiCheck: AgentHTTPServer.statusCheck(client: client, namespace: configuration.namespace, name: reconciler.statusStore.name),
                webhooks: webhooks, logger: agentLogger,
                onRunning: { port in agentLogger.info("listening", metadata: ["address": "\(configuration.listen.host):\(port)"]) })
            var election: LeaderElection?
            if configuration.leaderElection {
                let settings = LeaderElection.configuration(
                    namespace: configuration.namespace, identity: LeaderElection.defaultIdentity(), leaseDuration: configuration.leaseDuration,
                    renewDeadline: configuration.renewDeadline, retryPeriod: configuration.retryPeriod)
                do {
                    election = LeaderElection(lock: try LeaseLock(settings, client: client, logger: agentLogger))
                } catch {
                    throw CommandError(.invalidOption, wrapping: error)
                }
            }
            var service = ReconcileService(
                reconciler: reconciler, gracePeriod: configuration.shutdownGrace, health: health, metrics: metrics, election: election,
                wakeUp: wakeUp)
            // Months of idle polling: give back the heap and code pages a deploy leaves behind.
            service.tidiesMemory = true
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: server), .init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: agentLogger))
            do {
                try await group.run()
            } catch {
                agentLogger.error("the agent stopped on an error", metadata: ["error": "\(error)"])
                throw CommandExit(.failure)
            }
            agentLogger.info("stopped")
        }
    }

    /// One line for the outcome of a pass.
    static func describe(_ step: ReconcileStep) -> String {
        switch step {
        case .unchanged(let tip): return "agent: \(tip.short) is applied; nothing new"
        case .deployed(let verdict, let outcome):
            let result = outcome.isSuccess ? "applied" : "deploy \(outcome.result)"
            var line = "agent: \(result): \(verdict.summary) (record \(outcome.deployID))"
            if let failure = outcome.failure { line += "\nerror: \(failure)" }
            for problem in outcome.recordProblems { line += "\nerror: \(problem)" }
            return line
        case .reconciled(let tip, let outcome):
            return "agent: \(tip.short) applied again: \(outcome.applied.count) object(s) corrected"
                + (outcome.failure.map { "\nerror: \($0)" } ?? "")
        case .refused(let verdict, let outcome):
            var line = "agent: refused, nothing applied: \(verdict.range)"
            for refusal in verdict.refusals { line += "\n  - \(refusal)" }
            if let record = outcome.record { line += "\n  recorded as \(record.id)" }
            return line
        case .failed(let failure): return "error: nothing applied: \(failure)"
        }
    }
}
