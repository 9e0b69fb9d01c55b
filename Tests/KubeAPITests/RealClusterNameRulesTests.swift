import Foundation
import KubeAPI
import KubeModel
import Testing
import WarrantTestSupport

/// Issue 18, point 5: Warrant refuses a name before any request exactly when kube-apiserver
/// would refuse it. Each name is sent to the real API server in a dry-run POST (the name only in
/// the body, so the URL cannot change what is checked); the server's verdict is whether it
/// names `metadata.name` among the causes of its 422 (other fields of these bare objects may be
/// invalid too, which says nothing about the name), or a 400 from the registry's key function.
/// `ObjectNames` must give the same verdict.
@Suite(.realCluster, .timeLimit(.minutes(3))) struct RealClusterNameRulesTests {
    /// Names that probe each rule: DNS labels and subdomains, path segments, lengths, characters
    /// that would change a URL.
    static let names: [String] = [
        "web.config-1", "web", "1abc", "a.b", "a:b", "system:controller:x", "Upper", "a..b", "-a", "a-", "a_b", "a b",
        "cfg?fieldManager=warrant#", "..", ".", "a/b", "a%2fb", "50%", "ünï",
        String(repeating: "a", count: 63), String(repeating: "a", count: 64), String(repeating: "a", count: 64) + ".x",
        String(repeating: "a", count: 253), String(repeating: "a", count: 254),
    ]

    /// The kinds whose rule `ObjectNames` states, one or more of each rule, namespaced and not.
    static let kinds: [(apiVersion: String, kind: String, namespaced: Bool)] = [
        ("v1", "Namespace", false), ("v1", "Service", true), ("apps/v1", "StatefulSet", true),
        ("v1", "ConfigMap", true), ("v1", "Secret", true), ("v1", "ServiceAccount", true), ("apps/v1", "Deployment", true),
        ("batch/v1", "Job", true), ("networking.k8s.io/v1", "NetworkPolicy", true), ("coordination.k8s.io/v1", "Lease", true),
        ("events.k8s.io/v1", "Event", true), ("scheduling.k8s.io/v1", "PriorityClass", false),
        ("rbac.authorization.k8s.io/v1", "Role", true), ("rbac.authorization.k8s.io/v1", "ClusterRole", false),
        ("rbac.authorization.k8s.io/v1", "RoleBinding", true), ("v1", "Event", true), ("policy/v1", "PodDisruptionBudget", true),
    ]

    @Test("names: Warrant refuses a name for a kind exactly when kube-apiserver does (built-in kinds and a custom resource)")
    func nameRulesMatchTheRealServer() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("name-rules")
        // A custom resource of a group of its own: its names are DNS subdomains.
        let group = "names\(RealCluster.suffix()).warrant.test"
        try await cluster.apply(
            """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.\(group)}
            spec:
              group: \(group)
              scope: Namespaced
              names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
              versions:
              - name: v1
                served: true
                storage: true
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            """)
        let kinds = Self.kinds + [(apiVersion: "\(group)/v1", kind: "Widget", namespaced: true)]
        var disagreements: [String] = []
        var checked = 0
        try await cluster.admin { client in
            for kind in kinds {
                for name in Self.names {
                    let metadata: JSONValue = kind.namespaced ? ["name": .string(name), "namespace": .string(namespace)] : ["name": .string(name)]
                    var object = KubeObject(["apiVersion": .string(kind.apiVersion), "kind": .string(kind.kind), "metadata": metadata])
                    if kind.apiVersion == "v1", kind.kind == "Event" {
                        // Core Events get no name rule in validation; the registry refuses a name that is
                        // not a path segment only after the rest of the object is valid.
                        object.content["involvedObject"] = ["kind": "Pod", "name": "web", "namespace": .string(namespace)]
                    }
                    let serverRefuses = try await Self.serverRefusesName(of: object, client: client)
                    let warrantRefuses = ObjectNames.problem(with: name, rule: ObjectNames.rule(for: object.groupKind)) != nil
                    checked += 1
                    if serverRefuses != warrantRefuses {
                        disagreements.append(
                            "\(kind.kind) '\(name.prefix(70))': kube-apiserver \(serverRefuses ? "refuses" : "accepts"), Warrant \(warrantRefuses ? "refuses" : "accepts")"
                        )
                    }
                }
            }
        }
        #expect(checked == kinds.count * Self.names.count)
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }

    /// Whether kube-apiserver refuses `object`'s name: a dry-run create that fails with a cause on
    /// `metadata.name`. Custom resources just created may not be served yet: retried briefly.
    static func serverRefusesName(of object: KubeObject, client: KubeClient) async throws -> Bool {
        var attempt = 0
        while true {
            do {
                _ = try await client.create(object, dryRun: true)
                return false
            } catch let error as KubeAPIError where error.code == 422 {
                return error.causes.contains { $0.field == "metadata.name" } || error.message.contains("metadata.name:")
            } catch let error as KubeAPIError where error.code == 400 && error.message.contains("Name parameter invalid") {
                // The registry's key function (k8s.io/apiserver `pkg/registry/generic/registry/store.go`,
                // NamespaceKeyFunc): IsValidPathSegmentName, checked after validation.
                return true
            } catch let error as KubeAPIError where error.code == 404 && attempt < 50 {
                attempt += 1
                _ = try await client.restMapper(refresh: true)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
