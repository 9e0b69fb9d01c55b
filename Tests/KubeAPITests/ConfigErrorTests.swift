import Foundation
import KubeAPI
import Testing
import WarrantTestSupport

struct ConfigErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var context: String? = nil
    var code: KubeConfigError.Code
    var field: String?
    var line: Int? = nil
    var fragment: String
    var testDescription: String { name }
}

let configErrorCases: [ConfigErrorCase] = [
    ConfigErrorCase(
        name: "a context names an undefined cluster",
        text: """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters: []
            users: [{name: u, user: {token: t}}]
            contexts:
            - name: dev
              context: {cluster: gone, user: u}
            """,
        code: .unknownReference, field: "contexts[dev].context.cluster", line: 7, fragment: "no cluster named \"gone\""),
    ConfigErrorCase(
        name: "a context names an undefined user",
        text: """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters: [{name: c, cluster: {server: "https://c"}}]
            contexts: [{name: dev, context: {cluster: c, user: nobody}}]
            """,
        code: .unknownReference, field: "contexts[dev].context.user", fragment: "no user named \"nobody\""),
    ConfigErrorCase(
        name: "a context without a user",
        text: kubeconfig().replacingOccurrences(of: "    user: dev\n", with: ""),
        code: .missingField, field: "contexts[dev].context.user", fragment: "names no user"),
    ConfigErrorCase(
        name: "current-context names no context",
        text: kubeconfig(currentContext: "prod"),
        code: .unknownContext, field: "current-context", line: 1, fragment: "no context named \"prod\""),
    ConfigErrorCase(
        name: "--context names no context",
        text: kubeconfig(), context: "prod",
        code: .unknownContext, field: "--context", fragment: "no context named \"prod\""),
    ConfigErrorCase(
        name: "no current-context", text: kubeconfig(currentContext: nil),
        code: .noContext, field: nil, fragment: "current-context is not set"),
    ConfigErrorCase(
        name: "wrong apiVersion", text: kubeconfig().replacingOccurrences(of: "apiVersion: v1", with: "apiVersion: v2"),
        code: .invalidField, field: "apiVersion", fragment: "unsupported apiVersion \"v2\""),
    ConfigErrorCase(
        name: "wrong kind", text: kubeconfig().replacingOccurrences(of: "kind: Config", with: "kind: Pod"),
        code: .invalidField, field: "kind", fragment: "not a kubeconfig"),
    ConfigErrorCase(
        name: "basic authentication", text: kubeconfig(userBody: ["username: admin", "password: hunter2"]),
        code: .unsupportedAuthentication, field: "users[dev].user.username", fragment: "basic authentication"),
    ConfigErrorCase(
        name: "auth-provider", text: kubeconfig(userBody: ["auth-provider:", "  name: gcp", "  config: {access-token: ya29.secret}"]),
        code: .unsupportedAuthentication, field: "users[dev].user.auth-provider", fragment: "auth-provider \"gcp\" is not supported"),
    ConfigErrorCase(
        name: "insecure with a CA",
        text: kubeconfig(clusterBody: ["insecure-skip-tls-verify: true", "certificate-authority-data: \(base64(fakeCAPEM))"]),
        code: .conflictingFields, field: "clusters[dev].cluster.insecure-skip-tls-verify",
        fragment: "specifying a root certificates file with the insecure flag is not allowed"),
    ConfigErrorCase(
        name: "certificate without key", text: kubeconfig(userBody: ["client-certificate-data: \(base64(fakeCertificatePEM))"]),
        code: .missingField, field: "users[dev].user.client-key", fragment: "no key"),
    ConfigErrorCase(
        name: "certificate file and data",
        text: kubeconfig(userBody: [
            "client-certificate: c.pem", "client-certificate-data: \(base64(fakeCertificatePEM))", "client-key-data: \(base64(fakeKeyPEM))",
        ]),
        code: .conflictingFields, field: "users[dev].user.client-certificate-data", fragment: "both set"),
    ConfigErrorCase(
        name: "key file missing", text: kubeconfig(userBody: ["client-certificate-data: \(base64(fakeCertificatePEM))", "client-key: missing.key"]),
        code: .fileNotFound, field: "users[dev].user.client-key", fragment: "missing.key does not exist"),
    ConfigErrorCase(
        name: "CA file missing", text: kubeconfig(clusterBody: ["certificate-authority: nope/ca.pem"]),
        code: .fileNotFound, field: "clusters[dev].cluster.certificate-authority", fragment: "nope/ca.pem does not exist"),
    ConfigErrorCase(
        name: "token file missing", text: kubeconfig(userBody: ["tokenFile: nope-token"]),
        code: .fileNotFound, field: "users[dev].user.tokenFile", line: 9, fragment: "nope-token does not exist"),
    ConfigErrorCase(
        name: "invalid base64", text: kubeconfig(userBody: ["client-key-data: '%%%not base64'", "client-certificate-data: eA=="]),
        code: .invalidField, field: "users[dev].user.client-key-data", line: 9, fragment: "not valid base64"),
    ConfigErrorCase(
        name: "two authentication methods", text: kubeconfig(userBody: ["token: abc", "exec: {apiVersion: client.authentication.k8s.io/v1, command: x}"]),
        code: .conflictingFields, field: "users[dev].user", fragment: "more than one authentication method"),
    ConfigErrorCase(
        name: "exec v1alpha1", text: kubeconfig(userBody: ["exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}"]),
        code: .invalidField, field: "users[dev].user.exec.apiVersion", fragment: "not supported"),
    ConfigErrorCase(
        name: "exec without command", text: kubeconfig(userBody: ["exec: {apiVersion: client.authentication.k8s.io/v1}"]),
        code: .missingField, field: "users[dev].user.exec.command", fragment: "no command"),
    ConfigErrorCase(
        name: "exec needing a terminal",
        text: kubeconfig(userBody: ["exec: {apiVersion: client.authentication.k8s.io/v1, command: x, interactiveMode: Always}"]),
        code: .unsupportedAuthentication, field: "users[dev].user.exec.interactiveMode", fragment: "interactive terminal"),
    ConfigErrorCase(
        name: "server missing", text: kubeconfig().replacingOccurrences(of: "    server: https://127.0.0.1:6443\n", with: ""),
        code: .missingField, field: "clusters[dev].cluster.server", line: 5, fragment: "no server"),
    ConfigErrorCase(
        name: "duplicate names in one file",
        text: kubeconfig() + "- name: dev\n  context: {cluster: dev, user: dev}\n",
        code: .invalidField, field: "contexts[dev]", line: 17, fragment: "used twice"),
    ConfigErrorCase(
        name: "a number where a string belongs", text: kubeconfig(userBody: ["token: 12345"]),
        code: .invalidField, field: "users[dev].user.token", fragment: "must be a string"),
    ConfigErrorCase(
        name: "YAML syntax", text: "apiVersion: v1\nkind: Config\nclusters:\n- name: [unclosed\n",
        code: .syntax, field: nil, fragment: "YAML"),
]

@Suite("kubeconfig errors")
struct ConfigErrorTests {
    @Test("errors name the file, the field and, where known, the line", arguments: configErrorCases)
    func namesFileAndField(_ test: ConfigErrorCase) async throws {
        try await withTemporaryDirectory { folder in
            let path = try writeFile(test.text, named: "kubeconfig.yaml", in: folder)
            let error = kubeConfigError {
                _ = try KubeConfigLoader(environment: [:]).load(explicitPath: path).connection(context: test.context, namespace: nil)
            }
            let found = try #require(error)
            #expect(found.code == test.code, "\(found)")
            #expect(found.field == test.field, "\(found)")
            #expect(found.message.contains(test.fragment), "\(found)")
            if test.field != "--context" && test.code != .noContext {
                #expect(found.file == path, "\(found)")
            }
            if let line = test.line { #expect(found.line == line, "\(found)") }
            #expect(found.hint != nil || test.code == .syntax, "every error says what to do: \(found)")
        }
    }

    @Test("an unknown current-context lists the available contexts")
    func listsContexts() async {
        await withTemporaryDirectory { folder in
            let text = kubeconfig(currentContext: "prod") + "- {name: staging, context: {cluster: dev, user: dev}}\n"
            let error = kubeConfigError { _ = try connection(text, in: folder) }
            #expect(error?.hint?.contains("available contexts: dev, staging") == true)
        }
    }

    @Test("the description reads file:line: field: message, then the hint")
    func descriptionFormat() {
        let error = KubeConfigError(
            .missingField, file: "/k/config", line: 7, field: "users[ci].user.client-key", "a client certificate is set but no key",
            hint: "set client-key")
        #expect(error.description == "/k/config:7: users[ci].user.client-key: a client certificate is set but no key\n  hint: set client-key")
        #expect(KubeConfigError(.noContext, "no context").description == "no context")
    }
}
