import AsyncHTTPClient
import Foundation
import KubeModel
import KubeTestServer
import NIOCore
import NIOHTTP1
import Testing

@Suite("Test server: watch", .timeLimit(.minutes(2)))
struct TestServerWatchTests {
    /// Reads watch events (one JSON object per line) until `count` arrived or the stream ended.
    static func events(_ admin: TestClient, _ path: String, count: Int, during action: @Sendable () async throws -> Void = {}) async throws -> [JSONValue] {
        var seen = 0
        return try await events(
            admin, path,
            until: { _ in
                seen += 1
                return seen >= count
            }, during: action)
    }

    /// The events of a watch, up to the first for which `last` holds (the stream ends after 20 s).
    static func events(
        _ admin: TestClient, _ path: String, until last: (JSONValue) -> Bool, during action: @Sendable () async throws -> Void = {}
    ) async throws -> [JSONValue] {
        var request = HTTPClientRequest(url: admin.server.url + path)
        request.headers.add(name: "Authorization", value: "Bearer \(KubeTestServer.adminToken)")
        let response = try await admin.client.execute(request, timeout: .seconds(20))
        #expect(response.status.code == 200)
        try await action()
        var events: [JSONValue] = []
        var pending: [UInt8] = []
        for try await chunk in response.body {
            pending += Array(buffer: chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeFirst(newline + 1)
                if let value = try? ManifestLoader().documents(bytes: line, file: "event").first?.value {
                    events.append(value)
                    if last(value) { return events }
                }
            }
        }
        return events
    }

    @Test func watchStreamsChangesAndReplaysFromAVersion() async throws {
        try await withTestServer { server, admin in
            try server.seed([try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}")])
            let start = try await admin.get("/api/v1/namespaces/default/configmaps").json[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            let events = try await Self.events(admin, "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(start)", count: 3) {
                _ = try await admin.post("/api/v1/namespaces/default/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}"#)
                _ = try await admin.request(
                    .PATCH, "/api/v1/namespaces/default/configmaps/b", body: #"{"data":{"k":"v"}}"#, contentType: "application/merge-patch+json")
                _ = try await admin.request(.DELETE, "/api/v1/namespaces/default/configmaps/b")
            }
            #expect(events.map { $0["type"] } == ["ADDED", "MODIFIED", "DELETED"])
            #expect(events[1][path: ["object", "data", "k"]] == "v")

            // Replaying from the start gives the same events; without a version, ADDED for what exists.
            let replay = try await Self.events(admin, "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(start)&timeoutSeconds=1", count: 3)
            #expect(replay.map { $0["type"] } == ["ADDED", "MODIFIED", "DELETED"])
            let initial = try await Self.events(admin, "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1", count: 1)
            #expect(initial.map { $0[path: ["object", "metadata", "name"]] } == ["a"])
        }
    }

    @Test func tooOldVersionIsGone() async throws {
        var configuration = KubeTestServer.Configuration()
        configuration.eventHistoryLimit = 2
        try await withTestServer(configuration) { server, admin in
            for name in ["a", "b", "c", "d"] {
                try server.seed([KubeObject(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)]])])
            }
            let events = try await Self.events(admin, "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2", count: 1)
            #expect(events.first?["type"] == "ERROR")
            #expect(events.first?[path: ["object", "code"]] == 410)
            #expect(events.first?[path: ["object", "reason"]] == "Expired")
            #expect(events.first?[path: ["object", "message"]]?.stringValue?.hasPrefix("too old resource version: 2") == true)
        }
    }

    @Test func bookmarksAndLabelFilters() async throws {
        var configuration = KubeTestServer.Configuration()
        configuration.bookmarkInterval = .seconds(1)
        try await withTestServer(configuration) { server, admin in
            // Read until the ADDED event: on a loaded machine any number of bookmarks can come
            // before it (with a count of 2, the whole suite on two cores once saw two bookmarks).
            let events = try await Self.events(
                admin, "/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&labelSelector=app%3Dweb",
                until: { $0["type"] == "ADDED" }
            ) {
                try server.seed([try object("{apiVersion: v1, kind: ConfigMap, metadata: {name: other}}")])
                _ = try await admin.post(
                    "/api/v1/namespaces/default/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web","labels":{"app":"web"}}}"#)
            }
            #expect(events.contains { $0["type"] == "ADDED" && $0[path: ["object", "metadata", "name"]] == "web" })
            #expect(!events.contains { $0[path: ["object", "metadata", "name"]] == "other" })
            let bookmarks = try await Self.events(
                admin, "/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=\(Int.max / 2)", count: 1)
            #expect(bookmarks.first?["type"] == "BOOKMARK")
            #expect(bookmarks.first?[path: ["object", "kind"]] == "ConfigMap")
        }
    }
}
