/// Who signed a commit, as the verification established it.
public struct Signer: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The kind of signature.
    public enum Method: String, Sendable, Hashable, Codable {
        /// An SSH signature checked against the allowed-signers file.
        case ssh
        /// An OpenPGP signature checked against the keyring.
        case openPGP = "openpgp"
    }

    /// The kind of signature.
    public var method: Method
    /// The principal of the allowed-signers entry (`alice@example.com`), or the OpenPGP user ID.
    public var principal: String
    /// The key's fingerprint: `SHA256:…` for SSH, the primary key's fingerprint for OpenPGP.
    public var fingerprint: String

    /// Creates a signer.
    public init(method: Method, principal: String, fingerprint: String) {
        self.method = method
        self.principal = principal
        self.fingerprint = fingerprint
    }

    /// `alice@example.com (ssh SHA256:…)`.
    public var description: String { "\(principal) (\(method.rawValue) \(fingerprint))" }
}
