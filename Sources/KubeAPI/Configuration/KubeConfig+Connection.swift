import Foundation
import KubeModel

extension KubeConfig {
    /// Resolves a context into what a client needs to connect, as kubectl does.
    ///
    /// Follows client-go `tools/clientcmd/client_config.go` (`DirectClientConfig`) and
    /// `tools/clientcmd/validation.go` (`ConfirmUsable`): only the chosen context, its cluster
    /// and its user are checked; files they name are read now (except the token file, which
    /// ``CredentialSource`` re-reads).
    ///
    /// - Parameters:
    ///   - context: The `--context` override; `current-context` when `nil`.
    ///   - namespace: The `-n` override; else the context's namespace, else `default`.
    /// - Throws: ``KubeConfigError`` naming the file and field at fault.
    public func connection(context: String?, namespace: String?) throws(KubeConfigError) -> ClusterConnection {
        let chosen = try chooseContext(context)
        let contextField = "contexts[\(chosen.name)].context"
        guard !chosen.cluster.isEmpty else {
            throw KubeConfigError(
                .missingField, file: chosen.source.file, line: chosen.source.line, field: "\(contextField).cluster",
                "the context names no cluster", hint: "set cluster to one of: \(Self.list(clusters.map(\.name)))")
        }
        guard let cluster = self.cluster(named: chosen.cluster) else {
            throw KubeConfigError(
                .unknownReference, file: chosen.source.file, line: chosen.source.line, field: "\(contextField).cluster",
                "no cluster named \"\(chosen.cluster)\" is defined in \(Self.list(files))",
                hint: "define it under clusters, or set cluster to one of: \(Self.list(clusters.map(\.name)))")
        }
        guard !chosen.user.isEmpty else {
            throw KubeConfigError(
                .missingField, file: chosen.source.file, line: chosen.source.line, field: "\(contextField).user",
                "the context names no user", hint: "set user to one of: \(Self.list(users.map(\.name)))")
        }
        guard let user = self.user(named: chosen.user) else {
            throw KubeConfigError(
                .unknownReference, file: chosen.source.file, line: chosen.source.line, field: "\(contextField).user",
                "no user named \"\(chosen.user)\" is defined in \(Self.list(files))",
                hint: "define it under users, or set user to one of: \(Self.list(users.map(\.name)))")
        }

        var connection = try Self.connection(to: cluster)
        connection.credentials = try Self.credentials(for: user)
        connection.contextName = chosen.name
        connection.origin = "kubeconfig \(chosen.source.file) (context \(chosen.name))"
        if let namespace, !namespace.isEmpty {
            connection.namespace = namespace
        } else if let namespace = chosen.namespace, !namespace.isEmpty {
            connection.namespace = namespace
        }
        return connection
    }

    private func chooseContext(_ override: String?) throws(KubeConfigError) -> Context {
        if let override, !override.isEmpty {
            guard let context = self.context(named: override) else {
                throw KubeConfigError(
                    .unknownContext, field: "--context", "no context named \"\(override)\" in \(Self.list(files))",
                    hint: contexts.isEmpty ? "the kubeconfig defines no contexts" : "available contexts: \(Self.list(contexts.map(\.name)))")
            }
            return context
        }
        guard let current = currentContext else {
            if files.isEmpty {
                throw KubeConfigError(
                    .noContext, "no kubeconfig found (KUBECONFIG is unset or names no existing file, and ~/.kube/config does not exist)",
                    hint: "pass --kubeconfig, set KUBECONFIG, or run inside a pod with a service account")
            }
            throw KubeConfigError(
                .noContext, "current-context is not set in \(Self.list(files)) and --context was not given",
                hint: contexts.isEmpty
                    ? "the kubeconfig defines no contexts; add one with kubectl config set-context"
                    : "pass --context, or run kubectl config use-context; available contexts: \(Self.list(contexts.map(\.name)))")
        }
        guard let context = self.context(named: current) else {
            throw KubeConfigError(
                .unknownContext, file: currentContextSource?.file, line: currentContextSource?.line, field: "current-context",
                "no context named \"\(current)\" is defined in \(Self.list(files))",
                hint: contexts.isEmpty
                    ? "the kubeconfig defines no contexts"
                    : "pass --context, or run kubectl config use-context; available contexts: \(Self.list(contexts.map(\.name)))")
        }
        return context
    }

    /// The server and TLS settings of `cluster` (client-go `validation.go`, `validateClusterInfo`).
    private static func connection(to cluster: Cluster) throws(KubeConfigError) -> ClusterConnection {
        let field = "clusters[\(cluster.name)].cluster"
        let file = cluster.source.file
        let line = cluster.source.line
        guard var server = cluster.server?.trimmingCharacters(in: .whitespaces), !server.isEmpty else {
            throw KubeConfigError(
                .missingField, file: file, line: line, field: "\(field).server", "no server found for the cluster",
                hint: "set server to the API server's URL, for example https://203.0.113.10:6443")
        }
        if !server.contains("://") { server = "https://" + server }  // client-go `DefaultServerURL`
        while server.hasSuffix("/") { server.removeLast() }
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty
        else {
            throw KubeConfigError(
                .invalidField, file: file, line: line, field: "\(field).server", "\"\(URLUserInfo.stripped(server))\" is not an http or https URL",
                hint: "set server to the API server's URL, for example https://203.0.113.10:6443")
        }
        var connection = ClusterConnection(server: server, tlsServerName: cluster.tlsServerName.flatMap { $0.isEmpty ? nil : $0 }, origin: file)
        if cluster.insecureSkipTLSVerify {
            if cluster.certificateAuthority != nil || cluster.certificateAuthorityData != nil {
                throw KubeConfigError(
                    .conflictingFields, file: file, line: line, field: "\(field).insecure-skip-tls-verify",
                    "specifying a root certificates file with the insecure flag is not allowed",
                    hint: "remove insecure-skip-tls-verify (recommended) or the certificate-authority fields")
            }
            connection.insecureSkipTLSVerify = true
            connection.warnings.append(
                "insecure-skip-tls-verify is set for cluster \(cluster.name) (\(cluster.source)): the server's certificate is not verified")
        }
        if let data = cluster.certificateAuthorityData {
            connection.certificateAuthorityPEM = data
            if cluster.certificateAuthority != nil {
                // client-go's `dataFromSliceOrFile`: the data wins.
                connection.warnings.append(
                    "cluster \(cluster.name) (\(cluster.source)) sets both certificate-authority and certificate-authority-data; the data is used")
            }
        } else if let path = cluster.certificateAuthority {
            connection.certificateAuthorityPEM = try readFile(path, file: file, line: line, field: "\(field).certificate-authority")
        }
        if scheme == "http" {
            connection.warnings.append(
                "cluster \(cluster.name) (\(cluster.source)) uses plain HTTP: credentials and data are sent unencrypted")
        }
        if let proxy = cluster.proxyURL, !proxy.isEmpty {
            connection.warnings.append("cluster \(cluster.name) (\(cluster.source)) sets proxy-url, which Warrant does not support; it is ignored")
        }
        return connection
    }

    /// The credentials of `user` (client-go `validation.go`, `validateAuthInfo`): one method only.
    private static func credentials(for user: User) throws(KubeConfigError) -> Credentials {
        let field = "users[\(user.name)].user"
        let file = user.source.file
        let line = user.source.line
        if let provider = user.authProvider {
            throw KubeConfigError(
                .unsupportedAuthentication, file: file, line: line, field: "\(field).auth-provider",
                "the auth-provider \"\(provider)\" is not supported (client-go removed the built-in providers)",
                hint:
                    "use an exec credential plugin instead: gke-gcloud-auth-plugin for GKE, kubelogin for Azure and OIDC; see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins"
            )
        }
        if user.hasBasicAuthentication {
            throw KubeConfigError(
                .unsupportedAuthentication, file: file, line: line, field: "\(field).username",
                "basic authentication (username and password) is not supported; Kubernetes removed it in 1.19",
                hint: "use a token, a client certificate or an exec plugin")
        }
        var methods: [String] = []
        let token = user.token.flatMap { $0.isEmpty ? nil : $0 }
        if token != nil || user.tokenFile != nil { methods.append(user.tokenFile != nil ? "tokenFile" : "token") }
        let hasCertificate = user.clientCertificate != nil || user.clientCertificateData != nil
        let hasKey = user.clientKey != nil || user.clientKeyData != nil
        if hasCertificate || hasKey { methods.append("client certificate") }
        if user.exec != nil { methods.append("exec") }
        guard methods.count <= 1 else {
            throw KubeConfigError(
                .conflictingFields, file: file, line: line, field: field,
                "more than one authentication method is set (\(methods.joined(separator: ", "))); only one is allowed",
                hint: "keep the one the cluster expects and remove the others")
        }

        if let exec = user.exec {
            guard ExecConfig.supportedAPIVersions.contains(exec.apiVersion) else {
                throw KubeConfigError(
                    .invalidField, file: file, line: line, field: "\(field).exec.apiVersion",
                    "the exec plugin's apiVersion \"\(exec.apiVersion)\" is not supported",
                    hint: "use client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1 (v1alpha1 was removed in Kubernetes 1.24)")
            }
            if exec.interactiveMode == .always {
                throw KubeConfigError(
                    .unsupportedAuthentication, file: file, line: line, field: "\(field).exec.interactiveMode",
                    "the exec plugin needs an interactive terminal (interactiveMode: Always); Warrant runs non-interactively",
                    hint: "use a plugin mode that does not prompt (interactiveMode: Never), or log in beforehand")
            }
            return .exec(exec)
        }
        if let tokenFile = user.tokenFile {
            // client-go reads the file now and re-reads it later; a token set too only seeds it.
            _ = try CredentialSource.readToken(at: tokenFile, file: file, line: line, field: "\(field).tokenFile")
            return .tokenFile(path: tokenFile)
        }
        if let token { return .token(token) }
        if hasCertificate || hasKey {
            if user.clientCertificate != nil && user.clientCertificateData != nil {
                throw KubeConfigError(
                    .conflictingFields, file: file, line: line, field: "\(field).client-certificate-data",
                    "client-certificate and client-certificate-data are both set", hint: "keep one of them")
            }
            if user.clientKey != nil && user.clientKeyData != nil {
                throw KubeConfigError(
                    .conflictingFields, file: file, line: line, field: "\(field).client-key-data",
                    "client-key and client-key-data are both set", hint: "keep one of them")
            }
            guard hasKey else {
                throw KubeConfigError(
                    .missingField, file: file, line: line, field: "\(field).client-key",
                    "a client certificate is set but no key", hint: "set client-key or client-key-data to the certificate's private key")
            }
            guard hasCertificate else {
                throw KubeConfigError(
                    .missingField, file: file, line: line, field: "\(field).client-certificate",
                    "a client key is set but no certificate", hint: "set client-certificate or client-certificate-data")
            }
            var certificate = user.clientCertificateData ?? []
            if let path = user.clientCertificate {
                certificate = try readFile(path, file: file, line: line, field: "\(field).client-certificate")
            }
            var key = user.clientKeyData ?? []
            if let path = user.clientKey {
                key = try readFile(path, file: file, line: line, field: "\(field).client-key")
            }
            return .clientCertificate(certificatePEM: certificate, keyPEM: key)
        }
        return .none
    }

    /// The content of a file named by a kubeconfig field; errors name the field and the path, never the content.
    static func readFile(_ path: String, file: String, line: Int, field: String) throws(KubeConfigError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw KubeConfigError(
                .fileNotFound, file: file, line: line, field: field, "the file \(path) does not exist",
                hint: "fix the path (relative paths start at the kubeconfig's folder)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError(.unreadable, file: file, line: line, field: field, "cannot read the file \(path)", hint: "check its permissions")
        }
        return [UInt8](data)
    }

    static func list(_ names: [String]) -> String {
        names.isEmpty ? "(none)" : names.joined(separator: ", ")
    }
}
