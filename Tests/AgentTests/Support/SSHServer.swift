import Agent
import Foundation
import Logging

/// A real OpenSSH server on loopback, for `ssh://` repositories: its own host key, one
/// authorized deploy key, no passwords. Runs as the current user.
final class SSHServer: Sendable {
    static let program = "/usr/sbin/sshd"

    /// Whether `sshd` is installed (`openssh-server`); the tests are skipped otherwise.
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: program) }

    let port: Int
    /// `[127.0.0.1]:PORT ssh-ed25519 AAAA…`: the line a known_hosts file needs.
    let knownHostsLine: String
    let user: String
    /// The task running `sshd -D`; cancelling it stops the server's process group.
    private let task: Task<Void, Never>

    private init(port: Int, knownHostsLine: String, user: String, task: Task<Void, Never>) {
        self.port = port
        self.knownHostsLine = knownHostsLine
        self.user = user
        self.task = task
    }

    /// Runs `body` with a server that accepts `authorizedKey`, and stops the server afterwards,
    /// whatever happens.
    static func with<T: Sendable>(
        authorizedKey: String, in folder: String, fixture: GitFixture, _ body: (SSHServer) async throws -> T
    ) async throws -> T {
        let server = try await start(authorizedKey: authorizedKey, in: folder, fixture: fixture)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Starts `sshd` with a new host key, accepting `authorizedKey` for the current user.
    private static func start(authorizedKey: String, in folder: String, fixture: GitFixture) async throws -> SSHServer {
        let hostKey = folder + "/ssh_host_ed25519_key"
        try await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey], environment: fixture.environment)
        let authorized = folder + "/authorized_keys"
        try Data((authorizedKey + "\n").utf8).write(to: URL(fileURLWithPath: authorized))
        if getuid() == 0, !FileManager.default.fileExists(atPath: "/run/sshd") {
            // sshd running as root needs its privilege-separation folder.
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        let user = ProcessInfo.processInfo.userName
        let port = try freePort()
        let config = folder + "/sshd_config"
        try Data(
            """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey)
            PidFile \(folder)/sshd.pid
            AuthorizedKeysFile \(authorized)
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            AllowUsers \(user)
            LogLevel ERROR

            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        // The server runs until the test stops it (cancelling the task ends its process group).
        let task = Task {
            let runner = ProgramRunner(logger: Logger(label: "sshd") { _ in SwiftLogNoOpLogHandler() })
            _ = try? await runner.run(
                ProgramInvocation(executable: program, arguments: ["-D", "-e", "-f", config], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(600)))
        }
        let publicKey = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let server = SSHServer(port: port, knownHostsLine: "[127.0.0.1]:\(port) \(publicKey)", user: user, task: task)
        for _ in 0..<100 {
            if canConnect(port) { return server }
            try await Task.sleep(for: .milliseconds(50))
        }
        await server.stop()
        throw FixtureError("sshd did not start on port \(port)")
    }

    /// Stops the server this test started and waits for it.
    func stop() async {
        task.cancel()
        await task.value
    }

    private static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw FixtureError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func canConnect(_ port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
