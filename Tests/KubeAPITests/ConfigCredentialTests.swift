import Foundation
import KubeAPI
import Synchronization
import Testing
import WarrantTestSupport

private let quietRunner = ProcessExecPluginRunner(forwardsStandardError: false)
private let processEnvironment = ProcessInfo.processInfo.environment

/// A plugin that counts its runs in `count`, saves `KUBERNETES_EXEC_INFO` to `info`, and prints a
/// token `exec-token-<run>` expiring at `$EXPIRY`.
private func countingPlugin(in folder: URL) throws -> (script: String, count: String, info: String) {
    let count = folder.appendingPathComponent("count").path
    let info = folder.appendingPathComponent("info.json").path
    let script = try writeScript(
        """
        n=$(( $(cat "\(count)" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "\(count)"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "\(info)"
        printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token-%s%s","expirationTimestamp":"%s"}}\\n' "$n" "$SUFFIX" "$EXPIRY"
        """, named: "plugin.sh", in: folder)
    return (script, count, info)
}

private func runs(_ path: String) -> Int {
    Int((try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0
}

@Suite("credentials: token files and exec plugins")
struct ConfigCredentialTests {
    @Test("fixed credentials are returned as they are")
    func fixed() async throws {
        #expect(try await CredentialSource(.none).current() == .none)
        #expect(try await CredentialSource(.token("t")).current() == .bearer("t"))
        #expect(
            try await CredentialSource(.clientCertificate(certificatePEM: [1], keyPEM: [2])).current()
                == .clientCertificate(certificatePEM: [1], keyPEM: [2]))
    }

    @Test("a token file is re-read when it changes, after invalidate(), and after a minute")
    func tokenFileRotation() async throws {
        try await withTemporaryDirectory { folder in
            let path = try writeFile("first-token\n", named: "token", in: folder)
            let clock = TestClock()
            let source = CredentialSource(.tokenFile(path: path), now: clock.function)
            #expect(try await source.current() == .bearer("first-token"))

            // A new size: seen on the next request. (The modification time is pinned to a whole
            // second so that setting it back below compares equal.)
            let pinned = Date(timeIntervalSince1970: 1_700_000_000)
            try writeFile("second-token-longer", named: "token", in: folder)
            try FileManager.default.setAttributes([.modificationDate: pinned], ofItemAtPath: path)
            #expect(try await source.current() == .bearer("second-token-longer"))

            // Same size and modification time: cached until invalidate() or a minute has passed.
            try writeFile("third--token-longer", named: "token", in: folder)
            try FileManager.default.setAttributes([.modificationDate: pinned], ofItemAtPath: path)
            #expect(try await source.current() == .bearer("second-token-longer"))
            source.invalidate()
            #expect(try await source.current() == .bearer("third--token-longer"))

            try writeFile("fourth-token-longer", named: "token", in: folder)
            try FileManager.default.setAttributes([.modificationDate: pinned], ofItemAtPath: path)
            clock.advance(by: 30)
            #expect(try await source.current() == .bearer("third--token-longer"))
            clock.advance(by: 31)
            #expect(try await source.current() == .bearer("fourth-token-longer"))
        }
    }

    @Test("an empty or missing token file is an error; a failed periodic re-read keeps the last token")
    func tokenFileErrors() async throws {
        try await withTemporaryDirectory { folder in
            let path = try writeFile("  \n", named: "token", in: folder)
            let empty = await kubeConfigError { _ = try await CredentialSource(.tokenFile(path: path)).current() }
            #expect(empty?.code == .emptyToken)
            #expect(empty?.file == path)

            try writeFile("kept-token", named: "token", in: folder)
            let clock = TestClock()
            let source = CredentialSource(.tokenFile(path: path), now: clock.function)
            #expect(try await source.current() == .bearer("kept-token"))
            try FileManager.default.removeItem(atPath: path)
            clock.advance(by: 120)
            #expect(try await source.current() == .bearer("kept-token"))
            source.invalidate()
            let missing = await kubeConfigError { _ = try await source.current() }
            #expect(missing?.code == .fileNotFound)
        }
    }

    @Test("an exec plugin's credential is cached until it expires, and re-fetched after expiry or invalidate()")
    func execCaching() async throws {
        try await withTemporaryDirectory { folder in
            let plugin = try countingPlugin(in: folder)
            let clock = TestClock()
            let config = ExecConfig(
                command: plugin.script, environment: [("EXPIRY", rfc3339(clock.now.addingTimeInterval(600))), ("SUFFIX", "")])
            let source = CredentialSource(.exec(config), environment: processEnvironment, runner: quietRunner, now: clock.function)

            #expect(try await source.current() == .bearer("exec-token-1"))
            #expect(try await source.current() == .bearer("exec-token-1"))
            clock.advance(by: 599)
            #expect(try await source.current() == .bearer("exec-token-1"))
            #expect(runs(plugin.count) == 1)

            clock.advance(by: 2)
            #expect(try await source.current() == .bearer("exec-token-2"))
            source.invalidate()
            #expect(try await source.current() == .bearer("exec-token-3"))
            #expect(runs(plugin.count) == 3)
        }
    }

    @Test("concurrent requests share one plugin run")
    func execSharedRun() async throws {
        try await withTemporaryDirectory { folder in
            let plugin = try countingPlugin(in: folder)
            let config = ExecConfig(command: plugin.script, environment: [("EXPIRY", "2999-01-01T00:00:00Z")])
            let source = CredentialSource(.exec(config), environment: processEnvironment, runner: quietRunner)
            let results = try await withThrowingTaskGroup(of: AuthMaterial.self) { group in
                for _ in 0..<8 { group.addTask { try await source.current() } }
                return try await group.reduce(into: [AuthMaterial]()) { $0.append($1) }
            }
            #expect(Set(results) == [.bearer("exec-token-1")])
            #expect(runs(plugin.count) == 1)
        }
    }

    @Test("the plugin gets its environment and KUBERNETES_EXEC_INFO, with the cluster when asked")
    func execInfo() async throws {
        try await withTemporaryDirectory { folder in
            let plugin = try countingPlugin(in: folder)
            let cluster = ClusterConnection(
                server: "https://api.example:6443", certificateAuthorityPEM: Array("CA".utf8), tlsServerName: "api.internal",
                origin: "test")
            let config = ExecConfig(
                command: plugin.script, environment: [("EXPIRY", "2999-01-01T00:00:00Z"), ("SUFFIX", "-from-env")],
                provideClusterInfo: true)
            let source = CredentialSource(.exec(config), cluster: cluster, environment: processEnvironment, runner: quietRunner)
            #expect(try await source.current() == .bearer("exec-token-1-from-env"))
            let info = try String(contentsOfFile: plugin.info, encoding: .utf8)
            #expect(info.contains(#""apiVersion":"client.authentication.k8s.io/v1""#))
            #expect(info.contains(#""kind":"ExecCredential""#))
            #expect(info.contains(#""interactive":false"#))
            #expect(info.contains(#""server":"https://api.example:6443""#))
            #expect(info.contains(#""tls-server-name":"api.internal""#))
            #expect(info.contains(#""certificate-authority-data":"Q0E=""#))

            let withoutCluster = CredentialSource(
                .exec(ExecConfig(command: plugin.script, environment: [("EXPIRY", "2999-01-01T00:00:00Z")])), cluster: cluster,
                environment: processEnvironment, runner: quietRunner)
            _ = try await withoutCluster.current()
            #expect(!(try String(contentsOfFile: plugin.info, encoding: .utf8)).contains("cluster"))
        }
    }

    @Test("a plugin may return a client certificate, and a credential without expiry is kept")
    func execCertificate() async throws {
        try await withTemporaryDirectory { folder in
            let script = try writeScript(
                #"""
                printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}}'
                """#, named: "cert.sh", in: folder)
            let clock = TestClock()
            let source = CredentialSource(
                .exec(ExecConfig(command: script, apiVersion: "client.authentication.k8s.io/v1beta1")), environment: processEnvironment,
                runner: quietRunner, now: clock.function)
            #expect(try await source.current() == .clientCertificate(certificatePEM: Array("CERT".utf8), keyPEM: Array("KEY".utf8)))
            clock.advance(by: 86_400 * 365)
            #expect(try await source.current() == .clientCertificate(certificatePEM: Array("CERT".utf8), keyPEM: Array("KEY".utf8)))
        }
    }

    struct ExecFailureCase: Sendable, CustomTestStringConvertible {
        var name: String
        var script: String
        var code: KubeConfigError.Code
        var fragment: String
        var testDescription: String { name }
    }

    static let secret = "SUPER-SECRET-PLUGIN-OUTPUT"

    @Test(
        "exec failures say what went wrong without showing the output",
        arguments: [
            ExecFailureCase(
                name: "non-zero exit",
                script: "echo '{\"status\":{\"token\":\"\(secret)\"}}'; echo \(secret) >&2; exit 3",
                code: .execFailed, fragment: "exit code 3"),
            ExecFailureCase(name: "not JSON", script: "echo 'token=\(secret)'", code: .execInvalidOutput, fragment: "did not print a JSON"),
            ExecFailureCase(
                name: "wrong apiVersion",
                script: "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"\(secret)\"}}'",
                code: .execInvalidOutput, fragment: "returned apiVersion \"client.authentication.k8s.io/v1beta1\""),
            ExecFailureCase(
                name: "no status", script: "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\"}'",
                code: .execInvalidOutput, fragment: "no status"),
            ExecFailureCase(
                name: "no token",
                script: "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}'",
                code: .execInvalidOutput, fragment: "neither a token"),
            ExecFailureCase(
                name: "bad expiry",
                script:
                    "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"\(secret)\",\"expirationTimestamp\":\"tomorrow\"}}'",
                code: .execInvalidOutput, fragment: "RFC 3339"),
            ExecFailureCase(
                name: "certificate without key",
                script:
                    "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":\"\(secret)\"}}'",
                code: .execInvalidOutput, fragment: "only one of"),
        ])
    func execFailures(_ test: ExecFailureCase) async throws {
        try await withTemporaryDirectory { folder in
            let script = try writeScript(test.script, named: "plugin.sh", in: folder)
            let config = ExecConfig(command: script, installHint: "install it from example.com", file: "/k/config", field: "users[ci].user.exec")
            let error = await kubeConfigError {
                _ = try await CredentialSource(.exec(config), environment: processEnvironment, runner: quietRunner).current()
            }
            let found = try #require(error)
            #expect(found.code == test.code, "\(found)")
            #expect(found.message.contains(test.fragment), "\(found)")
            #expect(found.file == "/k/config")
            #expect(!found.description.contains(Self.secret))
            if test.code == .execFailed { #expect(found.hint?.contains("install it from example.com") == true) }
        }
    }

    @Test("a missing plugin command reports the install hint")
    func execNotFound() async {
        await withTemporaryDirectory { folder in
            let config = ExecConfig(command: "warrant-test-no-such-plugin", installHint: "brew install the-plugin")
            let error = await kubeConfigError {
                _ = try await CredentialSource(.exec(config), environment: ["PATH": folder.path], runner: quietRunner).current()
            }
            #expect(error?.code == .execNotFound)
            #expect(error?.hint == "brew install the-plugin")
            let missingPath = await kubeConfigError {
                _ = try await CredentialSource(.exec(ExecConfig(command: folder.path + "/bin/plugin")), runner: quietRunner).current()
            }
            #expect(missingPath?.code == .execNotFound)
        }
    }

    @Test("a bare command is looked up on PATH")
    func execOnPath() async throws {
        try await withTemporaryDirectory { folder in
            try writeScript(
                #"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-path"}}'"#,
                named: "bin/warrant-test-plugin", in: folder)
            let environment = ["PATH": "/nonexistent:" + folder.appendingPathComponent("bin").path + ":/usr/bin:/bin"]
            let source = CredentialSource(.exec(ExecConfig(command: "warrant-test-plugin")), environment: environment, runner: quietRunner)
            #expect(try await source.current() == .bearer("from-path"))
        }
    }

    @Test("a plugin that hangs is stopped at the timeout", .timeLimit(.minutes(1)))
    func execTimeout() async throws {
        try await withTemporaryDirectory { folder in
            let script = try writeScript("sleep 120; echo late", named: "slow.sh", in: folder)
            let start = ContinuousClock.now
            let error = await kubeConfigError {
                _ = try await CredentialSource(
                    .exec(ExecConfig(command: script)), environment: processEnvironment, runner: quietRunner,
                    execTimeout: .milliseconds(300)
                ).current()
            }
            #expect(error?.code == .execTimedOut)
            // Far below the plugin's 120 s, with room for a test process whose other tests keep
            // its two cooperative threads busy.
            #expect(ContinuousClock.now - start < .seconds(60))
        }
    }

    @Test("a fake runner can stand in for processes")
    func fakeRunner() async throws {
        final class Fake: ExecPluginRunner {
            let seen = Mutex<[ExecPluginInvocation]>([])
            func run(_ invocation: ExecPluginInvocation) async throws(ExecPluginRunError) -> ExecPluginResult {
                seen.withLock { $0.append(invocation) }
                return ExecPluginResult(
                    exitCode: 0,
                    standardOutput: Array(
                        #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"fake"}}"#.utf8))
            }
        }
        let fake = Fake()
        let source = CredentialSource(
            .exec(ExecConfig(command: "/bin/sh", arguments: ["-c", "true"], environment: [("A", "1")])), environment: ["A": "0", "B": "2"],
            runner: fake)
        #expect(try await source.current() == .bearer("fake"))
        let invocation = try #require(fake.seen.withLock { $0.first })
        #expect(invocation.arguments == ["-c", "true"])
        #expect(invocation.environment["A"] == "1" && invocation.environment["B"] == "2")
        #expect(invocation.environment["KUBERNETES_EXEC_INFO"] != nil)
        #expect(invocation.timeout == CredentialSource.defaultExecTimeout)
    }
}
