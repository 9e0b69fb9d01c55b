public import KubeAPI
public import RBAC

extension CredentialInstaller {
    /// As the new credential: it holds every rule of `role` in the namespace, nothing beyond them
    /// and what every authenticated user holds, and none of them in the verify namespace.
    ///
    /// - Parameters:
    ///   - credential: the connection as the new credential (``IssuedCredential/connection(basedOn:)``).
    ///   - role: the credential's Role.
    ///   - clientConfiguration: settings for the client that connects as the credential.
    /// - Throws: ``CredentialError``: `verification-failed` with one detail per problem, or an API error.
    public func verify(
        _ credential: ClusterConnection, role: RBACRole, clientConfiguration: KubeClient.Configuration = KubeClient.Configuration(),
        reporter: CredentialReporter = .silent
    ) async throws(CredentialError) {
        let otherNamespace = configuration.verifyNamespace
        let problems: [String]
        do {
            problems = try await KubeClient.with(
                credential, credentials: CredentialSource(connection: credential), configuration: clientConfiguration
            ) { client in
                try await Self.problems(of: role, namespace: namespace, otherNamespace: otherNamespace, client: client)
            }
        } catch {
            throw CredentialError.from(error)
        }
        guard problems.isEmpty else {
            throw CredentialError(
                .verificationFailed, "verification as the new credential failed:", details: problems,
                hint: "another binding grants the ServiceAccount more; 'warrant who-can' or 'warrant audit --cluster' shows which")
        }
        reporter.report(.verified(namespace: namespace, name: name, ruleCount: role.rules.count, otherNamespace: otherNamespace))
    }

    /// What the credential `client` holds that differs from `role`, as sentences.
    private static func problems(of role: RBACRole, namespace: String, otherNamespace: String, client: KubeClient) async throws -> [String] {
        var problems: [String] = []
        let held = try await client.selfSubjectRules(namespace: namespace).rules
        let elsewhere = try await client.selfSubjectRules(namespace: otherNamespace).rules
        for rule in PolicyComparator.covers(held, role.rules).uncovered {
            problems.append("does not hold \(rule) in \(namespace)")
        }
        for rule in held.flatMap(PolicyComparator.breakdown) where !rule.resources.isEmpty {
            if !PolicyComparator.covers(role.rules, [rule]).covered && !PolicyComparator.covers(elsewhere, [rule]).covered {
                problems.append("holds \(rule) in \(namespace), more than the Role grants")
            }
        }
        for rule in role.rules.flatMap(PolicyComparator.breakdown) where PolicyComparator.covers(elsewhere, [rule]).covered {
            problems.append("also holds \(rule) in \(otherNamespace)")
        }
        if let probe = role.rules.first(where: { !$0.resources.isEmpty }), let verb = probe.verbs.first, let resource = probe.resources.first {
            let attributes = AccessAttributes(verb: verb, group: probe.apiGroups.first ?? "", resource: resource, namespace: otherNamespace)
            if try await client.selfSubjectAccess(attributes).allowed {
                problems.append("may \(verb) \(resource) in \(otherNamespace)")
            }
        }
        return problems
    }
}
