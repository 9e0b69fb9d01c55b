import ArgumentParser
import KubeModel
import RBAC
import Reports

/// `warrant who-can`: every subject allowed to do something, with the binding and role that allow it.
struct WhoCanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who-can",
        abstract: "List every subject allowed to do something, with the binding and role that allow it.",
        discussion: """
            The reverse of 'warrant can': considers every ClusterRoleBinding and, for namespaced \
            resources, the RoleBindings of the namespace, with Kubernetes' exact RBAC matching \
            (aggregation, '*/subresource', resourceNames). Groups are listed as groups: \
            system:authenticated means every authenticated user.

            EXAMPLES
              warrant who-can get secrets -n shop -f rbac/
              warrant who-can create pods --subresource exec -A -f cluster-rbac.yaml
              warrant who-can impersonate users -f cluster-rbac.yaml -o json
            """
    )

    @Argument(help: "The verb.")
    var verb: String

    @Argument(help: "TYPE, TYPE/NAME or a non-resource URL.")
    var type: String

    @OptionGroup var manifests: ManifestOptions

    @Option(
        name: [.customShort("n"), .customLong("namespace")], help: "The namespace of the request; also for RBAC objects written without one (default: default)."
    )
    var namespaceOption: String?

    /// The namespace of the request.
    var namespace: String { namespaceOption ?? "default" }

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Only cluster-wide grants (requests across all namespaces).")
    var allNamespaces = false

    @Option(help: "The subresource (log, exec, status, scale, ...).")
    var subresource: String = ""

    @Option(name: .shortAndLong, help: "Output format: table, json or yaml.")
    var output: ListFormat = .table

    func validate() throws {
        try ArgumentChecks.namespace(namespaceOption)
        if allNamespaces && namespaceOption != nil {
            throw ValidationError("Give either -A (all namespaces) or -n NAMESPACE, not both.")
        }
    }

    func run() async throws {
        let context = CommandContext.current
        let loaded = try manifests.load(context: context, retaining: .rbac)
        let policy = try RBACCommandSupport.policy(loaded, defaultNamespace: namespace)
        let target = try ResourceTarget.parse(type, subresource: subresource, kinds: loaded.kinds) { context.warn($0) }
        let nobody = UserInfo(name: "", addingImplicitGroups: false)
        let grants = policy.whoCan(target.request(user: nobody, verb: verb, namespace: allNamespaces ? "" : namespace))
        let entries: [JSONValue] = grants.map { grant in
            var entry = JSONObject()
            entry["kind"] = .string(grant.subject.kind.rawValue)
            entry["name"] = .string(grant.subject.name)
            if let namespace = grant.subject.namespace, !namespace.isEmpty { entry["namespace"] = .string(namespace) }
            entry["binding"] = .string(grant.binding.description)
            entry["role"] = .string(grant.role.description)
            entry["scope"] = .string(grant.scope.map { "namespace \($0)" } ?? "cluster-wide")
            entry["rule"] = grant.rule.jsonValue
            entry["source"] = .string(grant.binding.source?.description ?? "")
            return .object(entry)
        }
        switch output {
        case .table:
            if grants.isEmpty {
                context.standardOutput("No subject may \(verb) \(type)\(allNamespaces ? " cluster-wide" : " in namespace \(namespace)").\n")
                return
            }
            var table = TextTable(headers: ["KIND", "SUBJECT", "VIA", "ROLE", "SCOPE"])
            for grant in grants {
                let name = grant.subject.namespace.map { $0.isEmpty ? grant.subject.name : "\($0)/\(grant.subject.name)" } ?? grant.subject.name
                table.append([
                    grant.subject.kind.rawValue, name, grant.binding.description, grant.role.description,
                    grant.scope.map { "namespace \($0)" } ?? "cluster-wide",
                ])
            }
            context.standardOutput(table.render())
        case .json:
            context.standardOutput(JSONWriter.write(.array(entries)) + "\n")
        case .yaml:
            context.standardOutput(YAMLWriter.write(.array(entries)))
        }
    }
}
