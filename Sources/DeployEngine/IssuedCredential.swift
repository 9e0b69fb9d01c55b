public import KubeAPI

/// The token of a credential ``CredentialInstaller`` created, and the CA that came with it.
///
/// The token is a secret: ``description`` leaves it out, so that printing or logging the value
/// never shows it.
public struct IssuedCredential: Sendable, CustomStringConvertible {
    /// The ServiceAccount's namespace.
    public var namespace: String
    /// The ServiceAccount's name.
    public var name: String
    /// The bearer token.
    public var token: String
    /// The cluster CA from the token Secret (`ca.crt`), when the token came from one.
    public var certificateAuthorityPEM: [UInt8]?
    /// When a requested token expires (RFC 3339); `nil` for a token Secret's.
    public var expiration: String?

    /// Creates a credential.
    public init(namespace: String, name: String, token: String, certificateAuthorityPEM: [UInt8]?, expiration: String?) {
        self.namespace = namespace
        self.name = name
        self.token = token
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.expiration = expiration
    }

    /// `connection` with this token, and this CA when the token came with one.
    public func connection(basedOn connection: ClusterConnection) -> ClusterConnection {
        var credential = connection
        credential.credentials = .token(token)
        credential.certificateAuthorityPEM = certificateAuthorityPEM ?? connection.certificateAuthorityPEM
        return credential
    }

    /// `ServiceAccount NAMESPACE/NAME`, without the token.
    public var description: String { "ServiceAccount \(namespace)/\(name)" }
}
