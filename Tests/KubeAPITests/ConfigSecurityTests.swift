import Foundation
import KubeAPI
import Testing
import WarrantTestSupport

/// No token, key or plugin output may appear in an error's text or a credential's description.
@Suite("secrets stay out of messages")
struct ConfigSecurityTests {
    static let token = "tok-3f9a7c1e5b"
    static let key = "KEY-MATERIAL-77c2d9"
    static let output = "PLUGIN-OUTPUT-51be0a"

    @Test("errors around secrets never contain them")
    func errorsDoNotLeak() async throws {
        try await withTemporaryDirectory { folder in
            let keyPEM = "-----BEGIN PRIVATE KEY-----\n\(Self.key)\n-----END PRIVATE KEY-----\n"
            var descriptions: [String] = []
            func record(_ body: () throws -> Void) {
                if let error = kubeConfigError(body) { descriptions.append(error.description) }
            }
            func load(_ text: String) throws {
                _ = try connection(text, in: folder)
            }
            // Configuration errors in entries that hold secrets.
            record { try load(kubeconfig(userBody: ["token: \(Self.token)", "client-key-data: \(base64(keyPEM))"])) }
            record { try load(kubeconfig(userBody: ["token: \(Self.token)", "username: admin", "password: \(Self.token)"])) }
            record { try load(kubeconfig(userBody: ["client-key-data: \(base64(keyPEM))"])) }
            record { try load(kubeconfig(userBody: ["client-key-data: '\(Self.key)!'", "client-certificate-data: eA=="])) }
            record { try load(kubeconfig(userBody: ["auth-provider: {name: oidc, config: {id-token: \(Self.token)}}"])) }
            record { try load(kubeconfig(userBody: ["token: \(Self.token)"], currentContext: "other")) }
            record { try load(kubeconfig(userBody: ["token: [\(Self.token)]"])) }
            record { try load("apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: \(Self.token)\n") }
            record { try load("{\"apiVersion\": \"v1\", \"users\": [{\"name\": \"u\", \"user\": {\"token\": \"\(Self.token)\"}]]}") }

            // Plugin failures whose output holds the secret.
            let plugins = [
                "echo \(Self.output); echo \(Self.output) >&2; exit 1",
                "echo '\(Self.output)'",
                "echo '{\"apiVersion\":\"v9\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"\(Self.output)\"}}'",
                "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"clientKeyData\":\"\(Self.output)\"}}'",
            ]
            for (index, body) in plugins.enumerated() {
                let script = try writeScript(body, named: "plugin\(index).sh", in: folder)
                let source = CredentialSource(
                    .exec(ExecConfig(command: script, arguments: [Self.token])), environment: ProcessInfo.processInfo.environment,
                    runner: ProcessExecPluginRunner(forwardsStandardError: false))
                if let error = await kubeConfigError({ _ = try await source.current() }) {
                    descriptions.append(error.description)
                } else {
                    Issue.record("plugin \(index) should fail")
                }
            }
            #expect(descriptions.count == 13)
            for description in descriptions {
                #expect(!description.contains(Self.token), "\(description)")
                #expect(!description.contains(Self.key), "\(description)")
                #expect(!description.contains(Self.output), "\(description)")
            }
        }
    }

    @Test("credentials and users describe themselves without their secrets")
    func descriptionsRedact() {
        let descriptions = [
            "\(Credentials.token(Self.token))",
            "\(Credentials.clientCertificate(certificatePEM: Array(Self.key.utf8), keyPEM: Array(Self.key.utf8)))",
            "\(AuthMaterial.bearer(Self.token))",
            "\(KubeConfig.User(name: "u", token: Self.token, source: .init(file: "f", line: 1)))",
        ]
        for description in descriptions {
            #expect(!description.contains(Self.token) && !description.contains(Self.key), "\(description)")
        }
    }
}
