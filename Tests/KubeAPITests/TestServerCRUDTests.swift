import Foundation
import KubeModel
import KubeTestServer
import NIOHTTP1
import Testing

@Suite("Test server: CRUD", .timeLimit(.minutes(2)))
struct TestServerCRUDTests {
    static let deploymentJSON = JSONWriter.write((try? object(deploymentYAML).content) ?? .null, indent: 0)

    @Test func createGetUpdateDelete() async throws {
        try await withTestServer { server, admin in
            // The namespace must exist.
            let missing = try await admin.post("/apis/apps/v1/namespaces/shop/deployments", Self.deploymentJSON)
            #expect(missing.status == 404)
            #expect(missing.json["message"] == #"namespaces "shop" not found"#)

            #expect(try await admin.post("/api/v1/namespaces", shopNamespace).status == 201)
            let created = try await admin.post("/apis/apps/v1/namespaces/shop/deployments", Self.deploymentJSON)
            #expect(created.status == 201)
            let metadata = try #require(created.json["metadata"])
            #expect(metadata["uid"]?.stringValue?.count == 36)
            #expect(metadata["generation"] == 1)
            #expect(metadata["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
            let version = try #require(metadata["resourceVersion"]?.stringValue)
            #expect(Int(version) != nil)

            let again = try await admin.post("/apis/apps/v1/namespaces/shop/deployments", Self.deploymentJSON)
            #expect(again.status == 409)
            #expect(again.json["reason"] == "AlreadyExists")
            #expect(again.json["message"] == #"deployments.apps "web" already exists"#)

            var updated = created.json
            updated.setValue(3, at: ["spec", "replicas"])
            let put = try await admin.request(.PUT, "/apis/apps/v1/namespaces/shop/deployments/web", body: JSONWriter.write(updated, indent: 0))
            #expect(put.status == 200)
            #expect(put.json[path: ["metadata", "generation"]] == 2)
            #expect(put.json[path: ["metadata", "resourceVersion"]]?.stringValue != version)
            // The same body again carries a stale resourceVersion.
            let stale = try await admin.request(.PUT, "/apis/apps/v1/namespaces/shop/deployments/web", body: JSONWriter.write(updated, indent: 0))
            #expect(stale.status == 409)
            #expect(stale.json["reason"] == "Conflict")
            #expect(
                stale.json["message"]
                    == #"Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again"#
            )

            #expect(server.object(group: "apps", kind: "Deployment", namespace: "shop", name: "web")?.content[path: ["spec", "replicas"]] == 3)

            let deleted = try await admin.request(.DELETE, "/apis/apps/v1/namespaces/shop/deployments/web")
            #expect(deleted.status == 200)
            #expect(deleted.json["status"] == "Success")
            let gone = try await admin.get("/apis/apps/v1/namespaces/shop/deployments/web")
            #expect(gone.status == 404)
            #expect(
                gone.json == [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                    "message": #"deployments.apps "web" not found"#, "reason": "NotFound",
                    "details": ["name": "web", "group": "apps", "kind": "deployments"], "code": 404,
                ])
        }
    }

    @Test func clusterScopedAndCoreResources() async throws {
        try await withTestServer { _, admin in
            let namespaces = try await admin.get("/api/v1/namespaces").json
            let names = namespaces["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            #expect(names == ["default", "kube-node-lease", "kube-public", "kube-system"])
            #expect(namespaces["kind"] == "NamespaceList")
            // Items of built-in lists carry no apiVersion/kind, as kube-apiserver's typed lists.
            #expect(namespaces["items"]?.arrayValue?.first?["kind"] == nil)
            let role =
                #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"reader"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]}"#
            #expect(try await admin.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", role).status == 201)
            #expect(try await admin.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/reader").status == 200)
        }
    }

    @Test func invalidObjectsAre422WithCauses() async throws {
        try await withTestServer { _, admin in
            let noName = try await admin.post("/api/v1/namespaces/default/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"#)
            #expect(noName.status == 422)
            #expect(noName.json["reason"] == "Invalid")
            #expect(noName.json["message"] == #"ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required"#)
            #expect(
                noName.json[path: ["details", "causes"]] == [
                    ["reason": "FieldValueRequired", "message": "Required value: name or generateName is required", "field": "metadata.name"]
                ])
            let badName = try await admin.post(
                "/api/v1/namespaces/default/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#)
            #expect(badName.status == 422)
            #expect(
                badName.json["message"]?.stringValue?.hasPrefix(
                    #"ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain"#) == true)
            let generated = try await admin.post(
                "/api/v1/namespaces/default/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"cm-"}}"#)
            #expect(generated.status == 201)
            #expect(generated.json[path: ["metadata", "name"]]?.stringValue?.hasPrefix("cm-") == true)
            let wrongNamespace = try await admin.post(
                "/api/v1/namespaces/default/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"other"}}"#)
            #expect(wrongNamespace.status == 400)
        }
    }

    @Test(arguments: [
        ("app=web", ["a", "b"]),
        ("app==web", ["a", "b"]),
        ("app!=web", ["c", "d"]),
        ("tier in (front,back)", ["a", "c"]),
        ("tier notin (front)", ["b", "c", "d"]),
        ("tier", ["a", "c"]),
        ("!tier", ["b", "d"]),
        ("app=web,tier=front", ["a"]),
    ])
    func labelSelectors(selector: String, expected: [String]) async throws {
        try await withTestServer { server, admin in
            try server.seed([
                try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: a, labels: {app: web, tier: front}}}"),
                try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: b, labels: {app: web}}}"),
                try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, labels: {app: db, tier: back}}}"),
                try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: d}}"),
            ])
            let encoded = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
            let list = try await admin.get("/api/v1/namespaces/default/configmaps?labelSelector=\(encoded)").json
            #expect(list["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == expected)
        }
    }

    @Test func fieldSelectorsPaginationAndAllNamespaces() async throws {
        try await withTestServer { server, admin in
            try server.seed(
                (1...5).map { index in
                    KubeObject([
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": ["name": .string("cm\(index)"), "namespace": index % 2 == 0 ? "kube-system" : "default"],
                    ])
                })
            let byName = try await admin.get("/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dcm3").json
            #expect(byName["items"]?.arrayValue?.count == 1)
            let all = try await admin.get("/api/v1/configmaps?fieldSelector=metadata.namespace%3Dkube-system").json
            #expect(all["items"]?.arrayValue?.count == 2)

            var names: [String] = []
            var token: String?
            repeat {
                let path =
                    "/api/v1/configmaps?limit=2" + (token.map { "&continue=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? "")
                let page = try await admin.get(path).json
                let items = page["items"]?.arrayValue ?? []
                #expect(items.count <= 2)
                names += items.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
                token = page[path: ["metadata", "continue"]]?.stringValue
            } while token != nil
            #expect(names == ["cm1", "cm3", "cm5", "cm2", "cm4"])
        }
    }

    @Test func deleteOptionsCollectionsAndGarbageCollection() async throws {
        try await withTestServer { server, admin in
            try server.seed([
                try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: a, labels: {x: z}}}"),
                try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: b, labels: {x: z}}}"),
                try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: keep}}"),
            ])
            let uid = try #require(
                server.object(group: "", kind: "ConfigMap", namespace: "default", name: "keep")?.content[path: ["metadata", "uid"]]?.stringValue)
            try server.seed([
                try object(
                    "{apiVersion: v1, kind: Secret, metadata: {name: child, ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: keep, uid: \(uid)}]}}")
            ])
            let wrong = try await admin.request(.DELETE, "/api/v1/namespaces/default/configmaps/keep", body: #"{"preconditions":{"uid":"nope"}}"#)
            #expect(wrong.status == 409)
            #expect(
                wrong.json["message"]
                    == .string(
                        "Operation cannot be fulfilled on configmaps \"keep\": Precondition failed: UID in precondition: nope, UID in object meta: \(uid)"))
            let dry = try await admin.request(.DELETE, "/api/v1/namespaces/default/configmaps/keep?dryRun=All")
            #expect(dry.status == 200)
            #expect(server.object(group: "", kind: "ConfigMap", namespace: "default", name: "keep") != nil)

            let collection = try await admin.request(.DELETE, "/api/v1/namespaces/default/configmaps?labelSelector=x%3Dz")
            #expect(collection.status == 200)
            #expect(collection.json["items"]?.arrayValue?.count == 2)
            #expect(server.objects(group: "", kind: "ConfigMap", namespace: "default").map(\.name) == ["keep"])

            let background = try await admin.request(.DELETE, "/api/v1/namespaces/default/configmaps/keep?propagationPolicy=Background")
            #expect(background.status == 200)
            #expect(server.object(group: "", kind: "Secret", namespace: "default", name: "child") == nil)
        }
    }

    @Test func dryRunWritesNothing() async throws {
        try await withTestServer { server, admin in
            #expect(try await admin.post("/api/v1/namespaces", shopNamespace).status == 201)
            let dry = try await admin.post("/apis/apps/v1/namespaces/shop/deployments?dryRun=All", Self.deploymentJSON)
            #expect(dry.status == 200)
            #expect(dry.json[path: ["metadata", "uid"]] != nil)
            #expect(server.object(group: "apps", kind: "Deployment", namespace: "shop", name: "web") == nil)
            let applied = try await admin.apply("/apis/apps/v1/namespaces/shop/deployments/web", deploymentYAML, dryRun: true)
            #expect(applied.status == 200)
            #expect(server.object(group: "apps", kind: "Deployment", namespace: "shop", name: "web") == nil)
            #expect(server.requests.filter { $0.isWrite && !$0.isDryRun && $0.path.contains("deployments") }.isEmpty)
        }
    }
}
