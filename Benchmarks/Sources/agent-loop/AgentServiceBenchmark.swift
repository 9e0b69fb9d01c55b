import Agent
import Foundation
import KubeModel
import KubeTestServer

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// Issue 15, point 6: the real `warrant agent run` executable as a process against the API test
// server (in this process), a repository of 300 objects signed with ssh-keygen:
//
// 1. idle: the agent at --interval 2s applies the 300 objects once, then polls an unchanged branch
//    for MINUTES; its resident memory (VmRSS, VmHWM, RssAnon, RssFile from /proc/PID/status) and
//    CPU time (utime+stime from /proc/PID/stat, and cutime+cstime of the git processes it waited
//    for) over the idle period, extrapolated to an hour (goals: < 25 MB, CPU seconds per idle hour);
// 2. webhook-to-applied: another agent at --interval 10m with --webhook-secret-file; a signed
//    commit changing one ConfigMap is pushed, then a GitLab push hook is sent; the time from
//    sending the hook to the ConfigMap's new value on the API server (goal: median < 1 s).
//
// Usage: agent-loop service PATH-TO-WARRANT [MINUTES (5)] [PUSHES (15)]
enum AgentServiceBenchmark {
    static let secret = "benchmark-webhook-secret"

    struct ProcessSample {
        var rssKB: Int
        var hwmKB: Int
        var anonKB: Int
        var fileKB: Int
        var ownTicks: Int
        var childTicks: Int
        var threads: Int
    }

    static func sample(_ pid: Int32) throws -> ProcessSample {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func kilobytes(_ key: String) -> Int {
            for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
                return Int(line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? -1
            }
            return -1
        }
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name in parentheses; utime is field 14 (index 11 after it).
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = fields.map { Int($0) ?? 0 }
        return ProcessSample(
            rssKB: kilobytes("VmRSS"), hwmKB: kilobytes("VmHWM"), anonKB: kilobytes("RssAnon"), fileKB: kilobytes("RssFile"),
            ownTicks: ticks[11] + ticks[12], childTicks: ticks[13] + ticks[14], threads: kilobytes("Threads"))
    }

    static func megabytes(_ kilobytes: Int) -> String { String(format: "%.1f MB", Double(kilobytes) / 1024) }

    /// A running `warrant agent run`; its standard error goes to a file.
    final class AgentProcess {
        let process = Process()
        let log: String

        init(warrant: String, arguments: [String], log: String) throws {
            self.log = log
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: warrant)
            process.arguments = ["agent", "run"] + arguments
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }

        /// The port from the `listening` log line.
        func port() async throws -> Int {
            for _ in 0..<600 {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.contains("listening") }),
                    let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression)
                {
                    return Int(line[range].split(separator: ":").last!)!
                }
                guard process.isRunning else { throw Failure(description: "the agent exited: \(text)") }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw Failure(description: "the agent did not say where it listens")
        }

        func stop() async throws {
            process.terminate()
            for _ in 0..<600 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    static func run(warrant: String, minutes: Double, pushes: Int) async throws {
        let repository = try await Repository.make()
        defer { try? FileManager.default.removeItem(atPath: repository.root) }
        _ = try await repository.commitAndPush(version: 1)
        var settings = AgentSettings()
        settings.set(.repo, "file://" + repository.remote)
        settings.set(.branch, "main")
        settings.set(.path, "deploy")
        settings.set(.namespace, AgentLoopBenchmark.namespace, flag: "-n")
        settings.set(.allowedSigners, repository.allowedSigners)
        settings.set(.prune, "true")
        let configuration = try AgentConfiguration(settings: settings)

        var serverConfiguration = KubeTestServer.Configuration()
        serverConfiguration.auditLog = .none
        let server = try await KubeTestServer.start(serverConfiguration)
        let namespace = AgentLoopBenchmark.namespace
        let loader = ManifestLoader()
        try server.seed(try loader.load(bytes: Array("apiVersion: v1\nkind: Namespace\nmetadata: {name: \(namespace)}\n".utf8), file: "ns.yaml"))
        let objects = try loader.load(bytes: Array(Repository.manifests(version: 1).utf8), file: "app.yaml")
        try server.seed([KubeObject(try AgentRole(objects: objects, kinds: .builtin, configuration: configuration).object)])
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
        server.addUser(token: AgentLoopBenchmark.agentToken, name: "system:serviceaccount:\(namespace):warrant-agent")
        let kubeconfig = repository.root + "/agent.kubeconfig"
        try server.kubeconfig(token: AgentLoopBenchmark.agentToken, namespace: namespace).write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let secretFile = repository.root + "/webhook-secret"
        try (secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        let common = [
            "--repo", "file://" + repository.remote, "--branch", "main", "--path", "deploy", "-n", namespace, "--allowed-signers",
            repository.allowedSigners, "--prune", "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0",
        ]
        func value() -> String? {
            server.object(group: "", kind: "ConfigMap", namespace: namespace, name: "config-0")?.content[path: ["data", "value"]]?.stringValue
        }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
        print("agent service: \(warrant), 300 objects, --prune, load average \(load)")

        // 1. Idle at --interval 2s.
        let idle = try AgentProcess(
            warrant: warrant, arguments: common + ["--interval", "2s", "--work-dir", repository.root + "/idle"], log: repository.root + "/idle.log")
        let started = ContinuousClock.now
        while value() != "v1" {
            guard ContinuousClock.now - started < .seconds(120), idle.process.isRunning else {
                throw Failure(description: "v1 not applied: \((try? String(contentsOfFile: idle.log, encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        print("  started and applied 300 objects in \(AgentLoopBenchmark.milliseconds(ContinuousClock.now - started)) ms")
        try await Task.sleep(for: .seconds(3))
        let first = try sample(idle.pid)
        let idleStart = ContinuousClock.now
        print(
            "  after the first apply: VmRSS \(megabytes(first.rssKB)) (anon \(megabytes(first.anonKB)), file \(megabytes(first.fileKB))), VmHWM \(megabytes(first.hwmKB)), \(first.threads) threads"
        )
        let end = idleStart + .seconds(Int64(minutes * 60))
        var last = first
        while ContinuousClock.now < end {
            try await Task.sleep(for: .seconds(min(30, max(1, Double((end - ContinuousClock.now).components.seconds)))))
            last = try sample(idle.pid)
            let elapsed = Double((ContinuousClock.now - idleStart).components.seconds)
            print(
                String(
                    format: "  %4.0f s: VmRSS %@ (anon %@, file %@), VmHWM %@, CPU %.2f s own, %.2f s git", elapsed, megabytes(last.rssKB),
                    megabytes(last.anonKB), megabytes(last.fileKB), megabytes(last.hwmKB), Double(last.ownTicks - first.ownTicks) / 100,
                    Double(last.childTicks - first.childTicks) / 100))
        }
        let seconds = AgentLoopBenchmark.milliseconds(ContinuousClock.now - idleStart) / 1000
        let ownPerHour = Double(last.ownTicks - first.ownTicks) / 100 / seconds * 3600
        let childPerHour = Double(last.childTicks - first.childTicks) / 100 / seconds * 3600
        // The passes, from the agent's own /metrics (scraped once, after the last sample).
        let idlePort = try await idle.port()
        let (scrape, _) = try await URLSession(configuration: .ephemeral).data(from: URL(string: "http://127.0.0.1:\(idlePort)/metrics")!)
        let polls =
            String(decoding: scrape, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix(#"warrant_agent_reconciles_total{result="no-change"} "#) }?.split(separator: " ").last.map(String.init) ?? "?"
        print(
            String(
                format: "idle after %.0f s at --interval 2s (%@ polls without change): VmRSS %@ (RssAnon %@, RssFile %@), VmHWM %@   goal: < 25 MB", seconds,
                polls, megabytes(last.rssKB), megabytes(last.anonKB), megabytes(last.fileKB), megabytes(last.hwmKB)))
        print(
            String(
                format: "CPU per idle hour: %.1f s in the agent, %.1f s in the git processes it ran (%.1f s together)", ownPerHour, childPerHour,
                ownPerHour + childPerHour))
        try await idle.stop()

        // 2. Webhook-to-applied at --interval 10m.
        let hooked = try AgentProcess(
            warrant: warrant, arguments: common + ["--interval", "10m", "--webhook-secret-file", secretFile, "--work-dir", repository.root + "/hooked"],
            log: repository.root + "/hooked.log")
        let port = try await hooked.port()
        // It resumes from the status ConfigMap: v1 is applied; wait for its first poll.
        try await Task.sleep(for: .seconds(3))
        var latencies: [Double] = []
        let session = URLSession(configuration: .ephemeral)
        for round in 0..<pushes {
            let version = round + 2
            _ = try await repository.commitAndPush(version: version)
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/hooks/gitlab")!)
            request.httpMethod = "POST"
            request.setValue("Push Hook", forHTTPHeaderField: "X-Gitlab-Event")
            request.setValue(secret, forHTTPHeaderField: "X-Gitlab-Token")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"object_kind":"push","ref":"refs/heads/main"}"#.utf8)
            let sent = ContinuousClock.now
            let (_, response) = try await session.data(for: request)
            guard (response as? HTTPURLResponse)?.statusCode == 202 else { throw Failure(description: "the hook was answered \(response)") }
            while value() != "v\(version)" {
                guard ContinuousClock.now - sent < .seconds(60) else { throw Failure(description: "v\(version) not applied within 60 s of the hook") }
                try await Task.sleep(for: .milliseconds(2))
            }
            latencies.append(AgentLoopBenchmark.milliseconds(ContinuousClock.now - sent))
            // Within the rate limit (1 a second).
            try await Task.sleep(for: .milliseconds(1100))
        }
        print("webhook-to-applied (--interval 10m): \(AgentLoopBenchmark.summary(latencies))   goal: median < 1000 ms")
        let after = try sample(hooked.pid)
        print("  the webhook agent after \(pushes) deploys: VmRSS \(megabytes(after.rssKB)) (anon \(megabytes(after.anonKB))), VmHWM \(megabytes(after.hwmKB))")
        try await hooked.stop()
        try await server.shutdown()
    }
}
