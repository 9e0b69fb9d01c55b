public import Delivery
import Foundation
import KubeModel

/// The validated configuration of `warrant agent run`.
///
/// Built from ``AgentSettings`` (flags, or a `--config` YAML file with the same names); every
/// problem is reported at once, each naming the flag or the file and line. Credential files are
/// checked to exist and be readable; their contents are never read here.
public struct AgentConfiguration: Sendable, Hashable {
    /// The repository (`--repo`), without credentials.
    public var repository: GitRepositoryURL
    /// The branch followed (`--branch`).
    public var branch: String
    /// The manifests folder in the repository (`--path`, default `.`), normalized: relative, no
    /// `..`, no trailing slash.
    public var path: String
    /// The namespace deployed to (`-n`, `--namespace`).
    public var namespace: String
    /// The OpenSSH allowed-signers file (`--allowed-signers`).
    public var allowedSignersFile: String
    /// Its entries, as read at start.
    public var allowedSigners: AllowedSigners
    /// An OpenPGP keyring of allowed keys (`--gpg-keyring`).
    public var gpgKeyringFile: String?
    /// How often the branch is polled (`--interval`, default 30 s).
    public var interval: Duration
    /// How often the last applied commit is applied again to correct drift
    /// (`--reconcile-interval`, default 10 min).
    public var reconcileInterval: Duration
    /// Whether objects that left the manifests are deleted (`--prune`).
    public var prune: Bool
    /// Whether to wait until every object is healthy (`--wait`).
    public var wait: Bool
    /// The prune safety limit (`--max-prune`, default 25 %).
    public var maxPrune: MaxPrune
    /// The ApplySet parent ConfigMap (`--applyset`, default `warrant-applyset`, as for `warrant deploy`).
    public var applySet: String
    /// How the agent authenticates to the Git server.
    public var credentials: GitCredentials
    /// Certificate authorities to trust for HTTPS (`--git-ca-file`).
    public var certificateAuthorityFile: String?
    /// The agent's working folder (`--work-dir`, default `/tmp/warrant-agent`): the Git mirror,
    /// checkouts, signature scratch files.
    public var workingDirectory: String
    /// How long a pass under way (a deploy applying or waiting) may go on after SIGTERM before it
    /// is interrupted (`--shutdown-grace`, default 20 s: within the pod's default 30 s
    /// `terminationGracePeriodSeconds`, leaving time to record and release the Lease).
    public var shutdownGrace: Duration
    /// Where `/healthz`, `/readyz` and `/metrics` listen (`--listen [HOST]:PORT`, default `:8080`,
    /// every address); port 0 picks a free one.
    public var listen: ListenAddress
    /// Whether replicas elect a leader over the Lease ``AgentLease`` names (`--leader-election`,
    /// on by default; `--no-leader-election` for a single agent without Lease rights).
    public var leaderElection: Bool
    /// client-go's leader-election durations (`--lease-duration` 15s, `--renew-deadline` 10s,
    /// `--retry-period` 2s): the lease duration longer than the renew deadline, which is longer
    /// than 1.2 retry periods.
    public var leaseDuration: Duration
    /// See ``leaseDuration``.
    public var renewDeadline: Duration
    /// See ``leaseDuration``.
    public var retryPeriod: Duration
    /// The file holding the webhook secret (`--webhook-secret-file`): with it, `POST /hooks/github`
    /// and `POST /hooks/gitlab` wake the loop on a push; without it they are not served (404).
    /// Checked to exist here; read when the agent starts.
    public var webhookSecretFile: String?

    /// The default `--interval`.
    public static let defaultInterval = Duration.seconds(30)
    /// The default `--reconcile-interval`.
    public static let defaultReconcileInterval = Duration.seconds(600)
    /// The default `--shutdown-grace`.
    public static let defaultShutdownGrace = Duration.seconds(20)
    /// The default `--applyset`.
    public static let defaultApplySet = "warrant-applyset"
    /// The default `--work-dir`.
    public static let defaultWorkingDirectory = "/tmp/warrant-agent"

    /// The signature policy.
    public var signaturePolicy: SignaturePolicy {
        SignaturePolicy(allowedSignersFile: allowedSignersFile, gpgKeyringFile: gpgKeyringFile)
    }

    /// Validates settings.
    ///
    /// - Throws: ``AgentConfigurationErrors`` with every problem, each naming its origin.
    public init(settings: AgentSettings) throws(AgentConfigurationErrors) {
        // Every check runs, in this order, so that every problem is reported at once.
        var check = SettingsCheck(settings: settings)
        let source = check.source()
        let signers = check.signers()
        let interval = check.duration(.interval, default: Self.defaultInterval)
        let reconcileInterval = check.duration(.reconcileInterval, default: Self.defaultReconcileInterval)
        let shutdownGrace = check.duration(.shutdownGrace, default: Self.defaultShutdownGrace)
        let listen = check.listen()
        let prune = check.flag(.prune)
        let leadership = check.leaderElection()
        let wait = check.flag(.wait)
        let maxPrune = check.maxPrune()
        let applySet = check.applySet()
        let workingDirectory = check.workingDirectory()
        let credentials = Self.credentials(settings, transport: source.repository?.transport, errors: &check.errors)
        let webhookSecretFile = check.webhookSecretFile()
        let certificateAuthorityFile = check.certificateAuthorityFile(transport: source.repository?.transport)

        guard check.errors.isEmpty, let repository = source.repository else {
            throw AgentConfigurationErrors(check.errors.sorted { ($0.setting ?? .repo) < ($1.setting ?? .repo) })
        }
        self.repository = repository
        self.branch = source.branch
        self.path = source.path
        self.namespace = source.namespace
        self.allowedSignersFile = signers.file
        self.allowedSigners = signers.entries
        self.gpgKeyringFile = signers.gpgKeyringFile
        self.interval = interval
        self.reconcileInterval = reconcileInterval
        self.prune = prune
        self.wait = wait
        self.maxPrune = maxPrune
        self.applySet = applySet
        self.credentials = credentials
        self.certificateAuthorityFile = certificateAuthorityFile
        self.workingDirectory = workingDirectory
        self.shutdownGrace = shutdownGrace
        self.listen = listen
        self.leaderElection = leadership.enabled
        self.leaseDuration = leadership.leaseDuration
        self.renewDeadline = leadership.renewDeadline
        self.retryPeriod = leadership.retryPeriod
        self.webhookSecretFile = webhookSecretFile
    }

    /// The settings being validated and the problems found so far; one method per setting or
    /// group of settings, each recording its problems and returning the value to use.
    private struct SettingsCheck {
        let settings: AgentSettings
        var errors: [AgentConfigurationError] = []

        mutating func fail(_ setting: AgentSetting, _ message: String, hint: String? = nil) {
            errors.append(AgentConfigurationError(setting, at: settings[setting]?.origin, message, hint: hint))
        }

        mutating func required(_ setting: AgentSetting, hint: String) -> AgentSettings.Value? {
            guard let value = settings[setting], !value.text.trimmingCharacters(in: .whitespaces).isEmpty else {
                errors.append(AgentConfigurationError(setting, at: nil, "is required", hint: hint))
                return nil
            }
            return value
        }

        /// Whether `path`, given for `setting`, is a readable file.
        @discardableResult
        mutating func checkFile(_ path: String, _ setting: AgentSetting) -> Bool {
            AgentConfiguration.checkFile(path, setting, origin: settings[setting]?.origin, into: &errors)
        }

        /// `--repo`, `--branch`, `--path` and `--namespace`.
        mutating func source() -> (repository: GitRepositoryURL?, branch: String, path: String, namespace: String) {
            var repository: GitRepositoryURL?
            if let value = required(.repo, hint: "the repository to pull, e.g. --repo https://git.example.com/team/app.git") {
                do {
                    repository = try GitRepositoryURL(parsing: value.text)
                } catch {
                    fail(.repo, error.message, hint: error.hint)
                }
            }
            let branch = required(.branch, hint: "the branch to follow, e.g. --branch main")?.text ?? ""
            if !branch.isEmpty, !AgentConfiguration.isValidBranchName(branch) {
                fail(.branch, "'\(branch)' is not a valid branch name", hint: "give the branch's short name (main, release/1.2), without refs/heads/")
            }
            var path = "."
            if let value = settings[.path] {
                if let normalized = AgentConfiguration.normalizedRepositoryPath(value.text) {
                    path = normalized
                } else {
                    fail(.path, "'\(value.text)' must be a folder inside the repository: relative, without '..'", hint: "for example --path deploy/production")
                }
            }
            let namespace = required(.namespace, hint: "the namespace to deploy to, e.g. -n team-a")?.text ?? ""
            if !namespace.isEmpty, !AgentConfiguration.isDNSLabel(namespace) {
                fail(.namespace, "'\(namespace)' is not a namespace name (lower-case letters, digits and '-', at most 63)")
            }
            return (repository, branch, path, namespace)
        }

        /// `--allowed-signers` (read here) and `--gpg-keyring` (checked to exist).
        mutating func signers() -> (file: String, entries: AllowedSigners, gpgKeyringFile: String?) {
            var allowedSigners = AllowedSigners.empty
            let allowedSignersFile = required(.allowedSigners, hint: "the OpenSSH allowed-signers file listing who may sign commits")?.text ?? ""
            if !allowedSignersFile.isEmpty, checkFile(allowedSignersFile, .allowedSigners) {
                do {
                    let bytes = try ManifestLoader.readFile(allowedSignersFile)
                    allowedSigners = try AllowedSigners(text: String(decoding: bytes, as: UTF8.self), file: allowedSignersFile)
                } catch let error as AgentConfigurationErrors {
                    errors += error.errors
                } catch {
                    fail(.allowedSigners, "\(error)")
                }
            }
            let gpgKeyringFile = settings[.gpgKeyring]?.text
            if let gpgKeyringFile { checkFile(gpgKeyringFile, .gpgKeyring) }
            return (allowedSignersFile, allowedSigners, gpgKeyringFile)
        }

        /// A duration from 1 s to 24 h, `value` when the setting is absent or wrong.
        mutating func duration(_ setting: AgentSetting, default value: Duration) -> Duration {
            guard let text = settings[setting]?.text else { return value }
            guard let parsed = AgentConfiguration.parseDuration(text), parsed >= .seconds(1), parsed <= .seconds(86_400) else {
                fail(setting, "'\(text)' is not a duration from 1s to 24h", hint: "write e.g. 30s, 10m, 1h30m")
                return value
            }
            return parsed
        }

        /// A boolean setting, `false` when absent or wrong.
        mutating func flag(_ setting: AgentSetting) -> Bool {
            guard let text = settings[setting]?.text else { return false }
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default:
                fail(setting, "'\(text)' is not true or false")
                return false
            }
        }

        /// `--listen`.
        mutating func listen() -> ListenAddress {
            guard let text = settings[.listen]?.text else { return .default }
            guard let parsed = ListenAddress(text) else {
                fail(.listen, "'\(text)' is not [HOST]:PORT", hint: "write e.g. :8080 or 127.0.0.1:9090")
                return .default
            }
            return parsed
        }

        /// `--leader-election` and client-go's durations, which must decrease.
        mutating func leaderElection() -> (enabled: Bool, leaseDuration: Duration, renewDeadline: Duration, retryPeriod: Duration) {
            let enabled = settings[.leaderElection] == nil ? true : flag(.leaderElection)
            let leaseDuration = duration(.leaseDuration, default: .seconds(15))
            let renewDeadline = duration(.renewDeadline, default: .seconds(10))
            let retryPeriod = duration(.retryPeriod, default: .seconds(2))
            if leaseDuration <= renewDeadline {
                fail(.renewDeadline, "must be shorter than --lease-duration (\(leaseDuration))", hint: "client-go's defaults are 15s, 10s and 2s")
            } else if renewDeadline <= retryPeriod * 1.2 {
                fail(.retryPeriod, "must be shorter than --renew-deadline (\(renewDeadline)) divided by 1.2", hint: "client-go's defaults are 15s, 10s and 2s")
            }
            return (enabled, leaseDuration, renewDeadline, retryPeriod)
        }

        /// `--max-prune`.
        mutating func maxPrune() -> MaxPrune {
            guard let text = settings[.maxPrune]?.text else { return .default }
            do {
                return try MaxPrune(parsing: text)
            } catch {
                fail(.maxPrune, "'\(text)' is not a count or a percentage", hint: "write e.g. 5 or 20%")
                return .default
            }
        }

        /// `--applyset`.
        mutating func applySet() -> String {
            let applySet = settings[.applyset]?.text ?? AgentConfiguration.defaultApplySet
            if !AgentConfiguration.isDNSSubdomain(applySet) {
                fail(.applyset, "'\(applySet)' is not a ConfigMap name (lower-case letters, digits, '-' and '.')")
            }
            return applySet
        }

        /// `--work-dir`.
        mutating func workingDirectory() -> String {
            let workingDirectory = settings[.workDir]?.text ?? AgentConfiguration.defaultWorkingDirectory
            if !workingDirectory.hasPrefix("/") {
                fail(
                    .workDir, "'\(workingDirectory)' must be an absolute path",
                    hint: "mount an emptyDir and give its path, e.g. --work-dir /var/lib/warrant-agent")
            }
            return workingDirectory
        }

        /// `--webhook-secret-file`, checked to exist.
        mutating func webhookSecretFile() -> String? {
            let webhookSecretFile = settings[.webhookSecretFile]?.text
            if let webhookSecretFile { checkFile(webhookSecretFile, .webhookSecretFile) }
            return webhookSecretFile
        }

        /// `--git-ca-file`, for https:// repositories only, checked to exist.
        mutating func certificateAuthorityFile(transport: GitRepositoryURL.Transport?) -> String? {
            let certificateAuthorityFile = settings[.gitCAFile]?.text
            if let certificateAuthorityFile {
                if let transport, transport != .https {
                    fail(.gitCAFile, "applies to https:// repositories only")
                } else {
                    checkFile(certificateAuthorityFile, .gitCAFile)
                }
            }
            return certificateAuthorityFile
        }
    }

    /// The credentials the settings name, checked against the transport.
    private static func credentials(
        _ settings: AgentSettings, transport: GitRepositoryURL.Transport?, errors: inout [AgentConfigurationError]
    ) -> GitCredentials {
        func fail(_ setting: AgentSetting, _ message: String, hint: String? = nil) {
            errors.append(AgentConfigurationError(setting, at: settings[setting]?.origin, message, hint: hint))
        }
        let httpsSettings: [AgentSetting] = [.gitUsername, .gitUsernameFile, .gitPasswordFile, .gitTokenFile]
        let sshSettings: [AgentSetting] = [.sshKeyFile, .sshKnownHosts]
        switch transport {
        case .https?:
            for setting in sshSettings where settings[setting] != nil { fail(setting, "applies to ssh:// repositories only") }
            if settings[.gitPasswordFile] != nil, settings[.gitTokenFile] != nil {
                fail(.gitTokenFile, "give either --git-password-file or --git-token-file, not both")
            }
            if settings[.gitUsername] != nil, settings[.gitUsernameFile] != nil {
                fail(.gitUsernameFile, "give either --git-username or --git-username-file, not both")
            }
            guard let secret = settings[.gitPasswordFile] ?? settings[.gitTokenFile] else {
                for setting in [AgentSetting.gitUsername, .gitUsernameFile] where settings[setting] != nil {
                    fail(setting, "a user name needs --git-password-file or --git-token-file")
                }
                return .none
            }
            let secretSetting: AgentSetting = settings[.gitPasswordFile] != nil ? .gitPasswordFile : .gitTokenFile
            _ = checkFile(secret.text, secretSetting, origin: secret.origin, into: &errors)
            var username = GitCredentials.Username.literal("git")
            if let file = settings[.gitUsernameFile] {
                _ = checkFile(file.text, .gitUsernameFile, origin: file.origin, into: &errors)
                username = .file(file.text)
            } else if let name = settings[.gitUsername]?.text {
                if name.isEmpty || name.contains(where: { $0.isNewline || $0 == ":" }) {
                    fail(.gitUsername, "a user name cannot be empty or contain ':' or a line break")
                }
                username = .literal(name)
            }
            return .https(.init(username: username, passwordFile: secret.text))
        case .ssh?:
            for setting in httpsSettings where settings[setting] != nil { fail(setting, "applies to https:// repositories only") }
            guard let key = settings[.sshKeyFile] else {
                errors.append(
                    AgentConfigurationError(
                        .sshKeyFile, at: nil, "is required for an SSH repository", hint: "mount the deploy key from a Secret and give its path"))
                return .none
            }
            guard let knownHosts = settings[.sshKnownHosts] else {
                errors.append(
                    AgentConfigurationError(
                        .sshKnownHosts, at: nil, "is required for an SSH repository: the server's host key is checked strictly",
                        hint: "write the host key into a file (ssh-keyscan HOST, checked against the provider's published fingerprints)"))
                return .none
            }
            _ = checkFile(key.text, .sshKeyFile, origin: key.origin, into: &errors)
            _ = checkFile(knownHosts.text, .sshKnownHosts, origin: knownHosts.origin, into: &errors)
            return .ssh(.init(privateKeyFile: key.text, knownHostsFile: knownHosts.text))
        case .file?:
            for setting in httpsSettings + sshSettings where settings[setting] != nil { fail(setting, "a file:// repository takes no credentials") }
            return .none
        case nil:
            return .none
        }
    }

    /// Checks that `path` is an absolute path to a readable file (its content is not read).
    @discardableResult
    private static func checkFile(_ path: String, _ setting: AgentSetting, origin: AgentSettings.Origin?, into errors: inout [AgentConfigurationError]) -> Bool
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            errors.append(
                AgentConfigurationError(
                    setting, at: origin, "\(path): no such file", hint: "check the path (mounted from a ConfigMap or Secret in the agent's pod)"))
            return false
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            errors.append(
                AgentConfigurationError(setting, at: origin, "\(path): not readable by the agent", hint: "check the file's mode and the pod's fsGroup"))
            return false
        }
        return true
    }

    // MARK: Names

    /// Whether `name` is a valid branch name (`git check-ref-format --branch` rules): no
    /// component starting with `.` or ending with `.lock`, no `..`, `@{`, `//`, control
    /// characters, spaces or `~^:?*[\`, not starting with `-` or `/`, not ending with `/` or `.`.
    public static func isValidBranchName(_ name: String) -> Bool {
        guard !name.isEmpty, name != "@", !name.hasPrefix("-"), !name.hasPrefix("/"), !name.hasSuffix("/"), !name.hasSuffix("."),
            !name.contains(".."), !name.contains("@{"), !name.contains("//"), !name.hasPrefix("refs/")
        else { return false }
        let forbidden: Set<Character> = [" ", "~", "^", ":", "?", "*", "[", "\\"]
        guard !name.contains(where: { forbidden.contains($0) || $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }) else { return false }
        return name.split(separator: "/").allSatisfy { !$0.hasPrefix(".") && !$0.hasSuffix(".lock") }
    }

    /// `deploy/prod` for `./deploy/prod/`; `.` for the root; `nil` for an absolute path or one with `..`.
    public static func normalizedRepositoryPath(_ path: String) -> String? {
        guard !path.hasPrefix("/"), !path.contains("\0") else { return nil }
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !parts.contains("..") else { return nil }
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    static func isDNSLabel(_ name: String) -> Bool {
        guard (1...63).contains(name.utf8.count), let first = name.first, let last = name.last else { return false }
        let allowed = name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        return allowed && first != "-" && last != "-"
    }

    static func isDNSSubdomain(_ name: String) -> Bool {
        guard (1...253).contains(name.utf8.count) else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// `90s`, `10m`, `1h30m`, `500ms`; `nil` for anything else.
    public static func parseDuration(_ text: String) -> Duration? {
        var total = Duration.zero
        var number = ""
        var characters = Array(text.trimmingCharacters(in: .whitespaces))
        guard !characters.isEmpty else { return nil }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isASCII, character.isNumber {
                number.append(character)
                index += 1
                continue
            }
            guard let value = Int64(number), value <= 100_000_000 else { return nil }
            number = ""
            if character == "m", index + 1 < characters.count, characters[index + 1] == "s" {
                total += .milliseconds(value)
                index += 2
                continue
            }
            switch character {
            case "h": total += .seconds(value * 3600)
            case "m": total += .seconds(value * 60)
            case "s": total += .seconds(value)
            default: return nil
            }
            index += 1
        }
        characters.removeAll()
        return number.isEmpty ? total : nil
    }
}

extension AllowedSigners {
    /// No entries, before the file was read.
    static let empty = AllowedSigners(entries: [])

    init(entries: [Entry]) {
        self.entries = entries
    }
}
