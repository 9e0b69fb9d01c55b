import Foundation

/// The connection of a pod to its own cluster, with its service account's mounted credentials.
///
/// Follows client-go `rest/config.go` (`InClusterConfig`) and, for the namespace,
/// `tools/clientcmd/client_config.go` (`inClusterClientConfig.Namespace`).
public enum InClusterConfig {
    /// Where Kubernetes mounts the service account's token, CA and namespace.
    public static let defaultServiceAccountFolder = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The connection from `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` and the mounted
    /// service account.
    ///
    /// The token is returned as ``Credentials/tokenFile(path:)`` so that the rotated token is
    /// picked up; `ca.crt` verifies the server; the namespace is `POD_NAMESPACE`, else the mounted
    /// `namespace` file, else `default`.
    ///
    /// - Parameters:
    ///   - environment: The process environment.
    ///   - serviceAccountFolder: The folder holding `token`, `ca.crt` and `namespace`; tests pass a temporary one.
    /// - Throws: ``KubeConfigError`` when not in a pod or the token is missing or empty.
    public static func connection(
        environment: [String: String], serviceAccountFolder: String = defaultServiceAccountFolder
    ) throws(KubeConfigError) -> ClusterConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeConfigError(
                .notInCluster, "unable to load in-cluster configuration: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined",
                hint: "run inside a pod, or pass --kubeconfig / set KUBECONFIG")
        }
        let folder = serviceAccountFolder.hasSuffix("/") ? String(serviceAccountFolder.dropLast()) : serviceAccountFolder
        let tokenPath = folder + "/token"
        _ = try CredentialSource.readToken(at: tokenPath, file: tokenPath, field: nil)

        // net.JoinHostPort: an IPv6 address is bracketed.
        let server = host.contains(":") && !host.hasPrefix("[") ? "https://[\(host)]:\(port)" : "https://\(host):\(port)"
        var connection = ClusterConnection(server: server, credentials: .tokenFile(path: tokenPath), origin: "in-cluster")
        let authorityPath = folder + "/ca.crt"
        if let data = FileManager.default.contents(atPath: authorityPath), !data.isEmpty {
            connection.certificateAuthorityPEM = [UInt8](data)
        } else {
            // client-go logs this and goes on with the system's roots.
            connection.warnings.append("\(authorityPath) is missing or empty: the API server's certificate is checked against the system's roots")
        }
        if let namespace = environment["POD_NAMESPACE"], !namespace.isEmpty {
            connection.namespace = namespace
        } else if let data = FileManager.default.contents(atPath: folder + "/namespace") {
            let namespace = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !namespace.isEmpty { connection.namespace = namespace }
        }
        return connection
    }

    /// Whether in-cluster configuration is possible: the service variables are set and the
    /// token file exists (client-go `inClusterClientConfig.Possible`).
    public static func isAvailable(
        environment: [String: String], serviceAccountFolder: String = defaultServiceAccountFolder
    ) -> Bool {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else { return false }
        var isDirectory: ObjCBool = false
        let tokenPath = (serviceAccountFolder.hasSuffix("/") ? String(serviceAccountFolder.dropLast()) : serviceAccountFolder) + "/token"
        return FileManager.default.fileExists(atPath: tokenPath, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
