import Delivery
import Foundation
import KubeAPI
import KubeModel
import Synchronization
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// The `warrant` executable against the real kube-apiserver, as an attacker or an unlucky
/// pipeline would run it (issue 19): concurrent deploys, signals at random moments, planted
/// credentials and hostile fields. Every deploy that reports a record has it; every object
/// annotated with a record id has that record; no credential or Secret value leaks.
@Suite(.realCluster, .timeLimit(.minutes(10)), .serialized) struct RecordsUnderFireTests {
    /// A namespace with a ServiceAccount `ci` holding the Role `warrant scope --for warrant`
    /// derives for `manifests` (with `--prune` and `--wait` as given), and its kubeconfig.
    static func credential(
        _ cluster: RealCluster, manifests: String, prefix: String, prune: Bool, wait: Bool = false, in folder: URL
    ) async throws -> (namespace: String, kubeconfig: String) {
        let namespace = try await cluster.makeNamespace(prefix)
        var flags = ["scope", "-f", manifests, "-n", namespace, "--for", "warrant", "--name", "ci"]
        if prune { flags.append("--prune") }
        if wait { flags.append("--wait") }
        let scope = await runWarrant(flags)
        try #require(scope.status == 0, "\(scope.standardError)")
        try await cluster.apply(
            scope.standardOutput + """
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: ci, namespace: \(namespace)}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: ci, namespace: \(namespace)}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ci}
                subjects: [{kind: ServiceAccount, name: ci, namespace: \(namespace)}]
                """)
        let token = try await cluster.serviceAccountToken(namespace: namespace, name: "ci")
        let kubeconfig = try cluster.kubeconfig(token: token, namespace: namespace, in: folder, named: "\(namespace).kubeconfig")
        return (namespace, kubeconfig)
    }

    /// A small app in its own folder: a ConfigMap saying `version`, a Secret named after
    /// `secret` holding `password`, a Service, and (with `deployment`) a Deployment whose pods
    /// never run here (the real control plane has no kubelet), so that `--wait` waits.
    static func app(
        in folder: URL, named: String, version: String, secret: String, password: String = "pw", configMaps: Int = 1, deployment: Bool = false
    ) throws -> String {
        let path = folder.appendingPathComponent(named)
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        var documents = (0..<configMaps).map { index in
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config\(index == 0 ? "" : "-\(index)")}\ndata: {version: \"\(version)\"}\n"
        }
        documents.append("apiVersion: v1\nkind: Secret\nmetadata: {name: app-\(secret)}\nstringData: {password: \"\(password)\"}\n")
        documents.append("apiVersion: v1\nkind: Service\nmetadata: {name: app}\nspec:\n  selector: {app: app}\n  ports: [{port: 80}]\n")
        if deployment {
            documents.append(
                """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: app}}
                  template:
                    metadata: {labels: {app: app}, annotations: {version: "\(version)"}}
                    spec:
                      containers:
                      - name: app
                        image: registry.example/app:1.0
                        resources: {requests: {cpu: 10m, memory: 16Mi}}

                """)
        }
        _ = try writeFile(documents.joined(separator: "---\n"), named: "app.yaml", in: path)
        return path.path
    }

    /// The records in the namespace's history, read as the administrator.
    static func history(_ cluster: RealCluster, _ namespace: String) async throws -> (records: [DeployRecord], anchor: String?) {
        try await cluster.admin { client in
            let head = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "warrant-history")
            let store = HistoryStore(namespace: namespace)
            return (try store.records(from: head.map { [$0] } ?? []), store.anchor(in: head.map { [$0] } ?? []))
        }
    }

    /// The ids `recorded ID: …` lines name.
    static func reportedIDs(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("recorded "), let colon = line.firstIndex(of: ":") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: "recorded ".count)..<colon])
        }
    }

    // MARK: - 1 and 2: concurrent deploys

    /// Pairs of deploys started at the same moment into one namespace, with the same and with
    /// different manifests (their Secrets differ, as a kustomize secretGenerator's hash suffix
    /// would), with and without --prune: every run succeeds, every run that printed `recorded
    /// ID` has that record in the history, the chain verifies, and with --prune the set ends
    /// with exactly the last run's members (the first pair is the set's first deploy).
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func pairsOfConcurrentDeploys(different: Bool, prune: Bool) async throws {
        let executable = try #require(warrantExecutable(), "the warrant executable is built with the tests")
        let cluster = try await RealCluster.shared()
        try await withTemporaryDirectory { folder in
            let first = try Self.app(in: folder, named: "a", version: "a", secret: "a")
            let second = different ? try Self.app(in: folder, named: "b", version: "b", secret: "b") : first
            let (namespace, kubeconfig) = try await Self.credential(cluster, manifests: first, prefix: "pair", prune: prune, in: folder)
            var reported: [String] = []
            var runs = 0
            for pair in 0..<3 {
                let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
                    for (index, manifests) in [first, second].enumerated() {
                        var arguments = ["deploy", "-f", manifests, "-n", namespace, "--kubeconfig", kubeconfig, "--actor", "run-\(pair)-\(index)"]
                        if prune { arguments.append("--prune") }
                        group.addTask { try await runProcess(executable, arguments) }
                    }
                    var all: [ProcessResult] = []
                    for try await result in group { all.append(result) }
                    return all
                }
                for result in results {
                    runs += 1
                    #expect(result.status == 0, "\(result.error)")
                    let ids = Self.reportedIDs(result.error)
                    #expect(ids.count == 1, "\(result.error)")
                    reported += ids
                }
            }
            let (records, anchor) = try await Self.history(cluster, namespace)
            #expect(records.count == runs, "\(runs) deploys, \(records.count) records")
            #expect(Set(records.map(\.id)) == Set(reported), "every reported record is stored")
            #expect(RecordChain.verify(records, anchor: anchor).isEmpty)
            let verify = await runWarrant(["history", "-n", namespace, "--kubeconfig", kubeconfig, "--verify"])
            #expect(verify.status == 0, "\(verify.standardError)")
            if prune {
                try await cluster.admin { client in
                    let parent = try #require(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "warrant-applyset"))
                    let members = Set(ApplySet.recordedMembers(in: parent).map(\.name))
                    let secrets = try await client.list(GroupKind(group: "", kind: "Secret"), namespace: namespace).objects.map(\.name)
                        .filter { $0.hasPrefix("app-") }
                    #expect(secrets.count == 1, "no run's Secret is left behind: \(secrets)")
                    #expect(members == Set(["app", "app-config"] + secrets))
                    let lease = try #require(try await client.get(LeaseLock.leaseKind, namespace: namespace, name: "warrant-applyset"))
                    #expect(!LeaseRecord(lease: lease).isHeld)
                }
            }
        }
    }

    /// A deploy that finds another deploy of its ApplySet running waits for it and names it;
    /// with `--lock-timeout 0` it fails at once (exit 1) and changes nothing.
    @Test func aRunningDeployIsNamedAndWaitedFor() async throws {
        let cluster = try await RealCluster.shared()
        try await withTemporaryDirectory { folder in
            let manifests = try Self.app(in: folder, named: "a", version: "1", secret: "a")
            let (namespace, kubeconfig) = try await Self.credential(cluster, manifests: manifests, prefix: "locked", prune: true, in: folder)
            let holder = "20990101T000000Z-00c0ffee pipeline-42\u{1B}]0;owned\u{07}"
            try await cluster.admin { client in
                let other = try LeaseLock(.init(namespace: namespace, name: "warrant-applyset", identity: holder), client: client)
                try await other.acquire(timeout: .zero)
                let refused = await runWarrant(["deploy", "-f", manifests, "-n", namespace, "--kubeconfig", kubeconfig, "--prune", "--lock-timeout", "0"])
                #expect(refused.status == 1)
                #expect(refused.standardError.contains("another deploy of ApplySet \(namespace)/warrant-applyset is running"), "\(refused.standardError)")
                #expect(refused.standardError.contains("held by 20990101T000000Z-00c0ffee pipeline-42\\u{1B}]0;owned\\u{7} since"))
                #expect(!refused.standardError.contains("\u{1B}"))
                #expect(try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "app-config") == nil, "nothing changed")
                async let waited = runWarrant(["deploy", "-f", manifests, "-n", namespace, "--kubeconfig", kubeconfig, "--prune", "--lock-timeout", "30s"])
                try await Task.sleep(for: .seconds(2))
                #expect(await other.release())
                let run = await waited
                #expect(run.status == 0, "\(run.standardError)")
                #expect(run.standardError.contains("waiting for another deploy of this ApplySet: Lease \(namespace)/warrant-applyset is held by 20990101T"))
            }
            let (records, _) = try await Self.history(cluster, namespace)
            #expect(records.count == 1)
        }
    }

    // MARK: - 3: signals

    /// One interrupted run: when the signal(s) went, how the process ended and what it printed.
    struct Interrupted: Sendable {
        var delay: Duration
        var signals: [Int32]
        var result: ProcessResult
        var afterSignal: Duration
        var gap: Duration
    }

    /// The milliseconds between the first and the second signal of the six aborted runs.
    static let secondSignalGaps: [ClosedRange<Int>] = [0...10, 10...30, 30...60, 60...100, 100...200, 200...400]

    /// Runs the executable and sends `signals` (the first after `delay`, or `delay` after
    /// `trigger` first holds; each next one shortly after).
    static func interrupt(
        _ executable: URL, _ arguments: [String], after delay: Duration, trigger: (@Sendable () async throws -> Bool)? = nil, signals: [Int32],
        gap: Duration
    ) async throws -> Interrupted {
        let signalled = Mutex<ContinuousClock.Instant?>(nil)
        let result = try await runProcess(executable, arguments) { process in
            if let trigger {
                let deadline = ContinuousClock.now + .seconds(20)
                while process.isRunning, ContinuousClock.now < deadline, try await !trigger() {
                    try await Task.sleep(for: .milliseconds(3))
                }
            }
            try await Task.sleep(for: delay)
            for (index, signal) in signals.enumerated() {
                guard process.isRunning else { break }
                if index > 0 { try await Task.sleep(for: gap) }
                kill(process.processIdentifier, signal)
                if index == 0 { signalled.withLock { $0 = .now } }
            }
        }
        let after = signalled.withLock { $0 }.map { ContinuousClock.now - $0 } ?? .zero
        return Interrupted(delay: delay, signals: signals, result: result, afterSignal: after, gap: gap)
    }

    /// 24 deploys interrupted with SIGINT or SIGTERM at random moments (from the pre-flight to
    /// the rollout wait): each ends within seconds of the signal, every run that printed
    /// `recorded ID` has that record, and every object annotated with a record id has that
    /// record in the history; the history and the record file both verify, the file being the
    /// history's chain. Then 6 runs get a second signal soon after the first and end at once:
    /// the history and the record file still verify and still agree.
    @Test func deploysInterruptedAtRandomMomentsAlwaysLeaveARecord() async throws {
        let executable = try #require(warrantExecutable(), "the warrant executable is built with the tests")
        let cluster = try await RealCluster.shared()
        try await withTemporaryDirectory { folder in
            let template = try Self.app(in: folder, named: "template", version: "0", secret: "s", configMaps: 12, deployment: true)
            let (namespace, kubeconfig) = try await Self.credential(cluster, manifests: template, prefix: "signal", prune: false, wait: true, in: folder)
            // The aborted runs below lock ApplySets of their own.
            try await cluster.apply(
                """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: ci-aborted, namespace: \(namespace)}
                rules:
                - apiGroups: [coordination.k8s.io]
                  resources: [leases]
                  resourceNames: [\((24..<30).map { "aborted-\($0)" }.joined(separator: ", "))]
                  verbs: [get, create, patch, update]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: ci-aborted, namespace: \(namespace)}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ci-aborted}
                subjects: [{kind: ServiceAccount, name: ci, namespace: \(namespace)}]
                """)
            let recordFile = folder.appendingPathComponent("records.jsonl").path
            var generator = SystemRandomNumberGenerator()
            var runs: [Interrupted] = []
            for index in 0..<30 {
                // Every run changes every object, so every run annotates them with its id.
                let manifests = try Self.app(in: folder, named: "run\(index)", version: "\(index)", secret: "s", configMaps: 12, deployment: true)
                let double = index >= 24
                let signal = index % 2 == 0 ? SIGINT : SIGTERM
                // Half the runs at a random moment of the whole run, half at a random moment
                // right after the deploy's first write (in the middle of applying).
                let triggered = index % 4 >= 2
                let delay = Duration.milliseconds(triggered ? Int.random(in: 0...40, using: &generator) : Int.random(in: 150...2500, using: &generator))
                let before = try await cluster.admin { client in
                    try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "app-config")?.annotations[
                        "warrant.dev/deploy-record"]
                }
                let trigger: @Sendable () async throws -> Bool = {
                    try await cluster.admin { client in
                        try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "app-config")?.annotations[
                            "warrant.dev/deploy-record"]
                            != before
                    }
                }
                var arguments = ["deploy", "-f", manifests, "-n", namespace, "--kubeconfig", kubeconfig, "--wait", "--timeout", "60s"]
                arguments += ["--record-file", recordFile, "--actor", "run-\(index)", "--allow-broad-credential"]
                // A run aborted by a second signal keeps its Lease until it expires (60 s); each
                // such run deploys a set of its own so that the next one need not wait for it.
                if double { arguments += ["--applyset", "aborted-\(index)", "--lock-timeout", "0"] }
                let run = try await Self.interrupt(
                    executable, arguments, after: delay, trigger: triggered ? trigger : nil, signals: double ? [signal, signal] : [signal],
                    // The second signal before, during or after the record (written within tens of
                    // milliseconds of the first on this cluster): each aborted run waits longer.
                    gap: .milliseconds(double ? Int.random(in: Self.secondSignalGaps[index - 24], using: &generator) : 0))
                runs.append(run)
                if !double {
                    if run.result.status == signal {
                        // The signal came before the deploy could catch it (the process was still starting).
                        #expect(!run.result.error.contains("created") && !run.result.error.contains("configured"), "run \(index): \(run.result.error)")
                    } else {
                        #expect([0, 1].contains(run.result.status), "run \(index): \(run.result.status) \(run.result.error)")
                    }
                    #expect(run.afterSignal < .seconds(10), "run \(index) ended \(run.afterSignal) after the signal")
                    if run.result.status == 1 && !run.result.error.contains("nothing was changed") {
                        #expect(
                            run.result.error.contains("recorded "), "run \(index): an interrupted deploy that changed something records it: \(run.result.error)"
                        )
                    }
                }
                if index == 23 {
                    // After the single-signal runs: every annotated object has its record.
                    let (records, anchor) = try await Self.history(cluster, namespace)
                    let ids = Set(records.map(\.id))
                    for id in runs.flatMap({ Self.reportedIDs($0.result.error) }) { #expect(ids.contains(id), "reported \(id) is stored") }
                    let annotated = try await cluster.admin { client in
                        var found: [(String, String)] = []
                        for kind in [
                            GroupKind(group: "", kind: "ConfigMap"), GroupKind(group: "", kind: "Service"), GroupKind(group: "apps", kind: "Deployment"),
                        ] {
                            for object in try await client.list(kind, namespace: namespace).objects {
                                if let id = object.annotations["warrant.dev/deploy-record"] { found.append((object.displayName, id)) }
                            }
                        }
                        return found
                    }
                    #expect(!annotated.isEmpty)
                    for (object, id) in annotated { #expect(ids.contains(id), "\(object) is annotated with \(id), which no record has") }
                    #expect(RecordChain.verify(records, anchor: anchor).isEmpty)
                    let changed = runs.filter { $0.result.error.contains("created ") || $0.result.error.contains("configured ") }
                    print(
                        "signal test: 24 single-signal runs, \(changed.count) of them had changed objects and \(changed.filter { $0.result.error.contains("recorded ") }.count) of those recorded; delays \(runs.map { $0.delay.components.seconds * 1000 + $0.delay.components.attoseconds / 1_000_000_000_000_000 }) ms, exits \(runs.map(\.result.status)), slowest end \(runs.map(\.afterSignal).max() ?? .zero) after the signal, \(records.count) records (\(records.filter { $0.result == .interrupted }.count) interrupted), \(annotated.count) annotated objects"
                    )
                }
            }
            // After the aborted runs too: the history and the record file verify, and the file is
            // the history's chain (or a prefix of it: an aborted run may have stopped between them).
            let (records, anchor) = try await Self.history(cluster, namespace)
            #expect(RecordChain.verify(records, anchor: anchor).isEmpty)
            let fileRecords = try HistoryStore.records(jsonLines: String(contentsOfFile: recordFile, encoding: .utf8), file: recordFile)
            #expect(RecordChain.verify(fileRecords).isEmpty, "\(RecordChain.verify(fileRecords))")
            #expect(Array(records.prefix(fileRecords.count)).map(\.digest) == fileRecords.map(\.digest))
            let viaCommand = await runWarrant(["history", "--record-file", recordFile, "--verify"])
            #expect(viaCommand.status == 0, "\(viaCommand.standardError)")
            let attributes = try FileManager.default.attributesOfItem(atPath: recordFile)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let aborted = runs.suffix(6).filter { $0.result.status == SIGINT || $0.result.status == SIGTERM }
            print(
                "signal test: 6 double-signal runs, gaps \(runs.suffix(6).map { $0.gap }), exits \(runs.suffix(6).map(\.result.status)) (\(aborted.count) ended by the second signal); history \(records.count) records, record file \(fileRecords.count)"
            )
            #expect(aborted.count >= 1, "some runs were ended by their second signal: \(runs.suffix(6).map { $0.result.status })")
        }
    }

    // MARK: - 4 and 5: planted credentials, Secret values, hostile fields

    /// A kubeconfig whose server URL carries `user:password@`, a Secret with a known value, a
    /// repository URL with a token in the CI variables, and an actor and commit that try to
    /// forge rows and reach the terminal. Nothing planted leaks into any record, record file,
    /// Event, Lease or output; the hostile fields are stored as given and printed escaped.
    @Test func plantedCredentialsAndHostileFieldsNeverLeak() async throws {
        let cluster = try await RealCluster.shared()
        try await withTemporaryDirectory { folder in
            let password = "Sup3r-S3cret-\(RealCluster.suffix())"
            let manifests = try Self.app(in: folder, named: "app", version: "1", secret: "db", password: password)
            let (namespace, plain) = try await Self.credential(cluster, manifests: manifests, prefix: "planted", prune: true, in: folder)
            // The same kubeconfig with user information in the server URL.
            let planted = "planted-user:planted-pass-\(RealCluster.suffix())"
            let kubeconfigText = try String(contentsOfFile: plain, encoding: .utf8)
                .replacingOccurrences(of: "server: https://", with: "server: https://\(planted)@")
            let kubeconfig = try writeFile(kubeconfigText, named: "planted.kubeconfig", in: folder)
            let recordFile = folder.appendingPathComponent("records.jsonl").path
            let actor = "mallory\n2099-01-01T00:00:00Z  admin  succeeded | forged | row |\u{1B}[2J\u{1B}]0;pwned\u{07}\u{202E}"
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
                "GITLAB_CI": "true", "GITLAB_USER_LOGIN": actor, "CI_COMMIT_SHA": "deadbeef\r\n\u{1B}[31mforged",
                "CI_JOB_URL": "https://gitlab-ci-token:glcbt-\(planted)@gitlab.example/team/app/-/jobs/1",
            ]
            let deploy = await runWarrant(
                ["deploy", "-f", manifests, "-n", namespace, "--kubeconfig", kubeconfig, "--prune", "--diff", "--record-file", recordFile],
                environment: environment)
            #expect(deploy.status == 0, "\(deploy.standardError)")
            #expect(deploy.standardError.contains("recorded "))
            #expect(
                deploy.standardOutput.contains("kind: Secret") && deploy.standardOutput.contains("password: \"***\""),
                "--diff shows the Secret, masked:\n\(deploy.standardOutput)")
            // An unreachable server with the same user information: the error names it without.
            let unreachable = try writeFile(
                kubeconfigText.replacingOccurrences(of: #"127\.0\.0\.1:\d+"#, with: "127.0.0.1:9", options: .regularExpression),
                named: "unreachable.kubeconfig", in: folder)
            let failed = await runWarrant(["deploy", "-f", manifests, "-n", namespace, "--kubeconfig", unreachable], environment: environment)
            #expect(failed.status == 3, "\(failed.standardError)")
            #expect(failed.standardError.contains("https://127.0.0.1:9"), "\(failed.standardError)")

            var outputs = [deploy.standardOutput, deploy.standardError, failed.standardOutput, failed.standardError]
            for format in ["table", "markdown", "html", "json"] {
                let history = await runWarrant(["history", "-n", namespace, "--kubeconfig", kubeconfig, "--verify", "-o", format])
                #expect(history.status == 0, "\(format): \(history.standardError)")
                outputs += [history.standardOutput, history.standardError]
                if format != "json" {
                    #expect(!history.standardOutput.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\r" || $0 == "\u{202E}" }, "\(format)")
                    if format == "markdown" { #expect(!history.standardOutput.contains("| forged |"), "a cell of its own") }
                }
                if format == "table" { #expect(history.standardOutput.split(separator: "\n").count == 2, "header and one row:\n\(history.standardOutput)") }
            }
            #expect(!deploy.standardError.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, "the recorded line is escaped")
            let fileText = try String(contentsOfFile: recordFile, encoding: .utf8)
            #expect((try FileManager.default.attributesOfItem(atPath: recordFile)[.posixPermissions] as? Int) == 0o600)
            let stored = try await cluster.admin { client in
                var texts: [String] = []
                for (kind, name) in [
                    (GroupKind(group: "", kind: "ConfigMap"), "warrant-history"), (GroupKind(group: "", kind: "ConfigMap"), "warrant-applyset"),
                    (LeaseLock.leaseKind, "warrant-applyset"),
                ] {
                    if let object = try await client.get(kind, namespace: namespace, name: name) { texts.append(JSONWriter.write(object.content, indent: 0)) }
                }
                for event in try await client.list(GroupKind(group: "", kind: "Event"), namespace: namespace).objects {
                    texts.append(JSONWriter.write(event.content, indent: 0))
                }
                return texts
            }
            let records = try HistoryStore.records(jsonLines: fileText, file: recordFile)
            let record = try #require(records.first)
            // Stored as given: the actor and commit are evidence.
            #expect(record.identity.actor == actor)
            #expect(record.identity.commit == "deadbeef\r\n\u{1B}[31mforged")
            #expect(record.cluster.hasPrefix("https://127.0.0.1:"))
            #expect(record.identity.pipelineURL == "https://gitlab.example/team/app/-/jobs/1")
            let secret = try #require(record.applied.first { $0.reference.kind == "Secret" })
            #expect(secret.digest == nil, "a Secret is recorded by name only")
            // Nothing planted anywhere: not the URL's user information, not the Secret's value,
            // its base64 or a digest of it.
            let base64 = Data(password.utf8).base64EncodedString()
            let everything = outputs + stored + [fileText]
            for text in everything {
                #expect(!text.contains("planted-pass"), "\(text.prefix(300))")
                #expect(!text.contains("planted-user"))
                #expect(!text.contains(password) && !text.contains(base64))
            }
        }
    }
}
