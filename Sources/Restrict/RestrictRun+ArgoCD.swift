import KubeModel
import RBAC

/// The Argo CD profile: a namespaced in-cluster destination, a confined default AppProject, and
/// Argo CD's own log-in (and with it its own access-control model) switched off.
extension RestrictRun {
    /// The in-cluster API server address Argo CD uses for its own cluster.
    static let inClusterServer = "https://kubernetes.default.svc"

    /// The cluster-wide rules Argo CD's `install.yaml` gives the components that act in the
    /// destination namespaces (argo-cd `manifests/cluster-rbac/application-controller` and
    /// `manifests/cluster-rbac/server`). `namespace-install.yaml` leaves these out: there, each
    /// destination namespace needs a Role and RoleBinding of its own for the two components.
    static let destinationRules: [(account: String, rules: [PolicyRule])] = [
        ("argocd-application-controller", [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])]),
        (
            "argocd-server",
            [
                PolicyRule(verbs: ["delete", "get", "patch"], apiGroups: ["*"], resources: ["*"]),
                PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["events"]),
                PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods", "pods/log"]),
            ]
        ),
    ]

    /// Argo CD's CRDs, which `namespace-install.yaml` does not hold.
    static let customResourceDefinitions = ["applications.argoproj.io", "applicationsets.argoproj.io", "appprojects.argoproj.io"]

    mutating func configureArgoCD() {
        configureArgoCDSettings()
        configureArgoCDCommandParameters()
        configureArgoCDRBAC()
        addArgoCDDestinationRoles()
        let present = Set(administrator.filter { $0.kind == "CustomResourceDefinition" }.map(\.name))
        let missing = Self.customResourceDefinitions.filter { !present.contains($0) }
        if !missing.isEmpty {
            attention.append(
                "Argo CD's CRDs \(missing.joined(separator: ", ")) are not in the input, so they are not in the administrator's objects either, and the confined install (its AppProject) cannot be applied without them. Restrict again with --crds-from and Argo CD's install.yaml (or its manifests/crds) of the same version; or the administrator applies them before the install."
            )
            missingCustomResourceDefinitions = missing
        }

        let destination = KubeObject([
            "apiVersion": "v1", "kind": "Secret",
            "metadata": [
                "name": "argocd-cluster-in-cluster", "namespace": .string(tool),
                "labels": ["argocd.argoproj.io/secret-type": "cluster", "app.kubernetes.io/part-of": "argocd"],
                "annotations": ["warrant.dev/restricted": "namespaced in-cluster destination"],
            ],
            "type": "Opaque",
            "stringData": [
                "name": "in-cluster",
                "server": .string(Self.inClusterServer),
                "namespaces": .string(targets.joined(separator: ",")),
                "clusterResources": "false",
                "config": "{\"tlsClientConfig\":{\"insecure\":false}}",
            ],
        ])
        if upsert(destination) {
            changes.append(
                RestrictChange(
                    .added, object: destination.displayName,
                    "the in-cluster destination limited to namespaces \(targets.joined(separator: ",")) with clusterResources \"false\"",
                    reason: "without it Argo CD treats the in-cluster destination as cluster-wide and lists every namespace"))
        }

        let managed = options.applicationKinds.filter { !$0.kind.isEmpty && $0.verbs.contains("create") }
        var whitelist: [JSONValue] = []
        var seen: Set<String> = []
        for kind in managed where seen.insert("\(kind.group)/\(kind.kind)").inserted {
            whitelist.append(["group": .string(kind.group), "kind": .string(kind.kind)])
        }
        let project = KubeObject([
            "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
            "metadata": [
                "name": "default", "namespace": .string(tool),
                "labels": ["app.kubernetes.io/part-of": "argocd"],
            ],
            "spec": [
                "description": "Confined by warrant restrict: only the target namespaces, no cluster-scoped resources",
                "sourceRepos": ["*"],
                "destinations": .array(
                    targets.map { ["server": .string(Self.inClusterServer), "namespace": .string($0)] }),
                "clusterResourceWhitelist": [],
                "namespaceResourceWhitelist": .array(whitelist),
            ],
        ])
        if upsert(project) {
            changes.append(
                RestrictChange(
                    .added, object: project.displayName,
                    "destinations only \(targets.joined(separator: ", ")); clusterResourceWhitelist empty; only the application kinds",
                    reason: "Argo CD creates a 'default' project allowing every destination and kind; this one replaces it"))
        }
        prerequisites.append(
            "Argo CD is then managed without its own log-in: create Applications in \(tool) with kubectl or 'argocd --core' under your Kubernetes RBAC, which the API server's audit log records."
        )
    }

    /// A Role and RoleBinding in each target for the application controller and the server,
    /// where the install has none (`namespace-install.yaml`): without them Argo CD may not deploy
    /// there. What `install.yaml`'s ClusterRoles grant, confined like them.
    private mutating func addArgoCDDestinationRoles() {
        for (account, rules) in Self.destinationRules {
            guard first(where: { $0.kind == "ServiceAccount" && $0.groupKind.group.isEmpty && $0.name == account && $0.namespace == tool }) != nil
            else { continue }
            let subject = Subject.serviceAccount(account, namespace: tool)
            let permissions = confiner.confine(rules).targets
            var added: [String] = []
            for target in targets
            where !bindings.values.contains(where: { binding in
                binding.namespace == target
                    && binding.subjects.contains { $0.kind == .serviceAccount && $0.name == account && ($0.namespace ?? target) == tool }
            }) {
                addRole(
                    namespace: target, name: account, permissions: permissions, slot: nil, original: nil, changed: true,
                    origin: "Argo CD's cluster-wide \(account) role, confined")
                addBinding(namespace: target, name: account, roleRef: .role(account), subjects: [subject], slot: nil)
                added.append(target)
            }
            guard !added.isEmpty else { continue }
            changes.append(
                RestrictChange(
                    .added, object: "ServiceAccount \(tool)/\(account)",
                    "a Role and RoleBinding \(account) in \(added.joined(separator: ", ")): the application kinds\(account == "argocd-server" ? ", to read, patch and delete" : "")",
                    reason:
                        "the install binds \(account) in its own namespace only, so Argo CD could not \(account == "argocd-server" ? "show or change" : "deploy") applications in the target namespaces"
                ))
        }
    }

    private mutating func configureArgoCDSettings() {
        let tool = self.tool
        let inclusions = Self.resourceInclusions(options.applicationKinds)
        var found = false
        var removed: [String] = []
        var changedKeys: [String] = []
        modify(where: { $0.kind == "ConfigMap" && $0.groupKind.group.isEmpty && $0.name == "argocd-cm" && $0.namespace == tool }) { object in
            found = true
            var data = object.content["data"]?.objectValue ?? JSONObject()
            let wanted: [(String, String)] = [
                ("admin.enabled", "false"), ("users.anonymous.enabled", "false"), ("resource.inclusions", inclusions),
            ]
            for (key, value) in wanted where data[key]?.stringValue != value {
                data[key] = .string(value)
                changedKeys.append(key)
            }
            for key in data.keys where key.hasPrefix("accounts.") || key == "dex.config" || key == "oidc.config" {
                data[key] = nil
                removed.append(key)
            }
            object.content["data"] = .object(data)
        }
        if !found {
            let settings = KubeObject([
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": [
                    "name": "argocd-cm", "namespace": .string(tool),
                    "labels": ["app.kubernetes.io/name": "argocd-cm", "app.kubernetes.io/part-of": "argocd"],
                ],
                "data": ["admin.enabled": "false", "users.anonymous.enabled": "false", "resource.inclusions": .string(inclusions)],
            ])
            _ = upsert(settings)
            changedKeys = ["admin.enabled", "users.anonymous.enabled", "resource.inclusions"]
        }
        if !changedKeys.isEmpty {
            changes.append(
                RestrictChange(
                    found ? .changed : .added, object: "ConfigMap \(tool)/argocd-cm", "set \(changedKeys.joined(separator: ", "))",
                    reason:
                        "no Argo CD log-in (its admin user and anonymous access are what make Argo CD's own access control decide who may deploy); resource.inclusions limits Argo CD's watches to the kinds its Roles grant"
                ))
        }
        if !removed.isEmpty {
            changes.append(
                RestrictChange(
                    .changed, object: "ConfigMap \(tool)/argocd-cm", "removed \(removed.joined(separator: ", "))",
                    reason: "Argo CD accounts and SSO let people act through Argo CD's own access control, outside Kubernetes RBAC and its audit log"))
        }
    }

    private mutating func configureArgoCDCommandParameters() {
        let tool = self.tool
        var notes: [String] = []
        modify(where: { $0.kind == "ConfigMap" && $0.groupKind.group.isEmpty && $0.name == "argocd-cmd-params-cm" && $0.namespace == tool }) {
            object in
            guard var data = object.content["data"]?.objectValue else { return }
            for key in ["application.namespaces", "applicationsetcontroller.namespaces"] where data[key] != nil {
                data[key] = nil
                notes.append("removed \(key)")
            }
            if data["server.disable.auth"]?.stringValue == "true" {
                data["server.disable.auth"] = "false"
                notes.append("server.disable.auth \"false\"")
            }
            object.content["data"] = .object(data)
        }
        if !notes.isEmpty {
            changes.append(
                RestrictChange(
                    .changed, object: "ConfigMap \(tool)/argocd-cmd-params-cm", notes.joined(separator: "; "),
                    reason: "Applications in other namespaces need cluster-wide watches; an API server without authentication lets anyone deploy"))
        }
    }

    private mutating func configureArgoCDRBAC() {
        let tool = self.tool
        var changed = false
        modify(where: { $0.kind == "ConfigMap" && $0.groupKind.group.isEmpty && $0.name == "argocd-rbac-cm" && $0.namespace == tool }) { object in
            var data = object.content["data"]?.objectValue ?? JSONObject()
            if let policy = data["policy.default"]?.stringValue, !policy.isEmpty {
                data["policy.default"] = ""
                object.content["data"] = .object(data)
                changed = true
            }
        }
        if changed {
            changes.append(
                RestrictChange(
                    .changed, object: "ConfigMap \(tool)/argocd-rbac-cm", "policy.default emptied",
                    reason: "a default role grants every Argo CD user rights outside Kubernetes RBAC"))
        }
    }

    /// `resource.inclusions` for `argocd-cm`: the application kinds, per API group, on the
    /// in-cluster destination, as the YAML text Argo CD reads.
    static func resourceInclusions(_ kinds: [ApplicationKind]) -> String {
        var groups: [String] = []
        var kindsByGroup: [String: [String]] = [:]
        for kind in kinds where !kind.kind.isEmpty {
            if kindsByGroup[kind.group] == nil { groups.append(kind.group) }
            if kindsByGroup[kind.group]?.contains(kind.kind) != true { kindsByGroup[kind.group, default: []].append(kind.kind) }
        }
        let entries: [JSONValue] = groups.map { group in
            [
                "apiGroups": [.string(group)],
                "kinds": .array((kindsByGroup[group] ?? []).map(JSONValue.string)),
                "clusters": [.string(inClusterServer)],
            ]
        }
        return YAMLWriter.write(.array(entries))
    }
}
