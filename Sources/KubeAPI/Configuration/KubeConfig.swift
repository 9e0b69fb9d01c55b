/// The merged content of one or more kubeconfig files, as ``KubeConfigLoader`` read it.
///
/// Each entry remembers the file and line it came from, so that errors found when a context is
/// resolved (``connection(context:namespace:)``) name them. Relative paths are already resolved
/// against the folder of the file that holds them.
public struct KubeConfig: Sendable {
    /// The files read, in precedence order (missing `KUBECONFIG` entries are not listed).
    public var files: [String]
    /// The clusters, in the order first defined.
    public var clusters: [Cluster]
    /// The users (`AuthInfo` in client-go), in the order first defined.
    public var users: [User]
    /// The contexts, in the order first defined.
    public var contexts: [Context]
    /// The first non-empty `current-context`.
    public var currentContext: String?
    /// Where ``currentContext`` was set.
    public var currentContextSource: Source?

    /// Creates a configuration.
    public init(
        files: [String] = [], clusters: [Cluster] = [], users: [User] = [], contexts: [Context] = [],
        currentContext: String? = nil, currentContextSource: Source? = nil
    ) {
        self.files = files
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
        self.currentContextSource = currentContextSource
    }

    /// Whether no file defined anything (kubectl then falls back to in-cluster configuration).
    public var isEmpty: Bool {
        clusters.isEmpty && users.isEmpty && contexts.isEmpty && currentContext == nil
    }

    /// The cluster named `name`.
    public func cluster(named name: String) -> Cluster? { clusters.first { $0.name == name } }
    /// The user named `name`.
    public func user(named name: String) -> User? { users.first { $0.name == name } }
    /// The context named `name`.
    public func context(named name: String) -> Context? { contexts.first { $0.name == name } }

    /// Where an entry was defined: the kubeconfig file and the line of its list element.
    public struct Source: Sendable, Hashable, CustomStringConvertible {
        /// The kubeconfig file.
        public var file: String
        /// The 1-based line, 0 when unknown.
        public var line: Int

        /// Creates a source.
        public init(file: String, line: Int) {
            self.file = file
            self.line = line
        }

        /// `file:line`, or `file` when the line is unknown.
        public var description: String { line > 0 ? "\(file):\(line)" : file }
    }

    /// A `clusters[]` entry.
    public struct Cluster: Sendable {
        /// The entry's name.
        public var name: String
        /// `server`, as written.
        public var server: String?
        /// `certificate-authority`: a path, resolved against the kubeconfig's folder.
        public var certificateAuthority: String?
        /// `certificate-authority-data`, base64-decoded.
        public var certificateAuthorityData: [UInt8]?
        /// `insecure-skip-tls-verify`.
        public var insecureSkipTLSVerify: Bool
        /// `tls-server-name`.
        public var tlsServerName: String?
        /// `proxy-url` (not supported: a connection warns that it is ignored).
        public var proxyURL: String?
        /// Where the entry was defined.
        public var source: Source

        /// Creates a cluster entry.
        public init(
            name: String, server: String? = nil, certificateAuthority: String? = nil, certificateAuthorityData: [UInt8]? = nil,
            insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil, proxyURL: String? = nil, source: Source
        ) {
            self.name = name
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
            self.proxyURL = proxyURL
            self.source = source
        }
    }

    /// A `users[]` entry (client-go's `AuthInfo`). Its description never shows secrets.
    public struct User: Sendable, CustomStringConvertible {
        /// The entry's name.
        public var name: String
        /// `token`.
        public var token: String?
        /// `tokenFile`, resolved against the kubeconfig's folder.
        public var tokenFile: String?
        /// `client-certificate`, resolved against the kubeconfig's folder.
        public var clientCertificate: String?
        /// `client-certificate-data`, base64-decoded.
        public var clientCertificateData: [UInt8]?
        /// `client-key`, resolved against the kubeconfig's folder.
        public var clientKey: String?
        /// `client-key-data`, base64-decoded.
        public var clientKeyData: [UInt8]?
        /// `exec`.
        public var exec: ExecConfig?
        /// Whether `username` or `password` is set (basic authentication, not supported).
        public var hasBasicAuthentication: Bool
        /// `auth-provider.name`, when an auth provider is configured (not supported).
        public var authProvider: String?
        /// Where the entry was defined.
        public var source: Source

        /// Creates a user entry.
        public init(
            name: String, token: String? = nil, tokenFile: String? = nil, clientCertificate: String? = nil,
            clientCertificateData: [UInt8]? = nil, clientKey: String? = nil, clientKeyData: [UInt8]? = nil,
            exec: ExecConfig? = nil, hasBasicAuthentication: Bool = false, authProvider: String? = nil, source: Source
        ) {
            self.name = name
            self.token = token
            self.tokenFile = tokenFile
            self.clientCertificate = clientCertificate
            self.clientCertificateData = clientCertificateData
            self.clientKey = clientKey
            self.clientKeyData = clientKeyData
            self.exec = exec
            self.hasBasicAuthentication = hasBasicAuthentication
            self.authProvider = authProvider
            self.source = source
        }

        /// The name and the kinds of credential set, never their values.
        public var description: String {
            var kinds: [String] = []
            if token != nil { kinds.append("token") }
            if tokenFile != nil { kinds.append("tokenFile") }
            if clientCertificate != nil || clientCertificateData != nil { kinds.append("client certificate") }
            if exec != nil { kinds.append("exec") }
            if hasBasicAuthentication { kinds.append("basic") }
            if authProvider != nil { kinds.append("auth-provider") }
            return "user \(name) (\(kinds.isEmpty ? "no credentials" : kinds.joined(separator: ", ")))"
        }
    }

    /// A `contexts[]` entry.
    public struct Context: Sendable, Hashable {
        /// The entry's name.
        public var name: String
        /// The cluster's name.
        public var cluster: String
        /// The user's name.
        public var user: String
        /// `namespace`, when set.
        public var namespace: String?
        /// Where the entry was defined.
        public var source: Source

        /// Creates a context entry.
        public init(name: String, cluster: String, user: String, namespace: String? = nil, source: Source) {
            self.name = name
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
            self.source = source
        }
    }
}
