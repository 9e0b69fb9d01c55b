import KubeModel
import RBAC
import Reports

/// Shared steps of the RBAC commands.
enum RBACCommandSupport {
    /// The RBAC policy of the loaded manifests; malformed RBAC objects end the command with status 2.
    static func policy(_ loaded: LoadedManifests, defaultNamespace: String, context: CommandContext) throws -> RBACPolicy {
        do {
            return try RBACPolicy(objects: loaded.objects, defaultNamespace: defaultNamespace)
        } catch {
            for failure in error.errors { context.standardError("error: \(failure)\n") }
            throw CommandExit(.invalidInput)
        }
    }

    /// Rules as `kubectl auth can-i --list` prints them: one row per resource and group.
    static func rulesTable(_ rules: [PolicyRule]) -> String {
        var table = TextTable(headers: ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"])
        func list(_ values: [String]) -> String { "[" + values.joined(separator: " ") + "]" }
        var seen: Set<[String]> = []
        for rule in rules {
            var rows: [[String]] = []
            if rule.isResourceRule {
                for group in rule.apiGroups.isEmpty ? [""] : rule.apiGroups {
                    for resource in rule.resources {
                        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
                        rows.append([qualified, "[]", list(rule.resourceNames), list(rule.verbs)])
                    }
                }
            } else {
                rows.append(["", list(rule.nonResourceURLs), "[]", list(rule.verbs)])
            }
            for row in rows where seen.insert(row).inserted { table.append(row) }
        }
        return table.render()
    }
}
