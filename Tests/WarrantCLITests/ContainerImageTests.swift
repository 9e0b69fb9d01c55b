import Foundation
import Testing
import WarrantCLI
import WarrantTestSupport

// lstat and struct stat: since Delivery links zlib, the compiler finds them in CoreFoundation
// (MemberImportVisibility), not through Foundation.
#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// The container image `Scripts/build-image.sh` builds, unpacked from its OCI archive with umoci
/// and run with chroot as the image's user: the programs the agent and CI jobs need are there and
/// run, the user owns nothing but its own folders, and signed commits verify inside.
///
/// Skipped (with the command to run printed) where no archive has been built: CI does not build
/// the image (the static release build takes 10-20+ minutes).
@Suite(.containerImage, .serialized, .timeLimit(.minutes(5))) struct ContainerImageTests {
    /// The unpacked image: its root file system and its runtime configuration.
    struct Unpacked: Sendable {
        var rootfs: String
        var tag: String
        var user: (uid: Int, gid: Int)
        var arguments: [String]
        var environment: [String: String]
        var workingDirectory: String
        var labels: [String: String]
    }

    /// Unpacked once per test process, into a folder removed when the process ends.
    static let unpacked = Task { try await unpack(ContainerImageArchive.path) }

    static func unpack(_ archive: String) async throws -> Unpacked {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-image-test-\(getpid())").path
        atexit {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-image-test-\(getpid())").path
            try? FileManager.default.removeItem(atPath: folder)
        }
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/layout", withIntermediateDirectories: true)
        try await check(tool("tar"), ["-xf", archive, "-C", folder + "/layout"])
        struct Index: Decodable {
            struct Manifest: Decodable { var annotations: [String: String]? }
            var manifests: [Manifest]
        }
        let index = try JSONDecoder().decode(Index.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/layout/index.json")))
        #expect(index.manifests.count == 1, "one image in the archive")
        let tag = try #require(index.manifests.first?.annotations?["org.opencontainers.image.ref.name"], "the archive names its image's tag")
        try await check(tool("umoci"), ["unpack", "--image", "\(folder)/layout:\(tag)", folder + "/bundle"])
        struct Bundle: Decodable {
            struct Process: Decodable {
                struct User: Decodable {
                    var uid: Int
                    var gid: Int
                }
                var user: User
                var args: [String]
                var env: [String]
                var cwd: String
            }
            var process: Process
            var annotations: [String: String]?
        }
        let bundle = try JSONDecoder().decode(Bundle.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/bundle/config.json")))
        // What a container runtime provides and chroot does not: the usual device nodes, and /proc
        // (mounted per run, see run(_:_:)); the Swift runtime reads its arguments from /proc/self/cmdline.
        let rootfs = folder + "/bundle/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/dev", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: rootfs + "/proc", withIntermediateDirectories: true)
        for (name, minor) in [("null", 3), ("zero", 5), ("random", 8), ("urandom", 9)] {
            try await check(tool("mknod"), ["-m", "666", "\(rootfs)/dev/\(name)", "c", "1", "\(minor)"])
        }
        var environment: [String: String] = [:]
        for entry in bundle.process.env {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { environment[parts[0]] = parts[1] }
        }
        return Unpacked(
            rootfs: rootfs, tag: tag, user: (bundle.process.user.uid, bundle.process.user.gid), arguments: bundle.process.args,
            environment: environment, workingDirectory: bundle.process.cwd, labels: bundle.annotations ?? [:])
    }

    static func tool(_ name: String) throws -> String {
        try #require(ContainerImageArchive.executable(name), "\(name) is not installed")
    }

    @discardableResult
    static func check(_ program: String, _ arguments: [String]) async throws -> ProcessResult {
        let result = try await runProcess(URL(fileURLWithPath: program), arguments)
        try #require(result.status == 0, "\(program) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.error)")
        return result
    }

    /// Runs `arguments` inside the image as its user and with its environment, as a container
    /// runtime would: in a mount namespace of its own with /proc mounted (unshare), chrooted into
    /// the root file system (which starts it in /, not the image's working folder).
    func run(_ image: Unpacked, _ arguments: [String], as user: String = "65532:65532", environment extra: [String: String] = [:]) async throws -> ProcessResult
    {
        var environment = image.environment.merging(extra) { $1 }
        environment["PATH"] = environment["PATH"] ?? "/usr/bin:/bin"
        return try await runProcess(
            URL(fileURLWithPath: try Self.tool("unshare")),
            ["--mount", "--mount-proc=\(image.rootfs)/proc", try Self.tool("chroot"), "--userspec=\(user)", image.rootfs] + arguments,
            environment: environment)
    }

    @Test func theImageRunsWarrantAsUser65532WithItsLabels() async throws {
        let image = try await Self.unpacked.value
        #expect(image.tag == Warrant.version, "tagged with the version")
        #expect(image.user.uid == 65532 && image.user.gid == 65532)
        #expect(image.arguments.first == "/usr/bin/warrant", "the entrypoint is warrant")
        #expect(image.workingDirectory == "/home/nonroot")
        #expect(image.environment["HOME"] == "/home/nonroot")
        #expect(image.labels["org.opencontainers.image.version"] == Warrant.version)
        #expect(image.labels["org.opencontainers.image.source"]?.hasPrefix("https://") == true)
        let revision = try #require(image.labels["org.opencontainers.image.revision"])
        #expect(revision.prefix(40).allSatisfy(\.isHexDigit) && revision.count >= 40, "a commit: \(revision)")

        let version = try await run(image, ["/usr/bin/warrant", "--version"])
        #expect(version.status == 0, "\(version.error)")
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines) == Warrant.version)
        let help = try await run(image, ["warrant", "agent", "run", "--help"])
        #expect(help.status == 0, "\(help.error)")
        #expect(help.output.contains("USAGE: warrant agent run"), "\(help.output.prefix(300))")
    }

    @Test(arguments: [
        (["git", "--version"], "git version 2."),
        (["ssh", "-V"], "OpenSSH_"),
        (["gpg", "--version"], "gpg (GnuPG) 2."),
        (["sh", "-c", "echo dash; cat /etc/warrant-release | base64 | base64 -d"], "dash\n"),
    ])
    func theToolsTheAgentAndCIJobsNeedRunInside(command: [String], expected: String) async throws {
        let image = try await Self.unpacked.value
        let result = try await run(image, command)
        #expect(result.status == 0, "\(command): \(result.error)")
        #expect((result.output + result.error).hasPrefix(expected), "\(command): \(result.output)\(result.error)")
    }

    @Test func theUserIsKnownAndOwnsOnlyItsFolders() async throws {
        let image = try await Self.unpacked.value
        // ssh refuses to start for a user the system does not know.
        let ssh = try await run(image, ["ssh", "-F", "/dev/null", "-G", "git.example.com"])
        #expect(ssh.status == 0, "\(ssh.error)")
        #expect(ssh.output.contains("\nuser nonroot\n"), "ssh finds user 65532 in /etc/passwd")

        var ownedByUser: [String] = []
        var problems: [String] = []
        let root = URL(fileURLWithPath: image.rootfs)
        let enumerator = try #require(FileManager.default.enumerator(atPath: image.rootfs))
        while let relative = enumerator.nextObject() as? String {
            // The device nodes and /proc stand in for the runtime's (see unpack(_:)).
            if relative.hasPrefix("dev/") || relative == "proc" { continue }
            var info = stat()
            guard lstat(root.appendingPathComponent(relative).path, &info) == 0 else { continue }
            let mode = info.st_mode & 0o7777
            if info.st_uid == 65532 {
                ownedByUser.append("/" + relative)
            } else if info.st_uid != 0 {
                problems.append("/\(relative) is owned by \(info.st_uid)")
            }
            if mode & 0o6000 != 0 { problems.append("/\(relative) is set-user-ID or set-group-ID") }
            if info.st_mode & 0o170000 != 0o120000, mode & 0o002 != 0, relative != "tmp" { problems.append("/\(relative) is writable by anyone") }
        }
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(ownedByUser.sorted() == ["/home/nonroot", "/var/lib/warrant-agent"])

        // The programs are usable by the user: git creates a repository in its home folder,
        // without warnings (the template folder is there).
        let initialized = try await run(image, ["git", "-c", "init.defaultBranch=main", "init", "-q", "/home/nonroot/probe"])
        #expect(initialized.status == 0 && initialized.error.isEmpty, "\(initialized.error)")
        try? FileManager.default.removeItem(atPath: image.rootfs + "/home/nonroot/probe")
        let denied = try await run(image, ["sh", "-c", "echo x > /usr/bin/warrant"])
        #expect(denied.status != 0, "the user cannot change the binary")
    }

    /// A commit signed with SSH on the host verifies inside the image with the image's git and
    /// ssh-keygen (what the agent runs to verify it).
    @Test func anSSHSignedCommitVerifiesInside() async throws {
        let image = try await Self.unpacked.value
        let folder = image.rootfs + "/home/nonroot/signed"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let git = try Self.tool("git")
        try await Self.check(try Self.tool("ssh-keygen"), ["-q", "-t", "ed25519", "-N", "", "-C", "dev@example.com", "-f", folder + "/key"])
        let publicKey = try String(contentsOfFile: folder + "/key.pub", encoding: .utf8)
        try "dev@example.com \(publicKey)".write(toFile: folder + "/allowed_signers", atomically: true, encoding: .utf8)
        let repository = folder + "/repo"
        try await Self.check(git, ["init", "-q", repository])
        try "data: 1\n".write(toFile: repository + "/config.yaml", atomically: true, encoding: .utf8)
        try await Self.check(git, ["-C", repository, "add", "config.yaml"])
        try await Self.check(
            git,
            [
                "-C", repository, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "gpg.format=ssh", "-c", "user.signingkey=\(folder)/key",
                "commit", "-q", "-S", "-m", "signed",
            ])
        try await Self.check(try Self.tool("chown"), ["-R", "65532:65532", folder])
        let inside = "/home/nonroot/signed"
        let verified = try await run(
            image, ["git", "-C", inside + "/repo", "-c", "gpg.ssh.allowedSignersFile=\(inside)/allowed_signers", "verify-commit", "HEAD"])
        #expect(verified.status == 0, "\(verified.error)")
        #expect(verified.error.contains("Good \"git\" signature for dev@example.com"), "\(verified.error)")
        // The same commit with another allowed key does not verify.
        try await Self.check(try Self.tool("ssh-keygen"), ["-q", "-t", "ed25519", "-N", "", "-f", folder + "/other"])
        let other = try String(contentsOfFile: folder + "/other.pub", encoding: .utf8)
        try "dev@example.com \(other)".write(toFile: folder + "/allowed_signers", atomically: true, encoding: .utf8)
        let refused = try await run(
            image, ["git", "-C", inside + "/repo", "-c", "gpg.ssh.allowedSignersFile=\(inside)/allowed_signers", "verify-commit", "HEAD"])
        #expect(refused.status != 0, "a signature by a key that is not allowed does not verify")
    }

    /// A commit signed with OpenPGP on the host verifies inside with the image's git and gpg
    /// (gpg alone: no agent, dirmngr or keyboxd in the image).
    @Test func anOpenPGPSignedCommitVerifiesInside() async throws {
        let image = try await Self.unpacked.value
        let folder = image.rootfs + "/home/nonroot/openpgp"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/host-gnupg", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let gpg = try Self.tool("gpg")
        let git = try Self.tool("git")
        let hostHome = folder + "/host-gnupg"
        try await Self.check(try Self.tool("chmod"), ["700", hostHome])
        @discardableResult func hostGPG(_ arguments: [String]) async throws -> ProcessResult {
            let result = try await runProcess(
                URL(fileURLWithPath: gpg), ["--homedir", hostHome, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""] + arguments)
            try #require(result.status == 0, "gpg \(arguments): \(result.error)")
            return result
        }
        try await hostGPG(["--quick-gen-key", "Dev <dev@example.com>", "ed25519", "sign", "never"])
        let exported = try await hostGPG(["--armor", "--export", "dev@example.com"])
        try exported.output.write(toFile: folder + "/keyring.asc", atomically: true, encoding: .utf8)
        let repository = folder + "/repo"
        try await Self.check(git, ["init", "-q", repository])
        try "data: 1\n".write(toFile: repository + "/config.yaml", atomically: true, encoding: .utf8)
        try await Self.check(git, ["-C", repository, "add", "config.yaml"])
        let signed = try await runProcess(
            URL(fileURLWithPath: git),
            [
                "-C", repository, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "gpg.program=\(gpg)", "-c",
                "user.signingkey=dev@example.com", "commit", "-q", "-S", "-m", "signed",
            ],
            environment: ["GNUPGHOME": hostHome, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        // The host's gpg-agent signed; it stops with its folder (and gpg-agent exits when its socket is gone).
        _ = try? await runProcess(URL(fileURLWithPath: try Self.tool("gpgconf")), ["--homedir", hostHome, "--kill", "all"])
        try #require(signed.status == 0, "git commit -S: \(signed.error)")
        try FileManager.default.removeItem(atPath: hostHome)
        try FileManager.default.createDirectory(atPath: folder + "/gnupg", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try await Self.check(try Self.tool("chown"), ["-R", "65532:65532", folder])

        let inside = "/home/nonroot/openpgp"
        let options = ["--homedir", inside + "/gnupg", "--batch", "--no-tty", "--no-autostart"]
        let imported = try await run(image, ["gpg"] + options + ["--import", inside + "/keyring.asc"])
        #expect(imported.status == 0, "\(imported.error)")
        let verified = try await run(
            image, ["git", "-C", inside + "/repo", "-c", "gpg.program=gpg", "verify-commit", "HEAD"], environment: ["GNUPGHOME": inside + "/gnupg"])
        #expect(verified.status == 0, "\(verified.error)")
        #expect(verified.error.contains("Good signature from \"Dev <dev@example.com>\""), "\(verified.error)")
    }
}
