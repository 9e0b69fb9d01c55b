import Foundation
import KubeModel
import Logging
import Synchronization
import Testing
import WarrantTestSupport

@testable import Agent

/// HTTPS repositories through the real `git http-backend` behind a TLS server with basic
/// authentication: credentials from files, handed to git by the credential helper, and never
/// in a log line or an error.
@Suite(.enabled(if: GitHTTPServer.backendProgram != nil, "git http-backend is not installed"), .timeLimit(.minutes(2)))
struct GitHTTPSTests {
    struct World {
        let fixture: GitFixture
        let server: GitHTTPServer
        let password: String
        let passwordFile: String
        let repository: GitRepositoryURL

        static func make(in folder: URL) async throws -> World {
            let fixture = try await GitFixture.make(in: folder)
            let password = "s3cret-" + UUID().uuidString
            let passwordFile = fixture.root + "/token"
            try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
            let server = try await GitHTTPServer.start(projectRoot: fixture.root, username: "deploy-bot", password: password, in: fixture.root)
            return World(
                fixture: fixture, server: server, password: password, passwordFile: passwordFile,
                repository: try GitRepositoryURL(parsing: server.url + "/remote.git"))
        }

        func source(_ credentials: GitCredentials, caFile: String?, logs: LogCapture, name: String = "agent") -> GitRepositorySource {
            GitRepositorySource(
                repository: repository, branch: "main", credentials: credentials, certificateAuthorityFile: caFile,
                workingDirectory: fixture.root + "/" + name, logger: logs.logger(level: .trace))
        }

        var credentials: GitCredentials { .https(.init(username: .literal("deploy-bot"), passwordFile: passwordFile)) }
    }

    @Test func aTokenFromAFileFetchesAndVerifiesAndNeverShows() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            let key = try await world.fixture.makeSSHKey(principal: "alice@example.com")
            let tip = try await world.fixture.commit("signed", files: ["deploy/cm.yaml": GitRepositorySourceTests.configMap], signer: .ssh(key))
            try await world.fixture.push()
            let logs = LogCapture()
            let source = world.source(world.credentials, caFile: world.server.certificateAuthorityFile, logs: logs)
            #expect(try await source.update(from: nil) == .moved(tip))
            let verifier = SignedCommitVerifier(
                policy: SignaturePolicy(allowedSignersFile: try world.fixture.allowedSigners([key.allowedSignersLine()])),
                workingDirectory: world.fixture.root + "/verify", logger: logs.logger())
            let verdict = try await verifier.verify(CommitRange(base: nil, tip: tip), in: source)
            #expect(verdict.isAccepted)
            let rendered = try await source.manifests(in: try await source.checkout(tip), path: "deploy")
            #expect(rendered.objects.map(\.name) == ["settings"])
            #expect(world.server.requests.withLock { $0 }.contains { $0.contains("authorized=true") })
            #expect(!logs.text.contains(world.password))
            #expect(logs.text.contains("credential.helper=!f()"))
            await world.server.shutdown()
        }
    }

    @Test func aWrongPasswordIsAnAuthenticationErrorWithoutThePassword() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            try await world.fixture.commit("one", signer: nil)
            try await world.fixture.push()
            let wrongFile = world.fixture.root + "/wrong"
            let wrong = "wrong-" + UUID().uuidString
            try Data(wrong.utf8).write(to: URL(fileURLWithPath: wrongFile))
            let logs = LogCapture()
            let source = world.source(
                .https(.init(username: .literal("deploy-bot"), passwordFile: wrongFile)), caFile: world.server.certificateAuthorityFile, logs: logs)
            for attempt in 0..<2 {
                await #expect {
                    if attempt == 0 { _ = try await source.remoteTip() } else { _ = try await source.fetch() }
                } throws: { error in
                    let error = try #require(error as? GitError)
                    let text = error.description
                    return error.code == .authenticationFailed && !error.isRetryable && !text.contains(wrong) && !text.contains(world.password)
                        && text.contains("--git-username")
                }
            }
            #expect(!logs.text.contains(wrong))
            await world.server.shutdown()
        }
    }

    @Test func noCredentialsForAPrivateRepositoryIsAnAuthenticationError() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            try await world.fixture.commit("one", signer: nil)
            try await world.fixture.push()
            let source = world.source(.none, caFile: world.server.certificateAuthorityFile, logs: LogCapture())
            await #expect {
                _ = try await source.remoteTip()
            } throws: { error in
                let error = try #require(error as? GitError)
                return error.code == .authenticationFailed && (error.hint ?? "").contains("--git-token-file")
            }
            await world.server.shutdown()
        }
    }

    @Test func anUntrustedServerCertificateIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            try await world.fixture.commit("one", signer: nil)
            try await world.fixture.push()
            let source = world.source(world.credentials, caFile: nil, logs: LogCapture())
            await #expect {
                _ = try await source.remoteTip()
            } throws: { error in
                let error = try #require(error as? GitError)
                return error.code == .certificateRejected && (error.hint ?? "").contains("--git-ca-file")
            }
            #expect(!world.server.requests.withLock { $0 }.contains { $0.contains("authorized=true") })
            await world.server.shutdown()
        }
    }

    @Test func aServerThatIsDownIsARetryableUnreachableError() async throws {
        try await withTemporaryDirectory { folder in
            let world = try await World.make(in: folder)
            await world.server.shutdown()
            let logs = LogCapture()
            let source = world.source(world.credentials, caFile: world.server.certificateAuthorityFile, logs: logs)
            await #expect {
                _ = try await source.remoteTip()
            } throws: { error in
                let error = try #require(error as? GitError)
                return error.code == .unreachable && error.isRetryable && error.description.contains(world.server.url)
                    && !error.description.contains(world.password)
            }
            #expect(!logs.text.contains(world.password))
        }
    }

    @Test func theCredentialHelperAnswersOnlyForTheRepositorysHost() async throws {
        try await withTemporaryDirectory { folder in
            let secretFile = folder.path + "/secret"
            try Data("hunter2\n".utf8).write(to: URL(fileURLWithPath: secretFile))
            let userFile = folder.path + "/user"
            try Data("robot".utf8).write(to: URL(fileURLWithPath: userFile))
            let commandLine = GitCommandLine(
                tools: .current, repository: try GitRepositoryURL(parsing: "https://git.example.com:8443/team/app.git"),
                credentials: .https(.init(username: .file(userFile), passwordFile: secretFile)), certificateAuthorityFile: nil, home: folder.path)
            let helper = commandLine.credentialHelper(.init(username: .file(userFile), passwordFile: secretFile))
            #expect(!helper.contains("hunter2"))
            func ask(host: String, action: String = "get") async throws -> String {
                let script = String(helper.dropFirst()) + " " + action
                let request = folder.path + "/request"
                try Data("protocol=https\nhost=\(host)\n\n".utf8).write(to: URL(fileURLWithPath: request))
                return try await run("/bin/sh", ["-c", script + " < " + request], environment: ["PATH": "/usr/bin:/bin"])
            }
            #expect(try await ask(host: "git.example.com:8443") == "username=robot\npassword=hunter2\n")
            #expect(try await ask(host: "evil.example.com") == "")
            #expect(try await ask(host: "git.example.com") == "")
            #expect(try await ask(host: "git.example.com:8443", action: "store") == "")
        }
    }
}
