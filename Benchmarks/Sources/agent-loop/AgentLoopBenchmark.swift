import Agent
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Logging
import Subprocess
import Synchronization
import SystemPackage

struct Failure: Error, CustomStringConvertible {
    var description: String
}

/// A bare repository and a working repository whose commits an ed25519 key signs.
struct Repository: Sendable {
    let root: String
    var remote: String { root + "/remote.git" }
    var work: String { root + "/work" }
    var key: String { root + "/alice" }
    var allowedSigners: String { root + "/allowed_signers" }

    static func make() async throws -> Repository {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agent-loop-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
        let repository = Repository(root: root)
        try await repository.run("git", ["init", "--quiet", "--bare", "--initial-branch=main", repository.remote])
        try await repository.run("git", ["init", "--quiet", "--initial-branch=main", repository.work])
        try await repository.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "alice@example.com", "-f", repository.key])
        let publicKey = try String(contentsOfFile: repository.key + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try Data("alice@example.com namespaces=\"git\" \(publicKey)\n".utf8).write(to: URL(fileURLWithPath: repository.allowedSigners))
        return repository
    }

    @discardableResult
    func run(_ program: String, _ arguments: [String]) async throws -> String {
        let environment: [Environment.Key: String] = [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": root + "/home", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LC_ALL": "C",
        ]
        let result = try await Subprocess.run(
            .path(FilePath("/usr/bin/" + program)), arguments: Arguments(arguments), environment: .custom(environment),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        guard result.terminationStatus.isSuccess else {
            throw Failure(description: "\(program) \(arguments.joined(separator: " ")): \(result.standardError)")
        }
        return result.standardOutput
    }

    /// Commits `manifests(version:)` signed, pushes it, and returns the commit.
    func commitAndPush(version: Int) async throws -> String {
        try FileManager.default.createDirectory(atPath: work + "/deploy", withIntermediateDirectories: true)
        try Data(Self.manifests(version: version).utf8).write(to: URL(fileURLWithPath: work + "/deploy/app.yaml"))
        try await run("git", ["-C", work, "add", "--all"])
        try await run(
            "git",
            [
                "-C", work, "-c", "user.name=Alice", "-c", "user.email=alice@example.com", "-c", "gpg.format=ssh", "-c",
                "user.signingkey=\(key)", "-c", "commit.gpgsign=true", "commit", "--quiet", "-m", "v\(version)",
            ])
        let commit = try await run("git", ["-C", work, "rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try await run("git", ["-C", work, "push", "--quiet", remote, "HEAD:refs/heads/main"])
        return commit
    }

    /// 300 objects: 150 ConfigMaps (the first one carries the version), 100 headless Services, 50 Deployments.
    static func manifests(version: Int) -> String {
        var documents: [String] = []
        for index in 0..<150 {
            let value = index == 0 ? "v\(version)" : "fixed-\(index)"
            documents.append("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-\(index)}\ndata: {value: \"\(value)\", other: \"x\"}\n")
        }
        for index in 0..<100 {
            documents.append(
                "apiVersion: v1\nkind: Service\nmetadata: {name: svc-\(index)}\nspec:\n  clusterIP: None\n  selector: {app: app-\(index)}\n  ports: [{port: 80, targetPort: 8080}]\n"
            )
        }
        for index in 0..<50 {
            documents.append(
                """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app-\(index)}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: app-\(index)}}
                  template:
                    metadata: {labels: {app: app-\(index)}}
                    spec:
                      containers:
                      - name: app
                        image: registry.example/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
                        resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {memory: 64Mi}}

                """)
        }
        return documents.joined(separator: "---\n")
    }
}

/// The programs the loop ran, from its trace log (``ProgramRunner`` logs `run NAME` with the arguments).
final class ProgramLog: Sendable {
    let programs = Mutex<[String]>([])
}

struct CountingHandler: LogHandler {
    let log: ProgramLog
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let message = event.message.description
        guard message.hasPrefix("run "), let arguments = event.metadata?["arguments"] else { return }
        // The program and its subcommand: the first argument that is not an option or its value.
        let words = "\(arguments)".split(separator: " ").map(String.init)
        let subcommand = words.first {
            ["ls-remote", "fetch", "rev-list", "cat-file", "checkout", "worktree", "archive", "show", "log", "merge-base"].contains($0)
        }
        let program = "\(message.dropFirst(4)) \(subcommand ?? words.joined(separator: " "))"
        log.programs.withLock { $0.append(program) }
    }
}

/// A clock the no-change reconcile moves past the reconcile interval.
final class Clock: Sendable {
    private let offset = Mutex<TimeInterval>(0)
    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    func advance(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}

enum AgentLoopBenchmark {
    static let namespace = "bench"
    static let agentToken = "agent-token-bench"

    static func run(rounds: Int) async throws {
        let repository = try await Repository.make()
        defer { try? FileManager.default.removeItem(atPath: repository.root) }
        var settings = AgentSettings()
        settings.set(.repo, "file://" + repository.remote)
        settings.set(.branch, "main")
        settings.set(.path, "deploy")
        settings.set(.namespace, namespace, flag: "-n")
        settings.set(.allowedSigners, repository.allowedSigners)
        settings.set(.interval, "2s")
        settings.set(.prune, "true")
        settings.set(.workDir, repository.root + "/agent")
        let configuration = try AgentConfiguration(settings: settings)
        _ = try await repository.commitAndPush(version: 1)

        let server = try await KubeTestServer.start()
        let loader = ManifestLoader()
        try server.seed(try loader.load(bytes: Array("apiVersion: v1\nkind: Namespace\nmetadata: {name: \(namespace)}\n".utf8), file: "ns.yaml"))
        let objects = try loader.load(bytes: Array(Repository.manifests(version: 1).utf8), file: "app.yaml")
        let role = try AgentRole(objects: objects, kinds: .builtin, configuration: configuration)
        try server.seed([KubeObject(role.object)])
        try server.seed(
            try loader.load(
                bytes: Array(
                    """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: warrant-agent, namespace: \(namespace)}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: warrant-agent}
                    subjects: [{kind: ServiceAccount, name: warrant-agent, namespace: \(namespace)}]
                    """.utf8), file: "binding.yaml"))
        server.addUser(token: agentToken, name: "system:serviceaccount:\(namespace):warrant-agent")
        let connection = ClusterConnection(
            server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: namespace, credentials: .token(agentToken),
            origin: "agent-loop")
        var quiet = Logger(label: "agent-loop") { _ in SwiftLogNoOpLogHandler() }
        quiet.logLevel = .critical
        let silent = quiet

        func reconciler(_ client: KubeClient, logger: Logger, clock: Clock = Clock()) -> Reconciler {
            Reconciler(
                configuration: configuration, source: GitRepositorySource(configuration: configuration, logger: logger),
                verifier: SignedCommitVerifier(configuration: configuration, logger: logger), client: client, toolVersion: "bench", logger: logger,
                now: { clock.now })
        }

        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
        print("agent-loop: 300 objects (150 ConfigMaps, 100 Services, 50 Deployments), --prune, \(rounds) rounds, load average \(load)")

        try await KubeClient.with(connection, credentials: CredentialSource(connection: connection)) { client in
            // 1. Commit-to-applied with the loop running at --interval 2s.
            let applied = Mutex<[String: ContinuousClock.Instant]>([:])
            let running = reconciler(client, logger: silent)
            let loop = Task {
                await running.run { step in
                    if case .deployed(let verdict, let outcome) = step, outcome.isSuccess {
                        let now = ContinuousClock.now
                        applied.withLock { $0[verdict.range.tip.hex] = now }
                    }
                }
            }
            // The first deploy: trust starts at v1.
            let firstDeadline = ContinuousClock.now + .seconds(60)
            while applied.withLock({ $0.isEmpty }) {
                guard ContinuousClock.now < firstDeadline else { throw Failure(description: "v1 not applied within 60 s") }
                try await Task.sleep(for: .milliseconds(20))
            }
            var latencies: [Double] = []
            for round in 0..<rounds {
                // A random moment of the 2 s poll interval.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<2000)))
                let tip = try await repository.commitAndPush(version: round + 2)
                let pushed = ContinuousClock.now
                var landed: ContinuousClock.Instant?
                while landed == nil, ContinuousClock.now < pushed + .seconds(30) {
                    try await Task.sleep(for: .milliseconds(5))
                    landed = applied.withLock { $0[tip] }
                }
                guard let landed else { throw Failure(description: "commit \(tip) not applied within 30 s") }
                latencies.append(milliseconds(landed - pushed))
            }
            loop.cancel()
            await loop.value
            print("commit-to-applied (--interval 2s): \(summary(latencies))   goal: median < 3000 ms")

            // 2. No-change reconcile: the reconcile interval has passed, nothing changed.
            let clock = Clock()
            let reconcile = reconciler(client, logger: silent, clock: clock)
            var state = try await reconcile.resume()
            guard case .unchanged = await reconcile.step(&state) else { throw Failure(description: "the resumed loop did not find the applied commit") }
            var reconciles: [Double] = []
            var engineOnly: [Double] = []
            for _ in 0..<max(rounds, 10) {
                clock.advance(601)
                let start = ContinuousClock.now
                let step = await reconcile.step(&state)
                let end = ContinuousClock.now
                guard case .reconciled(_, let outcome) = step, outcome.isSuccess, outcome.applied.isEmpty else {
                    throw Failure(description: "not a no-change reconcile: \(step)")
                }
                reconciles.append(milliseconds(end - start))
                if let manifests = state.lastManifests {
                    let engineStart = ContinuousClock.now
                    let outcome = try await reconcile.engine.deploy(manifests, identity: DeployIdentity(), client: client)
                    guard outcome.isSuccess, outcome.applied.isEmpty else { throw Failure(description: "the engine changed something") }
                    engineOnly.append(milliseconds(ContinuousClock.now - engineStart))
                }
            }
            print("no-change reconcile of 300 objects (ls-remote, then apply): \(summary(reconciles))   goal: < 100 ms")
            if !engineOnly.isEmpty { print("  the engine's no-change deploy alone: \(summary(engineOnly))") }

            // 3. An unchanged poll: its wall clock, programs and API requests.
            let programLog = ProgramLog()
            var counting = Logger(label: "agent-loop") { _ in CountingHandler(log: programLog) }
            counting.logLevel = .trace
            let poll = reconciler(client, logger: counting)
            var pollState = try await poll.resume()
            _ = await poll.step(&pollState)
            programLog.programs.withLock { $0.removeAll() }
            let requestsBefore = server.requests.count
            var polls: [Double] = []
            for _ in 0..<max(rounds, 10) {
                let start = ContinuousClock.now
                guard case .unchanged = await poll.step(&pollState) else { throw Failure(description: "the poll found a change") }
                polls.append(milliseconds(ContinuousClock.now - start))
            }
            let programs = programLog.programs.withLock { $0 }
            print("unchanged poll: \(summary(polls))")
            print(
                "  programs per poll: \(Double(programs.count) / Double(polls.count)) (\(Set(programs).sorted().joined(separator: "; "))), API requests: \(server.requests.count - requestsBefore)"
            )
        }
        try await server.shutdown()
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func summary(_ values: [Double]) -> String {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return "no runs" }
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        let p90 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.9))]
        return String(format: "median %.1f ms, min %.1f, p90 %.1f, max %.1f (n=%d)", median, sorted[0], p90, sorted[sorted.count - 1], sorted.count)
    }
}
