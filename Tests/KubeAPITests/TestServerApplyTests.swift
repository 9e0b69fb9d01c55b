import Foundation
import KubeModel
import KubeTestServer
import NIOHTTP1
import Testing

@Suite("Test server: server-side apply and patches", .timeLimit(.minutes(2)))
struct TestServerApplyTests {
    static let path = "/apis/apps/v1/namespaces/shop/deployments/web"

    @Test func applyCreatesAndTracksFields() async throws {
        try await withTestServer { server, admin in
            #expect(try await admin.post("/api/v1/namespaces", shopNamespace).status == 201)
            let created = try await admin.apply(Self.path, deploymentYAML)
            #expect(created.status == 201)
            let entries = try #require(created.json[path: ["metadata", "managedFields"]]?.arrayValue)
            #expect(entries.count == 1)
            #expect(entries[0]["manager"] == "warrant")
            #expect(entries[0]["operation"] == "Apply")
            #expect(entries[0]["apiVersion"] == "apps/v1")
            #expect(entries[0]["fieldsType"] == "FieldsV1")
            let fields = try #require(entries[0]["fieldsV1"])
            #expect(fields[path: ["f:spec", "f:replicas"]] == [:])
            #expect(fields[path: ["f:metadata", "f:labels", "f:app"]] == [:])
            #expect(fields[path: ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#]] == [".": [:], "f:image": [:], "f:name": [:]])
            #expect(fields[path: ["f:metadata", "f:name"]] == nil)

            // A no-change apply keeps the resourceVersion.
            let version = created.json[path: ["metadata", "resourceVersion"]]
            let again = try await admin.apply(Self.path, deploymentYAML)
            #expect(again.status == 200)
            #expect(again.json[path: ["metadata", "resourceVersion"]] == version)
            _ = server
        }
    }

    @Test func conflictsWithAnotherManager() async throws {
        try await withTestServer { _, admin in
            #expect(try await admin.post("/api/v1/namespaces", shopNamespace).status == 201)
            #expect(try await admin.apply(Self.path, deploymentYAML, manager: "other").status == 201)
            let changed = deploymentYAML.replacingOccurrences(of: "replicas: 2", with: "replicas: 5")
            let conflict = try await admin.apply(Self.path, changed)
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"] == "Conflict")
            #expect(conflict.json["message"] == #"Apply failed with 1 conflict: conflict with "other" using apps/v1: .spec.replicas"#)
            #expect(
                conflict.json[path: ["details", "causes"]] == [
                    ["type": "FieldManagerConflict", "message": #"conflict with "other" using apps/v1"#, "field": ".spec.replicas"]
                ])
            // The same values do not conflict: both managers own them.
            #expect(try await admin.apply(Self.path, deploymentYAML).status == 200)

            let forced = try await admin.apply(Self.path, changed, force: true)
            #expect(forced.status == 200)
            #expect(forced.json[path: ["spec", "replicas"]] == 5)
            let other = forced.json[path: ["metadata", "managedFields"]]?.arrayValue?.first { $0["manager"] == "other" }
            #expect(other?[path: ["fieldsV1", "f:spec", "f:replicas"]] == nil)
        }
    }

    @Test func fieldsNoLongerAppliedAreRemoved() async throws {
        try await withTestServer { _, admin in
            #expect(try await admin.post("/api/v1/namespaces", shopNamespace).status == 201)
            let withExtra = deploymentYAML.replacingOccurrences(of: "labels: {app: web}\n", with: "labels: {app: web, extra: x}\n")
            #expect(try await admin.apply(Self.path, withExtra).status == 201)
            let applied = try await admin.apply(Self.path, deploymentYAML)
            #expect(applied.json[path: ["metadata", "labels"]] == ["app": "web"])
            // A field another manager also owns stays.
            #expect(try await admin.apply(Self.path, withExtra, manager: "second").status == 200)
            #expect(try await admin.apply(Self.path, withExtra).status == 200)
            let removed = try await admin.apply(Self.path, deploymentYAML)
            #expect(removed.json[path: ["metadata", "labels", "extra"]] == "x")
        }
    }

    @Test func applyNeedsFieldManagerAndUpdatesConflict() async throws {
        try await withTestServer { _, admin in
            #expect(try await admin.post("/api/v1/namespaces", shopNamespace).status == 201)
            let missing = try await admin.request(.PATCH, Self.path, body: deploymentYAML, contentType: "application/apply-patch+yaml")
            #expect(missing.status == 422)
            #expect(try await admin.apply(Self.path, deploymentYAML).status == 201)
            // A merge patch by kubectl scale-like manager takes replicas; a later apply conflicts with it.
            let patched = try await admin.request(
                .PATCH, Self.path + "?fieldManager=kubectl-scale", body: #"{"spec":{"replicas":7}}"#, contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            #expect(patched.json[path: ["spec", "replicas"]] == 7)
            let conflict = try await admin.apply(Self.path, deploymentYAML)
            #expect(conflict.status == 409)
            #expect(conflict.json["message"]?.stringValue?.hasPrefix(#"Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1 at "#) == true)
        }
    }

    @Test func mergeStrategicAndJSONPatches() async throws {
        try await withTestServer { server, admin in
            try server.seed([try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: '1', b: '2'}}")])
            let path = "/api/v1/namespaces/default/configmaps/c"
            let merge = try await admin.request(.PATCH, path, body: #"{"data":{"a":null,"c":"3"}}"#, contentType: "application/merge-patch+json")
            #expect(merge.json["data"] == ["b": "2", "c": "3"])
            let strategic = try await admin.request(.PATCH, path, body: #"{"data":{"d":"4"}}"#, contentType: "application/strategic-merge-patch+json")
            #expect(strategic.json["data"] == ["b": "2", "c": "3", "d": "4"])
            let json = try await admin.request(
                .PATCH, path, body: #"[{"op":"replace","path":"/data/b","value":"x"},{"op":"remove","path":"/data/c"}]"#,
                contentType: "application/json-patch+json")
            #expect(json.json["data"] == ["b": "x", "d": "4"])
            let unsupported = try await admin.request(.PATCH, path, body: "{}", contentType: "text/plain")
            #expect(unsupported.status == 415)
            #expect(
                try await admin.request(.PATCH, "/api/v1/namespaces/default/configmaps/none", body: "{}", contentType: "application/merge-patch+json").status
                    == 404)
        }
    }
}
