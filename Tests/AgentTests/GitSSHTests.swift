import Agent
import Foundation
import Testing
import WarrantTestSupport

/// `ssh://` repositories through a real `sshd`: the deploy key, the known_hosts file and
/// `StrictHostKeyChecking=yes`.
@Suite(.enabled(if: SSHServer.isAvailable, "sshd is not installed (openssh-server)"), .timeLimit(.minutes(2)))
struct GitSSHTests {
    @Test func aDeployKeyAndAPinnedHostKeyFetchAndAnythingElseIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let deployKey = try await fixture.makeSSHKey(principal: "deploy")
            try await SSHServer.with(authorizedKey: deployKey.publicKey, in: fixture.root, fixture: fixture) { server in
                let tip = try await fixture.commit("one", signer: nil)
                try await fixture.push()
                let knownHosts = try fixture.allowedSigners([server.knownHostsLine])
                let repository = try GitRepositoryURL(parsing: "ssh://\(server.user)@127.0.0.1:\(server.port)\(fixture.remote)")
                func source(key: String, knownHosts: String, name: String, logs: LogCapture = LogCapture()) -> GitRepositorySource {
                    GitRepositorySource(
                        repository: repository, branch: "main", credentials: .ssh(.init(privateKeyFile: key, knownHostsFile: knownHosts)),
                        workingDirectory: fixture.root + "/" + name, logger: logs.logger())
                }

                let logs = LogCapture()
                let good = source(key: deployKey.privateKeyFile, knownHosts: knownHosts, name: "good", logs: logs)
                #expect(try await good.remoteTip() == tip)
                #expect(try await good.fetch() == tip)
                let privateKey = try String(contentsOfFile: deployKey.privateKeyFile, encoding: .utf8)
                let keyBody = privateKey.split(separator: "\n")[1]
                #expect(!logs.text.contains(keyBody))

                // Another server's host key in known_hosts: refused before authenticating.
                let otherHost = try await fixture.makeSSHKey(principal: "other-host")
                let wrongHosts = try fixture.allowedSigners([
                    "[127.0.0.1]:\(server.port) " + otherHost.publicKey.split(separator: " ").prefix(2).joined(separator: " ")
                ])
                await #expect {
                    _ = try await source(key: deployKey.privateKeyFile, knownHosts: wrongHosts, name: "wrong-host").remoteTip()
                } throws: { error in
                    (error as? GitError)?.code == .hostKeyRejected
                }
                // An empty known_hosts: refused, never trusted on first use.
                let emptyHosts = try fixture.allowedSigners([])
                await #expect {
                    _ = try await source(key: deployKey.privateKeyFile, knownHosts: emptyHosts, name: "no-host").remoteTip()
                } throws: { error in
                    (error as? GitError)?.code == .hostKeyRejected
                }
                // A key the server does not know.
                let stranger = try await fixture.makeSSHKey(principal: "stranger")
                await #expect {
                    _ = try await source(key: stranger.privateKeyFile, knownHosts: knownHosts, name: "stranger").remoteTip()
                } throws: { error in
                    let error = try #require(error as? GitError)
                    return error.code == .authenticationFailed && (error.hint ?? "").contains("deploy key")
                }
            }
        }
    }
}
