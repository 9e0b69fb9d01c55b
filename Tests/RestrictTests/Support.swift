import Audit
import KubeModel
import RBAC
import Restrict
import Testing
import WarrantTestSupport

/// Restricts YAML text.
func restrict(
    _ yaml: String, tool: String = "tools", targets: [String] = ["shop", "blog"], profile: ToolProfile? = nil, sourceNamespace: String? = nil
) throws -> RestrictResult {
    let objects = try ManifestLoader().load(bytes: Array(yaml.utf8), file: "install.yaml")
    let kinds = try KindTable.builtin.adding(customResourceDefinitionsIn: objects)
    return try Restrictor(options: RestrictOptions(toolNamespace: tool, targetNamespaces: targets, profile: profile, sourceNamespace: sourceNamespace))
        .restrict(objects: objects, kinds: kinds)
}

/// Restricts a file of the shared corpus.
func restrictShared(_ file: String, tool: String = "tools", targets: [String] = ["shop", "blog"]) throws -> (input: [KubeObject], result: RestrictResult) {
    let objects = try ManifestLoader().load([.path(TestData.sharedManifest(file))])
    let kinds = try KindTable.builtin.adding(customResourceDefinitionsIn: objects)
    let result = try Restrictor(options: RestrictOptions(toolNamespace: tool, targetNamespaces: targets)).restrict(objects: objects, kinds: kinds)
    return (objects, result)
}

/// The output written as YAML and read back, as `kubectl apply -f` would read it.
func reloaded(_ objects: [KubeObject]) throws -> [KubeObject] {
    try ManifestLoader().load(bytes: Array(YAMLWriter.write(documents: objects.map(\.content)).utf8), file: "restricted.yaml")
}

/// The output object `kind namespace/name`.
func object(_ result: RestrictResult, _ kind: String, _ namespace: String?, _ name: String) -> KubeObject? {
    result.objects.first { $0.kind == kind && $0.namespace == namespace && $0.name == name }
}

/// The rules of the Role `namespace/name` in the output.
func roleRules(_ result: RestrictResult, _ namespace: String, _ name: String) throws -> [PolicyRule] {
    try RBACRole(try #require(object(result, "Role", namespace, name))).rules
}

extension KubeObject {
    /// `kind/namespace/name`, for duplicate checks.
    var key: String { "\(groupKind)/\(namespace ?? "")/\(name)" }
}
