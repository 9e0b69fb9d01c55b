import Foundation
import KubeAPI
import KubeModel
import Synchronization
import Testing
import WarrantTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let processEnvironment = ProcessInfo.processInfo.environment

/// A client for a plain-HTTP loopback server.
private func loopbackClient<T: Sendable>(
    _ server: LoopbackHTTPServer, configuration: KubeClient.Configuration, _ body: (KubeClient) async throws -> T
) async throws -> T {
    let connection = ClusterConnection(server: server.url, namespace: "shop", credentials: .token("t0ken"), origin: "test")
    return try await KubeClient.with(connection, credentials: CredentialSource(.token("t0ken")), configuration: configuration, body)
}

/// Issue 18: names never change what a request does, a slow or hostile API server cannot hang a
/// command, warnings reach the user, and exec plugins are bounded.
@Suite(.timeLimit(.minutes(2))) struct HostileServerTests {
    // MARK: 5. Names go into URLs escaped

    @Test(
        "every path component is escaped, so a name stays one name",
        arguments: [
            ("cfg?fieldManager=warrant#", "cfg%3FfieldManager%3Dwarrant%23"), ("system:controller:x", "system:controller:x"),
            ("a b", "a%20b"), ("../x", "..%2Fx"), ("50%", "50%25"), ("ünï", "%C3%BCn%C3%AF"), ("web.config-1_x~", "web.config-1_x~"),
        ])
    func pathComponentsAreEscaped(name: String, escaped: String) {
        let mapping = RESTMapper.Mapping(group: "", version: "v1", kind: "ConfigMap", resource: "configmaps", namespaced: true, verbs: [])
        #expect(mapping.objectPath(namespace: "shop", name: name) == "/api/v1/namespaces/shop/configmaps/\(escaped)")
        #expect(mapping.collectionPath(namespace: name) == "/api/v1/namespaces/\(escaped)/configmaps")
    }

    @Test("a dry-run apply of an object named 'cfg?fieldManager=warrant#' stays a dry run of that name")
    func dryRunCannotBeDroppedByAName() async throws {
        let transport = ScriptedTransport(legacyDiscovery + [json(200, #"{"apiVersion":"v1","kind":"Role"}"#)])
        let role = KubeObject([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg?fieldManager=warrant#", "namespace": "shop"],
        ])
        _ = try await client(transport).apply(role, fieldManager: "warrant", dryRun: true)
        let sent = try #require(transport.sent.withLock { $0.last })
        #expect(sent.target == "/api/v1/namespaces/shop/configmaps/cfg%3FfieldManager%3Dwarrant%23?fieldManager=warrant&dryRun=All")
    }

    // MARK: 8. A slow API server

    @Test("a server that sends its headers and then a byte a second fails the request at the deadline, naming it")
    func tricklingServerHitsTheDeadline() async throws {
        let server = try LoopbackHTTPServer { _ in .init(body: Array(repeating: UInt8(ascii: " "), count: 100), bytesPerSecond: 1) }
        defer { server.stop() }
        let started = ContinuousClock.now
        let error = await #expect(throws: KubeAPIError.self) {
            try await loopbackClient(server, configuration: KubeClient.Configuration(requestTimeout: .seconds(2))) { client in
                try await client.send(KubeRequest(method: "GET", path: "/api/v1/namespaces/shop/configmaps/web"))
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.reason == "Timeout")
        #expect(error?.request == "GET /api/v1/namespaces/shop/configmaps/web")
        #expect(error?.isTransportFailure == true)
        #expect("\(error.map { "\($0)" } ?? "")".contains("within 2"))
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(60), "\(elapsed): stopped at the deadline, not after the 100 s the answer takes")
        #expect(server.requestLines.first == "GET /api/v1/namespaces/shop/configmaps/web HTTP/1.1")
    }

    @Test("a request that answers in time is not affected by the deadline")
    func promptServerIsFine() async throws {
        let server = try LoopbackHTTPServer { _ in .init(body: Array(#"{"kind":"Status"}"#.utf8)) }
        defer { server.stop() }
        let response = try await loopbackClient(server, configuration: KubeClient.Configuration(requestTimeout: .seconds(5))) { client in
            try await client.send(KubeRequest(method: "GET", path: "/version"))
        }
        #expect(response.status == 200)
    }

    // MARK: 4. Warning headers

    @Test("the API server's Warning headers reach the handler: code 299 only, unquoted and unescaped")
    func warningsReachTheHandler() async throws {
        let server = try LoopbackHTTPServer { _ in
            .init(headers: [
                ("Warning", #"299 - "spec.template.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+""#),
                ("Warning", #"299 - "fractional byte value \"1500m\" is invalid""#),
                ("Warning", #"199 - "not a Kubernetes warning""#),
            ])
        }
        defer { server.stop() }
        let seen = Mutex<[String]>([])
        let configuration = KubeClient.Configuration(warningHandler: { text in seen.withLock { $0.append(text) } })
        _ = try await loopbackClient(server, configuration: configuration) { client in
            try await client.send(KubeRequest(method: "PATCH", path: "/apis/apps/v1/namespaces/shop/deployments/web"))
        }
        #expect(
            seen.withLock { $0 } == [
                "spec.template.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+",
                #"fractional byte value "1500m" is invalid"#,
            ])
    }

    @Test(
        "Warning header values are parsed as apimachinery's ParseWarningHeaders parses them",
        arguments: [
            (#"299 - "text""#, [WarningHeader(code: 299, agent: "-", text: "text")]),
            (
                #"299 - "a, b", 299 kube-apiserver "c \"d\"" "Wed, 21 Oct 2015 07:28:00 GMT""#,
                [WarningHeader(code: 299, agent: "-", text: "a, b"), WarningHeader(code: 299, agent: "kube-apiserver", text: #"c "d""#)]
            ),
            (#"299 - "ok", garbage"#, [WarningHeader(code: 299, agent: "-", text: "ok")]),
            (#"29 - "short code""#, []),
            (#"299 - "unterminated"#, []),
            ("", []),
        ])
    func warningHeaderParsing(value: String, expected: [WarningHeader]) {
        #expect(WarningHeader.parse(value) == expected)
    }

    // MARK: 7. Exec plugins

    @Test("an exec plugin that prints without end is stopped at 1 MiB, and its output never shown")
    func execPluginOutputIsCapped() async throws {
        try await withTemporaryDirectory { folder in
            let script = try writeScript("yes secret-looking-output", named: "flood.sh", in: folder)
            let started = ContinuousClock.now
            let error = await kubeConfigError {
                _ = try await CredentialSource(
                    .exec(ExecConfig(command: script)), environment: processEnvironment, runner: ProcessExecPluginRunner(forwardsStandardError: false)
                ).current()
            }
            #expect(error?.code == .execInvalidOutput)
            #expect(error.map { "\($0)" }?.contains("printed more than 1024 KiB") == true)
            #expect(error.map { "\($0)" }?.contains("secret-looking") == false)
            #expect(ContinuousClock.now - started < .seconds(60))
        }
    }

    @Test("at the timeout an exec plugin's whole process group ends, children that ignore SIGTERM included")
    func execPluginGroupEndsAtTimeout() async throws {
        try await withTemporaryDirectory { folder in
            let marker = folder.appendingPathComponent("child.pid").path
            let script = try writeScript(
                """
                trap '' TERM
                sh -c 'trap "" TERM; echo $$ > \(marker); exec sleep 60' &
                sleep 60
                """, named: "stubborn.sh", in: folder)
            let error = await kubeConfigError {
                _ = try await CredentialSource(
                    .exec(ExecConfig(command: script)), environment: processEnvironment, runner: ProcessExecPluginRunner(forwardsStandardError: false),
                    execTimeout: .seconds(1)
                ).current()
            }
            #expect(error?.code == .execTimedOut)
            let pid = try #require(Int32(String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            try await Task.sleep(for: .seconds(1))
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            #expect(kill(pid, 0) != 0 || stat.contains(") Z "), "the child that ignores SIGTERM is gone")
        }
    }

    // MARK: Against kube-apiserver

    @Test("names with '?', '#' and spaces reach kube-apiserver as names (an RBAC Role may have one)", .realCluster)
    func escapedNamesOnTheRealServer() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("names")
        try await cluster.admin { client in
            let name = "cfg?fieldManager=warrant# x"
            let role = KubeObject([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]]],
            ])
            let dryRun = try await client.apply(role, fieldManager: "warrant", dryRun: true)
            #expect(dryRun.name == name)
            #expect(try await client.get(GroupKind(group: "rbac.authorization.k8s.io", kind: "Role"), namespace: namespace, name: name) == nil)
            _ = try await client.apply(role, fieldManager: "warrant")
            let read = try await client.get(GroupKind(group: "rbac.authorization.k8s.io", kind: "Role"), namespace: namespace, name: name)
            #expect(read?.name == name)
            #expect(try await client.delete(GroupKind(group: "rbac.authorization.k8s.io", kind: "Role"), namespace: namespace, name: name))
        }
    }

    @Test("kube-apiserver's warnings about a written object reach the handler", .realCluster)
    func warningsFromTheRealServer() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("warnings")
        let seen = Mutex<[String]>([])
        let connection = cluster.connection(token: RealCluster.Token.admin, namespace: namespace)
        try await KubeClient.with(
            connection, credentials: CredentialSource(connection: connection),
            configuration: KubeClient.Configuration(warningHandler: { text in seen.withLock { $0.append(text) } })
        ) { client in
            let deployment = try ManifestLoader().load(
                bytes: Array(
                    """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: web, namespace: \(namespace)}
                    spec:
                      selector: {matchLabels: {app: web}}
                      template:
                        metadata:
                          labels: {app: web}
                          annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}
                        spec: {containers: [{name: c, image: "nginx:1.27"}]}
                    """.utf8), file: "web.yaml")[0]
            _ = try await client.apply(deployment, fieldManager: "warrant", dryRun: true)
        }
        #expect(seen.withLock { $0 }.contains { $0.contains("seccomp.security.alpha.kubernetes.io/pod") && $0.contains("non-functional") })
    }
}
