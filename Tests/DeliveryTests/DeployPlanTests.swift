import KubeModel
import Testing

@testable import Delivery

@Suite("Deploy plan")
struct DeployPlanTests {
    @Test("dependencies first, workloads after, the rest last; stable within a stage")
    func order() {
        let input = [
            make("networking.k8s.io/v1", "Ingress", "web"), make("apps/v1", "Deployment", "web"), make("v1", "Service", "web"),
            make("v1", "ConfigMap", "b"), make("rbac.authorization.k8s.io/v1", "RoleBinding", "rb"),
            make("v1", "PersistentVolumeClaim", "data"), make("v1", "ConfigMap", "a"), make("v1", "Secret", "s"),
            make("rbac.authorization.k8s.io/v1", "Role", "r"), make("v1", "ServiceAccount", "sa"), make("batch/v1", "Job", "j"),
            make("networking.k8s.io/v1", "NetworkPolicy", "np"), make("example.com/v1", "Widget", "w"),
        ]
        let stages = DeployPlan.stages(input).map { $0.map { "\($0.kind)/\($0.name)" } }
        #expect(
            stages == [
                ["NetworkPolicy/np"], ["ServiceAccount/sa"], ["Secret/s"], ["ConfigMap/b", "ConfigMap/a"], ["Role/r"],
                ["RoleBinding/rb"], ["PersistentVolumeClaim/data"], ["Service/web"], ["Deployment/web", "Job/j"],
                ["Ingress/web", "Widget/w"],
            ])
        #expect(DeployPlan.deleteStages(input).first?.map(\.name) == ["web", "w"])
        #expect(DeployPlan.deleteStages(input).last?.map(\.name) == ["np"])
        #expect(DeployPlan.stages([]).isEmpty)
    }

    @Test("a kind of another group is not mistaken for a built-in one")
    func groups() {
        #expect(DeployPlan.stage(of: GroupKind(group: "example.com", kind: "Deployment")) == DeployPlan.order.count)
    }
}

@Suite("Deploy validation")
struct DeployValidationTests {
    let safe = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          template:
            metadata: {labels: {app: web, tier: front}}
            spec:
              containers:
              - {name: app, image: "registry.example:5000/web:1.2", resources: {requests: {cpu: 100m, memory: 64Mi}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web}
        spec:
          podSelector:
            matchLabels: {app: web}
            matchExpressions: [{key: tier, operator: In, values: [front, back]}]
        """

    @Test("a safe deployment has no issues")
    func safeDeployment() throws {
        let result = DeployValidation.validate(try objects(safe), namespace: "team-a", kinds: .builtin)
        #expect(result.errors.isEmpty)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
    }

    @Test("errors: namespace, cluster scope, duplicates, unknown kinds")
    func errors() throws {
        let input = try objects(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a, namespace: team-b}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: admin}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: b}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: b, namespace: team-a}
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            """, file: "app.yaml")
        let result = DeployValidation.validate(input, namespace: "team-a", kinds: .builtin)
        #expect(result.errors.map(\.id) == ["namespace-mismatch", "cluster-scoped", "duplicate", "unknown-kind"])
        #expect(result.errors.map { $0.source?.line ?? 0 } == [1, 5, 13, 17])
        #expect(result.errors[2].message.contains("app.yaml:9"))
        #expect(result.errors[0].object == "ConfigMap team-b/a")
    }

    @Test("duplicates are found by the whole reference, also when the hashes of different references collide")
    func duplicatesWithCollidingHashes() throws {
        let input = try objects(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: b}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: b, namespace: team-a}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a}
            """, file: "app.yaml")
        for hash in [{ (reference: ObjectReference) in reference.hashValue }, { _ in 7 }] {
            let result = DeployValidation.validate(input, namespace: "team-a", kinds: .builtin, strict: false, hashing: hash)
            #expect(result.errors.map(\.id) == ["duplicate", "duplicate", "duplicate"])
            #expect(result.errors.map { $0.source?.line ?? 0 } == [13, 17, 21])
            #expect(
                result.errors.map(\.message) == ["app.yaml:5", "app.yaml:9", "app.yaml:1"].map { "the same object is defined twice; first definition (\($0))" })
        }
    }

    @Test("safeguards warn; --strict makes them errors")
    func safeguards() throws {
        let input = try objects(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                metadata: {labels: {app: web}}
                spec:
                  initContainers: [{name: init, image: "busybox"}]
                  containers: [{name: app, image: "web:latest", resources: {requests: {cpu: 1}}}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {type: LoadBalancer}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: other}
            spec: {podSelector: {matchLabels: {app: other}}}
            """)
        let result = DeployValidation.validate(input, namespace: "team-a", kinds: .builtin)
        #expect(result.errors.isEmpty)
        #expect(
            result.warnings.map(\.id).sorted() == [
                "image-latest", "image-latest", "networkpolicy-missing", "replicas-fewer-than-2", "resources-requests-missing",
                "service-loadbalancer",
            ])
        let strict = DeployValidation.validate(input, namespace: "team-a", kinds: .builtin, strict: true)
        #expect(strict.errors.count == 6 && strict.warnings.isEmpty)
    }

    @Test("an empty podSelector selects every pod; an HPA with minReplicas ≥ 2 counts as replicas")
    func selectorsAndAutoscalers() throws {
        let input = try objects(
            """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              replicas: 1
              template:
                metadata: {labels: {app: db}}
                spec: {containers: [{name: db, image: "postgres@sha256:abc", resources: {requests: {memory: 1Gi}}}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: default-deny}
            spec: {podSelector: {}}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: db}
            spec: {scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}, minReplicas: 2, maxReplicas: 4}
            """)
        #expect(DeployValidation.validate(input, namespace: "team-a", kinds: .builtin).warnings.isEmpty)
    }

    @Test(
        "a NetworkPolicy's podSelector is read as RBAC reads selectors: matchExpressions count, an invalid one selects nothing",
        arguments: [
            ("{matchExpressions: [{key: app, operator: In, values: [db, cache]}]}", true),
            ("{matchLabels: {app: db}, matchExpressions: [{key: tier, operator: DoesNotExist}]}", true),
            ("{matchLabels: {app: web}}", false),
            ("{matchExpressions: [{key: app, operator: Near, values: [db]}]}", false),
        ])
    func podSelectors(selector: String, selects: Bool) throws {
        let input = try objects(
            """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              replicas: 2
              template:
                metadata: {labels: {app: db}}
                spec: {containers: [{name: db, image: "postgres@sha256:abc", resources: {requests: {memory: 1Gi}}}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db}
            spec: {podSelector: \(selector)}
            """)
        let warnings = DeployValidation.validate(input, namespace: "team-a", kinds: .builtin).warnings.map(\.id)
        #expect(warnings == (selects ? [] : ["networkpolicy-missing"]))
    }

    @Test(
        "image references",
        arguments: [
            ("web", false), ("web:latest", false), ("web:", false), ("registry:5000/web", false), ("registry:5000/web:1.0", true),
            ("web@sha256:0123", true), ("ghcr.io/org/web:v2", true),
        ])
    func images(image: String, pinned: Bool) {
        #expect((ImagePinning(image: image).problem == nil) == pinned)
    }

    @Test("an empty tag is named as an invalid reference, not as :latest")
    func emptyTag() {
        #expect(ImagePinning(image: "web:").problem == "has an empty tag (not a valid image reference: the kubelet refuses it as InvalidImageName)")
        #expect(ImagePinning(image: "web:latest").problem == "is tagged :latest")
        #expect(ImagePinning(image: "web").problem == "has no tag (so :latest)")
    }
}
