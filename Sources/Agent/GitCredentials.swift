/// How the agent authenticates to the Git server: always by files, mounted from a Secret, whose
/// contents the agent never reads itself.
///
/// For HTTPS, a credential helper that `git` runs reads the files when the server asks and only
/// for the repository's own host; for SSH, `ssh` reads the key and checks the server against the
/// known_hosts file. Only paths appear on command lines, in environments and in logs.
public enum GitCredentials: Sendable, Hashable, Codable {
    /// No credentials (a public repository, or `file://`).
    case none
    /// HTTPS basic authentication: a user name and a password or token from a file.
    case https(HTTPSCredentials)
    /// An SSH deploy key and the known_hosts file that pins the server's host key.
    case ssh(SSHCredentials)

    /// A user name and a password (or token) file for HTTPS.
    public struct HTTPSCredentials: Sendable, Hashable, Codable {
        /// Where the user name comes from.
        public var username: Username
        /// The file holding the password or token (a trailing newline is ignored).
        public var passwordFile: String

        /// Creates HTTPS credentials.
        public init(username: Username, passwordFile: String) {
            self.username = username
            self.passwordFile = passwordFile
        }
    }

    /// The user name for HTTPS: given, or read from a file.
    public enum Username: Sendable, Hashable, Codable {
        /// A user name that is not a secret (`x-access-token`, `oauth2`, a deploy token's name).
        case literal(String)
        /// A file holding the user name.
        case file(String)
    }

    /// An SSH key and the known hosts.
    public struct SSHCredentials: Sendable, Hashable, Codable {
        /// The private key file (not protected by a passphrase).
        public var privateKeyFile: String
        /// The known_hosts file with the server's host key; `StrictHostKeyChecking=yes`.
        public var knownHostsFile: String

        /// Creates SSH credentials.
        public init(privateKeyFile: String, knownHostsFile: String) {
            self.privateKeyFile = privateKeyFile
            self.knownHostsFile = knownHostsFile
        }
    }
}
