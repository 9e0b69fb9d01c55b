/// One setting of `warrant agent run`: its flag is `--` and the name, its key in a `--config`
/// YAML file is the name.
public enum AgentSetting: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// The repository address.
    case repo
    /// The branch to follow.
    case branch
    /// The manifests folder in the repository.
    case path
    /// The namespace to deploy into (flag `-n`).
    case namespace
    /// The OpenSSH allowed-signers file.
    case allowedSigners = "allowed-signers"
    /// The OpenPGP keyring.
    case gpgKeyring = "gpg-keyring"
    /// How often to poll the branch.
    case interval
    /// How often to re-apply the last applied commit.
    case reconcileInterval = "reconcile-interval"
    /// Whether to prune.
    case prune
    /// Whether to wait for health.
    case wait
    /// The prune safety limit.
    case maxPrune = "max-prune"
    /// The ApplySet parent ConfigMap.
    case applyset
    /// The HTTPS user name.
    case gitUsername = "git-username"
    /// A file with the HTTPS user name.
    case gitUsernameFile = "git-username-file"
    /// A file with the HTTPS password.
    case gitPasswordFile = "git-password-file"
    /// A file with the HTTPS token.
    case gitTokenFile = "git-token-file"
    /// A PEM file of certificate authorities for HTTPS.
    case gitCAFile = "git-ca-file"
    /// The SSH deploy key file.
    case sshKeyFile = "ssh-key-file"
    /// The SSH known_hosts file.
    case sshKnownHosts = "ssh-known-hosts"
    /// The agent's working folder.
    case workDir = "work-dir"
    /// How long a pass under way may go on after SIGTERM.
    case shutdownGrace = "shutdown-grace"
    /// The address of the HTTP endpoints (`[HOST]:PORT`).
    case listen
    /// Whether replicas elect a leader over a Lease.
    case leaderElection = "leader-election"
    /// How long others wait after the leader's last renewal they saw (client-go `LeaseDuration`).
    case leaseDuration = "lease-duration"
    /// How long the leader keeps trying to renew before it stops applying (client-go `RenewDeadline`).
    case renewDeadline = "renew-deadline"
    /// How often the leader renews and others try to take the Lease (client-go `RetryPeriod`).
    case retryPeriod = "retry-period"
    /// A file holding the webhook secret (GitHub's secret, GitLab's secret token).
    case webhookSecretFile = "webhook-secret-file"

    /// `--repo`.
    public var flag: String { "--" + rawValue }

    /// The name.
    public var description: String { rawValue }

    public static func < (lhs: AgentSetting, rhs: AgentSetting) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
