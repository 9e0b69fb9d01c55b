import Agent
import Foundation
import Logging

/// A key that signs commits in tests: a real `ssh-keygen` key, or a real GnuPG key.
enum TestSigner: Sendable {
    case ssh(SSHKey)
    case openPGP(OpenPGPKey)
}

/// An ed25519 key made by `ssh-keygen`, without a passphrase.
struct SSHKey: Sendable {
    /// The private key file.
    var privateKeyFile: String
    /// `ssh-ed25519 AAAA… comment`.
    var publicKey: String
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    var fingerprint: String
    /// The principal it is listed under in allowed-signers files.
    var principal: String

    /// An allowed-signers line for the key, with options such as `valid-before="20200101Z"`.
    func allowedSignersLine(options: [String] = ["namespaces=\"git\""]) -> String {
        let keyPart = publicKey.split(separator: " ").prefix(2).joined(separator: " ")
        return ([principal] + (options.isEmpty ? [] : [options.joined(separator: ",")]) + [keyPart]).joined(separator: " ")
    }
}

/// A GnuPG key made in a private GNUPGHOME, without a passphrase.
struct OpenPGPKey: Sendable {
    /// The GNUPGHOME holding the secret key.
    var home: String
    /// The primary key's fingerprint.
    var fingerprint: String
    /// `Name <email>`.
    var userID: String
    /// The armored public key, exported into a file (the agent's keyring).
    var keyringFile: String
    /// A `gpg` wrapper that signs at a fixed past time, for keys made in the past.
    var program: String?
}

/// Runs a program and fails with what it printed unless it exits 0.
///
/// Through the agent's own ``ProgramRunner`` (swift-subprocess), not Foundation's `Process`: the
/// latter watches its children from one thread that blocks in `waitpid` when a child closes its
/// inherited descriptors and keeps running (as `sshd` does), which stalls every other test.
@discardableResult
func run(_ program: String, _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60)) async throws -> String {
    let path = program.hasPrefix("/") ? program : try which(program)
    let runner = ProgramRunner(logger: Logger(label: "fixture") { _ in SwiftLogNoOpLogHandler() })
    let result = try await runner.run(
        ProgramInvocation(executable: path, arguments: arguments, environment: environment, timeout: timeout, outputLimit: 64 << 20))
    guard result.succeeded else {
        throw FixtureError("\(program) \(arguments.joined(separator: " ")) failed (\(result.ending)): \(result.errorText)\(result.outputText)")
    }
    return result.outputText
}

func which(_ name: String) throws -> String {
    for folder in ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
        return "\(folder)/\(name)"
    }
    throw FixtureError("\(name) is not installed")
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A bare repository (the "server") and a working repository that makes commits and pushes them.
struct GitFixture: Sendable {
    /// The test's temporary folder.
    let root: String
    /// The bare repository.
    let remote: String
    /// The working repository.
    let work: String
    /// The environment every git of the fixture runs with: no user or system configuration.
    let environment: [String: String]

    /// `file:///…/remote.git`.
    var url: String { "file://" + remote }

    /// A fresh fixture with an empty bare repository and an empty working repository on `main`.
    static func make(in folder: URL) async throws -> GitFixture {
        let root = folder.path
        let home = root + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LC_ALL": "C",
        ]
        let fixture = GitFixture(root: root, remote: root + "/remote.git", work: root + "/work", environment: environment)
        try await run("git", ["init", "--quiet", "--bare", "--initial-branch=main", fixture.remote], environment: environment)
        try await run("git", ["init", "--quiet", "--initial-branch=main", fixture.work], environment: environment)
        return fixture
    }

    /// Runs git in the working repository.
    @discardableResult
    func git(_ arguments: [String], extraEnvironment: [String: String] = [:]) async throws -> String {
        try await run("git", ["-C", work] + arguments, environment: environment.merging(extraEnvironment) { $1 })
    }

    /// The `-c` settings and environment that make git sign with `signer`.
    func signing(_ signer: TestSigner?) -> (settings: [String], environment: [String: String]) {
        switch signer {
        case .ssh(let key)?:
            return (["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key.privateKeyFile)", "-c", "commit.gpgsign=true"], [:])
        case .openPGP(let key)?:
            let program = key.program.map { ["-c", "gpg.program=\($0)"] } ?? []
            return (["-c", "gpg.format=openpgp", "-c", "user.signingkey=\(key.fingerprint)", "-c", "commit.gpgsign=true"] + program, ["GNUPGHOME": key.home])
        case nil:
            return (["-c", "commit.gpgsign=false"], [:])
        }
    }

    /// Writes `files` (path → content; `nil` deletes), commits them as `author` (signed by
    /// `signer`, or unsigned) at `date`, and returns the commit.
    @discardableResult
    func commit(
        _ message: String, files: [String: String?] = [:], signer: TestSigner?, author: String = "Alice Example <alice@example.com>",
        date: Date? = nil
    ) async throws -> CommitID {
        for (path, content) in files {
            let full = work + "/" + path
            if let content {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(content.utf8).write(to: URL(fileURLWithPath: full))
            } else {
                try? FileManager.default.removeItem(atPath: full)
            }
        }
        if files.isEmpty {
            try Data("\(message) \(UUID().uuidString)\n".utf8).write(to: URL(fileURLWithPath: work + "/log-\(UUID().uuidString.prefix(8)).txt"))
        }
        try await git(["add", "--all"])
        let (name, email) = Self.split(author)
        let (settings, signingEnvironment) = signing(signer)
        var environment = signingEnvironment
        if let date {
            let stamp = "@\(Int(date.timeIntervalSince1970)) +0000"
            environment["GIT_AUTHOR_DATE"] = stamp
            environment["GIT_COMMITTER_DATE"] = stamp
        }
        try await git(
            ["-c", "user.name=\(name)", "-c", "user.email=\(email)"] + settings + ["commit", "--quiet", "--allow-empty", "-m", message],
            extraEnvironment: environment)
        return try await head()
    }

    /// Merges `branch` into the current branch with a merge commit signed by `signer`.
    @discardableResult
    func merge(_ branch: String, signer: TestSigner?, author: String = "Alice Example <alice@example.com>") async throws -> CommitID {
        let (name, email) = Self.split(author)
        let (settings, signingEnvironment) = signing(signer)
        try await git(
            ["-c", "user.name=\(name)", "-c", "user.email=\(email)"] + settings + ["merge", "--quiet", "--no-ff", "-m", "Merge \(branch)", branch],
            extraEnvironment: signingEnvironment)
        return try await head()
    }

    /// The working repository's HEAD.
    func head() async throws -> CommitID {
        let text = try await git(["rev-parse", "HEAD"])
        guard let id = CommitID(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw FixtureError("no HEAD: \(text)") }
        return id
    }

    /// Pushes the current branch to `main` of the bare repository.
    func push(force: Bool = false, to branch: String = "main") async throws {
        try await git(["push", "--quiet"] + (force ? ["--force"] : []) + [remote, "HEAD:refs/heads/\(branch)"])
    }

    /// Makes an ed25519 key with `ssh-keygen`.
    func makeSSHKey(principal: String) async throws -> SSHKey {
        let file = root + "/key-" + UUID().uuidString.prefix(8)
        try await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", principal, "-f", file], environment: environment)
        let publicKey = try String(contentsOfFile: file + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try await run("ssh-keygen", ["-l", "-f", file + ".pub"], environment: environment)
        let fingerprint = String(listed.split(separator: " ")[1])
        return SSHKey(privateKeyFile: file, publicKey: publicKey, fingerprint: fingerprint, principal: principal)
    }

    /// Makes an ed25519 signing key with `gpg --quick-gen-key` in a new GNUPGHOME, and exports its
    /// public key into a keyring file. Call ``stopAgent(_:)`` when done.
    ///
    /// - Parameters:
    ///   - expiry: `never`, or a period such as `1y`.
    ///   - madeAt: a past time (`20200101T000000`) at which the key is made and signs, through
    ///     gpg's `--faked-system-time`: a key that expired long ago, whose signatures were good then.
    func makeOpenPGPKey(userID: String, expiry: String = "never", madeAt: String? = nil) async throws -> OpenPGPKey {
        let home = root + "/gnupg-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let environment = self.environment.merging(["GNUPGHOME": home]) { $1 }
        let faked = madeAt.map { ["--faked-system-time", $0] } ?? []
        try await run(
            "gpg", faked + ["--batch", "--quiet", "--passphrase", "", "--quick-gen-key", userID, "ed25519", "sign", expiry], environment: environment)
        let listing = try await run("gpg", faked + ["--batch", "--with-colons", "--list-secret-keys"], environment: environment)
        guard
            let fingerprint = listing.split(separator: "\n").first(where: { $0.hasPrefix("fpr:") })?.split(separator: ":", omittingEmptySubsequences: false)
                .dropFirst(9).first
        else { throw FixtureError("no fingerprint in \(listing)") }
        let keyring = home + "/public.asc"
        let exported = try await run("gpg", faked + ["--batch", "--armor", "--export", String(fingerprint)], environment: environment)
        try Data(exported.utf8).write(to: URL(fileURLWithPath: keyring))
        var program: String?
        if let madeAt {
            let wrapper = home + "/gpg-at-\(madeAt)"
            try Data("#!/bin/sh\nexec \(try which("gpg")) --faked-system-time \(madeAt) \"$@\"\n".utf8).write(to: URL(fileURLWithPath: wrapper))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
            program = wrapper
        }
        return OpenPGPKey(home: home, fingerprint: String(fingerprint), userID: userID, keyringFile: keyring, program: program)
    }

    /// Stops the gpg-agent a key's GNUPGHOME started.
    func stopAgent(_ key: OpenPGPKey) async {
        _ = try? await run("gpgconf", ["--kill", "all"], environment: environment.merging(["GNUPGHOME": key.home]) { $1 })
    }

    /// Writes an allowed-signers file and returns its path.
    func allowedSigners(_ lines: [String]) throws -> String {
        let path = root + "/allowed_signers-" + UUID().uuidString.prefix(8)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private static func split(_ author: String) -> (String, String) {
        guard let open = author.firstIndex(of: "<"), let close = author.firstIndex(of: ">") else { return (author, "someone@example.com") }
        return (author[..<open].trimmingCharacters(in: .whitespaces), String(author[author.index(after: open)..<close]))
    }
}
