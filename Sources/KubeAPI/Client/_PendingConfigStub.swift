// TEMPORARY: stands in for Sources/KubeAPI/Configuration (branch kubeconfig) until it is merged.
public struct ClusterConnection: Sendable {
    public var server: String
    public var certificateAuthorityPEM: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    public var tlsServerName: String?
    public var namespace: String
    public var credentials: Credentials
    public var contextName: String?
    public var origin: String
    public var warnings: [String]
    public init(server: String, certificateAuthorityPEM: [UInt8]?, insecureSkipTLSVerify: Bool, tlsServerName: String?, namespace: String, credentials: Credentials, contextName: String?, origin: String, warnings: [String]) {
        self.server = server; self.certificateAuthorityPEM = certificateAuthorityPEM; self.insecureSkipTLSVerify = insecureSkipTLSVerify; self.tlsServerName = tlsServerName; self.namespace = namespace; self.credentials = credentials; self.contextName = contextName; self.origin = origin; self.warnings = warnings
    }
}
public enum Credentials: Sendable {
    case none
    case token(String)
    case tokenFile(path: String)
    case clientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8])
}
public enum AuthMaterial: Sendable {
    case none
    case bearer(String)
    case clientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8])
}
public final class CredentialSource: Sendable {
    let credentials: Credentials
    public init(_ credentials: Credentials) { self.credentials = credentials }
    public func current() async throws -> AuthMaterial {
        switch credentials {
        case .none, .tokenFile: return .none
        case .token(let token): return .bearer(token)
        case .clientCertificate(let certificate, let key): return .clientCertificate(certificatePEM: certificate, keyPEM: key)
        }
    }
    public func invalidate() {}
}
public struct KubeConfigError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
public struct KubeConfig: Sendable {
    public func connection(context: String?, namespace: String?) throws(KubeConfigError) -> ClusterConnection {
        throw KubeConfigError(description: "stub")
    }
}
public struct KubeConfigLoader: Sendable {
    public init(environment: [String: String], homeDirectory: String? = nil) {}
    public func load(explicitPath: String?) throws(KubeConfigError) -> KubeConfig { throw KubeConfigError(description: "stub") }
}
public enum InClusterConfig {
    public static func connection(environment: [String: String], serviceAccountFolder: String = "/var/run/secrets/kubernetes.io/serviceaccount") throws(KubeConfigError) -> ClusterConnection {
        throw KubeConfigError(description: "stub")
    }
    public static func isAvailable(environment: [String: String]) -> Bool { false }
}
