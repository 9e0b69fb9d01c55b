import KubeAPI
import KubeModel
import Synchronization
import Testing

/// A transport that answers from a script and records what it was sent.
final class ScriptedTransport: KubeTransport {
    struct Sent: Sendable {
        var method: String
        var target: String
        var authorization: String?
    }
    let answers: Mutex<[KubeResponse]>
    let sent = Mutex<[Sent]>([])

    init(_ answers: [KubeResponse]) {
        self.answers = Mutex(answers)
    }

    func send(_ request: KubeRequest, authorization: String?) async throws -> KubeResponse {
        sent.withLock { $0.append(Sent(method: request.method, target: request.target, authorization: authorization)) }
        return answers.withLock { $0.isEmpty ? KubeResponse(status: 500) : $0.removeFirst() }
    }

    func stream(_ request: KubeRequest, authorization: String?) async throws -> (status: Int, lines: AsyncThrowingStream<[UInt8], any Error>) {
        let response = try await send(request, authorization: authorization)
        let lines = response.body.split(separator: UInt8(ascii: "\n")).map(Array.init)
        return (
            response.status,
            AsyncThrowingStream { continuation in
                for line in lines { continuation.yield(line) }
                continuation.finish()
            }
        )
    }
}

func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> KubeResponse {
    KubeResponse(status: status, headers: headers, body: Array(text.utf8))
}

func client(_ transport: ScriptedTransport, retry: RetryPolicy = RetryPolicy(), token: String = "s3cr3t-token") -> KubeClient {
    let connection = ClusterConnection(
        server: "https://127.0.0.1:6443", certificateAuthorityPEM: nil, insecureSkipTLSVerify: false, tlsServerName: nil, namespace: "shop",
        credentials: .token(token), contextName: nil, origin: "test", warnings: [])
    return KubeClient(
        connection: connection, transport: transport, credentials: CredentialSource(.token(token)), configuration: .init(retry: retry),
        sleep: { _ in })
}

let coreDiscovery = """
    {"kind":"APIVersions","versions":["v1"]}
    """
let coreResources = """
    {"kind":"APIResourceList","groupVersion":"v1","resources":[
     {"name":"configmaps","namespaced":true,"kind":"ConfigMap","verbs":["get","list"]},
     {"name":"pods/log","namespaced":true,"kind":"Pod","verbs":["get"]},
     {"name":"namespaces","namespaced":false,"kind":"Namespace","verbs":["get"]}]}
    """
let groupsDiscovery = """
    {"kind":"APIGroupList","groups":[{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}]}
    """
let appsResources = """
    {"kind":"APIResourceList","groupVersion":"apps/v1","resources":[{"name":"deployments","namespaced":true,"kind":"Deployment","verbs":["get"]}]}
    """
let legacyDiscovery = [json(200, coreDiscovery), json(200, coreResources), json(200, groupsDiscovery), json(200, appsResources)]

@Suite struct ClientTests {
    @Test func statusBodiesBecomeTypedErrors() async throws {
        let forbidden = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"web\\" is forbidden: User \\"ci\\" cannot get resource \\"deployments\\" in API group \\"apps\\" in the namespace \\"shop\\"","reason":"Forbidden","details":{"name":"web","group":"apps","kind":"deployments"},"code":403}
            """
        let transport = ScriptedTransport([json(403, forbidden)])
        let error = await #expect(throws: KubeAPIError.self) {
            _ = try await client(transport).send(KubeRequest(method: "GET", path: "/apis/apps/v1/namespaces/shop/deployments/web"))
        }
        #expect(error?.isForbidden == true)
        #expect(error?.name == "web")
        #expect(error?.group == "apps")
        #expect(error?.message.contains("cannot get resource") == true)
        #expect(transport.sent.withLock { $0.count } == 1)
    }

    @Test func conflictCausesNameEachField() async throws {
        let conflict = """
            {"kind":"Status","status":"Failure","message":"Apply failed with 1 conflict","reason":"Conflict","code":409,
             "details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \\"kubectl\\" using apps/v1","field":".spec.replicas"}]}}
            """
        let error = await #expect(throws: KubeAPIError.self) {
            _ = try await client(ScriptedTransport([json(409, conflict)])).send(KubeRequest(method: "PATCH", path: "/x"))
        }
        #expect(error?.isConflict == true)
        #expect(
            error?.causes == [KubeAPIError.Cause(type: "FieldManagerConflict", message: "conflict with \"kubectl\" using apps/v1", field: ".spec.replicas")])
        #expect(error?.description.contains(".spec.replicas: conflict with \"kubectl\"") == true)
    }

    @Test(arguments: [
        ("GET", 503, 2), ("GET", 429, 2), ("POST", 429, 2), ("POST", 500, 1), ("PATCH", 500, 2), ("GET", 404, 1), ("GET", 403, 1),
    ])
    func retriesTransientFailuresOnly(method: String, status: Int, attempts: Int) async throws {
        let transport = ScriptedTransport([json(status, "{}", headers: [("retry-after", "1")]), json(200, "{}")])
        _ = try? await client(transport).send(KubeRequest(method: method, path: "/api/v1/namespaces/shop/configmaps"))
        #expect(transport.sent.withLock { $0.count } == attempts)
    }

    @Test func retriesAreBoundedInCount() async throws {
        let transport = ScriptedTransport(Array(repeating: json(503, "{}"), count: 10))
        await #expect(throws: KubeAPIError.self) {
            _ = try await client(transport, retry: RetryPolicy(maximumAttempts: 3)).send(KubeRequest(method: "GET", path: "/x"))
        }
        #expect(transport.sent.withLock { $0.count } == 3)
    }

    @Test func retryDelayHonoursRetryAfterAndGrowsWithJitter() {
        let policy = RetryPolicy(initialBackoff: .milliseconds(100), maximumBackoff: .seconds(5))
        var random = SystemRandomNumberGenerator()
        let told = KubeAPIError(code: 429, reason: "TooManyRequests", message: "", request: "", retryAfterSeconds: 3)
        #expect(policy.delayForTesting(after: told, attempt: 1, random: &random) == .seconds(3))
        let plain = KubeAPIError(code: 503, reason: "ServiceUnavailable", message: "", request: "")
        for attempt in 1...6 {
            let delay = policy.delayForTesting(after: plain, attempt: attempt, random: &random)
            #expect(delay <= min(.milliseconds(100) * (1 << (attempt - 1)), .seconds(5)))
        }
    }

    @Test func unauthorizedAsksForCredentialsAgainOnce() async throws {
        let transport = ScriptedTransport([json(401, "{}"), json(401, "{}")])
        let error = await #expect(throws: KubeAPIError.self) { _ = try await client(transport).send(KubeRequest(method: "GET", path: "/x")) }
        #expect(error?.code == 401)
        #expect(transport.sent.withLock { $0.count } == 2)
        #expect(transport.sent.withLock { $0.allSatisfy { $0.authorization == "Bearer s3cr3t-token" } })
        // The token never appears in the error.
        #expect(error?.description.contains("s3cr3t") == false)
    }

    @Test func legacyDiscoveryBuildsTheMapper() async throws {
        let transport = ScriptedTransport(legacyDiscovery)
        let mapper = try await client(transport).restMapper()
        let deployment = try #require(mapper.mapping(for: GroupKind(group: "apps", kind: "Deployment")))
        #expect(deployment.objectPath(namespace: "shop", name: "web") == "/apis/apps/v1/namespaces/shop/deployments/web")
        let namespace = try #require(mapper.mapping(for: GroupKind(group: "", kind: "Namespace")))
        #expect(namespace.objectPath(namespace: "shop", name: "shop") == "/api/v1/namespaces/shop")
        #expect(mapper.mapping(group: "", resource: "pods/log") == nil)
    }

    @Test func aggregatedDiscoveryIsUsedWhereServed() async throws {
        let core = """
            {"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","items":[{"metadata":{"name":""},"versions":[{"version":"v1","resources":[
             {"resource":"configmaps","responseKind":{"group":"","version":"v1","kind":"ConfigMap"},"scope":"Namespaced","verbs":["get"]}]}]}]}
            """
        let groups = """
            {"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","items":[{"metadata":{"name":"apps"},"versions":[{"version":"v1","resources":[
             {"resource":"deployments","responseKind":{"group":"apps","version":"v1","kind":"Deployment"},"scope":"Namespaced","verbs":["get"]}]}]}]}
            """
        let transport = ScriptedTransport([json(200, core), json(200, groups)])
        let mapper = try await client(transport).restMapper()
        #expect(mapper.mapping(for: GroupKind(group: "apps", kind: "Deployment"))?.resource == "deployments")
        #expect(transport.sent.withLock { $0.count } == 2)
    }

    @Test func listFollowsContinueTokensAndFillsKinds() async throws {
        let first = """
            {"kind":"ConfigMapList","metadata":{"continue":"abc","resourceVersion":"10"},"items":[{"metadata":{"name":"a"}}]}
            """
        let second = """
            {"kind":"ConfigMapList","metadata":{"resourceVersion":"11"},"items":[{"metadata":{"name":"b"}}]}
            """
        let transport = ScriptedTransport(legacyDiscovery + [json(200, first), json(200, second)])
        let listed = try await client(transport).list(
            GroupKind(group: "", kind: "ConfigMap"), namespace: "shop", options: ListOptions(labelSelector: "app=web", pageSize: 1))
        #expect(listed.objects.map(\.name) == ["a", "b"])
        #expect(listed.objects.allSatisfy { $0.kind == "ConfigMap" && $0.apiVersion == "v1" })
        #expect(listed.resourceVersion == "11")
        let targets = transport.sent.withLock { $0.suffix(2).map(\.target) }
        #expect(
            targets == [
                "/api/v1/namespaces/shop/configmaps?labelSelector=app%3Dweb&limit=1",
                "/api/v1/namespaces/shop/configmaps?labelSelector=app%3Dweb&limit=1&continue=abc",
            ])
    }

    @Test func watchRelistsAfterGone() async throws {
        let events = """
            {"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}
            {"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Gone","message":"too old resource version"}}
            """
        let relist = """
            {"kind":"ConfigMapList","metadata":{"resourceVersion":"20"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}
            """
        let more = """
            {"type":"DELETED","object":{"metadata":{"name":"b","resourceVersion":"21"}}}
            """
        let transport = ScriptedTransport(legacyDiscovery + [json(200, events), json(200, relist), json(200, more)])
        var seen: [String] = []
        for try await event in client(transport).watch(GroupKind(group: "", kind: "ConfigMap"), namespace: "shop", resourceVersion: "1") {
            seen.append("\(event.type) \(event.object.name)")
            if seen.count == 4 { break }
        }
        #expect(seen == ["ADDED a", "ADDED a", "ADDED b", "DELETED b"])
        let targets = transport.sent.withLock { $0.map(\.target) }
        #expect(targets.contains("/api/v1/namespaces/shop/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=1"))
        #expect(targets.contains("/api/v1/namespaces/shop/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=20"))
    }
}
