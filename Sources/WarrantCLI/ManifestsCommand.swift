import ArgumentParser
import KubeModel
import Reports

/// `warrant manifests`: lists the objects Warrant reads from the input.
struct ManifestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifests",
        abstract: "List the objects in manifests as Warrant reads them.",
        discussion: """
            Loads the manifests exactly as every other command does and lists each object with its \
            API group, kind, resource (the name RBAC rules use), namespace and name, whether it is \
            namespaced or cluster-scoped, and the file and line it came from. Use it to check what a \
            folder, a Helm rendering or a kustomization really contains before scoping or deploying it.

            Input: -f takes files, folders (recursive; .yaml, .yml, .json; sorted; hidden entries \
            skipped) and - for standard input; -k renders a kustomization with 'kubectl kustomize'. \
            Multi-document YAML, JSON streams and 'kind: List' documents are flattened.

            Custom resources are mapped through the CustomResourceDefinitions in the input, or a \
            --resource-map file:

              kinds:
              - group: monitoring.coreos.com
                kind: ServiceMonitor
                resource: servicemonitors
                namespaced: true

            Unknown kinds and API versions Kubernetes no longer serves are listed as warnings on \
            standard error. Invalid input prints every error with its file and line and exits 2, \
            with nothing on standard output.

            EXAMPLES
              warrant manifests -f Examples/guestbook/
              helm template my-release ./chart | warrant manifests -f -
              warrant manifests -k overlays/production -o json
            """
    )

    @OptionGroup var manifests: ManifestOptions

    @Option(name: .shortAndLong, help: "Output format: table, json or yaml.")
    var output: ListFormat = .table

    func run() async throws {
        let context = CommandContext.current
        let loaded = try manifests.load(context: context, retaining: .identities(keepingWhole: { _ in false }))
        loaded.warnAboutKinds(context: context)
        let entries = loaded.objects.map { entry(for: $0, in: loaded) }
        switch output {
        case .table:
            var table = TextTable(headers: ["GROUP", "KIND", "RESOURCE", "NAMESPACE/NAME", "SCOPE", "SOURCE"])
            for entry in entries {
                let group = entry["group"]?.stringValue ?? ""
                let namespace = entry["namespace"]?.stringValue
                let name = entry["name"]?.stringValue ?? ""
                table.append([
                    group.isEmpty ? "core" : group,
                    entry["kind"]?.stringValue ?? "",
                    entry["resource"]?.stringValue ?? "?",
                    namespace.map { "\($0)/\(name)" } ?? name,
                    entry["scope"]?.stringValue ?? "",
                    entry["source"]?.stringValue ?? "",
                ])
            }
            context.standardOutput(table.render())
        case .json:
            context.standardOutput(JSONWriter.write(.array(entries)) + "\n")
        case .yaml:
            context.standardOutput(YAMLWriter.write(.array(entries)))
        }
    }

    /// One listing entry. Schema: `apiVersion`, `group`, `version`, `kind`, `resource` (absent when
    /// the kind is unknown), `namespace` (absent when unset), `name`, `scope` (`Namespaced`,
    /// `Cluster` or `Unknown`), `source` (`file:line`).
    private func entry(for object: KubeObject, in loaded: LoadedManifests) -> JSONValue {
        let gvk = object.groupVersionKind
        let kind = loaded.kind(of: object)
        var entry = JSONObject()
        entry["apiVersion"] = .string(gvk.apiVersion)
        entry["group"] = .string(gvk.group)
        entry["version"] = .string(gvk.version)
        entry["kind"] = .string(gvk.kind)
        if let kind { entry["resource"] = .string(kind.resource) }
        if let namespace = object.namespace { entry["namespace"] = .string(namespace) }
        entry["name"] = .string(object.name)
        entry["scope"] = .string(kind.map { $0.namespaced ? "Namespaced" : "Cluster" } ?? "Unknown")
        entry["source"] = .string(object.source?.description ?? "")
        return .object(entry)
    }
}
