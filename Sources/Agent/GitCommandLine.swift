import Foundation

/// How `git` is run for one repository: a closed environment and `-c` settings that pin its
/// behaviour, whatever configuration the machine or image has.
///
/// - Nothing is inherited: `HOME` is the agent's own empty folder, system and global Git
///   configuration are off, terminal prompts are off.
/// - Only the repository's transport is allowed (`protocol.allow=never` plus the one), so a
///   redirect or a submodule cannot switch to another one.
/// - HTTPS credentials come from a credential helper that reads the mounted files when the
///   server asks, and answers only for the repository's own host; the helper's command line
///   holds file paths only.
/// - SSH runs with the deploy key, the given known_hosts file and `StrictHostKeyChecking=yes`,
///   without any SSH configuration file or agent.
struct GitCommandLine: Sendable {
    let tools: ToolPaths
    let repository: GitRepositoryURL
    let credentials: GitCredentials
    let certificateAuthorityFile: String?
    /// The agent's private, empty home folder.
    let home: String

    /// The complete environment of every `git` the agent runs. No value is a secret.
    var environment: [String: String] {
        var environment = tools.proxyEnvironment
        environment["PATH"] = tools.searchPath
        environment["HOME"] = home
        environment["XDG_CONFIG_HOME"] = home + "/.config"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_ATTR_NOSYSTEM"] = "1"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        environment["LC_ALL"] = "C"
        environment["LANG"] = "C"
        if case .ssh(let ssh) = credentials {
            environment["GIT_SSH_COMMAND"] = sshCommand(ssh)
            environment["GIT_SSH_VARIANT"] = "ssh"
        } else if repository.transport == .ssh {
            environment["GIT_SSH_COMMAND"] = sshCommand(nil)
            environment["GIT_SSH_VARIANT"] = "ssh"
        }
        return environment
    }

    /// `-c name=value` pairs that go before every subcommand.
    var configuration: [String] {
        var settings = [
            "protocol.allow=never",
            "protocol.\(repository.transport.rawValue).allow=always",
            "credential.helper=",
            "core.hooksPath=/dev/null",
            "core.symlinks=false",
            "core.fsmonitor=false",
            "submodule.recurse=false",
            "fetch.recurseSubmodules=false",
            "gc.autoDetach=false",
            "http.sslVerify=true",
            // A transfer slower than 1 KB/s for a minute is given up (and retried later).
            "http.lowSpeedLimit=1000",
            "http.lowSpeedTime=60",
        ]
        if case .https(let https) = credentials {
            settings.append("credential.helper=" + credentialHelper(https))
        }
        if let certificateAuthorityFile {
            settings.append("http.sslCAInfo=" + certificateAuthorityFile)
        }
        return settings.flatMap { ["-c", $0] }
    }

    /// A shell function git runs as `… get`: it answers with the user name and the password read
    /// from the mounted files, and only when git asks for the repository's own host. Git reads
    /// the credential from its standard output; nothing is written elsewhere.
    func credentialHelper(_ https: GitCredentials.HTTPSCredentials) -> String {
        let readUser: String
        switch https.username {
        case .literal(let name):
            readUser = "u=\(Self.quote(name))"
        case .file(let path):
            readUser = "IFS= read -r u < \(Self.quote(path)) || [ -n \"$u\" ] || exit 1"
        }
        let readPassword = "IFS= read -r p < \(Self.quote(https.passwordFile)) || [ -n \"$p\" ] || exit 1"
        return "!f() { test \"$1\" = get || exit 0; h=; "
            + "while IFS= read -r l; do [ -z \"$l\" ] && break; case \"$l\" in host=*) h=\"${l#host=}\";; esac; done; "
            + "[ \"$h\" = \(Self.quote(repository.credentialHost)) ] || exit 0; "
            + "\(readUser); \(readPassword); printf 'username=%s\\npassword=%s\\n' \"$u\" \"$p\"; }; f"
    }

    /// The `ssh` command git runs: the deploy key only, the given known_hosts only, strict host
    /// key checking, no configuration file, no agent, no prompts.
    func sshCommand(_ ssh: GitCredentials.SSHCredentials?) -> String {
        var words = [Self.quote(tools.ssh ?? "ssh"), "-F", "/dev/null"]
        if let ssh {
            words += ["-i", Self.quote(ssh.privateKeyFile), "-o", "IdentitiesOnly=yes"]
            words += ["-o", "UserKnownHostsFile=" + Self.quote(ssh.knownHostsFile)]
        }
        words += [
            "-o", "IdentityAgent=none", "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
            "-o", "UpdateHostKeys=no", "-o", "CheckHostIP=no", "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no",
            "-o", "KbdInteractiveAuthentication=no", "-o", "ConnectTimeout=20", "-o", "ServerAliveInterval=15",
            "-o", "ServerAliveCountMax=4",
        ]
        return words.joined(separator: " ")
    }

    /// `text` in single quotes for a POSIX shell.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
