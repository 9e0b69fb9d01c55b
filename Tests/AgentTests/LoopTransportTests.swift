import Agent
import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Synchronization
import Testing
import WarrantTestSupport

/// The whole loop over the two network transports (the Git source has tests of its own for each):
/// a signed commit fetched over HTTPS (`git http-backend` behind TLS with basic authentication,
/// the password from a file) and over SSH (a real `sshd`, a deploy key, a pinned host key) is
/// verified, applied to the API test server and recorded with the repository's host and path, and no
/// credential reaches a log line, the record or the status.
@Suite(.timeLimit(.minutes(2)))
struct LoopTransportTests {
    /// Seeds namespace `shop` with the agent's RBAC for `configuration`, runs one pass and checks it.
    static func applyOnce(
        _ configuration: AgentConfiguration, fixture: GitFixture, tip: CommitID, secrets: [String]
    ) async throws {
        try await withKubeTestServer { server in
            try server.seed(try ManifestLoader().load(bytes: Array("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n".utf8), file: "ns.yaml"))
            try server.seed(try agentRBAC(namespace: "shop", manifests: appManifests("v1"), configuration: configuration))
            server.addUser(token: ReconcilerTests.World.token, name: "system:serviceaccount:shop:warrant-agent")
            let connection = ClusterConnection(
                server: server.url, certificateAuthorityPEM: Array(server.caCertificatePEM.utf8), namespace: "shop",
                credentials: .token(ReconcilerTests.World.token), origin: "test")
            let logs = LogCapture()
            try await KubeClient.with(connection, credentials: CredentialSource(connection: connection)) { client in
                let reconciler = try makeReconciler(configuration, client: client, logs: logs)
                var state = try await reconciler.resume()
                let step = await reconciler.step(&state)
                guard case .deployed(_, let outcome) = step else {
                    Issue.record("not deployed: \(step)")
                    return
                }
                #expect(outcome.isSuccess, "\(String(describing: outcome.failure))")
                #expect(state.lastApplied == tip)
                let record = try #require(outcome.record)
                // The repository as recorded: its host and path, no user name or credential.
                let repository = try #require(agentFields(record)?[path: ["repository"]]?.stringValue)
                #expect(repository.hasSuffix("/remote.git") && repository.contains("127.0.0.1"), "\(repository)")
                #expect(!repository.contains("@"), "\(repository)")
                // The next poll over the same transport: nothing new.
                guard case .unchanged = await reconciler.step(&state) else {
                    Issue.record("not unchanged")
                    return
                }
                let status = try #require(try await AgentStatusStore(namespace: "shop").read(client: client))
                let recordText = record.jsonLine
                for secret in secrets {
                    #expect(!logs.text.contains(secret), "a credential in the trace log")
                    #expect(!recordText.contains(secret), "a credential in the record")
                    #expect(!status.encoded().contains(secret), "a credential in the status")
                }
            }
            let value = server.object(group: "", kind: "ConfigMap", namespace: "shop", name: "app-config")?.content[path: ["data", "value"]]
            #expect(value == "v1")
        }
    }

    @Test(.enabled(if: GitHTTPServer.backendProgram != nil, "git http-backend is not installed"))
    func aSignedCommitOverHTTPSIsAppliedAndNoPasswordShows() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await GitHTTPSTests.World.make(in: folder)
            let alice = try await world.fixture.makeSSHKey(principal: "alice@example.com")
            let tip = try await world.fixture.commit("app v1", files: ["deploy/app.yaml": appManifests("v1")], signer: .ssh(alice))
            try await world.fixture.push()
            var settings = AgentSettings()
            settings.set(.repo, world.repository.address)
            settings.set(.branch, "main")
            settings.set(.path, "deploy")
            settings.set(.namespace, "shop", flag: "-n")
            settings.set(.allowedSigners, try world.fixture.allowedSigners([alice.allowedSignersLine()]))
            settings.set(.gitUsername, "deploy-bot")
            settings.set(.gitPasswordFile, world.passwordFile)
            settings.set(.gitCAFile, world.server.certificateAuthorityFile)
            settings.set(.workDir, world.fixture.root + "/agent-https")
            let configuration = try AgentConfiguration(settings: settings)
            try await Self.applyOnce(configuration, fixture: world.fixture, tip: tip, secrets: [world.password])
            #expect(world.server.requests.withLock { $0 }.contains { $0.contains("authorized=true") })
            await world.server.shutdown()
        }
    }

    @Test(.enabled(if: SSHServer.isAvailable, "sshd is not installed (openssh-server)"))
    func aSignedCommitOverSSHIsAppliedAndTheDeployKeyNeverShows() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let deployKey = try await fixture.makeSSHKey(principal: "deploy")
            let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
            try await SSHServer.with(authorizedKey: deployKey.publicKey, in: fixture.root, fixture: fixture) { server in
                let tip = try await fixture.commit("app v1", files: ["deploy/app.yaml": appManifests("v1")], signer: .ssh(alice))
                try await fixture.push()
                var settings = AgentSettings()
                settings.set(.repo, "ssh://\(server.user)@127.0.0.1:\(server.port)\(fixture.remote)")
                settings.set(.branch, "main")
                settings.set(.path, "deploy")
                settings.set(.namespace, "shop", flag: "-n")
                settings.set(.allowedSigners, try fixture.allowedSigners([alice.allowedSignersLine()]))
                settings.set(.sshKeyFile, deployKey.privateKeyFile)
                settings.set(.sshKnownHosts, try fixture.allowedSigners([server.knownHostsLine]))
                settings.set(.workDir, fixture.root + "/agent-ssh")
                let configuration = try AgentConfiguration(settings: settings)
                let privateKey = try String(contentsOfFile: deployKey.privateKeyFile, encoding: .utf8)
                let keyBody = String(privateKey.split(separator: "\n")[1])
                try await Self.applyOnce(configuration, fixture: fixture, tip: tip, secrets: [keyBody])
            }
        }
    }
}
