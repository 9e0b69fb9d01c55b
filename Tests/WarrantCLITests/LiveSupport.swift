import Foundation
import KubeModel
import KubeTestServer
import WarrantTestSupport

/// A kubeconfig for the test server with a bearer token, written to `folder`.
func writeKubeconfig(
    server: KubeTestServer, token: String? = nil, clientCertificate: (certificatePEM: String, privateKeyPEM: String)? = nil,
    exec: (command: String, arguments: [String])? = nil, caPEM: String? = nil, namespace: String = "shop", in folder: URL,
    named name: String = "kubeconfig"
) throws -> String {
    var user: [String] = []
    if let token { user.append("    token: \(token)") }
    if let clientCertificate {
        user.append("    client-certificate-data: \(Data(clientCertificate.certificatePEM.utf8).base64EncodedString())")
        user.append("    client-key-data: \(Data(clientCertificate.privateKeyPEM.utf8).base64EncodedString())")
    }
    if let exec {
        user.append("    exec:")
        user.append("      apiVersion: client.authentication.k8s.io/v1")
        user.append("      command: \(exec.command)")
        user.append("      args: [\(exec.arguments.map { "\"\($0)\"" }.joined(separator: ", "))]")
        user.append("      interactiveMode: Never")
    }
    let ca = Data((caPEM ?? server.caCertificatePEM).utf8).base64EncodedString()
    let text = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: \(server.url)
            certificate-authority-data: \(ca)
        users:
        - name: test
          user:
        \(user.joined(separator: "\n"))
        contexts:
        - name: test
          context: {cluster: test, user: test, namespace: \(namespace)}
        current-context: test
        """
    return try writeFile(text, named: name, in: folder)
}

/// Objects from YAML text.
func objects(_ yaml: String) throws -> [KubeObject] {
    try ManifestLoader().load(bytes: Array(yaml.utf8), file: "seed.yaml")
}

/// A user bound to the built-in admin ClusterRole in `namespace` (a namespace administrator).
func namespaceAdmin(_ user: String, in namespace: String) -> String {
    TestData.namespace(namespace, administrator: user)
}
