import Agent
import ArgumentParser

/// `warrant agent run`: checks the agent's configuration. The apply loop is not wired yet.
struct AgentRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Check the agent's configuration (the apply loop is not wired yet).",
        discussion: """
            Settings come from flags, or from --config FILE: a YAML mapping whose keys are the flag \
            names without dashes (repo, branch, path, namespace, allowed-signers, interval, \
            max-prune, git-token-file, …). Flags given on the command line override the file.

            Repositories: https://host/path (credentials from files: --git-token-file or \
            --git-password-file, with --git-username or --git-username-file; --git-ca-file for a \
            private certificate authority), ssh://user@host/path or user@host:path (--ssh-key-file \
            and --ssh-known-hosts, both required; host keys are checked strictly), and \
            file:///path. Credentials in the address itself are refused.

            Every problem is reported at once, naming the flag or the file and line. With a valid \
            configuration the command says so and exits 1: the loop that polls, verifies and \
            applies is not wired yet.

            EXIT CODES
              1  the configuration is valid, but the agent cannot run yet
              2  invalid configuration
            """
    )

    @Option(help: ArgumentHelp("A YAML file with the settings (keys are the flag names without dashes).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The repository: https://…, ssh://…, user@host:path or file:///….", valueName: "url"))
    var repo: String?

    @Option(help: "The branch to follow.")
    var branch: String?

    @Option(help: ArgumentHelp("The manifests folder in the repository (default: the root); a kustomization when it has kustomization.yaml.", valueName: "dir"))
    var path: String?

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "The namespace to deploy to.")
    var namespace: String?

    @Option(name: .customLong("allowed-signers"), help: ArgumentHelp("The OpenSSH allowed-signers file: who may sign commits.", valueName: "file"))
    var allowedSigners: String?

    @Option(name: .customLong("gpg-keyring"), help: ArgumentHelp("An exported OpenPGP keyring whose keys may also sign.", valueName: "file"))
    var gpgKeyring: String?

    @Option(help: ArgumentHelp("How often to poll the branch (default 30s).", valueName: "duration"))
    var interval: String?

    @Option(name: .customLong("reconcile-interval"), help: ArgumentHelp("How often to re-apply the last applied commit (default 10m).", valueName: "duration"))
    var reconcileInterval: String?

    @Flag(help: "Delete objects of the ApplySet that left the manifests.")
    var prune = false

    @Flag(help: "Wait until every object is healthy after applying.")
    var wait = false

    @Option(name: .customLong("max-prune"), help: ArgumentHelp("Stop when more than N objects or P% of the set would be pruned (default 25%).", valueName: "N|P%"))
    var maxPrune: String?

    @Option(help: ArgumentHelp("The ApplySet parent ConfigMap (default warrant-applyset).", valueName: "name"))
    var applyset: String?

    @Option(name: .customLong("git-username"), help: ArgumentHelp("The HTTPS user name (default git).", valueName: "name"))
    var gitUsername: String?

    @Option(name: .customLong("git-username-file"), help: ArgumentHelp("A file holding the HTTPS user name.", valueName: "file"))
    var gitUsernameFile: String?

    @Option(name: .customLong("git-password-file"), help: ArgumentHelp("A file holding the HTTPS password.", valueName: "file"))
    var gitPasswordFile: String?

    @Option(name: .customLong("git-token-file"), help: ArgumentHelp("A file holding an HTTPS access token.", valueName: "file"))
    var gitTokenFile: String?

    @Option(name: .customLong("git-ca-file"), help: ArgumentHelp("PEM certificate authorities to trust for the HTTPS Git server.", valueName: "file"))
    var gitCAFile: String?

    @Option(name: .customLong("ssh-key-file"), help: ArgumentHelp("The SSH deploy key (private, no passphrase).", valueName: "file"))
    var sshKeyFile: String?

    @Option(name: .customLong("ssh-known-hosts"), help: ArgumentHelp("The known_hosts file with the Git server's host key.", valueName: "file"))
    var sshKnownHosts: String?

    @Option(name: .customLong("work-dir"), help: ArgumentHelp("The agent's working folder (default /tmp/warrant-agent).", valueName: "dir"))
    var workDir: String?

    /// The settings given as flags.
    var flagSettings: AgentSettings {
        var settings = AgentSettings()
        let values: [(AgentSetting, String?)] = [
            (.repo, repo), (.branch, branch), (.path, path), (.allowedSigners, allowedSigners), (.gpgKeyring, gpgKeyring),
            (.interval, interval), (.reconcileInterval, reconcileInterval), (.maxPrune, maxPrune), (.applyset, applyset),
            (.gitUsername, gitUsername), (.gitUsernameFile, gitUsernameFile), (.gitPasswordFile, gitPasswordFile), (.gitTokenFile, gitTokenFile),
            (.gitCAFile, gitCAFile), (.sshKeyFile, sshKeyFile), (.sshKnownHosts, sshKnownHosts), (.workDir, workDir),
        ]
        for case (let setting, let value?) in values { settings.set(setting, value) }
        if let namespace { settings.set(.namespace, namespace, flag: "-n") }
        if prune { settings.set(.prune, "true") }
        if wait { settings.set(.wait, "true") }
        return settings
    }

    func run() async throws {
        let context = CommandContext.current
        let configuration: AgentConfiguration
        do throws(AgentConfigurationErrors) {
            var settings = flagSettings
            if let config { settings = try AgentSettings.load(file: config).overridden(by: settings) }
            configuration = try AgentConfiguration(settings: settings)
        } catch {
            for problem in error.errors { context.standardError("error: \(problem)\n") }
            throw CommandExit(.invalidInput)
        }
        let signers = configuration.allowedSigners.entries.count
        context.standardError(
            """
            agent: the configuration is valid: \(configuration.repository) branch \(configuration.branch), path \(configuration.path), \
            namespace \(configuration.namespace), \(signers) allowed signer\(signers == 1 ? "" : "s")\(configuration.gpgKeyringFile == nil ? "" : " and an OpenPGP keyring").
            error: the agent's apply loop is not wired yet, so 'warrant agent run' does not poll, verify or apply anything.

            """)
        throw CommandExit(.failure)
    }
}
