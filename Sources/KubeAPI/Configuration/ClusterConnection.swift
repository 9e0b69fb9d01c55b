/// Where a cluster is and how to authenticate, resolved from a kubeconfig or in-cluster.
///
/// Produced by ``KubeConfig/connection(context:namespace:)`` or
/// ``InClusterConfig/connection(environment:serviceAccountFolder:)``; file paths are already
/// read (CA, client certificate and key) except the token file, which ``CredentialSource`` re-reads.
public struct ClusterConnection: Sendable {
    /// The API server's URL, without a trailing slash (`https://10.0.0.1:6443`).
    public var server: String
    /// The PEM bundle that verifies the server: `certificate-authority-data` decoded, or the
    /// `certificate-authority` file's content; `nil` to use the system's roots.
    public var certificateAuthorityPEM: [UInt8]?
    /// Whether to skip verifying the server's certificate; only when the kubeconfig says so.
    public var insecureSkipTLSVerify: Bool
    /// The name to verify the server's certificate against, when it differs from the URL's host.
    public var tlsServerName: String?
    /// The namespace: the `-n` override, else the context's namespace, else `default`.
    public var namespace: String
    /// How to authenticate.
    public var credentials: Credentials
    /// The context used, or `nil` in-cluster.
    public var contextName: String?
    /// Where this came from, for messages: `kubeconfig /path (context x)` or `in-cluster`.
    public var origin: String
    /// Things the user should know (`insecure-skip-tls-verify` in use); the CLI prints them.
    public var warnings: [String]

    /// Creates a connection.
    public init(
        server: String,
        certificateAuthorityPEM: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil,
        namespace: String = "default",
        credentials: Credentials = .none,
        contextName: String? = nil,
        origin: String,
        warnings: [String] = []
    ) {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.namespace = namespace
        self.credentials = credentials
        self.contextName = contextName
        self.origin = origin
        self.warnings = warnings
    }
}

/// How a request authenticates to the API server.
public enum Credentials: Sendable {
    /// No credentials (anonymous).
    case none
    /// A fixed bearer token.
    case token(String)
    /// A bearer token read from a file, re-read when it changes (service-account token rotation).
    case tokenFile(path: String)
    /// A TLS client certificate and its private key, both PEM.
    case clientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8])
    /// A credential plugin that prints an `ExecCredential`.
    case exec(ExecConfig)
}

/// A kubeconfig `exec` credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`).
///
/// See client-go `plugin/pkg/client/auth/exec/exec.go` and `tools/clientcmd/api/types.go` (`ExecConfig`).
public struct ExecConfig: Sendable {
    /// Whether the plugin may talk to the user on standard input.
    public enum InteractiveMode: String, Sendable, Hashable {
        /// Never attach standard input.
        case never = "Never"
        /// Attach standard input when it is a terminal (never, for Warrant: it runs non-interactively).
        case ifAvailable = "IfAvailable"
        /// The plugin needs standard input; Warrant cannot run it.
        case always = "Always"
    }

    /// The command: a name looked up on `PATH`, or a path (relative paths already resolved
    /// against the kubeconfig's folder).
    public var command: String
    /// The arguments.
    public var arguments: [String]
    /// Variables added to Warrant's environment for the plugin, in order (later ones win).
    public var environment: [(name: String, value: String)]
    /// The `ExecCredential` API version, `client.authentication.k8s.io/v1` or `.../v1beta1`.
    public var apiVersion: String
    /// What to tell the user when the command is missing.
    public var installHint: String?
    /// Whether to pass the cluster's details in `KUBERNETES_EXEC_INFO`.
    public var provideClusterInfo: Bool
    /// The `interactiveMode` field, when set.
    public var interactiveMode: InteractiveMode?
    /// The kubeconfig file that configured the plugin, for messages.
    public var file: String?
    /// The field that configured the plugin (`users[ci].user.exec`), for messages.
    public var field: String?

    /// Creates a configuration.
    public init(
        command: String,
        arguments: [String] = [],
        environment: [(name: String, value: String)] = [],
        apiVersion: String = "client.authentication.k8s.io/v1",
        installHint: String? = nil,
        provideClusterInfo: Bool = false,
        interactiveMode: InteractiveMode? = nil,
        file: String? = nil,
        field: String? = nil
    ) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.apiVersion = apiVersion
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
        self.file = file
        self.field = field
    }

    /// The `ExecCredential` API versions Warrant speaks.
    public static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
}

/// What one request needs to authenticate, from ``CredentialSource/current()``.
public enum AuthMaterial: Sendable, Hashable {
    /// No authentication.
    case none
    /// Send `Authorization: Bearer <token>`.
    case bearer(String)
    /// Present this client certificate and key (PEM) in the TLS handshake.
    case clientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8])
}

extension AuthMaterial: CustomStringConvertible {
    /// The kind of material, never the secret itself.
    public var description: String {
        switch self {
        case .none: "none"
        case .bearer: "bearer token (redacted)"
        case .clientCertificate: "client certificate (redacted)"
        }
    }
}

extension Credentials: CustomStringConvertible {
    /// The kind of credential, never the secret itself.
    public var description: String {
        switch self {
        case .none: "none"
        case .token: "token (redacted)"
        case .tokenFile(let path): "token file \(path)"
        case .clientCertificate: "client certificate (redacted)"
        case .exec(let config): "exec plugin \(config.command)"
        }
    }
}
