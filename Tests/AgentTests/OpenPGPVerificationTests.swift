import Agent
import Foundation
import Testing
import WarrantTestSupport

/// OpenPGP-signed commits, with a GnuPG key generated in a private GNUPGHOME.
@Suite(.enabled(if: ToolPaths.current.gpg != nil, "gpg is not installed (gnupg)"), .timeLimit(.minutes(2)))
struct OpenPGPVerificationTests {
    @Test func aCommitSignedWithAKeyOfTheKeyringIsAcceptedAndOthersAreRefused() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let carol = try await fixture.makeOpenPGPKey(userID: "Carol Example <carol@example.com>")
            let stranger = try await fixture.makeOpenPGPKey(userID: "Stranger <stranger@example.com>")
            let ssh = try await fixture.makeSSHKey(principal: "alice@example.com")
            let allowed = try fixture.allowedSigners([ssh.allowedSignersLine()])
            let logs = LogCapture()
            let source = GitRepositorySource(
                repository: try GitRepositoryURL(parsing: fixture.url), branch: "main", workingDirectory: fixture.root + "/agent/git", logger: logs.logger())
            let verifier = SignedCommitVerifier(
                policy: SignaturePolicy(allowedSignersFile: allowed, gpgKeyringFile: carol.keyringFile), workingDirectory: fixture.root + "/agent/verify",
                logger: logs.logger())

            let base = try await fixture.commit("base", signer: .ssh(ssh))
            let good = try await fixture.commit("signed by carol", signer: .openPGP(carol), author: "Carol Example <carol@example.com>")
            let mixed = try await fixture.commit("signed with ssh", signer: .ssh(ssh))
            try await fixture.push()
            let tip = try await source.fetch()
            let verdict = try await verifier.verify(CommitRange(base: base, tip: tip), in: source)
            #expect(verdict.isAccepted, "\(verdict.refusals)")
            #expect(verdict.verified.map(\.id) == [good, mixed])
            #expect(verdict.verified.first?.signer == Signer(method: .openPGP, principal: "Carol Example <carol@example.com>", fingerprint: carol.fingerprint))

            let foreign = try await fixture.commit("signed by a stranger", signer: .openPGP(stranger))
            try await fixture.push()
            let refused = try await verifier.verify(CommitRange(base: tip, tip: try await source.fetch()), in: source)
            #expect(refused.refusals.map(\.commit) == [foreign])
            #expect(refused.refusals.first?.reason == .unknownSigner)

            // Without a keyring, OpenPGP signatures are not checked: refused, fail closed.
            let sshOnly = SignedCommitVerifier(
                policy: SignaturePolicy(allowedSignersFile: allowed), workingDirectory: fixture.root + "/agent/verify2", logger: logs.logger())
            let withoutKeyring = try await sshOnly.verify(CommitRange(base: base, tip: tip), in: source)
            #expect(withoutKeyring.refusals.map(\.reason) == [.unsupportedSignature])
            #expect(withoutKeyring.refusals.first?.commit == good)

            // The temporary GNUPGHOME is gone after each verification.
            let left = try FileManager.default.contentsOfDirectory(atPath: fixture.root + "/agent/verify")
            #expect(!left.contains { $0.hasPrefix("gnupg-") })
            await fixture.stopAgent(carol)
            await fixture.stopAgent(stranger)
        }
    }

    @Test func anExpiredOpenPGPKeyIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            // A key made in 2020 that expired in 2021; it signed while it was valid (gpg's faked
            // time), and has expired by the time the agent verifies.
            let dave = try await fixture.makeOpenPGPKey(userID: "Dave <dave@example.com>", expiry: "1y", madeAt: "20200601T000000")
            let ssh = try await fixture.makeSSHKey(principal: "alice@example.com")
            let tip = try await fixture.commit("signed in 2020", signer: .openPGP(dave), date: Date(timeIntervalSince1970: 1_592_000_000))
            try await fixture.push()
            let logs = LogCapture()
            let source = GitRepositorySource(
                repository: try GitRepositoryURL(parsing: fixture.url), branch: "main", workingDirectory: fixture.root + "/agent/git", logger: logs.logger())
            let verifier = SignedCommitVerifier(
                policy: SignaturePolicy(allowedSignersFile: try fixture.allowedSigners([ssh.allowedSignersLine()]), gpgKeyringFile: dave.keyringFile),
                workingDirectory: fixture.root + "/agent/verify", logger: logs.logger())
            let verdict = try await verifier.verify(CommitRange(base: nil, tip: try await source.fetch()), in: source)
            #expect(verdict.refusals.map(\.commit) == [tip])
            #expect(verdict.refusals.first?.reason == .keyNotValid)
            await fixture.stopAgent(dave)
        }
    }

    @Test func aKeyringWithoutKeysIsAClearError() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let carol = try await fixture.makeOpenPGPKey(userID: "Carol <carol@example.com>")
            let ssh = try await fixture.makeSSHKey(principal: "alice@example.com")
            try await fixture.commit("signed by carol", signer: .openPGP(carol))
            try await fixture.push()
            let empty = fixture.root + "/empty.asc"
            try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: empty))
            let logs = LogCapture()
            let source = GitRepositorySource(
                repository: try GitRepositoryURL(parsing: fixture.url), branch: "main", workingDirectory: fixture.root + "/agent/git", logger: logs.logger())
            let verifier = SignedCommitVerifier(
                policy: SignaturePolicy(allowedSignersFile: try fixture.allowedSigners([ssh.allowedSignersLine()]), gpgKeyringFile: empty),
                workingDirectory: fixture.root + "/agent/verify", logger: logs.logger())
            let tip = try await source.fetch()
            await #expect {
                _ = try await verifier.verify(CommitRange(base: nil, tip: tip), in: source)
            } throws: { error in
                (error as? VerificationError)?.code == .trustFile && "\(error)".contains(empty)
            }
            await fixture.stopAgent(carol)
        }
    }
}
