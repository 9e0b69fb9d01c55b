import Foundation
import KubeModel

/// Reads one kubeconfig file into a ``KubeConfig`` (`apiVersion: v1`, `kind: Config`).
///
/// The shape is client-go's `tools/clientcmd/api/v1/types.go`. Types, base64 data and names are
/// checked here for every entry; whether the chosen context is usable is checked when it is
/// resolved (``KubeConfig/connection(context:namespace:)``), as kubectl does.
struct KubeConfigParser {
    let file: String
    /// The folder relative paths start from (client-go makes the file's path absolute first).
    let folder: URL

    init(file: String) {
        self.file = file
        self.folder = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent()
    }

    func parse(_ bytes: [UInt8]) throws(KubeConfigError) -> KubeConfig {
        let documents: [LoadedDocument]
        do {
            documents = try ManifestLoader().documents(bytes: bytes, file: file)
        } catch {
            throw KubeConfigError(.syntax, file: file, line: error.location.line, error.message, hint: error.hint)
        }
        var config = KubeConfig(files: [file])
        guard let document = documents.first else { return config }  // an empty file is an empty config
        guard documents.count == 1 else {
            throw KubeConfigError(
                .syntax, file: file, line: documents[1].line, "a kubeconfig holds one YAML document, this file has \(documents.count)",
                hint: "split the documents into separate files and list them in KUBECONFIG")
        }
        guard let root = document.value.objectValue else {
            throw KubeConfigError(.invalidField, file: file, line: document.line, "a kubeconfig must be a mapping, this is \(document.value.typeDescription)")
        }
        if let apiVersion = try string(root["apiVersion"], field: "apiVersion", line: document.line), apiVersion != "v1" {
            throw KubeConfigError(
                .invalidField, file: file, line: document.line, field: "apiVersion", "unsupported apiVersion \"\(apiVersion)\"",
                hint: "a kubeconfig has apiVersion: v1 and kind: Config")
        }
        if let kind = try string(root["kind"], field: "kind", line: document.line), kind != "Config" {
            throw KubeConfigError(
                .invalidField, file: file, line: document.line, field: "kind", "this is a \(kind), not a kubeconfig (kind: Config)",
                hint: "pass a kubeconfig file, as written by kubectl config or your cluster's provider")
        }
        config.currentContext = try string(root["current-context"], field: "current-context", line: document.line)
        if config.currentContext?.isEmpty == true { config.currentContext = nil }
        if config.currentContext != nil { config.currentContextSource = .init(file: file, line: document.line) }

        try entries(root, "clusters", key: "cluster", document: document) { name, body, source, field throws(KubeConfigError) in
            config.clusters.append(try cluster(name: name, body, source: source, field: field))
        }
        try entries(root, "users", key: "user", document: document) { name, body, source, field throws(KubeConfigError) in
            config.users.append(try user(name: name, body, source: source, field: field))
        }
        try entries(root, "contexts", key: "context", document: document) { name, body, source, field throws(KubeConfigError) in
            config.contexts.append(try context(name: name, body, source: source, field: field))
        }
        return config
    }

    // MARK: - Entries

    /// Calls `body` with each `{name, <key>: {...}}` element of the list `list`, checking names.
    private func entries(
        _ root: JSONObject, _ list: String, key: String, document: LoadedDocument,
        _ body: (String, JSONObject, KubeConfig.Source, String) throws(KubeConfigError) -> Void
    ) throws(KubeConfigError) {
        guard let value = root[list], !value.isNull else { return }
        guard let elements = value.arrayValue else {
            throw KubeConfigError(.invalidField, file: file, line: document.line, field: list, "must be a list, this is \(value.typeDescription)")
        }
        var names: Set<String> = []
        for (index, element) in elements.enumerated() {
            let line = document.line(ofElement: index, in: list)
            guard let object = element.objectValue else {
                throw KubeConfigError(.invalidField, file: file, line: line, field: "\(list)[\(index)]", "must be a mapping with name and \(key)")
            }
            guard let name = try string(object["name"], field: "\(list)[\(index)].name", line: line), !name.isEmpty else {
                throw KubeConfigError(
                    .missingField, file: file, line: line, field: "\(list)[\(index)].name", "the entry has no name",
                    hint: "every entry of \(list) needs a name that contexts refer to")
            }
            guard names.insert(name).inserted else {
                // client-go `api/v1/conversion.go`: duplicate names in one list are an error.
                throw KubeConfigError(
                    .invalidField, file: file, line: line, field: "\(list)[\(name)]", "the name \"\(name)\" is used twice in \(list)",
                    hint: "rename or remove one of the entries")
            }
            let field = "\(list)[\(name)].\(key)"
            let bodyValue = object[key] ?? .null
            if !bodyValue.isNull, bodyValue.objectValue == nil {
                throw KubeConfigError(.invalidField, file: file, line: line, field: field, "must be a mapping, this is \(bodyValue.typeDescription)")
            }
            try body(name, bodyValue.objectValue ?? JSONObject(), KubeConfig.Source(file: file, line: line), field)
        }
    }

    private func cluster(name: String, _ body: JSONObject, source: KubeConfig.Source, field: String) throws(KubeConfigError) -> KubeConfig.Cluster {
        let line = source.line
        return KubeConfig.Cluster(
            name: name,
            server: try string(body["server"], field: "\(field).server", line: line),
            certificateAuthority: try path(body["certificate-authority"], field: "\(field).certificate-authority", line: line),
            certificateAuthorityData: try base64(body["certificate-authority-data"], field: "\(field).certificate-authority-data", line: line),
            insecureSkipTLSVerify: try bool(body["insecure-skip-tls-verify"], field: "\(field).insecure-skip-tls-verify", line: line),
            tlsServerName: try string(body["tls-server-name"], field: "\(field).tls-server-name", line: line),
            proxyURL: try string(body["proxy-url"], field: "\(field).proxy-url", line: line),
            source: source)
    }

    private func user(name: String, _ body: JSONObject, source: KubeConfig.Source, field: String) throws(KubeConfigError) -> KubeConfig.User {
        let line = source.line
        let username = try string(body["username"], field: "\(field).username", line: line)
        let password = try string(body["password"], field: "\(field).password", line: line)
        var authProvider: String?
        if let provider = body["auth-provider"], !provider.isNull {
            authProvider = provider["name"]?.stringValue ?? "(unnamed)"
        }
        var exec: ExecConfig?
        if let value = body["exec"], !value.isNull {
            exec = try self.exec(value, field: "\(field).exec", line: line)
        }
        return KubeConfig.User(
            name: name,
            token: try string(body["token"], field: "\(field).token", line: line),
            tokenFile: try path(body["tokenFile"], field: "\(field).tokenFile", line: line),
            clientCertificate: try path(body["client-certificate"], field: "\(field).client-certificate", line: line),
            clientCertificateData: try base64(body["client-certificate-data"], field: "\(field).client-certificate-data", line: line),
            clientKey: try path(body["client-key"], field: "\(field).client-key", line: line),
            clientKeyData: try base64(body["client-key-data"], field: "\(field).client-key-data", line: line),
            exec: exec,
            hasBasicAuthentication: !(username ?? "").isEmpty || !(password ?? "").isEmpty,
            authProvider: authProvider,
            source: source)
    }

    /// The `exec` stanza (client-go `tools/clientcmd/api/v1/types.go`, `ExecConfig`).
    private func exec(_ value: JSONValue, field: String, line: Int) throws(KubeConfigError) -> ExecConfig {
        guard let body = value.objectValue else {
            throw KubeConfigError(.invalidField, file: file, line: line, field: field, "must be a mapping, this is \(value.typeDescription)")
        }
        guard var command = try string(body["command"], field: "\(field).command", line: line), !command.isEmpty else {
            throw KubeConfigError(
                .missingField, file: file, line: line, field: "\(field).command", "the exec plugin has no command",
                hint: "set command to the credential plugin (for example aws, gke-gcloud-auth-plugin or kubelogin)")
        }
        // Only a command with a path separator is a path; a bare name is looked up on PATH.
        if command.contains("/") { command = resolve(command) }
        guard let apiVersion = try string(body["apiVersion"], field: "\(field).apiVersion", line: line), !apiVersion.isEmpty else {
            throw KubeConfigError(
                .missingField, file: file, line: line, field: "\(field).apiVersion", "the exec plugin has no apiVersion",
                hint: "set apiVersion: client.authentication.k8s.io/v1 (or v1beta1, as the plugin's documentation says)")
        }
        var arguments: [String] = []
        if let list = body["args"], !list.isNull {
            guard let elements = list.arrayValue else {
                throw KubeConfigError(.invalidField, file: file, line: line, field: "\(field).args", "must be a list of strings")
            }
            for (index, element) in elements.enumerated() {
                guard let argument = element.stringValue else {
                    throw KubeConfigError(
                        .invalidField, file: file, line: line, field: "\(field).args[\(index)]", "must be a string, this is \(element.typeDescription)",
                        hint: "quote the value")
                }
                arguments.append(argument)
            }
        }
        var environment: [(name: String, value: String)] = []
        if let list = body["env"], !list.isNull {
            guard let elements = list.arrayValue else {
                throw KubeConfigError(.invalidField, file: file, line: line, field: "\(field).env", "must be a list of {name, value}")
            }
            for (index, element) in elements.enumerated() {
                guard let name = element["name"]?.stringValue, !name.isEmpty, let value = element["value"]?.stringValue else {
                    throw KubeConfigError(
                        .invalidField, file: file, line: line, field: "\(field).env[\(index)]", "must be a mapping with a string name and value",
                        hint: "quote the value")
                }
                environment.append((name, value))
            }
        }
        var interactiveMode: ExecConfig.InteractiveMode?
        if let mode = try string(body["interactiveMode"], field: "\(field).interactiveMode", line: line), !mode.isEmpty {
            guard let parsed = ExecConfig.InteractiveMode(rawValue: mode) else {
                throw KubeConfigError(
                    .invalidField, file: file, line: line, field: "\(field).interactiveMode", "unknown interactiveMode \"\(mode)\"",
                    hint: "use Never, IfAvailable or Always")
            }
            interactiveMode = parsed
        }
        return ExecConfig(
            command: command,
            arguments: arguments,
            environment: environment,
            apiVersion: apiVersion,
            installHint: try string(body["installHint"], field: "\(field).installHint", line: line),
            provideClusterInfo: try bool(body["provideClusterInfo"], field: "\(field).provideClusterInfo", line: line),
            interactiveMode: interactiveMode,
            file: file,
            field: field)
    }

    private func context(name: String, _ body: JSONObject, source: KubeConfig.Source, field: String) throws(KubeConfigError) -> KubeConfig.Context {
        let line = source.line
        return KubeConfig.Context(
            name: name,
            cluster: try string(body["cluster"], field: "\(field).cluster", line: line) ?? "",
            user: try string(body["user"], field: "\(field).user", line: line) ?? "",
            namespace: try string(body["namespace"], field: "\(field).namespace", line: line).flatMap { $0.isEmpty ? nil : $0 },
            source: source)
    }

    // MARK: - Fields

    private func string(_ value: JSONValue?, field: String, line: Int) throws(KubeConfigError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let string = value.stringValue else {
            throw KubeConfigError(
                .invalidField, file: file, line: line, field: field, "must be a string, this is \(value.typeDescription)",
                hint: "quote the value")
        }
        return string
    }

    private func bool(_ value: JSONValue?, field: String, line: Int) throws(KubeConfigError) -> Bool {
        guard let value, !value.isNull else { return false }
        guard let bool = value.boolValue else {
            throw KubeConfigError(.invalidField, file: file, line: line, field: field, "must be true or false, this is \(value.typeDescription)")
        }
        return bool
    }

    /// A path field, resolved against the file's folder when relative; `nil` when empty.
    private func path(_ value: JSONValue?, field: String, line: Int) throws(KubeConfigError) -> String? {
        guard let path = try string(value, field: field, line: line), !path.isEmpty else { return nil }
        return resolve(path)
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : folder.appendingPathComponent(path).standardizedFileURL.path
    }

    /// A base64 field, decoded; `nil` when empty. The message never quotes the data.
    private func base64(_ value: JSONValue?, field: String, line: Int) throws(KubeConfigError) -> [UInt8]? {
        guard let text = try string(value, field: field, line: line) else { return nil }
        let compact = text.filter { !$0.isWhitespace }
        guard !compact.isEmpty else { return nil }
        guard let data = Data(base64Encoded: compact) else {
            throw KubeConfigError(
                .invalidField, file: file, line: line, field: field, "is not valid base64",
                hint: "the -data fields hold the PEM file's content base64-encoded (base64 -w0 < file.pem)")
        }
        return [UInt8](data)
    }
}
