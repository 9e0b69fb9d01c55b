import KubeModel
import RBAC
import Reports

/// Shared steps of the RBAC commands.
enum RBACCommandSupport {
    /// The RBAC policy of the loaded manifests, placed in `defaultNamespace` first
    /// (``NamespacePlacement``); malformed RBAC objects are thrown as manifest errors (exit 2).
    static func policy(_ loaded: LoadedManifests, defaultNamespace: String) throws(ManifestErrors) -> RBACPolicy {
        var objects = loaded.objects
        NamespacePlacement.place(&objects, in: defaultNamespace, kinds: loaded.kinds)
        return try RBACPolicy(objects: objects, defaultNamespace: defaultNamespace)
    }

    /// Rules as `kubectl auth can-i --list` prints them: one row per resource (with its group)
    /// and names, or per list of URLs, with the verbs of every rule that grants it, so that a
    /// resource two roles grant is listed once.
    static func rulesTable(_ rules: [PolicyRule]) -> String {
        var table = TextTable(headers: ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"])
        func list(_ values: [String]) -> String { "[" + values.joined(separator: " ") + "]" }
        var keys: [[String]] = []
        var verbs: [[String]: [String]] = [:]
        func add(_ key: [String], _ ruleVerbs: [String]) {
            if verbs[key] == nil {
                keys.append(key)
                verbs[key] = []
            }
            for verb in ruleVerbs where !(verbs[key] ?? []).contains(verb) { verbs[key, default: []].append(verb) }
        }
        for rule in rules {
            if rule.isResourceRule {
                for group in rule.apiGroups.isEmpty ? [""] : rule.apiGroups {
                    for resource in rule.resources {
                        add([group.isEmpty ? resource : "\(resource).\(group)", "[]", list(rule.resourceNames)], rule.verbs)
                    }
                }
            } else {
                add(["", list(rule.nonResourceURLs), "[]"], rule.verbs)
            }
        }
        for key in keys { table.append(key + [list(verbs[key] ?? [])]) }
        return table.render()
    }
}
