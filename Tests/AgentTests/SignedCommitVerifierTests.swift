import Agent
import Foundation
import Logging
import Testing
import WarrantTestSupport

/// Signature verification with real `git`, `ssh-keygen` keys and commits signed by git itself.
@Suite(.timeLimit(.minutes(2)))
struct SignedCommitVerifierTests {
    /// A fixture with Alice's and Bob's keys in the allowed signers, Mallory's not, and a source
    /// over the fixture's bare repository.
    struct World {
        let fixture: GitFixture
        let alice: SSHKey
        let bob: SSHKey
        let mallory: SSHKey
        let allowedSigners: String
        let source: GitRepositorySource
        let verifier: SignedCommitVerifier
        let logs: LogCapture

        static func make(in folder: URL, aliceOptions: [String] = ["namespaces=\"git\""]) async throws -> World {
            let fixture = try await GitFixture.make(in: folder)
            let alice = try await fixture.makeSSHKey(principal: "alice@example.com")
            let bob = try await fixture.makeSSHKey(principal: "bob@example.com")
            let mallory = try await fixture.makeSSHKey(principal: "mallory@example.com")
            let allowedSigners = try fixture.allowedSigners([alice.allowedSignersLine(options: aliceOptions), bob.allowedSignersLine()])
            let logs = LogCapture()
            let source = GitRepositorySource(
                repository: try GitRepositoryURL(parsing: fixture.url), branch: "main", workingDirectory: fixture.root + "/agent/git", logger: logs.logger())
            let verifier = SignedCommitVerifier(
                policy: SignaturePolicy(allowedSignersFile: allowedSigners), workingDirectory: fixture.root + "/agent/verify", logger: logs.logger())
            return World(
                fixture: fixture, alice: alice, bob: bob, mallory: mallory, allowedSigners: allowedSigners, source: source, verifier: verifier, logs: logs)
        }

        /// Pushes, fetches and verifies `base..tip`.
        func verify(from base: CommitID?) async throws -> VerificationVerdict {
            try await fixture.push(force: true)
            let tip = try await source.fetch()
            return try await verifier.verify(CommitRange(base: base, tip: tip), in: source)
        }
    }

    @Test func aSignedRangeIsAcceptedWithEverySignerAndKey() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            let first = try await world.fixture.commit("one", signer: .ssh(world.alice))
            let second = try await world.fixture.commit("two", signer: .ssh(world.bob), author: "Bob Builder <bob@example.com>")
            let verdict = try await world.verify(from: base)
            #expect(verdict.isAccepted, "\(verdict.refusals)")
            #expect(verdict.verified.map(\.id) == [first, second])
            let signers = verdict.verified.map(\.signer)
            #expect(
                signers == [
                    Signer(method: .ssh, principal: "alice@example.com", fingerprint: world.alice.fingerprint),
                    Signer(method: .ssh, principal: "bob@example.com", fingerprint: world.bob.fingerprint),
                ])
            #expect(verdict.verified[1].author.name == "Bob Builder")
            #expect(verdict.verified[1].committer.email == "bob@example.com")
            #expect(verdict.verified[0].subject == "one")
            #expect(verdict.summary.contains("2 commits signed by alice@example.com, bob@example.com"))
        }
    }

    @Test func theFirstRunVerifiesOnlyTheTipAndTrustStartsThere() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            try await world.fixture.commit("old and unsigned", signer: nil)
            let tip = try await world.fixture.commit("signed tip", signer: .ssh(world.alice))
            let verdict = try await world.verify(from: nil)
            #expect(verdict.isAccepted)
            #expect(verdict.startsTrust)
            #expect(verdict.verified.map(\.id) == [tip])
            #expect(verdict.summary.hasPrefix("trust starts at \(tip.short)"))
        }
    }

    @Test func anUnsignedTipOnTheFirstRunIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let tip = try await world.fixture.commit("unsigned", signer: nil, author: "Eve <eve@example.com>")
            let verdict = try await world.verify(from: nil)
            #expect(!verdict.isAccepted)
            #expect(verdict.refusals.map(\.commit) == [tip])
            #expect(verdict.refusals.first?.reason == .unsigned)
            #expect(verdict.refusals.first?.author?.email == "eve@example.com")
        }
    }

    @Test func anUnsignedCommitInTheMiddleRefusesTheWholeRange() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            try await world.fixture.commit("signed", signer: .ssh(world.alice))
            let unsigned = try await world.fixture.commit("sneaky", signer: nil, author: "Eve Intruder <eve@example.com>")
            try await world.fixture.commit("signed on top", signer: .ssh(world.bob))
            let verdict = try await world.verify(from: base)
            #expect(!verdict.isAccepted)
            let refusal = try #require(verdict.refusals.first)
            #expect(verdict.refusals.count == 1)
            #expect(refusal.commit == unsigned)
            #expect(refusal.reason == .unsigned)
            #expect(refusal.author?.name == "Eve Intruder")
            #expect(refusal.subject == "sneaky")
            #expect(verdict.verified.count == 2)
            #expect(verdict.summary.contains("refused: commit \(unsigned.short) by Eve Intruder <eve@example.com>: unsigned"))
        }
    }

    @Test func aKeyNotInTheAllowedSignersIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            let forged = try await world.fixture.commit("looks like alice", signer: .ssh(world.mallory))
            let verdict = try await world.verify(from: base)
            let refusal = try #require(verdict.refusals.first)
            #expect(refusal.commit == forged)
            #expect(refusal.reason == .unknownSigner)
            #expect(refusal.author?.email == "alice@example.com")
        }
    }

    @Test func aKeyPastItsValidBeforeIsRefusedAndCommitTimeDecides() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder, aliceOptions: ["namespaces=\"git\"", "valid-before=\"20200101Z\""])
            // Made while the key was valid: accepted.
            let old = try await world.fixture.commit("in 2019", signer: .ssh(world.alice), date: Date(timeIntervalSince1970: 1_560_000_000))
            let accepted = try await world.verify(from: nil)
            #expect(accepted.isAccepted, "\(accepted.refusals)")
            #expect(accepted.verified.map(\.id) == [old])
            // Made now, after valid-before: refused, naming the expiry.
            let late = try await world.fixture.commit("today", signer: .ssh(world.alice))
            let refused = try await world.verify(from: old)
            let refusal = try #require(refused.refusals.first)
            #expect(refusal.commit == late)
            #expect(refusal.reason == .keyNotValid)
            #expect(refusal.detail.contains("expired"), "\(refusal.detail)")
        }
    }

    @Test func aKeyBeforeItsValidAfterIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder, aliceOptions: ["valid-after=\"20300101Z\""])
            let tip = try await world.fixture.commit("too early", signer: .ssh(world.alice))
            let verdict = try await world.verify(from: nil)
            #expect(verdict.refusals.map(\.commit) == [tip])
            #expect(verdict.refusals.first?.reason == .keyNotValid)
        }
    }

    @Test func aKeyLimitedToAnotherNamespaceIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder, aliceOptions: ["namespaces=\"file\""])
            try await world.fixture.commit("signed for git, allowed for files only", signer: .ssh(world.alice))
            let verdict = try await world.verify(from: nil)
            #expect(!verdict.isAccepted)
            #expect(verdict.refusals.first?.reason == .badSignature)
        }
    }

    @Test func aKeyListedUnderSeveralPrincipalsAndAWildcardVerifies() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let key = world.alice.publicKey.split(separator: " ").prefix(2).joined(separator: " ")
            let bobKey = world.bob.publicKey.split(separator: " ").prefix(2).joined(separator: " ")
            let signers = try world.fixture.allowedSigners(["alice@corp.example,alice@example.com \(key)", "*@builders.example \(bobKey)"])
            let verifier = SignedCommitVerifier(
                policy: SignaturePolicy(allowedSignersFile: signers), workingDirectory: world.fixture.root + "/v-multi", logger: world.logs.logger())
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            try await world.fixture.commit("alice", signer: .ssh(world.alice))
            try await world.fixture.commit("bob", signer: .ssh(world.bob))
            try await world.fixture.push()
            let tip = try await world.source.fetch()
            let verdict = try await verifier.verify(CommitRange(base: base, tip: tip), in: world.source)
            #expect(verdict.isAccepted, "\(verdict.refusals)")
            #expect(verdict.verified.map(\.signer.principal) == ["alice@corp.example", "*@builders.example"])
        }
    }

    @Test func aCommitDatedInTheFutureIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let tip = try await world.fixture.commit("from the future", signer: .ssh(world.alice), date: Date().addingTimeInterval(2 * 86_400))
            let verdict = try await world.verify(from: nil)
            #expect(verdict.refusals.map(\.commit) == [tip])
            #expect(verdict.refusals.first?.reason == .commitTimeInFuture)
        }
    }

    @Test func aCommitChangedAfterSigningIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            let signed = try await world.fixture.commit("deploy v1", signer: .ssh(world.alice))
            // The same object with another message and Alice's signature kept: a forgery.
            let raw = try await world.fixture.git(["cat-file", "commit", signed.hex])
            let tampered = raw.replacingOccurrences(of: "deploy v1", with: "deploy v2")
            let file = world.fixture.root + "/tampered"
            try Data(tampered.utf8).write(to: URL(fileURLWithPath: file))
            let forged = try #require(
                CommitID(try await world.fixture.git(["hash-object", "-t", "commit", "-w", file]).trimmingCharacters(in: .whitespacesAndNewlines)))
            try await world.fixture.git(["reset", "--quiet", "--hard", forged.hex])
            let verdict = try await world.verify(from: base)
            let refusal = try #require(verdict.refusals.first)
            #expect(refusal.commit == forged)
            #expect(refusal.reason == .badSignature)
        }
    }

    @Test func aForcePushedRewriteIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            let applied = try await world.fixture.commit("applied", signer: .ssh(world.alice))
            _ = try await world.verify(from: nil)
            // Rewrite: drop `applied`, add a signed commit, force-push.
            try await world.fixture.git(["reset", "--quiet", "--hard", base.hex])
            let rewritten = try await world.fixture.commit("rewritten history", signer: .ssh(world.alice))
            let verdict = try await world.verify(from: applied)
            #expect(!verdict.isAccepted)
            let refusal = try #require(verdict.refusals.first)
            #expect(refusal.reason == .notDescendant)
            #expect(refusal.commit == rewritten)
            #expect(refusal.detail.contains(applied.short))
        }
    }

    @Test func aRollbackToAnOlderCommitIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let older = try await world.fixture.commit("v1", signer: .ssh(world.alice))
            let applied = try await world.fixture.commit("v2", signer: .ssh(world.alice))
            _ = try await world.verify(from: nil)
            try await world.fixture.git(["reset", "--quiet", "--hard", older.hex])
            let verdict = try await world.verify(from: applied)
            #expect(verdict.refusals.map(\.reason) == [.notDescendant])
            #expect(verdict.refusals.first?.commit == older)
        }
    }

    @Test func aFreshAgentWithoutTheAppliedCommitRefusesARewrite() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            let applied = try await world.fixture.commit("applied", signer: .ssh(world.alice))
            try await world.fixture.push()
            // The branch is rewritten before the (restarted) agent ever fetched `applied`.
            try await world.fixture.git(["reset", "--quiet", "--hard", base.hex])
            try await world.fixture.commit("rewritten", signer: .ssh(world.alice))
            try await world.fixture.git(["push", "--quiet", "--force", world.fixture.remote, "HEAD:refs/heads/main"])
            try await world.fixture.git(["--git-dir=" + world.fixture.remote, "gc", "--quiet", "--prune=now"])
            let tip = try await world.source.fetch()
            #expect(try await !world.source.contains(applied))
            let verdict = try await world.verifier.verify(CommitRange(base: applied, tip: tip), in: world.source)
            #expect(verdict.refusals.map(\.reason) == [.notDescendant])
        }
    }

    @Test func aMergeOfTwoSignedBranchesIsAcceptedWithBothSides() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            try await world.fixture.git(["checkout", "--quiet", "-b", "feature"])
            let feature = try await world.fixture.commit("feature", signer: .ssh(world.bob), author: "Bob Builder <bob@example.com>")
            try await world.fixture.git(["checkout", "--quiet", "main"])
            let mainline = try await world.fixture.commit("mainline", signer: .ssh(world.alice))
            let merge = try await world.fixture.merge("feature", signer: .ssh(world.alice))
            let verdict = try await world.verify(from: base)
            #expect(verdict.isAccepted, "\(verdict.refusals)")
            #expect(Set(verdict.verified.map(\.id)) == [feature, mainline, merge])
            #expect(verdict.verified.last?.id == merge)
            #expect(verdict.verified.last?.parents.count == 2)
        }
    }

    @Test func aMergeThatBringsInAnUnsignedCommitIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            try await world.fixture.git(["checkout", "--quiet", "-b", "feature"])
            let unsigned = try await world.fixture.commit("unsigned on the side", signer: nil, author: "Eve <eve@example.com>")
            try await world.fixture.commit("signed on the side", signer: .ssh(world.bob))
            try await world.fixture.git(["checkout", "--quiet", "main"])
            try await world.fixture.commit("mainline", signer: .ssh(world.alice))
            let merge = try await world.fixture.merge("feature", signer: .ssh(world.alice))
            let verdict = try await world.verify(from: base)
            #expect(!verdict.isAccepted)
            #expect(verdict.refusals.map(\.commit) == [unsigned])
            #expect(verdict.refusals.first?.reason == .unsigned)
            #expect(verdict.verified.contains { $0.id == merge })
        }
    }

    @Test func theSameTipAsTheBaseIsNothingNew() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let tip = try await world.fixture.commit("one", signer: .ssh(world.alice))
            let verdict = try await world.verify(from: tip)
            #expect(verdict.isAccepted)
            #expect(verdict.verified.isEmpty)
        }
    }

    @Test func aRangeLargerThanThePolicyAllowsIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            for number in 1...3 { try await world.fixture.commit("\(number)", signer: .ssh(world.alice)) }
            try await world.fixture.push()
            let tip = try await world.source.fetch()
            let verifier = SignedCommitVerifier(
                policy: SignaturePolicy(allowedSignersFile: world.allowedSigners, maximumRangeSize: 2), workingDirectory: world.fixture.root + "/v2",
                logger: world.logs.logger())
            let verdict = try await verifier.verify(CommitRange(base: base, tip: tip), in: world.source)
            #expect(verdict.refusals.map(\.reason) == [.rangeTooLarge])
        }
    }

    @Test func theVerdictRoundTripsThroughJSONForTheRecord() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let base = try await world.fixture.commit("base", signer: .ssh(world.alice))
            try await world.fixture.commit("signed", signer: .ssh(world.alice))
            try await world.fixture.commit("unsigned", signer: nil)
            let verdict = try await world.verify(from: base)
            let data = try JSONEncoder().encode(verdict)
            #expect(try JSONDecoder().decode(VerificationVerdict.self, from: data) == verdict)
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.contains("\"reason\":\"unsigned\""))
            #expect(text.contains(world.alice.fingerprint.replacingOccurrences(of: "/", with: "\\/")))
        }
    }
}
