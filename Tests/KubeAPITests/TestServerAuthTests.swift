import AsyncHTTPClient
import Foundation
import KubeModel
import KubeTestServer
import NIOHTTP1
import Testing

@Suite("Test server: TLS and authentication", .timeLimit(.minutes(2)))
struct TestServerAuthTests {
    @Test func servesHTTPSWithItsCA() async throws {
        try await withTestServer { server, admin in
            #expect(server.url.hasPrefix("https://127.0.0.1:"))
            #expect(server.caCertificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
            let reply = try await admin.get("/version")
            #expect(reply.status == 200)
            #expect(reply.json["major"] == "1")
        }
    }

    @Test func anonymousAndUnknownTokensGet401Status() async throws {
        try await withTestServer { _, admin in
            var anonymous = admin
            anonymous.token = nil
            let reply = try await anonymous.get("/api/v1/namespaces")
            #expect(reply.status == 401)
            #expect(
                reply.json == [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized",
                    "code": 401,
                ])
            #expect(try await admin.get("/api/v1/namespaces", token: "nope").status == 401)
        }
    }

    @Test func addedUsersAreAuthenticatedAndSubjectToRBAC() async throws {
        try await withTestServer { server, admin in
            server.addUser(token: "alice-token", name: "alice")
            let reply = try await admin.get("/api/v1/namespaces/default/configmaps", token: "alice-token")
            #expect(reply.status == 403)
            #expect(
                reply.json["message"] == #"configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default""#)
            // Discovery is open to every authenticated user (system:discovery).
            #expect(try await admin.get("/apis", token: "alice-token").status == 200)
        }
    }

    @Test func clientCertificatesAuthenticateAsCommonNameAndOrganizations() async throws {
        try await withTestServer { server, _ in
            let masters = try server.issueClientCertificate(user: "root", groups: ["system:masters"])
            let client = try TestClient.makeClient(server: server, certificate: masters)
            let asRoot = TestClient(server: server, client: client, token: nil)
            let review = try await asRoot.post(
                "/apis/authentication.k8s.io/v1/selfsubjectreviews", #"{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}"#)
            #expect(review.status == 201)
            #expect(review.json[path: ["status", "userInfo", "username"]] == "root")
            #expect(review.json[path: ["status", "userInfo", "groups"]] == ["system:masters", "system:authenticated"])
            #expect(try await asRoot.get("/api/v1/namespaces").status == 200)
            try await client.shutdown()

            let plain = try server.issueClientCertificate(user: "bob", groups: [])
            let bobClient = try TestClient.makeClient(server: server, certificate: plain)
            let reply = try await TestClient(server: server, client: bobClient, token: nil).get("/api/v1/namespaces")
            #expect(reply.status == 403)
            #expect(reply.json["message"] == #"namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope"#)
            try await bobClient.shutdown()
        }
    }
}
