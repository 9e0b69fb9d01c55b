import Foundation
import KubeModel

/// The `ExecCredential` exchanged with exec plugins (client-go
/// `pkg/apis/clientauthentication/v1/types.go`, `plugin/pkg/client/auth/exec/exec.go`).
enum ExecCredential {
    /// What a plugin returned: the material and when it expires (`nil`: never).
    struct Response {
        var material: AuthMaterial
        var expiry: Date?
    }

    /// The `KUBERNETES_EXEC_INFO` JSON: the request, non-interactive, with the cluster when asked for.
    static func request(_ config: ExecConfig, cluster: ClusterConnection?) -> String {
        var spec = JSONObject()
        if let cluster {
            var info = JSONObject()
            info["server"] = .string(cluster.server)
            if let name = cluster.tlsServerName { info["tls-server-name"] = .string(name) }
            if cluster.insecureSkipTLSVerify { info["insecure-skip-tls-verify"] = .bool(true) }
            if let authority = cluster.certificateAuthorityPEM {
                info["certificate-authority-data"] = .string(Data(authority).base64EncodedString())
            }
            spec["cluster"] = .object(info)
        }
        spec["interactive"] = .bool(false)
        let request: JSONValue = [
            "apiVersion": .string(config.apiVersion),
            "kind": "ExecCredential",
            "spec": .object(spec),
        ]
        return JSONWriter.write(request, indent: 0)
    }

    /// Reads a plugin's standard output. Errors describe what is wrong, never what was printed.
    static func parse(_ output: [UInt8], config: ExecConfig) throws(KubeConfigError) -> Response {
        func invalid(_ message: String, hint: String? = nil) -> KubeConfigError {
            KubeConfigError(
                .execInvalidOutput, file: config.file, field: config.field, "the exec plugin \(config.command) \(message)",
                hint: hint ?? "check the plugin's version and its documentation for kubectl; the output is not shown because it may hold a credential")
        }
        let documents: [LoadedDocument]
        do {
            documents = try ManifestLoader().documents(bytes: output, file: "exec-credential.json")
        } catch {
            throw invalid("did not print a JSON ExecCredential")
        }
        guard documents.count == 1, let object = documents[0].value.objectValue else {
            throw invalid("did not print a JSON ExecCredential")
        }
        guard object["kind"]?.stringValue == "ExecCredential" else {
            throw invalid("printed something other than an ExecCredential")
        }
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        guard apiVersion == config.apiVersion else {
            throw invalid(
                "returned apiVersion \"\(apiVersion)\" but the kubeconfig asks for \"\(config.apiVersion)\"",
                hint: "set the exec apiVersion in the kubeconfig to the one the plugin speaks")
        }
        guard let status = object["status"]?.objectValue else {
            throw invalid("returned no status")
        }
        let token = status["token"]?.stringValue ?? ""
        let certificate = status["clientCertificateData"]?.stringValue ?? ""
        let key = status["clientKeyData"]?.stringValue ?? ""
        var expiry: Date?
        if let value = status["expirationTimestamp"], !value.isNull {
            guard let text = value.stringValue, let date = parseRFC3339(text) else {
                throw invalid("returned an expirationTimestamp that is not an RFC 3339 time")
            }
            expiry = date
        }
        if certificate.isEmpty != key.isEmpty {
            throw invalid("returned only one of clientCertificateData and clientKeyData")
        }
        let material: AuthMaterial
        if !token.isEmpty {
            material = .bearer(token)  // when both are returned, the token is used
        } else if !certificate.isEmpty {
            material = .clientCertificate(certificatePEM: Array(certificate.utf8), keyPEM: Array(key.utf8))
        } else {
            throw invalid("returned neither a token nor a client certificate and key")
        }
        return Response(material: material, expiry: expiry)
    }

    /// An RFC 3339 time, with or without fractional seconds.
    static func parseRFC3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
