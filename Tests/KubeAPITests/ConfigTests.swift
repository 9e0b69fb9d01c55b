import Foundation
import KubeAPI
import Testing
import WarrantTestSupport

@Suite("kubeconfig loading and merging")
struct ConfigLoadingTests {
    @Test("KUBECONFIG merges files: the first definition of a name and the first non-empty current-context win")
    func mergePrecedence() async throws {
        try await withTemporaryDirectory { folder in
            let first = try writeFile(
                """
                apiVersion: v1
                kind: Config
                current-context: ""
                clusters:
                - name: shared
                  cluster: {server: "https://first:6443"}
                users:
                - name: shared
                  user: {token: first-token}
                contexts:
                - name: one
                  context: {cluster: shared, user: shared, namespace: first-ns}
                """, named: "a/config", in: folder)
            let second = try writeFile(
                """
                apiVersion: v1
                kind: Config
                current-context: two
                clusters:
                - name: shared
                  cluster: {server: "https://second:6443"}
                - name: other
                  cluster: {server: "https://other:6443"}
                users:
                - name: shared
                  user: {token: second-token}
                contexts:
                - name: one
                  context: {cluster: other, user: shared}
                - name: two
                  context: {cluster: other, user: shared}
                """, named: "b/config", in: folder)
            let third = try writeFile(
                """
                apiVersion: v1
                kind: Config
                current-context: one
                """, named: "c/config", in: folder)
            let missing = folder.appendingPathComponent("missing/config").path
            let loader = KubeConfigLoader(environment: ["KUBECONFIG": "\(first):\(missing)::\(second):\(third):\(first)"])
            let config = try loader.load(explicitPath: nil)

            #expect(config.files == [first, second, third])
            #expect(config.clusters.map(\.name) == ["shared", "other"])
            #expect(config.cluster(named: "shared")?.server == "https://first:6443")
            #expect(config.context(named: "one")?.cluster == "shared")
            #expect(config.context(named: "one")?.source.file == first)
            #expect(config.currentContext == "two")
            #expect(config.currentContextSource?.file == second)

            let current = try config.connection(context: nil, namespace: nil)
            #expect(current.server == "https://other:6443")
            #expect(current.contextName == "two")
            #expect(current.origin == "kubeconfig \(second) (context two)")
            guard case .token(let token) = current.credentials else {
                Issue.record("expected a token")
                return
            }
            #expect(token == "first-token")

            let one = try config.connection(context: "one", namespace: nil)
            #expect(one.server == "https://first:6443")
            #expect(one.namespace == "first-ns")
        }
    }

    @Test("KUBECONFIG with only missing files gives an empty configuration, and ~/.kube/config is not read")
    func missingFilesSkipped() async throws {
        try await withTemporaryDirectory { folder in
            try writeFile(kubeconfig(), named: ".kube/config", in: folder)
            let loader = KubeConfigLoader(environment: ["KUBECONFIG": folder.path + "/nope:" + folder.path + "/nope2"], homeDirectory: folder.path)
            let config = try loader.load(explicitPath: nil)
            #expect(config.files.isEmpty)
            #expect(config.isEmpty)
            let error = kubeConfigError { _ = try config.connection(context: nil, namespace: nil) }
            #expect(error?.code == .noContext)
            #expect(error?.hint?.contains("--kubeconfig") == true)
        }
    }

    @Test("without KUBECONFIG, ~/.kube/config is read from HOME or the given home folder")
    func defaultLocation() async throws {
        try await withTemporaryDirectory { folder in
            let path = try writeFile(kubeconfig(), named: ".kube/config", in: folder)
            #expect(try KubeConfigLoader(environment: ["HOME": folder.path]).load(explicitPath: nil).files == [path])
            #expect(try KubeConfigLoader(environment: ["KUBECONFIG": ""], homeDirectory: folder.path).load(explicitPath: nil).files == [path])
            #expect(try KubeConfigLoader(environment: [:], homeDirectory: folder.path + "/elsewhere").load(explicitPath: nil).isEmpty)
        }
    }

    @Test("--kubeconfig reads only that file, and must exist")
    func explicitPath() async throws {
        try await withTemporaryDirectory { folder in
            let fromEnvironment = try writeFile(kubeconfig(name: "env"), named: "env", in: folder)
            let explicit = try writeFile(kubeconfig(name: "explicit", currentContext: "explicit"), named: "explicit", in: folder)
            let loader = KubeConfigLoader(environment: ["KUBECONFIG": fromEnvironment], homeDirectory: folder.path)
            let config = try loader.load(explicitPath: explicit)
            #expect(config.files == [explicit])
            #expect(config.contexts.map(\.name) == ["explicit"])

            let missing = folder.appendingPathComponent("missing.yaml").path
            let error = kubeConfigError { _ = try loader.load(explicitPath: missing) }
            #expect(error?.code == .fileNotFound)
            #expect(error?.file == missing)
            #expect(error?.description.hasPrefix(missing) == true)
        }
    }

    @Test("relative paths resolve against the folder of the file that holds them")
    func relativePaths() async throws {
        try await withTemporaryDirectory { folder in
            try writeFile(fakeCAPEM, named: "conf/certs/ca.pem", in: folder)
            try writeFile(fakeCertificatePEM, named: "conf/certs/client.pem", in: folder)
            try writeFile(fakeKeyPEM, named: "conf/certs/client.key", in: folder)
            try writeFile("relative-token\n", named: "conf/token", in: folder)
            let text = """
                apiVersion: v1
                kind: Config
                current-context: certs
                clusters:
                - name: c
                  cluster:
                    server: https://example.test:6443/
                    certificate-authority: certs/ca.pem
                users:
                - name: certs
                  user:
                    client-certificate: certs/client.pem
                    client-key: ./certs/../certs/client.key
                - name: file
                  user:
                    tokenFile: token
                - name: plugin
                  user:
                    exec: {apiVersion: client.authentication.k8s.io/v1, command: bin/plugin}
                - name: onpath
                  user:
                    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}
                contexts:
                - {name: certs, context: {cluster: c, user: certs}}
                - {name: file, context: {cluster: c, user: file}}
                - {name: plugin, context: {cluster: c, user: plugin}}
                - {name: onpath, context: {cluster: c, user: onpath}}
                """
            let path = try writeFile(text, named: "conf/kubeconfig.yaml", in: folder)
            let config = try KubeConfigLoader(environment: ["KUBECONFIG": path]).load(explicitPath: nil)
            let base = folder.appendingPathComponent("conf").standardizedFileURL.path

            #expect(config.cluster(named: "c")?.certificateAuthority == base + "/certs/ca.pem")
            #expect(config.user(named: "certs")?.clientKey == base + "/certs/client.key")
            #expect(config.user(named: "file")?.tokenFile == base + "/token")
            #expect(config.user(named: "plugin")?.exec?.command == base + "/bin/plugin")
            #expect(config.user(named: "onpath")?.exec?.command == "aws")

            let certs = try config.connection(context: nil, namespace: nil)
            #expect(certs.server == "https://example.test:6443")
            #expect(certs.certificateAuthorityPEM == Array(fakeCAPEM.utf8))
            guard case .clientCertificate(let certificate, let key) = certs.credentials else {
                Issue.record("expected a certificate")
                return
            }
            #expect(certificate == Array(fakeCertificatePEM.utf8))
            #expect(key == Array(fakeKeyPEM.utf8))

            guard case .tokenFile(let tokenPath) = try config.connection(context: "file", namespace: nil).credentials else {
                Issue.record("expected a token file")
                return
            }
            #expect(tokenPath == base + "/token")
        }
    }

    struct OverrideCase: Sendable, CustomTestStringConvertible {
        var context: String?
        var namespace: String?
        var expectedContext: String
        var expectedNamespace: String
        var testDescription: String { "--context \(context ?? "-") -n \(namespace ?? "-")" }
    }

    @Test(
        "--context and -n override the current context and its namespace",
        arguments: [
            OverrideCase(context: nil, namespace: nil, expectedContext: "with-ns", expectedNamespace: "team-a"),
            OverrideCase(context: nil, namespace: "cli", expectedContext: "with-ns", expectedNamespace: "cli"),
            OverrideCase(context: "without-ns", namespace: nil, expectedContext: "without-ns", expectedNamespace: "default"),
            OverrideCase(context: "without-ns", namespace: "cli", expectedContext: "without-ns", expectedNamespace: "cli"),
            OverrideCase(context: "", namespace: "", expectedContext: "with-ns", expectedNamespace: "team-a"),
        ])
    func overrides(_ test: OverrideCase) async throws {
        try await withTemporaryDirectory { folder in
            let text = """
                apiVersion: v1
                kind: Config
                current-context: with-ns
                clusters: [{name: c, cluster: {server: "https://c:6443"}}]
                users: [{name: u, user: {token: t}}]
                contexts:
                - {name: with-ns, context: {cluster: c, user: u, namespace: team-a}}
                - {name: without-ns, context: {cluster: c, user: u}}
                """
            let result = try connection(text, in: folder, context: test.context, namespace: test.namespace)
            #expect(result.contextName == test.expectedContext)
            #expect(result.namespace == test.expectedNamespace)
        }
    }

    @Test("every supported user type becomes its credential")
    func userTypes() async throws {
        try await withTemporaryDirectory { folder in
            try writeFile("file-token\n", named: "token", in: folder)
            try writeFile(fakeCertificatePEM, named: "c.pem", in: folder)
            try writeFile(fakeKeyPEM, named: "c.key", in: folder)
            func credentials(_ body: [String]) throws -> Credentials {
                try connection(kubeconfig(userBody: body), in: folder).credentials
            }
            guard case .none = try credentials([]) else {
                Issue.record("expected none")
                return
            }
            guard case .token("abc") = try credentials(["token: abc"]) else {
                Issue.record("expected token")
                return
            }
            guard case .tokenFile(let path) = try credentials(["tokenFile: token"]), path.hasSuffix("/token") else {
                Issue.record("expected token file")
                return
            }
            guard case .tokenFile = try credentials(["token: seed", "tokenFile: token"]) else {
                Issue.record("a token file wins over a token (client-go re-reads the file)")
                return
            }
            guard case .clientCertificate(let fileCertificate, let fileKey) = try credentials(["client-certificate: c.pem", "client-key: c.key"])
            else {
                Issue.record("expected certificate files")
                return
            }
            #expect(fileCertificate == Array(fakeCertificatePEM.utf8) && fileKey == Array(fakeKeyPEM.utf8))
            guard
                case .clientCertificate(let dataCertificate, let dataKey) = try credentials([
                    "client-certificate-data: \(base64(fakeCertificatePEM))", "client-key-data: \(base64(fakeKeyPEM))",
                ])
            else {
                Issue.record("expected certificate data")
                return
            }
            #expect(dataCertificate == Array(fakeCertificatePEM.utf8) && dataKey == Array(fakeKeyPEM.utf8))
            guard
                case .exec(let exec) = try credentials([
                    "exec:", "  apiVersion: client.authentication.k8s.io/v1beta1", "  command: aws",
                    "  args: [eks, get-token, --cluster-name, prod]", "  env: [{name: AWS_PROFILE, value: ci}]",
                    "  installHint: install the AWS CLI", "  provideClusterInfo: true", "  interactiveMode: Never",
                ])
            else {
                Issue.record("expected exec")
                return
            }
            #expect(exec.command == "aws")
            #expect(exec.arguments == ["eks", "get-token", "--cluster-name", "prod"])
            #expect(exec.environment.map(\.name) == ["AWS_PROFILE"] && exec.environment.map(\.value) == ["ci"])
            #expect(exec.apiVersion == "client.authentication.k8s.io/v1beta1")
            #expect(exec.installHint == "install the AWS CLI")
            #expect(exec.provideClusterInfo)
            #expect(exec.interactiveMode == .never)
            #expect(exec.field == "users[dev].user.exec")
        }
    }

    @Test("the certificate authority comes from data or from a file; data wins over a file, with a warning")
    func certificateAuthority() async throws {
        try await withTemporaryDirectory { folder in
            try writeFile("FILE-CA", named: "ca.pem", in: folder)
            let fromData = try connection(kubeconfig(clusterBody: ["certificate-authority-data: \(base64(fakeCAPEM))"]), in: folder)
            #expect(fromData.certificateAuthorityPEM == Array(fakeCAPEM.utf8))
            #expect(fromData.warnings.isEmpty)
            let fromFile = try connection(kubeconfig(clusterBody: ["certificate-authority: ca.pem"]), in: folder)
            #expect(fromFile.certificateAuthorityPEM == Array("FILE-CA".utf8))
            let both = try connection(
                kubeconfig(clusterBody: ["certificate-authority: ca.pem", "certificate-authority-data: \(base64(fakeCAPEM))"]), in: folder)
            #expect(both.certificateAuthorityPEM == Array(fakeCAPEM.utf8))
            #expect(both.warnings.count == 1)
            let none = try connection(kubeconfig(clusterBody: ["tls-server-name: api.internal"]), in: folder)
            #expect(none.certificateAuthorityPEM == nil)
            #expect(none.tlsServerName == "api.internal")
            #expect(!none.insecureSkipTLSVerify)
        }
    }

    @Test("insecure-skip-tls-verify is honoured only when set, and warned about")
    func insecure() async throws {
        try await withTemporaryDirectory { folder in
            let insecure = try connection(kubeconfig(clusterBody: ["insecure-skip-tls-verify: true"]), in: folder)
            #expect(insecure.insecureSkipTLSVerify)
            #expect(insecure.warnings.contains { $0.contains("insecure-skip-tls-verify") })
            let plain = try connection(kubeconfig(server: "http://127.0.0.1:8080"), in: folder)
            #expect(!plain.insecureSkipTLSVerify)
            #expect(plain.warnings.contains { $0.contains("plain HTTP") })
        }
    }

    @Test("a server without a scheme gets https, like client-go")
    func serverDefaults() async throws {
        try await withTemporaryDirectory { folder in
            let server = try connection(kubeconfig(server: "10.0.0.1:6443"), in: folder).server
            #expect(server == "https://10.0.0.1:6443")
        }
    }

    @Test("an empty or comment-only kubeconfig is an empty configuration")
    func emptyFile() async throws {
        try await withTemporaryDirectory { folder in
            let path = try writeFile("# nothing yet\n", named: "config", in: folder)
            let config = try KubeConfigLoader(environment: [:]).load(explicitPath: path)
            #expect(config.isEmpty)
            #expect(config.files == [path])
        }
    }
}
