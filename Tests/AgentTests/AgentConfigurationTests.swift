import Agent
import Delivery
import Foundation
import KubeModel
import Testing
import WarrantTestSupport

/// `warrant agent run`'s configuration: flags or YAML, every problem named with its origin.
@Suite
struct AgentConfigurationTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOXrBeknQK8Q+RsgHZDG8OwKeOpilAYpXKZnmBc0UFU9"

    /// A folder with an allowed-signers file, a token file and a known_hosts file.
    struct Files {
        let folder: String
        var allowedSigners: String { folder + "/allowed_signers" }
        var token: String { folder + "/token" }
        var knownHosts: String { folder + "/known_hosts" }
        var sshKey: String { folder + "/id_ed25519" }

        init(_ url: URL) throws {
            folder = url.path
            try writeFile("alice@example.com namespaces=\"git\" \(AgentConfigurationTests.key) alice\n", named: "allowed_signers", in: url)
            try writeFile("secret-token\n", named: "token", in: url)
            try writeFile("git.example.com \(AgentConfigurationTests.key)\n", named: "known_hosts", in: url)
            try writeFile("not really a key\n", named: "id_ed25519", in: url)
        }
    }

    /// The problems `body` throws, none when it succeeds.
    func problems(_ body: () throws -> Void) -> [AgentConfigurationError] {
        do {
            try body()
            return []
        } catch let error as AgentConfigurationErrors {
            return error.errors
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    func settings(_ pairs: [(AgentSetting, String)]) -> AgentSettings {
        var settings = AgentSettings()
        for (setting, value) in pairs { settings.set(setting, value) }
        return settings
    }

    @Test func flagsMakeAConfigurationWithDefaults() async throws {
        try await withTemporaryDirectory { url in
            let files = try Files(url)
            let configuration = try AgentConfiguration(
                settings: settings([
                    (.repo, "https://git.example.com/team/app.git"), (.branch, "main"), (.namespace, "shop"), (.allowedSigners, files.allowedSigners),
                    (.gitTokenFile, files.token), (.path, "./deploy/prod/"), (.prune, "true"), (.maxPrune, "10%"), (.interval, "2s"),
                ]))
            #expect(configuration.repository.transport == .https)
            #expect(configuration.path == "deploy/prod")
            #expect(configuration.interval == .seconds(2))
            #expect(configuration.reconcileInterval == .seconds(600))
            #expect(configuration.prune && !configuration.wait)
            #expect(configuration.maxPrune == .percent(10))
            #expect(configuration.applySet == "warrant-applyset")
            #expect(configuration.credentials == .https(.init(username: .literal("git"), passwordFile: files.token)))
            #expect(configuration.allowedSigners.entries.map(\.principals) == [["alice@example.com"]])
            #expect(configuration.signaturePolicy.allowedSignersFile == files.allowedSigners)
        }
    }

    @Test func aYAMLFileUsesTheFlagNamesAndFlagsOverrideIt() async throws {
        try await withTemporaryDirectory { url in
            let files = try Files(url)
            let path = try writeFile(
                """
                # the agent's settings
                repo: git@git.example.com:team/app.git
                branch: release/1.2
                namespace: shop
                allowed-signers: \(files.allowedSigners)
                ssh-key-file: \(files.sshKey)
                ssh-known-hosts: \(files.knownHosts)
                reconcile-interval: 1h30m
                wait: true
                max-prune: 3
                """, named: "agent.yaml", in: url)
            var flags = AgentSettings()
            flags.set(.namespace, "shop-staging", flag: "-n")
            let configuration = try AgentConfiguration(settings: try AgentSettings.load(file: path).overridden(by: flags))
            #expect(configuration.repository.transport == .ssh)
            #expect(configuration.repository.user == "git")
            #expect(configuration.branch == "release/1.2")
            #expect(configuration.namespace == "shop-staging")
            #expect(configuration.reconcileInterval == .seconds(5400))
            #expect(configuration.wait)
            #expect(configuration.maxPrune == .count(3))
            #expect(configuration.credentials == .ssh(.init(privateKeyFile: files.sshKey, knownHostsFile: files.knownHosts)))
        }
    }

    @Test func yamlProblemsNameTheFileAndLine() async throws {
        try await withTemporaryDirectory { url in
            let files = try Files(url)
            let path = try writeFile(
                """
                repo: https://git.example.com/team/app.git
                brnch: main
                namespace: Shop
                allowed-signers: \(files.allowedSigners)
                interval: soon
                prune: maybe
                """, named: "agent.yaml", in: url)
            #expect(
                problems { _ = try AgentSettings.load(file: path) }.map(\.description) == [
                    "\(path):2: unknown setting 'brnch'\n  hint: did you mean 'branch'?"
                ])
            let fixed = try writeFile(
                """
                repo: https://git.example.com/team/app.git
                branch: main
                namespace: Shop
                allowed-signers: \(files.allowedSigners)
                interval: soon
                prune: maybe
                """, named: "fixed.yaml", in: url)
            let invalid = problems { _ = try AgentConfiguration(settings: try AgentSettings.load(file: fixed)) }
            let lines = invalid.map(\.description)
            #expect(lines.contains { $0.hasPrefix("\(fixed):3: namespace: 'Shop' is not a namespace name") })
            #expect(lines.contains { $0.hasPrefix("\(fixed):5: interval: 'soon' is not a duration") })
            #expect(lines.contains { $0.hasPrefix("\(fixed):6: prune: 'maybe' is not true or false") })
            #expect(invalid.count == 3)
            let broken = try writeFile("repo: [unclosed\n", named: "broken.yaml", in: url)
            let brokenProblems = problems { _ = try AgentSettings.load(file: broken) }.map(\.description)
            #expect(brokenProblems.count == 1)
            #expect(
                brokenProblems.first?.hasPrefix("\(broken):2: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1)")
                    == true, "\(brokenProblems)")
        }
    }

    @Test func missingSettingsAreAllListed() {
        let missing = problems { _ = try AgentConfiguration(settings: AgentSettings()) }
        #expect(missing.map(\.setting) == [.repo, .branch, .namespace, .allowedSigners])
        #expect(missing.first?.description.hasPrefix("--repo: is required") == true)
    }

    @Test(arguments: [
        ("https://bot:ghp_SECRET123@github.com/team/app.git", "carries a password"),
        ("https://ghp_SECRET123@github.com/team/app.git", "carries credentials"),
        ("ssh://git:SECRET123@github.com/team/app.git", "carries a password"),
    ])
    func credentialsInTheAddressAreRefusedWithoutRepeatingThem(address: String, message: String) throws {
        do {
            _ = try GitRepositoryURL(parsing: address)
            Issue.record("accepted \(address)")
        } catch {
            #expect(error.message.contains(message))
            #expect(!error.description.contains("SECRET123"))
            #expect(!(error.hint ?? "").contains("SECRET123"))
        }
    }

    @Test(arguments: [
        ("https://git.example.com/team/app.git", GitRepositoryURL.Transport.https, "git.example.com" as String?, nil as Int?),
        ("https://git.example.com:8443/team/app.git", .https, "git.example.com", 8443),
        ("ssh://git@git.example.com:2222/team/app.git", .ssh, "git.example.com", 2222),
        ("git@github.com:team/app.git", .ssh, "github.com", nil),
        ("file:///srv/git/app.git", .file, nil, nil),
    ])
    func acceptedAddresses(address: String, transport: GitRepositoryURL.Transport, host: String?, port: Int?) throws {
        let url = try GitRepositoryURL(parsing: address)
        #expect(url.transport == transport)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.address == address)
    }

    @Test(arguments: [
        "http://git.example.com/team/app.git", "git://git.example.com/team/app.git", "/srv/git/app.git", "ext::sh -c touch% /tmp/x",
        "ssh://-oProxyCommand=x/app.git", "-u@host:path", "https://git.example.com", "file://relative/path",
    ])
    func refusedAddresses(address: String) {
        #expect(throws: GitRepositoryURL.Problem.self) { try GitRepositoryURL(parsing: address) }
    }

    @Test func credentialsMustFitTheTransportAndExist() async throws {
        try await withTemporaryDirectory { url in
            let files = try Files(url)
            let base: [(AgentSetting, String)] = [(.branch, "main"), (.namespace, "shop"), (.allowedSigners, files.allowedSigners)]
            func problems(_ extra: [(AgentSetting, String)]) -> [String] {
                self.problems { _ = try AgentConfiguration(settings: settings(base + extra)) }.map(\.description)
            }
            #expect(problems([(.repo, "git@example.com:app.git")]).first?.hasPrefix("--ssh-key-file: is required") == true)
            #expect(problems([(.repo, "git@example.com:app.git"), (.sshKeyFile, files.sshKey)]).first?.hasPrefix("--ssh-known-hosts: is required") == true)
            #expect(
                problems([(.repo, "git@example.com:app.git"), (.sshKeyFile, files.sshKey), (.sshKnownHosts, files.knownHosts), (.gitTokenFile, files.token)])
                    == ["--git-token-file: applies to https:// repositories only"])
            #expect(
                problems([(.repo, "https://example.com/app.git"), (.gitTokenFile, files.token), (.gitPasswordFile, files.token)])
                    == ["--git-token-file: give either --git-password-file or --git-token-file, not both"])
            #expect(
                problems([(.repo, "https://example.com/app.git"), (.gitUsername, "robot")])
                    == ["--git-username: a user name needs --git-password-file or --git-token-file"])
            #expect(problems([(.repo, "https://example.com/app.git"), (.gitTokenFile, files.folder + "/missing")]).first?.contains("no such file") == true)
            #expect(
                problems([(.repo, "file:///srv/app.git"), (.gitTokenFile, files.token)]) == ["--git-token-file: a file:// repository takes no credentials"])
            #expect(
                problems([(.repo, "https://example.com/app.git"), (.path, "../other")]).first?.hasPrefix("--path: '../other' must be a folder inside") == true)
            #expect(problems([(.repo, "https://example.com/app.git"), (.workDir, "relative")]).first?.hasPrefix("--work-dir:") == true)
            #expect(problems([(.repo, "https://example.com/app.git"), (.maxPrune, "lots")]).first?.hasPrefix("--max-prune:") == true)
            #expect(problems([(.repo, "https://example.com/app.git"), (.gitCAFile, files.token)]).isEmpty)
            #expect(problems([(.repo, "file:///srv/app.git"), (.gitCAFile, files.token)]) == ["--git-ca-file: applies to https:// repositories only"])
        }
    }

    @Test(arguments: [
        ("main", true), ("release/1.2", true), ("feature/x_y-z", true), ("", false), ("-main", false), ("a..b", false), ("a b", false),
        ("a:b", false), (".hidden", false), ("x.lock", false), ("refs/heads/main", false), ("a//b", false), ("end/", false), ("@", false),
        ("a@{1}", false), ("a~1", false), ("a^", false), ("a\\b", false),
    ])
    func branchNames(name: String, valid: Bool) {
        #expect(AgentConfiguration.isValidBranchName(name) == valid)
    }

    @Test(arguments: [("30s", 30.0), ("10m", 600.0), ("1h30m", 5400.0), ("500ms", 0.5), ("2m30s", 150.0)])
    func durations(text: String, seconds: Double) {
        let duration = AgentConfiguration.parseDuration(text)
        #expect(duration.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } == seconds)
    }

    @Test(arguments: ["", "10", "m", "1x", "99999999999h", "1.5m"])
    func badDurations(text: String) {
        #expect(AgentConfiguration.parseDuration(text) == nil)
    }

    @Test func allowedSignersProblemsNameTheLine() async throws {
        try await withTemporaryDirectory { url in
            let path = try writeFile(
                """
                # team signers
                alice@example.com namespaces="git" \(Self.key)
                bob@example.com valid-before="next year" \(Self.key)
                carol@example.com ssh-ed25519 !!notbase64!!
                dave@example.com colour="blue" \(Self.key)
                erin@example.com
                """, named: "allowed_signers", in: url)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let broken = problems { _ = try AllowedSigners(text: text, file: path) }
            let lines = broken.compactMap { error -> Int? in
                if case .file(let location)? = error.origin { return location.line }
                return nil
            }
            #expect(lines == [3, 4, 5, 6])
            #expect(broken.first?.description.contains("valid-before must be a time") == true)
            let onlyFiles = try writeFile("alice@example.com namespaces=\"file\" \(Self.key)\n", named: "files_only", in: url)
            let onlyFilesText = try String(contentsOfFile: onlyFiles, encoding: .utf8)
            #expect(problems { _ = try AllowedSigners(text: onlyFilesText, file: onlyFiles) }.first?.message.contains("no entry may sign Git commits") == true)
            let good = try AllowedSigners(
                text: "*@example.com cert-authority,namespaces=\"git,file\",valid-after=\"20240101\",valid-before=\"20301231235959Z\" \(Self.key) ca\n",
                file: "x")
            let entry = try #require(good.entries.first)
            #expect(entry.certificateAuthority && entry.allowsGit)
            #expect(entry.validBefore == "20301231235959Z")
        }
    }
}

/// `--listen [HOST]:PORT`, `--shutdown-grace` and the leader-election settings (issue 15).
struct AgentServiceSettingsTests {
    @Test(arguments: [
        (":8080", "0.0.0.0", 8080), ("127.0.0.1:9090", "127.0.0.1", 9090), ("[::1]:0", "::1", 0), ("localhost:65535", "localhost", 65_535),
    ])
    func listenAddressesParse(text: String, host: String, port: Int) throws {
        let address = try #require(ListenAddress(text))
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test(arguments: ["8080", ":", ":http", "host:65536", ":-1", "a b:80", "/x:80"])
    func badListenAddressesAreRefused(text: String) {
        #expect(ListenAddress(text) == nil)
    }

    @Test func theSettingsAreCheckedWithTheOthers() async throws {
        try await withTemporaryDirectory { url in
            try Self.check(try AgentConfigurationTests.Files(url))
        }
    }

    static func check(_ files: AgentConfigurationTests.Files) throws {
        var settings = AgentSettings()
        for (setting, value) in [(AgentSetting.repo, "file:///srv/app.git"), (.branch, "main"), (.allowedSigners, files.allowedSigners)] {
            settings.set(setting, value)
        }
        settings.set(.namespace, "shop", flag: "-n")
        let defaults = try AgentConfiguration(settings: settings)
        #expect(defaults.listen == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(defaults.shutdownGrace == .seconds(20))
        settings.set(.listen, "127.0.0.1:0")
        settings.set(.shutdownGrace, "45s")
        let given = try AgentConfiguration(settings: settings)
        #expect(given.listen == ListenAddress(host: "127.0.0.1", port: 0))
        #expect(given.shutdownGrace == .seconds(45))
        #expect(given.leaderElection && given.leaseDuration == .seconds(15) && given.renewDeadline == .seconds(10) && given.retryPeriod == .seconds(2))
        settings.set(.leaderElection, "false")
        #expect(try AgentConfiguration(settings: settings).leaderElection == false)
        // client-go's rules: lease duration > renew deadline > 1.2 retry periods.
        settings.set(.renewDeadline, "15s")
        #expect {
            try AgentConfiguration(settings: settings)
        } throws: { error in
            (error as? AgentConfigurationErrors)?.errors.map(\.description).contains { $0.hasPrefix("--renew-deadline: must be shorter than --lease-duration") }
                == true
        }
        settings.set(.renewDeadline, "2s")
        #expect {
            try AgentConfiguration(settings: settings)
        } throws: { error in
            (error as? AgentConfigurationErrors)?.errors.map(\.description).contains { $0.hasPrefix("--retry-period:") } == true
        }
        settings.set(.renewDeadline, "10s")
        settings.set(.listen, "everywhere")
        settings.set(.shutdownGrace, "soon")
        #expect {
            try AgentConfiguration(settings: settings)
        } throws: { error in
            let text = (error as? AgentConfigurationErrors)?.errors.map(\.description) ?? []
            return text.contains { $0.hasPrefix("--listen: 'everywhere' is not [HOST]:PORT") } && text.contains { $0.hasPrefix("--shutdown-grace:") }
        }
    }
}
