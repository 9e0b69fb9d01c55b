import Foundation
import KubeModel

/// Finds, reads and merges kubeconfig files the way kubectl does.
///
/// The rules follow client-go `tools/clientcmd/loader.go` (`ClientConfigLoadingRules.Load`):
/// - an explicit `--kubeconfig` path must exist, and only that file is read;
/// - else `KUBECONFIG` is a colon-separated list: empty entries and repeats are dropped, missing
///   files are skipped, and the files are merged: the first file to define a cluster, user or
///   context name wins, and the first non-empty `current-context` wins;
/// - else `~/.kube/config`, when it exists.
///
/// Relative paths in a file (`certificate-authority`, `client-certificate`, `client-key`,
/// `tokenFile`, and an exec `command` containing a `/`) are resolved against that file's folder
/// (`ResolveLocalPaths` in the same file).
public struct KubeConfigLoader: Sendable {
    /// The process environment (`KUBECONFIG`, `HOME`).
    public var environment: [String: String]
    /// The home folder for `~/.kube/config`; `HOME` from ``environment`` when `nil`.
    public var homeDirectory: String?

    /// Creates a loader.
    ///
    /// - Parameters:
    ///   - environment: The process environment; tests pass their own.
    ///   - homeDirectory: Overrides `HOME` for finding `~/.kube/config`.
    public init(environment: [String: String], homeDirectory: String? = nil) {
        self.environment = environment
        self.homeDirectory = homeDirectory
    }

    /// The files that would be read, in precedence order, before checking that they exist.
    public func candidateFiles(explicitPath: String?) -> [String] {
        if let explicitPath, !explicitPath.isEmpty { return [explicitPath] }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen: Set<String> = []
            return list.split(separator: ":", omittingEmptySubsequences: true).map(String.init).filter { seen.insert($0).inserted }
        }
        guard let home = homeDirectory ?? environment["HOME"], !home.isEmpty else { return [] }
        return [(home.hasSuffix("/") ? home : home + "/") + ".kube/config"]
    }

    /// Reads and merges the kubeconfig files.
    ///
    /// - Parameter explicitPath: The `--kubeconfig` option, when given.
    /// - Returns: The merged configuration; empty when no file exists (except an explicit one).
    /// - Throws: ``KubeConfigError`` when the explicit file is missing, or a file cannot be read,
    ///   is not YAML or JSON, or is not a `v1` `Config` of the documented shape.
    public func load(explicitPath: String?) throws(KubeConfigError) -> KubeConfig {
        let explicit = explicitPath.map { !$0.isEmpty } ?? false
        var merged = KubeConfig()
        for file in candidateFiles(explicitPath: explicitPath) {
            guard FileManager.default.fileExists(atPath: file) else {
                if explicit {
                    throw KubeConfigError(
                        .fileNotFound, file: file, "the kubeconfig file given with --kubeconfig does not exist",
                        hint: "check the path (relative paths start at the current folder), or leave out --kubeconfig to use KUBECONFIG or ~/.kube/config")
                }
                continue  // client-go skips missing files in KUBECONFIG and the default location
            }
            let bytes = try Self.read(file)
            let config = try KubeConfigParser(file: file).parse(bytes)
            merged.files.append(file)
            Self.merge(config, into: &merged)
        }
        return merged
    }

    /// Adds what `config` defines that `merged` does not: the first definition wins.
    static func merge(_ config: KubeConfig, into merged: inout KubeConfig) {
        for cluster in config.clusters where merged.cluster(named: cluster.name) == nil { merged.clusters.append(cluster) }
        for user in config.users where merged.user(named: user.name) == nil { merged.users.append(user) }
        for context in config.contexts where merged.context(named: context.name) == nil { merged.contexts.append(context) }
        if merged.currentContext == nil, let current = config.currentContext, !current.isEmpty {
            merged.currentContext = current
            merged.currentContextSource = config.currentContextSource
        }
    }

    static func read(_ file: String) throws(KubeConfigError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
            throw KubeConfigError(.unreadable, file: file, "this is a folder, not a kubeconfig file", hint: "point to the kubeconfig file itself")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw KubeConfigError(.unreadable, file: file, "cannot read the kubeconfig file", hint: "check the file's permissions")
        }
        return [UInt8](data)
    }
}
