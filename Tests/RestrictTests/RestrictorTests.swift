import KubeModel
import RBAC
import Restrict
import Testing

@Suite struct RestrictorTests {
    static let controller = """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: controller, namespace: vendor}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: controller}
        rules:
        - {apiGroups: [""], resources: [secrets, configmaps], verbs: [get, list, watch]}
        - {apiGroups: [""], resources: [events], verbs: [create, patch]}
        - {apiGroups: [""], resources: [services], verbs: [get, list, watch]}
        - {apiGroups: [""], resources: [nodes], verbs: [get]}
        - {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate]}
        - {apiGroups: [example.com], resources: [widgets], verbs: [get]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: controller}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: controller}
        subjects:
        - {kind: ServiceAccount, name: controller, namespace: vendor}
        - {kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}
        """

    @Test func clusterRoleIsSplitBetweenToolAndTargetNamespaces() throws {
        let result = try restrict(Self.controller, profile: .generic)
        #expect(result.installNamespace == "vendor")
        // Secrets and ConfigMaps: the tool's own namespace only.
        let tool = try roleRules(result, "tools", "controller")
        #expect(tool.contains { $0.resources == ["configmaps", "secrets"] && $0.verbs == ["get", "list", "watch"] })
        #expect(tool.contains { $0.resources == ["events"] })
        #expect(!tool.contains { $0.resources.contains("services") })
        // Services (and Events) where applications run.
        for target in ["shop", "blog"] {
            let rules = try roleRules(result, target, "controller")
            #expect(rules.contains { $0.resources == ["services"] })
            #expect(!rules.contains { $0.resources.contains("secrets") || $0.resources.contains("configmaps") })
            let binding = try RBACBinding(try #require(object(result, "RoleBinding", target, "controller")))
            #expect(binding.subjects == [.serviceAccount("controller", namespace: "tools")])
            #expect(binding.roleRef == .role("controller"))
        }
        // The ServiceAccount moved with the tool.
        #expect(object(result, "ServiceAccount", "tools", "controller") != nil)
        // What no Role can grant is listed with what it is and, apart, why and what follows.
        #expect(
            result.changes.contains {
                $0.category == .cannotConfine && $0.summary == "get on nodes"
                    && $0.reason == "Node is cluster-scoped: no Role grants it, so the tool cannot get any Node"
            })
        #expect(result.changes.contains { $0.category == .cut && $0.summary.contains("escalate") })
        #expect(result.changes.contains { $0.category == .cut && $0.summary.contains("widgets") })
        // The group subject is not the tool's: an administrator decides.
        let rest = try #require(result.administratorObjects.first { $0.kind == "ClusterRoleBinding" })
        #expect(try RBACBinding(rest).subjects == [.group("system:authenticated")])
        // Reading Secrets in its own namespace is kept, and recorded as an accepted risk.
        let role = try #require(object(result, "Role", "tools", "controller"))
        #expect(role.annotations["warrant.dev/ignore"] == "W104")
        #expect(role.annotations["warrant.dev/ignore-reason"]?.contains("tools") == true)
    }

    @Test func wildcardsBecomeApplicationKindsAndOwnCustomResources() throws {
        let yaml = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: pipelines.ci.example.com}
            spec:
              group: ci.example.com
              scope: Namespaced
              names: {kind: Pipeline, plural: pipelines}
              versions: [{name: v1, served: true, storage: true, subresources: {status: {}}}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: everything}
            rules:
            - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: everything}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
            subjects: [{kind: ServiceAccount, name: runner, namespace: ci}]
            """
        let result = try restrict(yaml, targets: ["shop"])
        let tool = try roleRules(result, "tools", "everything")
        #expect(tool.allSatisfy { $0.apiGroups == ["ci.example.com"] })
        #expect(tool.contains { $0.resources == ["pipelines", "pipelines/status"] && $0.verbs == ApplicationKind.manageVerbs })
        let target = try roleRules(result, "shop", "everything")
        let granted = Set(target.flatMap { rule in rule.resources.map { "\(rule.apiGroups[0])/\($0)" } })
        let expected = Set(ApplicationKind.defaults.map { "\($0.group)/\($0.resource)" })
        #expect(granted == expected)
        #expect(!target.contains { $0.verbs.contains("*") || $0.resources.contains("*") || $0.apiGroups.contains("*") })
        // The administrator aggregates the custom resources into admin.
        let aggregated = try RBACRole(try #require(result.administratorObjects.first { $0.kind == "ClusterRole" }))
        #expect(aggregated.labels[BootstrapPolicy.aggregateToAdminLabel] == "true")
        #expect(aggregated.rules.contains { $0.resources.contains("pipelines") && $0.verbs.contains("deletecollection") })
    }

    @Test func roleBindingToAnInputClusterRoleGetsARoleCopy() throws {
        let yaml = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader}
            rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: reader, namespace: vendor}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
            subjects: [{kind: ServiceAccount, name: app, namespace: vendor}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: viewer, namespace: vendor}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects: [{kind: ServiceAccount, name: app}]
            """
        let result = try restrict(yaml)
        let binding = try RBACBinding(try #require(object(result, "RoleBinding", "tools", "reader")))
        #expect(binding.roleRef == .role("reader"))
        #expect(binding.subjects == [.serviceAccount("app", namespace: "tools")])
        #expect(try roleRules(result, "tools", "reader") == [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"])])
        // Binding the built-in view role is what a namespace administrator may do: kept.
        let viewer = try RBACBinding(try #require(object(result, "RoleBinding", "tools", "viewer")))
        #expect(viewer.roleRef == .clusterRole("view"))
        #expect(!result.objects.contains { $0.kind == "ClusterRole" })
    }

    @Test func objectsInForeignNamespacesAndUnknownToAdminGoToTheAdministrator() throws {
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: auth, namespace: kube-system}
            ---
            apiVersion: v1
            kind: LimitRange
            metadata: {name: limits, namespace: vendor}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: vendor}
            """
        let result = try restrict(yaml)
        #expect(result.objects.map(\.displayName) == ["ConfigMap tools/settings"])
        #expect(Set(result.administratorObjects.map(\.kind)) == ["ConfigMap", "LimitRange"])
        #expect(result.changes.filter { $0.category == .needsAdministrator }.count == 2)
    }

    @Test(arguments: [
        (["tools"], ["Shop"], "'Shop' is not a valid namespace name", RestrictError.Code.invalidNamespace),
        (["tools"], [], "no target namespaces", .noTargetNamespaces),
        (["-tools"], ["shop"], "'-tools' is not a valid namespace name", .invalidNamespace),
    ])
    func badOptionsAreErrors(tool: [String], targets: [String], message: String, code: RestrictError.Code) throws {
        let error = #expect(throws: RestrictError.self) {
            try restrict("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", tool: tool[0], targets: targets)
        }
        #expect(error?.message == message)
        #expect(error?.code == code)
        #expect(error?.location == nil)
    }

    @Test func unknownKindsAreErrorsNamingTheFileAndLine() throws {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n"
        let error = try #require(throws: RestrictError.self) { try restrict(yaml) }
        #expect(error.code == .unknownKinds)
        #expect(error.location?.line == 5 && error.location?.file.hasSuffix("install.yaml") == true)
        #expect(error.message.contains("install.yaml:5"))
        #expect(error.message.contains("Gadget.example.com"))
        #expect(error.hint.contains("--resource-map"))
    }

    @Test(
        arguments: [
            ("nginx", "has no tag (so :latest)"), ("nginx:latest", "is tagged :latest"), ("registry:5000/app", "has no tag (so :latest)"),
            ("registry:5000/app:1.2", nil), ("app@sha256:abc", nil), ("ghcr.io/fluxcd/source-controller:v1.3.0", nil),
            // Once taken for pinned here while `warrant deploy` flagged it: not a valid reference.
            ("nginx:", "has an empty tag (not a valid image reference: the kubelet refuses it as InvalidImageName)"),
        ] as [(String, String?)])
    func imagesWithoutAPinnedTagAreFlagged(image: String, problem: String?) throws {
        let yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers: [{name: web, image: "\(image)", resources: {requests: {cpu: 2, memory: 4Gi}}}]
            """
        let result = try restrict(yaml)
        let warnings = result.changes.filter { $0.category == .warning }.map(\.summary)
        if let problem {
            #expect(warnings == ["container web: image \(image) \(problem); pin a version (or a digest)"])
        } else {
            #expect(warnings.isEmpty)
        }
        // Requests above the default limits raise the limits to the requests, never below them.
        let container = try #require(result.objects.first?.content[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first)
        #expect(container[path: ["resources", "limits", "cpu"]] == 2)
        #expect(container[path: ["resources", "limits", "memory"]] == "4Gi")
    }

    @Test func profileIsDetected() throws {
        #expect(ToolProfile.detect([]) == .generic)
        let argo = try ManifestLoader().load(bytes: Array("apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: default}\n".utf8), file: "a")
        #expect(ToolProfile.detect(argo) == .argocd)
        let flux = try ManifestLoader().load(
            bytes: Array("apiVersion: v1\nkind: Namespace\nmetadata: {name: f, labels: {app.kubernetes.io/part-of: flux}}\n".utf8), file: "f")
        #expect(ToolProfile.detect(flux) == .flux)
    }
}
