import Foundation
import KubeAPI
import KubeModel
import RBAC

/// `warrant credentials create --apply`: the Compliant Kubernetes recipe, done and checked.
extension CreateCredentials {
    func applyInCluster(documents: [JSONValue], role: RBACRole, context: CommandContext) async throws {
        let kubeconfigPath = kubeconfigOut ?? output.map { URL(fileURLWithPath: $0).appendingPathComponent("\(name).kubeconfig").path } ?? "\(name).kubeconfig"
        let otherNamespace = verifyNamespace ?? (namespace == "default" ? "kube-system" : "default")
        try await connection.withClient(namespace: namespace, context: context) { client, connection in
            do {
                try await checkOwnRights(role: role, client: client, context: context)
                for document in documents {
                    let object = KubeObject(document)
                    _ = try await client.apply(object, fieldManager: "warrant")
                    context.standardError("applied \(object.displayName)\n")
                }
                let (token, certificateAuthority) = try await obtainToken(client: client, context: context)
                let ca = certificateAuthority ?? connection.certificateAuthorityPEM
                let kubeconfig = KubeconfigCommand.document(
                    name: name, server: connection.server, certificateAuthority: ca, token: token, namespace: namespace)
                do {
                    try SecureFile.write(YAMLWriter.write(kubeconfig), to: kubeconfigPath)
                } catch {
                    context.standardError("error: \(error)\n")
                    throw CommandExit(.invalidInput)
                }
                context.standardError("wrote \(kubeconfigPath) (mode 0600): cluster \(connection.server), namespace \(namespace)\n")
                var credential = connection
                credential.credentials = .token(token)
                credential.certificateAuthorityPEM = ca
                try await verify(credential, role: role, otherNamespace: otherNamespace, context: context)
            } catch let error as KubeAPIError where !error.isTransportFailure && error.code != 401 {
                throw reportAPIError(error, context: context)
            }
        }
        context.standardOutput(
            "Credential \(namespace)/\(name) is ready in \(kubeconfigPath).\n"
                + KubeconfigCommand.instructions(for: .gitlab, namespace: namespace, file: kubeconfigPath))
    }

    /// Whether the caller may create everything, before anything changes: the objects' verbs,
    /// and every permission the Role grants (escalation prevention) unless it may `escalate`.
    private func checkOwnRights(role: RBACRole, client: KubeClient, context: CommandContext) async throws {
        let own = try await client.selfSubjectRules(namespace: namespace)
        if own.incomplete {
            context.warn("the server says your rules in \(namespace) may be incomplete; the API server decides")
            return
        }
        var needed = [
            PolicyRule(verbs: ["create", "patch"], apiGroups: [""], resources: ["serviceaccounts"]),
            PolicyRule(verbs: ["create", "patch"], apiGroups: [RBACAPI.group], resources: ["roles", "rolebindings"]),
        ]
        switch token {
        case .secret: needed.append(PolicyRule(verbs: ["create", "patch", "get"], apiGroups: [""], resources: ["secrets"]))
        case .request: needed.append(PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"]))
        }
        var missing = PolicyComparator.covers(own.rules, needed).uncovered
        let mayEscalate = PolicyComparator.covers(own.rules, [PolicyRule(verbs: ["escalate"], apiGroups: [RBACAPI.group], resources: ["roles"])]).covered
        if !mayEscalate { missing += PolicyComparator.covers(own.rules, role.rules).uncovered }
        guard !missing.isEmpty else { return }
        var text = "error: you lack \(missing.count) permission(s) in \(namespace) to create this credential; nothing was changed:\n"
        for rule in missing { text += "  - \(rule)\n" }
        text += "  a namespace administrator (the built-in admin role) holds them; Kubernetes only lets you grant what you hold yourself\n"
        context.standardError(text)
        throw CommandExit(.failure)
    }

    /// The token: from the token Secret once the token controller filled it, or from TokenRequest.
    private func obtainToken(client: KubeClient, context: CommandContext) async throws -> (token: String, ca: [UInt8]?) {
        switch token {
        case .request:
            let seconds = try Self.seconds(duration, context: context)
            let answer = try await client.requestToken(namespace: namespace, serviceAccount: name, expirationSeconds: seconds)
            context.standardError("requested a token valid until \(answer.expiration)\n")
            return (answer.token, nil)
        case .secret:
            let started = ContinuousClock.now
            var announced = false
            while true {
                if let secret = try await client.get(GroupKind(group: "", kind: "Secret"), namespace: namespace, name: "\(name)-token"),
                    let encoded = secret.content[path: ["data", "token"]]?.stringValue, let data = Data(base64Encoded: encoded), !data.isEmpty
                {
                    let ca = secret.content[path: ["data", "ca.crt"]]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
                    return (String(decoding: data, as: UTF8.self), ca)
                }
                if ContinuousClock.now - started > .seconds(timeout) {
                    context.standardError(
                        "error: the token controller did not fill Secret \(namespace)/\(name)-token within \(timeout) s; is it running? Use --token request instead\n")
                    throw CommandExit(.failure)
                }
                if !announced {
                    context.standardError("waiting for the token controller to fill Secret \(namespace)/\(name)-token …\n")
                    announced = true
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// As the new credential: it holds every scoped rule in the namespace, nothing beyond them
    /// and what every authenticated user holds, and none of them in `otherNamespace`.
    private func verify(_ credential: ClusterConnection, role: RBACRole, otherNamespace: String, context: CommandContext) async throws {
        let problems = try await KubeClient.with(
            credential, credentials: CredentialSource(connection: credential),
            configuration: connection.clientConfiguration(context: context)
        ) { client in
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
        guard problems.isEmpty else {
            context.standardError(
                "error: verification as the new credential failed:\n" + problems.map { "  - \($0)\n" }.joined()
                    + "  another binding grants the ServiceAccount more; 'warrant who-can' or 'warrant audit --cluster' shows which\n")
            throw CommandExit(.failure)
        }
        context.standardError(
            "verified as \(namespace)/\(name): it holds exactly the \(role.rules.count) scoped rule(s) in \(namespace) and none of them in \(otherNamespace)\n")
    }

    /// `90s`, `30m`, `1h`, `2h30m` in seconds.
    static func seconds(_ text: String, context: CommandContext) throws -> Int {
        var total = 0
        var number = ""
        for character in text {
            if character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number) else { break }
            switch character {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default:
                number = "x"
                continue
            }
            number = ""
        }
        if !number.isEmpty || total == 0 {
            context.standardError("error: --duration '\(text)': expected a duration such as 90s, 30m, 1h or 2h30m\n")
            throw CommandExit(.invalidInput)
        }
        return total
    }
}
