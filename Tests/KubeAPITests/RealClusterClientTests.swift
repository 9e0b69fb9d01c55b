import Foundation
import KubeAPI
import KubeModel
import RBAC
import Testing
import WarrantTestSupport

/// The API client against the real kube-apiserver v1.36 in `../shared/kube`: the behaviours the
/// project's own test server imitates, checked where Kubernetes decides them.
@Suite(.realCluster, .timeLimit(.minutes(3))) struct RealClusterClientTests {
    @Test func discoveryApplyAndGetOnTheRealServer() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("client")
        try await cluster.admin { client in
            let mapper = try await client.restMapper()
            let deployments = try #require(mapper.mapping(for: GroupKind(group: "apps", kind: "Deployment")))
            #expect(deployments.resource == "deployments" && deployments.namespaced)
            #expect(mapper.mapping(for: GroupKind(group: "", kind: "Node"))?.namespaced == false)

            let configMap = try #require(
                try ManifestLoader().load(
                    bytes: Array("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: \(namespace)}\ndata: {a: b}\n".utf8),
                    file: "cm.yaml"
                ).first)
            let applied = try await client.apply(configMap, fieldManager: "warrant")
            #expect(applied.content[path: ["data", "a"]]?.stringValue == "b")
            let managers = applied.content[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap { $0["manager"]?.stringValue }
            #expect(managers == ["warrant"])
            let read = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: "settings")
            #expect(read?.content[path: ["data", "a"]]?.stringValue == "b")
        }
    }

    @Test func accessReviewsAndTokensOnTheRealServer() async throws {
        let cluster = try await RealCluster.shared()
        let namespace = try await cluster.makeNamespace("reviews")
        // alice has no rights until bound.
        let before = try await cluster.allows(
            user: "alice", groups: ["developers"], AccessAttributes(verb: "create", group: "apps", resource: "deployments", namespace: namespace))
        #expect(!before)
        try await cluster.apply(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: alice-admin, namespace: \(namespace)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
            subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: ci, namespace: \(namespace)}
            """)
        let after = try await cluster.allows(
            user: "alice", groups: ["developers"], AccessAttributes(verb: "create", group: "apps", resource: "deployments", namespace: namespace))
        #expect(after)
        let rules = try await cluster.client(token: RealCluster.Token.alice) { client in
            try await client.selfSubjectRules(namespace: namespace)
        }
        #expect(rules.rules.contains { $0.resources.contains("deployments") })
        let token = try await cluster.serviceAccountToken(namespace: namespace, name: "ci")
        let user = try await cluster.client(token: token) { client in
            try await client.json(
                KubeRequest(
                    method: "POST", path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                    headers: [("Content-Type", "application/json")],
                    body: Array(#"{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}"#.utf8)))
        }
        #expect(user[path: ["status", "userInfo", "username"]]?.stringValue == "system:serviceaccount:\(namespace):ci")
    }
}
