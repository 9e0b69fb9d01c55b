import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import KubeTestServer
import Testing
import WarrantTestSupport

/// Helm-rendered input: `# Source:` comments, empty maps and lists, `null`, Secrets written with
/// `stringData` and with `data`, quoted and unquoted scalars, and every field the API server
/// drops, defaults or normalises that issue 12 names.
let helmRendered = """
    ---
    # Source: shop/templates/serviceaccount.yaml
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: shop
      labels:
        helm.sh/chart: shop-1.2.3
        app.kubernetes.io/name: "shop"
        app.kubernetes.io/version: "1.16.0"
        app.kubernetes.io/managed-by: Helm
      annotations: {}
    ---
    # Source: shop/templates/secret.yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: shop-db
      labels: {app.kubernetes.io/name: shop}
    type: Opaque
    stringData:
      password: "s3cr3t-hunter2-value"
      port: "5432"
      enabled: 'true'
    ---
    # Source: shop/templates/secret-token.yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: shop-token
    type: Opaque
    data:
      token: c3VwZXItc2VjcmV0LXRva2VuLXZhbHVl
    ---
    # Source: shop/templates/configmap-empty.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: shop-empty
    data: {}
    ---
    # Source: shop/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: shop-settings
      labels:
        tier: web
    data:
      replicas: "2"
      debug: "false"
      ratio: '0.5'
      name: shop
    ---
    # Source: shop/templates/role.yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: shop-none
    rules: []
    ---
    # Source: shop/templates/service.yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: shop
    spec:
      type: ClusterIP
      ports:
        - port: 80
          targetPort: 0
          protocol: TCP
          name: http
      selector:
        app.kubernetes.io/name: shop
    ---
    # Source: shop/templates/hpa.yaml
    # autoscaling/v1, while a list returns the preferred autoscaling/v2
    apiVersion: autoscaling/v1
    kind: HorizontalPodAutoscaler
    metadata:
      name: shop
    spec:
      scaleTargetRef:
        apiVersion: apps/v1
        kind: Deployment
        name: shop
      minReplicas: 1
      maxReplicas: 3
      targetCPUUtilizationPercentage: 80
    ---
    # Source: shop/templates/deployment.yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
    spec:
      replicas: 1
      strategy:
        type: Recreate
        rollingUpdate: null
      selector:
        matchLabels:
          app.kubernetes.io/name: shop
      template:
        metadata:
          annotations: {}
          labels:
            app.kubernetes.io/name: shop
        spec:
          serviceAccountName: shop
          securityContext: {}
          containers:
            - name: shop
              securityContext: {}
              image: "nginx:1.27"
              imagePullPolicy: IfNotPresent
              ports:
                - name: http
                  containerPort: 8080
                  protocol: TCP
              resources: {}
              env: []
              volumeMounts:
                - name: data
                  mountPath: /data
                  subPath: ""
          volumes:
            - name: data
              emptyDir: {}
          nodeSelector: {}
          tolerations: []
    """

/// The values of the Secrets above, plain and base64: none may ever be printed.
let helmSecretValues = [
    "s3cr3t-hunter2-value", "c3VwZXItc2VjcmV0LXRva2VuLXZhbHVl", "super-secret-token-value", Data("s3cr3t-hunter2-value".utf8).base64EncodedString(),
]

func helmObjects() throws -> (objects: [KubeObject], kinds: KindTable) {
    let objects = try ManifestLoader().load(bytes: Array(helmRendered.utf8), file: "shop/rendered.yaml")
    return (objects, KindTable.builtin)
}

func demoObjects() throws -> (objects: [KubeObject], kinds: KindTable) {
    let objects = try ManifestLoader().load([.path(TestData.sharedManifest("microservices-demo.yaml"))])
    return (objects, KindTable.builtin)
}

/// Issue 12 on both servers: nothing written when nothing changed, whatever the input; every
/// write in the record; Secret values nowhere.
@Suite(.timeLimit(.minutes(5))) struct DeployTruthTests {
    // MARK: A no-change deploy writes nothing

    @Test func helmRenderedInputRedeploysWithoutAWriteOnTheTestServer() async throws {
        let confirmed = try await noChangeDeployWritesNothing(.testServer, try helmObjects())
        #expect(confirmed.isEmpty, "the test server stores what it is sent: \(confirmed)")
    }

    /// kube-apiserver drops `data: {}`, returns `rules: []` as null, defaults `targetPort: 0` to
    /// the port and drops `subPath: ""`: those objects look changed next to their listed state,
    /// and the dry run finds they are not. Secrets written with `stringData` need no dry run.
    @Test(.realCluster) func helmRenderedInputRedeploysWithoutAWriteOnKubeAPIServer() async throws {
        let confirmed = try await noChangeDeployWritesNothing(.real, try helmObjects())
        #expect(Set(confirmed) == ["ConfigMap/shop-empty", "Role/shop-none", "Service/shop", "Deployment/shop"], "\(confirmed)")
    }

    @Test(.enabled(if: TestData.sharedManifests != nil, "needs ../shared/testdata/manifests"))
    func theMicroservicesDemoRedeploysWithoutAWriteOrADryRunOnTheTestServer() async throws {
        let confirmed = try await noChangeDeployWritesNothing(.testServer, try demoObjects())
        #expect(confirmed.isEmpty, "every object is decided from its listed state alone: \(confirmed)")
    }

    @Test(.realCluster, .enabled(if: TestData.sharedManifests != nil, "needs ../shared/testdata/manifests"))
    func theMicroservicesDemoRedeploysWithoutAWriteOrADryRunOnKubeAPIServer() async throws {
        let confirmed = try await noChangeDeployWritesNothing(.real, try demoObjects())
        #expect(confirmed.isEmpty, "every object is decided from its listed state alone: \(confirmed)")
    }

    /// Deploys twice and checks that the second deploy wrote no deployed object (their
    /// resourceVersions stay), recorded nothing applied, and that a dry run after it would apply
    /// nothing either. Returns the objects (`Kind/name`) the second deploy needed a dry run for.
    @discardableResult
    func noChangeDeployWritesNothing(_ server: DeployTarget.Server, _ input: (objects: [KubeObject], kinds: KindTable)) async throws -> [String] {
        try await DeployTarget.with(server, objects: input.objects, kinds: input.kinds) { target in
            let first = try await target.deploy(input.objects, kinds: input.kinds)
            #expect(first.isSuccess, "\(server): \(String(describing: first.failure)) \(first.recordProblems)")
            #expect(first.applied.count == input.objects.count)
            let before = try await target.resourceVersions(input.objects)
            #expect(!before.values.contains("missing"))
            let writesBefore = try await target.writes()

            let log = LogCapture()
            let second = try await target.deploy(input.objects, kinds: input.kinds, logger: log.logger)
            #expect(second.isSuccess, "\(server): \(String(describing: second.failure))")
            #expect(second.applied.isEmpty, "\(server) re-applied \(second.applied.map(\.reference))")
            #expect(second.unchanged == input.objects.count)
            #expect(second.record?.applied.isEmpty == true)
            #expect(second.record?.diff.fieldsChanged == 0)
            // No write to any deployed object: only the record (history ConfigMap and Event) and the
            // deploy's Lease (taken and released).
            let writes = try await target.writes().dropFirst(writesBefore.count)
                .filter { !$0.hasSuffix("/configmaps/warrant-history") && !$0.hasSuffix("/events") && !$0.hasSuffix("/leases/warrant-applyset") }
            #expect(writes.isEmpty, "\(server): \(writes)")
            for object in input.objects {
                let live = try await target.live(object.groupKind, object.name)
                #expect(live?.annotations[DeployEngine.recordAnnotation] == first.deployID, "\(object.displayName) names the deploy that wrote it")
            }
            // Controllers write the status of workloads and autoscalers on the real server; nothing
            // else changes.
            let after = try await target.resourceVersions(input.objects)
            let controlled: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "HorizontalPodAutoscaler"]
            func unwatched(_ versions: [String: String]) -> [String: String] {
                versions.filter { !controlled.contains(String($0.key.split(separator: "/")[0])) }
            }
            #expect(unwatched(after) == unwatched(before))

            let dryRun = try await target.deploy(input.objects, kinds: input.kinds) { $0.dryRun = true }
            #expect(dryRun.result == .dryRun)
            #expect(dryRun.applied.isEmpty, "\(server): a dry run would apply \(dryRun.applied.map(\.reference))")
            let records = try await target.records()
            #expect(records.count == 3)
            #expect(records.last?.message == "0 would apply, \(input.objects.count) unchanged, 0 would prune")
            return input.objects.filter { object in
                log.messages.contains { $0.hasPrefix("unchanged after a dry run") && $0.hasSuffix("object=\(object.kind) \(target.namespace)/\(object.name)") }
            }.map { "\($0.kind)/\($0.name)" }
        }
    }

    // MARK: What the manifests dropped is removed

    @Test func aLabelLeftOutOfTheManifestIsRemovedOnTheTestServer() async throws {
        try await droppedFieldIsWritten(.testServer)
    }

    @Test(.realCluster) func aLabelLeftOutOfTheManifestIsRemovedOnKubeAPIServer() async throws {
        try await droppedFieldIsWritten(.real)
    }

    /// A field the manifest no longer sets is a change (server-side apply removes it), although
    /// everything the manifest does set is live with its value.
    func droppedFieldIsWritten(_ server: DeployTarget.Server) async throws {
        let (objects, kinds) = try helmObjects()
        try await DeployTarget.with(server, objects: objects, kinds: kinds) { target in
            #expect(try await target.deploy(objects, kinds: kinds).isSuccess)
            let settings = GroupKind(group: "", kind: "ConfigMap")
            #expect(try await target.live(settings, "shop-settings")?.labels["tier"] == "web")
            let without = objects.map { object -> KubeObject in
                guard object.name == "shop-settings" else { return object }
                var changed = object
                changed.setMetadata("labels", nil)
                changed.content.setValue(nil, at: ["data", "debug"])
                return changed
            }
            let second = try await target.deploy(without, kinds: kinds) { $0.diff = true }
            #expect(second.isSuccess)
            #expect(second.applied.map(\.reference.name) == ["shop-settings"], "\(server)")
            #expect(second.diff.fieldsChanged == 2, "the label and the data entry")
            let live = try #require(try await target.live(settings, "shop-settings"))
            #expect(live.labels["tier"] == nil, "\(server) kept the dropped label")
            #expect(live.content[path: ["data", "debug"]] == nil)
        }
    }

    // MARK: Every write is in the record

    @Test func aStageWhoseLastObjectIsRefusedRecordsTheOthersOnTheTestServer() async throws {
        try await refusedLastObject(.testServer)
    }

    @Test(.realCluster) func aStageWhoseLastObjectIsRefusedRecordsTheOthersOnKubeAPIServer() async throws {
        try await refusedLastObject(.real)
    }

    static let stage = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a-first}
        data: {key: "1"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: b-second}
        data: {key: "2"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: z-last}
        data: {"not a valid key": "3"}
        """

    /// The API server refuses the stage's last object (a key ConfigMaps may not have): the deploy
    /// fails naming it, and the objects of the stage that were written are in the record, which
    /// is exactly the objects that carry its annotation.
    func refusedLastObject(_ server: DeployTarget.Server) async throws {
        let objects = try ManifestLoader().load(bytes: Array(Self.stage.utf8), file: "stage.yaml")
        try await DeployTarget.with(server, objects: objects, kinds: .builtin) { target in
            let outcome = try await target.deploy(objects, kinds: .builtin)
            #expect(outcome.result == .failed)
            let failure = try #require(outcome.failure)
            #expect(failure.code == .api)
            #expect(failure.message.contains("ConfigMap \(target.namespace)/z-last (stage.yaml:11)"), "\(failure)")
            #expect(failure.message.contains("not a valid key"))
            let record = try #require(outcome.record)
            #expect(record.result == .failed)
            #expect(Set(record.applied.map(\.reference.name)) == ["a-first", "b-second"])
            #expect(record.applied.allSatisfy { $0.action == .created })
            try await expectRecordHoldsEveryWrite(target, objects: objects, deployID: outcome.deployID, record: record)

            // The next deploy, with the object fixed, writes only it: the others are unchanged and
            // already in a record.
            let fixed = try ManifestLoader().load(bytes: Array(Self.stage.replacingOccurrences(of: "not a valid key", with: "key").utf8), file: "stage.yaml")
            let next = try await target.deploy(fixed, kinds: .builtin)
            #expect(next.isSuccess)
            #expect(next.applied.map(\.reference.name) == ["z-last"])
            #expect(next.unchanged == 2)
        }
    }

    @Test func aWriteWhoseAnswerWasLostIsRecorded() async throws {
        let objects = try ManifestLoader().load(bytes: Array(Self.stage.replacingOccurrences(of: "not a valid key", with: "key").utf8), file: "stage.yaml")
        try await DeployTarget.with(.testServer, objects: objects, kinds: .builtin) { target in
            let server = try #require(target.testServer)
            // The write of z-last is stored, and every answer to it lost (the client retries).
            server.inject(Fault.dropResponse.method("PATCH").paths(prefix: "/api/v1/namespaces/\(target.namespace)/configmaps/z-last").count(10))
            let log = EventLog()
            let outcome = try await target.deploy(objects, kinds: .builtin, reporter: log.reporter)
            #expect(outcome.result == .failed)
            #expect(outcome.failure?.isUnreachable == true)
            let stored = try #require(try await target.live(GroupKind(group: "", kind: "ConfigMap"), "z-last"))
            #expect(stored.annotations[DeployEngine.recordAnnotation] == outcome.deployID)
            let record = try #require(outcome.record)
            #expect(Set(record.applied.map(\.reference.name)) == ["a-first", "b-second", "z-last"])
            #expect(log.applied.contains("ConfigMap \(target.namespace)/z-last"))
            try await expectRecordHoldsEveryWrite(target, objects: objects, deployID: outcome.deployID, record: record)
        }
    }

    @Test func aDeleteWhoseAnswerWasLostIsRecorded() async throws {
        let objects = try ManifestLoader().load(bytes: Array(Self.stage.replacingOccurrences(of: "not a valid key", with: "key").utf8), file: "stage.yaml")
        try await DeployTarget.with(.testServer, objects: objects, kinds: .builtin) { target in
            #expect(try await target.deploy(objects, kinds: .builtin).isSuccess)
            let server = try #require(target.testServer)
            server.inject(Fault.dropResponse.method("DELETE").paths(prefix: "/api/v1/namespaces/\(target.namespace)/configmaps/z-last").count(10))
            let outcome = try await target.deploy(Array(objects.prefix(2)), kinds: .builtin) { $0.allowBroadCredential = true }
            #expect(outcome.result == .failed)
            #expect(try await target.live(GroupKind(group: "", kind: "ConfigMap"), "z-last") == nil)
            #expect(outcome.record?.pruned.map(\.reference.name) == ["z-last"])
        }
    }

    @Test func conflictsAndRefusalsInOneStageAreReportedTogetherAndTheRestRecorded() async throws {
        let objects = try ManifestLoader().load(bytes: Array(Self.stage.utf8), file: "stage.yaml")
        try await DeployTarget.with(.testServer, objects: objects, kinds: .builtin) { target in
            let server = try #require(target.testServer)
            // Another manager owns b-second's key with another value.
            try await withClient(connection(to: server, token: KubeTestServer.adminToken, namespace: target.namespace)) { client in
                _ = try await client.apply(
                    KubeObject([
                        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "b-second", "namespace": .string(target.namespace)],
                        "data": ["key": "other"],
                    ]),
                    fieldManager: "helm")
            }
            let outcome = try await target.deploy(objects, kinds: .builtin)
            let failure = try #require(outcome.failure)
            #expect(failure.message.hasPrefix("2 objects could not be applied:"), "\(failure)")
            #expect(failure.details.contains { $0.contains("z-last") && $0.contains("not a valid key") })
            #expect(failure.details.contains { $0.contains("b-second") && $0.contains(".data.key") })
            #expect(outcome.record?.applied.map(\.reference.name) == ["a-first"])
        }
    }

    /// Every object carrying `deployID` in its record annotation is in `record`, and only those.
    func expectRecordHoldsEveryWrite(_ target: DeployTarget, objects: [KubeObject], deployID: String, record: DeployRecord) async throws {
        var written: Set<String> = []
        for object in objects {
            if let live = try await target.live(object.groupKind, object.name), live.annotations[DeployEngine.recordAnnotation] == deployID {
                written.insert(object.name)
            }
        }
        #expect(Set(record.applied.map(\.reference.name)) == written, "\(target.server): written \(written), recorded \(record.applied.map(\.reference.name))")
        let stored = try await target.records().first { $0.id == deployID }
        #expect(stored?.applied == record.applied)
    }
}
