import Foundation
public import KubeAPI
public import KubeModel
public import Logging
public import RBAC

/// Creates a least-privilege credential in the cluster and checks it: the apply half of
/// `warrant credentials create --apply`.
///
/// ``install(_:role:client:reporter:)`` checks that the caller may create everything (the
/// objects' verbs, and every rule of the Role unless it may `escalate`: Kubernetes only lets a
/// user grant what they hold) before anything changes, applies the bundle with server-side apply,
/// then obtains the token: from the token Secret once the token controller filled it, or from
/// TokenRequest. ``verify(_:role:clientConfiguration:reporter:)`` then asks the API server, as
/// the new credential, that it holds exactly the Role's rules in its namespace and none of them
/// elsewhere. Between the two the caller stores the token (`warrant` writes a kubeconfig).
public struct CredentialInstaller: Sendable {
    /// Where the token comes from.
    public enum TokenSource: Sendable, Hashable {
        /// The `NAME-token` Secret of the bundle, filled by the token controller within `timeout`.
        case secret(timeout: Duration)
        /// A TokenRequest for a token valid this many seconds.
        case request(expirationSeconds: Int)
    }

    /// What to create and check.
    public struct Configuration: Sendable, Hashable {
        /// The ServiceAccount's (and Role's and RoleBinding's) name.
        public var name: String
        /// The namespace the credential deploys to.
        public var namespace: String
        /// Where the token comes from.
        public var token: TokenSource
        /// A namespace where the credential must hold none of the Role's rules.
        public var verifyNamespace: String
        /// The server-side apply field manager for the bundle.
        public var fieldManager: String

        /// Creates a configuration.
        ///
        /// - Parameter verifyNamespace: default `default`, or `kube-system` for a credential in `default`.
        public init(name: String, namespace: String, token: TokenSource, verifyNamespace: String? = nil, fieldManager: String = "warrant") {
            self.name = name
            self.namespace = namespace
            self.token = token
            self.verifyNamespace = verifyNamespace ?? (namespace == "default" ? "kube-system" : "default")
            self.fieldManager = fieldManager
        }
    }

    /// What to create and check.
    public var configuration: Configuration
    /// Where the installer logs (at `debug`); quiet by default.
    public var logger: Logger

    var namespace: String { configuration.namespace }
    var name: String { configuration.name }

    /// Creates an installer.
    public init(configuration: Configuration, logger: Logger = Logger(label: "warrant.credentials", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Checks the caller's rights, applies `documents` (the bundle) and obtains the token.
    ///
    /// - Parameters:
    ///   - documents: the ServiceAccount, Role, RoleBinding and token Secret (``CredentialBundle``).
    ///   - role: the Role among them, whose rules the caller must hold.
    ///   - client: a client as the caller (a namespace administrator).
    /// - Throws: ``CredentialError``: `missing-rights` before anything changed, `token-not-issued`,
    ///   or an API error.
    public func install(
        _ documents: [JSONValue], role: RBACRole, client: KubeClient, reporter: CredentialReporter = .silent
    ) async throws(CredentialError) -> IssuedCredential {
        do {
            try await checkOwnRights(role: role, client: client, reporter: reporter)
            for document in documents {
                let object = KubeObject(document)
                _ = try await client.apply(object, fieldManager: configuration.fieldManager)
                logger.debug("applied", metadata: ["object": "\(object.displayName)"])
                reporter.report(.applied(object: object.displayName))
            }
            return try await obtainToken(client: client, reporter: reporter)
        } catch {
            throw CredentialError.from(error)
        }
    }

    /// Whether the caller may create everything, before anything changes: the objects' verbs,
    /// and every permission the Role grants (escalation prevention) unless it may `escalate`.
    private func checkOwnRights(role: RBACRole, client: KubeClient, reporter: CredentialReporter) async throws {
        let own = try await client.selfSubjectRules(namespace: namespace)
        if own.incomplete {
            reporter.report(.ownRulesIncomplete(namespace: namespace))
            return
        }
        var needed = [
            PolicyRule(verbs: ["create", "patch"], apiGroups: [""], resources: ["serviceaccounts"]),
            PolicyRule(verbs: ["create", "patch"], apiGroups: [RBACAPI.group], resources: ["roles", "rolebindings"]),
        ]
        switch configuration.token {
        case .secret: needed.append(PolicyRule(verbs: ["create", "patch", "get"], apiGroups: [""], resources: ["secrets"]))
        case .request: needed.append(PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"]))
        }
        var missing = PolicyComparator.covers(own.rules, needed).uncovered
        let mayEscalate = PolicyComparator.covers(own.rules, [PolicyRule(verbs: ["escalate"], apiGroups: [RBACAPI.group], resources: ["roles"])]).covered
        if !mayEscalate { missing += PolicyComparator.covers(own.rules, role.rules).uncovered }
        guard !missing.isEmpty else { return }
        throw CredentialError(
            .missingRights, "you lack \(missing.count) permission(s) in \(namespace) to create this credential; nothing was changed:",
            details: missing.map { "\($0)" },
            hint: "a namespace administrator (the built-in admin role) holds them; Kubernetes only lets you grant what you hold yourself")
    }

    /// The token: from the token Secret once the token controller filled it, or from TokenRequest.
    private func obtainToken(client: KubeClient, reporter: CredentialReporter) async throws -> IssuedCredential {
        switch configuration.token {
        case .request(let seconds):
            let answer = try await client.requestToken(namespace: namespace, serviceAccount: name, expirationSeconds: seconds)
            reporter.report(.tokenRequested(expiration: answer.expiration))
            return IssuedCredential(namespace: namespace, name: name, token: answer.token, certificateAuthorityPEM: nil, expiration: answer.expiration)
        case .secret(let timeout):
            let secretName = CredentialBundle.tokenSecretName(for: name)
            let started = ContinuousClock.now
            var announced = false
            while true {
                if let secret = try await client.get(GroupKind(group: "", kind: "Secret"), namespace: namespace, name: secretName),
                    let encoded = secret.content[path: ["data", "token"]]?.stringValue, let data = Data(base64Encoded: encoded), !data.isEmpty
                {
                    let ca = secret.content[path: ["data", "ca.crt"]]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
                    return IssuedCredential(
                        namespace: namespace, name: name, token: String(decoding: data, as: UTF8.self), certificateAuthorityPEM: ca, expiration: nil)
                }
                if ContinuousClock.now - started > timeout {
                    throw CredentialError(
                        .tokenNotIssued,
                        "the token controller did not fill Secret \(namespace)/\(secretName) within \(timeout.components.seconds) s; is it running? Use --token request instead"
                    )
                }
                if !announced {
                    reporter.report(.waitingForTokenSecret(namespace: namespace, name: secretName))
                    announced = true
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
