import Foundation
import KubeModel
import KubeTestServer
import NIOHTTP1
import Testing

@Suite("Test server: RBAC, reviews and tokens", .timeLimit(.minutes(2)))
struct TestServerRBACTests {
    /// `shop` with ServiceAccount `ci`, bound to a Role that may manage Deployments and read ConfigMaps.
    static func seedShop(_ server: KubeTestServer) throws {
        try server.seed([
            try object("{apiVersion: v1, kind: Namespace, metadata: {name: shop}}"),
            try object("{apiVersion: v1, kind: ServiceAccount, metadata: {name: ci, namespace: shop}}"),
            try object(
                """
                {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: deployer, namespace: shop},
                 rules: [{apiGroups: [apps], resources: [deployments], verbs: [get, list, watch, create, patch]},
                         {apiGroups: [''], resources: [configmaps], verbs: [get]}]}
                """),
            try object(
                """
                {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: deployer, namespace: shop},
                 roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer},
                 subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]}
                """),
        ])
        server.addUser(token: "ci-token", name: "system:serviceaccount:shop:ci")
    }

    @Test func forbiddenBodiesAreWordedLikeKubernetes() async throws {
        try await withTestServer { server, admin in
            try Self.seedShop(server)
            let get = try await admin.get("/apis/apps/v1/namespaces/default/deployments/web", token: "ci-token")
            #expect(get.status == 403)
            #expect(
                get.json == [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                    "message":
                        #"deployments.apps "web" is forbidden: User "system:serviceaccount:shop:ci" cannot get resource "deployments" in API group "apps" in the namespace "default""#,
                    "reason": "Forbidden", "details": ["name": "web", "group": "apps", "kind": "deployments"], "code": 403,
                ])
            let list = try await admin.get("/api/v1/namespaces/shop/secrets", token: "ci-token")
            #expect(
                list.json["message"]
                    == #"secrets is forbidden: User "system:serviceaccount:shop:ci" cannot list resource "secrets" in API group "" in the namespace "shop""#)
            let cluster = try await admin.get("/api/v1/nodes", token: "ci-token")
            #expect(
                cluster.json["message"]
                    == #"nodes is forbidden: User "system:serviceaccount:shop:ci" cannot list resource "nodes" in API group "" at the cluster scope"#)
            #expect(try await admin.get("/apis/apps/v1/namespaces/shop/deployments", token: "ci-token").status == 200)
        }
    }

    @Test func applyOfMissingObjectNeedsCreate() async throws {
        try await withTestServer { server, admin in
            try Self.seedShop(server)
            let configMap = "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: shop}}"
            let denied = try await admin.apply("/api/v1/namespaces/shop/configmaps/c", configMap, token: "ci-token")
            #expect(denied.status == 403)
            #expect(
                denied.json["message"]
                    == #"configmaps "c" is forbidden: User "system:serviceaccount:shop:ci" cannot patch resource "configmaps" in API group "" in the namespace "shop""#
            )
            let created = try await admin.apply(TestServerApplyTests.path, deploymentYAML, token: "ci-token")
            #expect(created.status == 201)
            // dryRun needs the same verbs.
            let dry = try await admin.request(.DELETE, "/apis/apps/v1/namespaces/shop/deployments/web?dryRun=All", token: "ci-token")
            #expect(dry.status == 403)
        }
    }

    @Test func escalationPrevention() async throws {
        try await withTestServer { server, admin in
            try Self.seedShop(server)
            try server.seed([
                try object(
                    """
                    {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: rbac-writer, namespace: shop},
                     rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings], verbs: [create, update, patch]}]}
                    """),
                try object(
                    """
                    {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: rbac-writer, namespace: shop},
                     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: rbac-writer},
                     subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]}
                    """),
            ])
            let held =
                #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"small"},"rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get"]}]}"#
            #expect(try await admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", held, token: "ci-token").status == 201)
            let more =
                #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"big"},"rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get","list"]}]}"#
            let denied = try await admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", more, token: "ci-token")
            #expect(denied.status == 403)
            #expect(
                denied.json["message"] == """
                    roles.rbac.authorization.k8s.io "big" is forbidden: user "system:serviceaccount:shop:ci" (groups=["system:serviceaccounts" "system:serviceaccounts:shop" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
                    {APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}
                    """)
            // Binding `edit` needs bind or holding all of edit's permissions.
            let binding =
                #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"edit"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},"subjects":[{"kind":"User","name":"eve"}]}"#
            #expect(try await admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings", binding, token: "ci-token").status == 403)
            try server.seed([
                try object(
                    """
                    {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: binder, namespace: shop},
                     rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [edit]}]}
                    """),
                try object(
                    """
                    {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: binder, namespace: shop},
                     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: binder},
                     subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]}
                    """),
            ])
            #expect(try await admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings", binding, token: "ci-token").status == 201)
        }
    }

    @Test func reviews() async throws {
        try await withTestServer { server, admin in
            try Self.seedShop(server)
            let rules = try await admin.post(
                "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                #"{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"shop"}}"#, token: "ci-token")
            #expect(rules.status == 201)
            #expect(rules.json[path: ["status", "incomplete"]] == false)
            let resourceRules = rules.json[path: ["status", "resourceRules"]]?.arrayValue ?? []
            #expect(resourceRules.contains(["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch", "create", "patch"]]))
            #expect(rules.json[path: ["status", "nonResourceRules"]]?.arrayValue?.isEmpty == false)

            func ssar(_ verb: String, _ resource: String, token: String = "ci-token") async throws -> JSONValue? {
                let body =
                    #"{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"shop","verb":"\#(verb)","group":"apps","resource":"\#(resource)"}}}"#
                return try await admin.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body, token: token).json[path: ["status", "allowed"]]
            }
            #expect(try await ssar("create", "deployments") == true)
            #expect(try await ssar("delete", "deployments") == false)

            let sar =
                #"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"system:serviceaccount:shop:ci","groups":["system:serviceaccounts"],"resourceAttributes":{"namespace":"shop","verb":"get","resource":"configmaps"}}}"#
            let asAdmin = try await admin.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", sar)
            #expect(asAdmin.json[path: ["status", "allowed"]] == true)
            // SubjectAccessReview needs create on subjectaccessreviews.
            #expect(try await admin.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", sar, token: "ci-token").status == 403)
        }
    }

    @Test func tokenRequest() async throws {
        try await withTestServer { server, admin in
            try Self.seedShop(server)
            let path = "/api/v1/namespaces/shop/serviceaccounts/ci/token"
            let reply = try await admin.post(path, #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":1200}}"#)
            #expect(reply.status == 201)
            #expect(reply.json["kind"] == "TokenRequest")
            #expect(reply.json[path: ["spec", "expirationSeconds"]] == 1200)
            let token = try #require(reply.json[path: ["status", "token"]]?.stringValue)
            let expiry = try #require(reply.json[path: ["status", "expirationTimestamp"]]?.stringValue)
            let date = try #require(try? Date(expiry, strategy: .iso8601))
            #expect(abs(date.timeIntervalSinceNow - 1200) < 30)
            #expect(token.split(separator: ".").count == 3)
            let who = try await admin.post(
                "/apis/authentication.k8s.io/v1/selfsubjectreviews", #"{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}"#, token: token)
            #expect(who.json[path: ["status", "userInfo", "username"]] == "system:serviceaccount:shop:ci")
            #expect(who.json[path: ["status", "userInfo", "groups"]] == ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"])
            #expect(try await admin.get("/apis/apps/v1/namespaces/shop/deployments", token: token).status == 200)

            #expect(try await admin.post("/api/v1/namespaces/shop/serviceaccounts/nobody/token", "{}").status == 404)
            #expect(try await admin.post(path, "{}", token: "ci-token").status == 403)
            #expect(try await admin.post(path, #"{"spec":{"expirationSeconds":60}}"#).status == 422)
            // Deleting the ServiceAccount invalidates its tokens.
            #expect(try await admin.request(.DELETE, "/api/v1/namespaces/shop/serviceaccounts/ci").status == 200)
            #expect(try await admin.get("/apis/apps/v1/namespaces/shop/deployments", token: token).status == 401)
        }
    }

    @Test(arguments: [Duration.zero, .milliseconds(200)])
    func tokenController(delay: Duration) async throws {
        var configuration = KubeTestServer.Configuration()
        configuration.tokenControllerDelay = delay
        try await withTestServer(configuration) { server, admin in
            try Self.seedShop(server)
            let secret =
                #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"ci-token","annotations":{"kubernetes.io/service-account.name":"ci"}},"type":"kubernetes.io/service-account-token"}"#
            #expect(try await admin.post("/api/v1/namespaces/shop/secrets", secret).status == 201)
            var filled: JSONValue?
            for _ in 0..<50 {
                filled = try await admin.get("/api/v1/namespaces/shop/secrets/ci-token").json["data"]
                if filled?["token"] != nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let data = try #require(filled)
            let token = try #require(data["token"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) })
            #expect(data["namespace"] == .string(Data("shop".utf8).base64EncodedString()))
            #expect(data["ca.crt"] == .string(Data(server.caCertificatePEM.utf8).base64EncodedString()))
            #expect(try await admin.get("/apis/apps/v1/namespaces/shop/deployments", token: token).status == 200)
            let invalid = #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bad"},"type":"kubernetes.io/service-account-token"}"#
            #expect(try await admin.post("/api/v1/namespaces/shop/secrets", invalid).status == 422)
        }
    }
}
