import KubeModel
import RBAC

/// What the output keeps on purpose, and what a cluster administrator must do first.
extension RestrictRun {
    /// Roles in the tool namespace that read Secrets there (list or watch returns their
    /// contents) carry an audit suppression with the reason, so the risk stays visible
    /// (`warrant audit` lists it as suppressed) instead of being hidden or left unexplained.
    mutating func recordAcceptedRisks() {
        for key in roleOrder {
            guard var build = roles[key], build.namespace == tool else { continue }
            let readsSecrets = build.permissions.contains {
                $0.group.isEmpty && $0.resource == "secrets" && ($0.verb == "list" || $0.verb == "watch") && $0.name == nil
            }
            guard readsSecrets else { continue }
            let existing = build.original?.annotations["warrant.dev/ignore"]
            if existing == nil || existing?.split(separator: ",").contains(where: { $0.filter { $0 != " " } == "W104" }) == false {
                let checks = existing.map { "\($0),W104" } ?? "W104"
                build.annotations["warrant.dev/ignore"] = checks
                build.annotations["warrant.dev/ignore-reason"] =
                    "reads the Secrets of its own namespace \(tool) (its own settings and credentials); keep application Secrets out of \(tool)"
                roles[key] = build
            }
            changes.append(
                RestrictChange(
                    .acceptedRisk, object: "Role \(key)", "reads Secrets in \(tool) (W104, suppressed with a reason on the Role)",
                    reason: "the tool keeps its settings and credentials as Secrets in its own namespace and watches them; no namespaced alternative exists"))
        }
    }

    /// The ClusterRole that aggregates the tool's custom resources into the built-in `admin`
    /// role, so that a namespace administrator holds them and may grant them (escalation
    /// prevention), and the prerequisites in words.
    mutating func addAdministratorRole() {
        var permissions: [Permission] = []
        var seen: Set<Permission> = []
        var plurals: [String] = []
        for key in roleOrder {
            guard let build = roles[key] else { continue }
            for permission in build.permissions where confiner.ownResources.contains(permission.baseKey) {
                if seen.insert(permission).inserted { permissions.append(permission) }
                if !plurals.contains(permission.baseKey) { plurals.append(permission.baseKey) }
            }
        }
        // Namespace administrators also manage the tool's objects themselves (Applications,
        // Kustomizations): every verb on each of its kinds the Roles use.
        for key in plurals {
            let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { continue }
            for verb in ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"] {
                let permission = Permission(group: parts[0], resource: parts[1], verb: verb, name: nil)
                if seen.insert(permission).inserted { permissions.append(permission) }
            }
        }
        var steps: [String] = [
            "Create the namespaces \(([tool] + targets).joined(separator: ", ")) (a cluster administrator).",
        ]
        if !permissions.isEmpty {
            let name = "warrant-\(profile.toolName)-aggregate-to-admin"
            let role = KubeObject([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": [
                    "name": .string(name),
                    "labels": [.init(stringLiteral: BootstrapPolicy.aggregateToAdminLabel): "true", "app.kubernetes.io/managed-by": "warrant"],
                ],
                "rules": .array(RuleConfiner.rules(from: permissions.filter { $0.name == nil }).map(\.jsonValue)),
            ])
            administrator.append(role)
            changes.append(
                RestrictChange(
                    .added, object: role.displayName, "aggregates the tool's custom resources into the built-in admin role",
                    reason: "a namespace administrator can only create Roles granting what it holds itself (escalation prevention)"))
            steps.append(
                "Apply the administrator's objects: the CRDs and ClusterRole \(name) (labelled \(BootstrapPolicy.aggregateToAdminLabel): \"true\"), which lets namespace administrators hold, and so grant, the tool's custom resources.")
        } else if !administrator.isEmpty {
            steps.append("Apply the administrator's objects (\(administrator.count)).")
        }
        steps.append(
            "Bind the namespace administrator who installs the tool to the built-in ClusterRole admin with a RoleBinding in each of \(([tool] + targets).joined(separator: ", ")), nothing cluster-wide.")
        steps.append("That administrator applies the restricted install; Kubernetes' escalation prevention lets it, since every Role grants only what admin holds.")
        prerequisites = steps + prerequisites
    }
}
