/// Something ``CredentialInstaller`` did, in the order it happened.
public enum CredentialEvent: Sendable, Hashable {
    /// The API server says the caller's rules may be incomplete; the own-rights check was skipped.
    case ownRulesIncomplete(namespace: String)
    /// An object of the bundle was applied.
    case applied(object: String)
    /// A token was requested (TokenRequest); it expires then (RFC 3339).
    case tokenRequested(expiration: String)
    /// Waiting for the token controller to fill the token Secret (reported once).
    case waitingForTokenSecret(namespace: String, name: String)
    /// The credential was verified: it holds exactly the Role's rules in its namespace and none
    /// of them in `otherNamespace`.
    case verified(namespace: String, name: String, ruleCount: Int, otherNamespace: String)
}
