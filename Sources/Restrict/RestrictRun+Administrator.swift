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

    /// The CRDs given beside the install (`--crds-from`), for the administrator.
    mutating func addCustomResourceDefinitions() {
        for crd in extraCRDs where !administrator.contains(where: { Self.sameObject($0, crd) }) {
            administrator.append(crd)
            changes.append(
                RestrictChange(
                    .needsAdministrator, object: crd.displayName, "added to the administrator's objects from the CRDs given with the install",
                    reason: "the install uses its kind but does not contain it; CRDs are cluster-wide, so an administrator installs them",
                    source: crd.source))
        }
    }

    /// The name of the ClusterRole that aggregates the tool's custom resources into `admin`:
    /// from the tool and its namespace, so that each confined install has its own.
    var administratorRoleName: String { "warrant-\(toolName)-\(tool)-aggregate-to-admin" }

    /// The ClusterRole that aggregates the tool's custom resources into the built-in `admin`
    /// role, so that a namespace administrator holds them and may grant them (escalation
    /// prevention), unless the install's own aggregating ClusterRoles already do; the grants of
    /// cluster-admin the administrator is asked for; and the prerequisites in words.
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
        let granted = permissions.filter { $0.name == nil }
        let uncovered = granted.filter { !PolicyComparator.covers(aggregatedIntoAdmin, [$0.rule]).covered }
        var roleStep: String?
        if !uncovered.isEmpty {
            let name = administratorRoleName
            let role = KubeObject([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": [
                    "name": .string(name),
                    "labels": [.init(stringLiteral: BootstrapPolicy.aggregateToAdminLabel): "true", "app.kubernetes.io/managed-by": "warrant"],
                ],
                "rules": .array(RuleConfiner.rules(from: granted).map(\.jsonValue)),
            ])
            administrator.append(role)
            changes.append(
                RestrictChange(
                    .added, object: role.displayName, "aggregates the tool's custom resources into the built-in admin role",
                    reason: "a namespace administrator can only create Roles granting what it holds itself (escalation prevention)"))
            roleStep =
                "ClusterRole \(name) (labelled \(BootstrapPolicy.aggregateToAdminLabel): \"true\") lets namespace administrators hold, and so grant, the tool's custom resources."
        } else if !granted.isEmpty {
            roleStep =
                "The install's own ClusterRoles that aggregate into admin, edit and view let namespace administrators hold, and so grant, the tool's custom resources."
        }
        attention.insert(contentsOf: clusterAdminGrants(), at: 0)
        if options.sourceNamespace == nil, namedNamespaces.count > 1, let installNamespace {
            let others = namedNamespaces.dropFirst().map(\.namespace)
            attention.append(
                "The install spans several namespaces (\(namedNamespaces.map { "\($0.namespace): \($0.count) mention(s)" }.joined(separator: ", "))): \(installNamespace) was taken as the one it was written for, because it is named most often, and moved to \(tool); the objects in \(others.joined(separator: ", ")) went to the administrator's objects. Give --source-namespace to choose another."
            )
        }

        var steps: [String] = [
            "Create the namespaces \(([tool] + targets).joined(separator: ", ")) (a cluster administrator)."
        ]
        if !administrator.isEmpty {
            var step = "Apply the administrator's objects (--admin-out): \(Self.countsByKind(Self.applyOrder(administrator)))."
            if let roleStep { step += " " + roleStep }
            if !attention.isEmpty { step += " Read the report's READ FIRST section before applying them." }
            steps.append(step)
        }
        if !missingCustomResourceDefinitions.isEmpty {
            steps.append(
                "Apply the CRDs \(missingCustomResourceDefinitions.joined(separator: ", ")) of the tool's version: they are not in the input (--crds-from adds them to the administrator's objects)."
            )
        }
        steps.append(
            "Bind the namespace administrator who installs the tool to the built-in ClusterRole admin with a RoleBinding in each of \(([tool] + targets).joined(separator: ", ")), nothing cluster-wide."
        )
        steps.append(
            "That administrator applies the restricted install; Kubernetes' escalation prevention lets it, since every Role grants only what admin holds.")
        prerequisites = steps + prerequisites
    }

    /// `3 CustomResourceDefinitions, 1 Namespace, …`: the objects counted per kind, in order of
    /// first appearance.
    static func countsByKind(_ objects: [KubeObject]) -> String {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for object in objects {
            if counts[object.kind] == nil { order.append(object.kind) }
            counts[object.kind, default: 0] += 1
        }
        return order.map { kind in
            let count = counts[kind] ?? 0
            return "\(count) \(kind)\(count == 1 ? "" : (kind.hasSuffix("s") ? "es" : "s"))"
        }.joined(separator: ", ")
    }

    /// One line per binding in the administrator's objects that grants cluster-admin (or a role
    /// with every verb on every resource of every group): what the administrator is asked for.
    func clusterAdminGrants() -> [String] {
        var lines: [String] = []
        for object in administrator where RBACAPI.isRBACObject(object) && (object.kind == "ClusterRoleBinding" || object.kind == "RoleBinding") {
            guard let binding = try? RBACBinding(object), binding.roleRef.kind == "ClusterRole" else { continue }
            let original = inputClusterRoleNames.first { clusterScopedName($0) == binding.roleRef.name } ?? binding.roleRef.name
            let rules = clusterRoles.clusterRole(named: original)?.rules ?? []
            let everything = rules.contains { $0.verbs.contains("*") && $0.apiGroups.contains("*") && $0.resources.contains("*") }
            guard binding.roleRef.name == "cluster-admin" || everything else { continue }
            let what =
                binding.roleRef.name == "cluster-admin" ? "cluster-admin" : "ClusterRole \(binding.roleRef.name), which is cluster-admin in all but name,"
            let subjects = binding.subjects.map(\.description).joined(separator: ", ")
            if object.kind == "ClusterRoleBinding" {
                lines.append(
                    "The administrator is asked to grant \(what) to \(subjects), cluster-wide (ClusterRoleBinding \(object.name) in the administrator's objects): every right on every object of the cluster. Apply it only after your own risk analysis, or leave it out."
                )
            } else {
                lines.append(
                    "The administrator is asked to grant \(what) to \(subjects) in namespace \(object.namespace ?? "") (RoleBinding \(object.displayName) in the administrator's objects): every right there, including RBAC. Apply it only after your own risk analysis, or leave it out."
                )
            }
        }
        return lines
    }
}
