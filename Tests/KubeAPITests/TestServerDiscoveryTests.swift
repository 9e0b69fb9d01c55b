import Foundation
import KubeModel
import KubeTestServer
import NIOHTTP1
import Testing

@Suite("Test server: discovery", .timeLimit(.minutes(2)))
struct TestServerDiscoveryTests {
    @Test func legacyDiscovery() async throws {
        try await withTestServer { _, admin in
            let api = try await admin.get("/api")
            #expect(api.json["kind"] == "APIVersions")
            #expect(api.json["versions"] == ["v1"])

            let core = try await admin.get("/api/v1").json
            let resources = core["resources"]?.arrayValue ?? []
            let pods = try #require(resources.first { $0["name"] == "pods" })
            #expect(pods["kind"] == "Pod")
            #expect(pods["namespaced"] == true)
            #expect(pods["singularName"] == "pod")
            #expect(pods["shortNames"] == ["po"])
            #expect(pods["verbs"]?.arrayValue?.contains("watch") == true)
            let log = try #require(resources.first { $0["name"] == "pods/log" })
            #expect(log["verbs"] == ["get"])
            let token = try #require(resources.first { $0["name"] == "serviceaccounts/token" })
            #expect(token["kind"] == "TokenRequest")

            let groups = try await admin.get("/apis").json
            #expect(groups["kind"] == "APIGroupList")
            let apps = try #require(groups["groups"]?.arrayValue?.first { $0["name"] == "apps" })
            #expect(apps["preferredVersion"] == ["groupVersion": "apps/v1", "version": "v1"])

            let appsV1 = try await admin.get("/apis/apps/v1").json
            #expect(appsV1["groupVersion"] == "apps/v1")
            let deployments = try #require(appsV1["resources"]?.arrayValue?.first { $0["name"] == "deployments" })
            #expect(deployments["shortNames"] == ["deploy"])
            #expect(try await admin.get("/apis/nope.example.com/v1").status == 404)
        }
    }

    @Test func aggregatedDiscovery() async throws {
        try await withTestServer { _, admin in
            let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
            let apis = try await admin.request(.GET, "/apis", accept: accept)
            #expect(apis.headers.first(name: "Content-Type")?.contains("as=APIGroupDiscoveryList") == true)
            #expect(apis.json["kind"] == "APIGroupDiscoveryList")
            let apps = try #require(apis.json["items"]?.arrayValue?.first { $0[path: ["metadata", "name"]] == "apps" })
            let deployments = try #require(apps["versions"]?.arrayValue?.first?["resources"]?.arrayValue?.first { $0["resource"] == "deployments" })
            #expect(deployments["scope"] == "Namespaced")
            #expect(deployments["responseKind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
            let scale = try #require(deployments["subresources"]?.arrayValue?.first { $0["subresource"] == "scale" })
            #expect(scale["responseKind"]?["kind"] == "Scale")
            let core = try await admin.request(.GET, "/api", accept: accept)
            #expect(core.json["items"]?.arrayValue?.count == 1)
        }
    }

    @Test func createdCRDsAreServed() async throws {
        try await withTestServer { _, admin in
            #expect(try await admin.get("/apis/example.com/v1/namespaces/default/widgets").status == 404)
            let crd = """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
                 "spec":{"group":"example.com","scope":"Namespaced","names":{"kind":"Widget","plural":"widgets","shortNames":["wd"]},
                 "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}}}]}}
                """
            let created = try await admin.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
            #expect(created.status == 201)
            let established = created.json[path: ["status", "conditions"]]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" }
            #expect(established == true)
            let groupList = try await admin.get("/apis/example.com/v1").json
            #expect(groupList["resources"]?.arrayValue?.first?["kind"] == "Widget")
            let widget = #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":3}}"#
            #expect(try await admin.post("/apis/example.com/v1/namespaces/default/widgets", widget).status == 201)
            let list = try await admin.get("/apis/example.com/v1/namespaces/default/widgets").json
            // Custom resource lists keep apiVersion and kind on items.
            #expect(list["items"]?.arrayValue?.first?["kind"] == "Widget")
        }
    }
}
