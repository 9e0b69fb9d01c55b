import Delivery
import Evidence
import KubeAPI
import KubeModel

/// Reads what `warrant evidence` needs from the cluster into an ``ClusterSnapshot``: the
/// history ConfigMaps, Roles and RoleBindings, ApplySet parents and token Secrets' metadata of
/// each namespace, and cluster RBAC when allowed. A 403 is a limit of the report (noted), not an
/// error; other API errors end the command.
struct EvidenceClusterReader {
    let client: KubeClient
    let rules: AttributionRules

    private static let configMap = GroupKind(group: "", kind: "ConfigMap")

    /// The built-in kinds plus every kind the server serves (custom resources included), so that
    /// recorded objects map to the resources the audit log names.
    func kinds() async -> KindTable {
        var kinds = KindTable.builtin
        guard let mapper = try? await client.restMapper() else { return kinds }
        for mapping in mapper.mappings where kinds.kind(GroupKind(group: mapping.group, kind: mapping.kind)) == nil {
            kinds.add(
                ResourceKind(
                    group: mapping.group, versions: [mapping.version], kind: mapping.kind, resource: mapping.resource, namespaced: mapping.namespaced))
        }
        return kinds
    }

    /// Every namespace's name, `nil` when the credential may not list namespaces.
    func namespaceNames() async throws -> [String]? {
        do {
            return try await client.list(GroupKind(group: "", kind: "Namespace"), namespace: nil).objects.map(\.name).sorted()
        } catch let error as KubeAPIError where error.isForbidden {
            return nil
        }
    }

    /// The snapshot of `namespaces`; with `dropUnreadable`, namespaces whose history the
    /// credential may not read are left out (and noted).
    func snapshot(namespaces: [String], dropUnreadable: Bool) async throws -> ClusterSnapshot {
        var result: [NamespaceSnapshot] = []
        var notes: [String] = []
        for namespace in namespaces {
            let (history, error) = try await historyConfigMaps(namespace)
            if history == nil && dropUnreadable {
                notes.append("Namespace \(namespace) is left out: its deploy history cannot be read with this credential (\(error ?? "forbidden")).")
                continue
            }
            var rbac: [KubeObject]? = []
            for kind in ["Role", "RoleBinding"] {
                guard let objects = try await listIfAllowed(GroupKind(group: "rbac.authorization.k8s.io", kind: kind), namespace: namespace) else {
                    rbac = nil
                    break
                }
                rbac? += objects
            }
            var parents: [KubeObject] = []
            for name in rules.applySetNames {
                if let parent = try await getIfAllowed(Self.configMap, namespace: namespace, name: name) { parents.append(parent) }
            }
            result.append(
                NamespaceSnapshot(
                    namespace: namespace, historyConfigMaps: history, historyError: error, rbacObjects: rbac, applySetParents: parents,
                    tokenSecrets: try await tokenSecrets(namespace)))
        }
        var clusterRBAC: [KubeObject]? = []
        for kind in ["ClusterRole", "ClusterRoleBinding"] {
            guard let objects = try await listIfAllowed(GroupKind(group: "rbac.authorization.k8s.io", kind: kind), namespace: nil) else {
                clusterRBAC = nil
                break
            }
            clusterRBAC? += objects
        }
        return ClusterSnapshot(namespaces: result, clusterRBAC: clusterRBAC, notes: notes)
    }

    /// The head and archive history ConfigMaps: listed by Warrant's label, or, when listing is
    /// not allowed, the head by name (what a deploy credential's Role grants).
    private func historyConfigMaps(_ namespace: String) async throws -> ([KubeObject]?, String?) {
        let name = rules.historyName
        do {
            let listed = try await client.list(
                Self.configMap, namespace: namespace, options: ListOptions(labelSelector: "\(HistoryStore.managedByLabel)=warrant"))
            var history = listed.objects.filter { $0.name == name || $0.name.hasPrefix("\(name)-") }
            // The head by name too: its label may have been taken off.
            if !history.contains(where: { $0.name == name }), let head = try await client.get(Self.configMap, namespace: namespace, name: name) {
                history.append(head)
            }
            return (history, nil)
        } catch let error as KubeAPIError where error.isForbidden {
            do {
                return (try await client.get(Self.configMap, namespace: namespace, name: name).map { [$0] } ?? [], nil)
            } catch let error as KubeAPIError where error.isForbidden {
                return (nil, error.message)
            }
        }
    }

    /// The ServiceAccount token Secrets, metadata only: a `PartialObjectMetadataList` of the
    /// Secrets with `type=kubernetes.io/service-account-token` (the field selector
    /// kube-apiserver supports for Secrets), so that no token is ever transferred.
    private func tokenSecrets(_ namespace: String) async throws -> [TokenSecret]? {
        let mapping = try await client.mapping(for: GroupKind(group: "", kind: "Secret"))
        let request = KubeRequest(
            method: "GET", path: mapping.collectionPath(namespace: namespace),
            query: [("fieldSelector", "type=kubernetes.io/service-account-token"), ("limit", "500")],
            headers: [("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")])
        do {
            let answer = try await client.json(request)
            // A server that ignores the metadata-only Accept would send whole Secrets: keep
            // nothing but names, annotations and creation times either way.
            return (answer["items"]?.arrayValue ?? []).compactMap { item in
                guard let metadata = item["metadata"] else { return nil }
                return TokenSecret(metadata: KubeObject(["apiVersion": "v1", "kind": "Secret", "metadata": metadata]))
            }
        } catch let error as KubeAPIError where error.isForbidden {
            return nil
        }
    }

    private func listIfAllowed(_ kind: GroupKind, namespace: String?) async throws -> [KubeObject]? {
        do {
            return try await client.list(kind, namespace: namespace).objects
        } catch let error as KubeAPIError where error.isForbidden {
            return nil
        }
    }

    private func getIfAllowed(_ kind: GroupKind, namespace: String, name: String) async throws -> KubeObject? {
        do {
            return try await client.get(kind, namespace: namespace, name: name)
        } catch let error as KubeAPIError where error.isForbidden {
            return nil
        }
    }
}
