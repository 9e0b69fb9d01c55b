import Foundation

/// Where the external programs the agent runs are, and the few environment variables it passes
/// on to them.
///
/// Found once on `PATH`; a missing program is reported when it is first needed (`ssh-keygen` only
/// when a commit is signed with SSH, `kubectl` only for a kustomization).
public struct ToolPaths: Sendable, Hashable {
    /// `git`.
    public var git: String?
    /// `ssh`, for `ssh://` and scp-form repositories.
    public var ssh: String?
    /// `ssh-keygen`, to verify SSH signatures.
    public var sshKeygen: String?
    /// `gpg`, to verify OpenPGP signatures.
    public var gpg: String?
    /// `kubectl`, to render kustomizations.
    public var kubectl: String?
    /// The `PATH` handed to the programs.
    public var searchPath: String
    /// Proxy settings handed to `git` (`HTTPS_PROXY`, `NO_PROXY`, … as found), which corporate
    /// networks need. Their values are never logged.
    public var proxyEnvironment: [String: String]

    /// Finds the programs on the `PATH` of `environment`.
    public init(environment: [String: String]) {
        let searchPath = environment["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/bin:/usr/bin:/bin"
        self.searchPath = searchPath
        func find(_ name: String) -> String? {
            for folder in searchPath.split(separator: ":") where folder.hasPrefix("/") {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
            return nil
        }
        git = find("git")
        ssh = find("ssh")
        sshKeygen = find("ssh-keygen")
        gpg = find("gpg")
        kubectl = find("kubectl")
        let proxyNames = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]
        proxyEnvironment = environment.filter { proxyNames.contains($0.key) }
    }

    /// The programs of the agent's own process environment.
    public static var current: ToolPaths { ToolPaths(environment: ProcessInfo.processInfo.environment) }
}
