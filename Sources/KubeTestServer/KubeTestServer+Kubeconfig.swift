import Foundation

extension KubeTestServer {
    /// A kubeconfig for this server: its URL, its CA, a bearer token and a namespace, for peer
    /// tools (kubectl) and for the `warrant` executable.
    public func kubeconfig(token: String = KubeTestServer.adminToken, namespace: String = "default") -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: \(url)
            certificate-authority-data: \(Data(caCertificatePEM.utf8).base64EncodedString())
        users:
        - name: test
          user:
            token: \(token)
        contexts:
        - name: test
          context: {cluster: test, user: test, namespace: \(namespace)}
        current-context: test
        """
    }
}
