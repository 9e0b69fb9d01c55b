import Audit
import KubeModel
import RBAC
import Restrict
import Testing
import WarrantTestSupport

private let corpus = Testing.ConditionTrait.enabled(if: TestData.sharedManifests != nil, "../shared/testdata/manifests is absent")

/// The proof the issue asks for, on the real upstream installs: the output audits clean, a
/// namespace administrator may apply it under escalation prevention, it applies cleanly, and
/// restricting it again changes nothing.
@Suite(corpus, .ownThread) struct RealWorldRestrictTests {
    static let installs = [
        "argocd-install.yaml", "argocd-namespace-install.yaml", "flux2-gotk-components.yaml", "ingress-nginx-cloud-deploy.yaml",
    ]

    @Test(arguments: installs) func outputAuditsWithoutClusterGrantsOrFindingsAboveMedium(file: String) throws {
        let (_, result) = try restrictShared(file)
        let output = try reloaded(result.objects)
        let kinds = try KindTable.builtin.adding(customResourceDefinitionsIn: result.administratorObjects)
        let report = Auditor().audit(objects: output, policy: try RBACPolicy(objects: output, defaultNamespace: "tools"), kinds: kinds)
        #expect(report.verdict.clusterWideGrants.isEmpty)
        #expect(report.subjects.allSatisfy { !$0.isClusterWide })
        let aboveMedium = report.findings.filter { $0.severity > .medium }
        #expect(aboveMedium.isEmpty, "\(aboveMedium.map(\.message))")
        // What is kept on purpose stays visible: suppressed, with a reason, never dropped.
        #expect(report.suppressed.allSatisfy { $0.suppression?.isEmpty == false })
        #expect(report.suppressed.allSatisfy { ["W104", "W115", "W401"].contains($0.checkID) })
    }

    /// A namespace administrator — bound to the built-in `admin` ClusterRole in the tool and
    /// target namespaces, nothing else — may create every Role and RoleBinding of the output once
    /// the administrator's objects (the aggregated ClusterRole for the tool's custom resources)
    /// are installed: Kubernetes' escalation check (`ConfirmNoEscalation`, with aggregation).
    @Test(arguments: installs) func namespaceAdministratorMayApplyOutputUnderEscalationPrevention(file: String) throws {
        let (_, result) = try restrictShared(file)
        let namespaces = ["tools", "shop", "blog"]
        var clusterRoles = BootstrapPolicy.clusterRoles
        for object in result.administratorObjects where object.kind == "ClusterRole" && object.labels[BootstrapPolicy.aggregateToAdminLabel] == "true" {
            clusterRoles.append(try RBACRole(object))
        }
        let bindings = namespaces.map { RBACBinding.roleBinding("team-admin", namespace: $0, roleRef: .clusterRole("admin"), subjects: [.user("alice")]) }
        let policy = RBACPolicy(roles: clusterRoles, bindings: bindings)
        let alice = UserInfo(name: "alice")
        let outputRoles = try result.objects.filter { $0.kind == "Role" }.map(RBACRole.init)
        #expect(!outputRoles.isEmpty)
        for role in outputRoles {
            let namespace = try #require(role.namespace)
            #expect(namespaces.contains(namespace))
            let check = policy.mayGrant(role.rules, user: alice, namespace: namespace)
            #expect(check.allowed, "\(role) grants what admin does not hold: \(check.uncovered)")
        }
        for binding in try result.objects.filter({ $0.kind == "RoleBinding" }).map(RBACBinding.init) {
            let namespace = try #require(binding.namespace)
            let rules: [PolicyRule]
            if binding.roleRef.kind == "Role" {
                rules = try #require(outputRoles.first { $0.name == binding.roleRef.name && $0.namespace == namespace }, "\(binding)").rules
            } else {
                rules = try #require(policy.clusterRole(named: binding.roleRef.name), "\(binding)").rules
            }
            #expect(policy.mayGrant(rules, user: alice, namespace: namespace).allowed, "\(binding)")
        }
        // Every other object is one the administrator may create in its namespace.
        let kinds = try KindTable.builtin.adding(customResourceDefinitionsIn: result.administratorObjects)
        for object in result.objects where !RBACAPI.isRBACObject(object) {
            let kind = try #require(kinds.kind(object.groupKind) ?? ToolProfileKinds.lookup(object), "\(object.displayName)")
            let request = AccessRequest(
                user: alice, verb: "create", apiGroup: kind.group, resource: kind.resource, namespace: object.namespace ?? "")
            #expect(policy.allows(request), "\(object.displayName)")
        }
    }

    @Test(arguments: installs) func outputAppliesCleanlyAndRestrictingItAgainChangesNothing(file: String) throws {
        let (input, result) = try restrictShared(file)
        let output = try reloaded(result.objects)
        #expect(output.map(\.content) == result.objects.map(\.content))
        let kinds = try KindTable.builtin.adding(customResourceDefinitionsIn: input)
        var keys: Set<String> = []
        for object in output {
            let kind = try #require(kinds.kind(object.groupKind) ?? ToolProfileKinds.lookup(object), "\(object.displayName)")
            #expect(kind.namespaced, "\(object.displayName) is cluster-scoped")
            #expect(["tools", "shop", "blog"].contains(object.namespace ?? ""), "\(object.displayName)")
            #expect(keys.insert(object.key).inserted, "duplicate \(object.displayName)")
        }
        #expect(!output.contains { $0.kind == "ClusterRole" || $0.kind == "ClusterRoleBinding" })
        // Nothing disappears: every input object is in the output, in the administrator's file,
        // or replaced with a reason in the report.
        let reported = Set(result.changes.map(\.object))
        for object in input {
            let kept = output.contains { $0.groupKind == object.groupKind && $0.name == object.name }
            let moved = result.administratorObjects.contains { $0.groupKind == object.groupKind && $0.name == object.name }
            #expect(kept || moved || reported.contains(object.displayName), "\(object.displayName) vanished")
        }
        // Idempotent, read as a user would give it back: without the CRDs, which moved away.
        let again = try Restrictor(options: result.options).restrict(
            objects: output, kinds: try KindTable.builtin.adding(customResourceDefinitionsIn: output))
        #expect(again.objects.map(\.content) == output.map(\.content))
        #expect(again.profile == result.profile)
        #expect(again.toolName == result.toolName)
        // And with the administrator's objects given beside it: neither file changes.
        let administrator = try reloaded(result.administratorObjects)
        let withAdministrator = try Restrictor(options: result.options).restrict(
            objects: output + administrator, kinds: try KindTable.builtin.adding(customResourceDefinitionsIn: administrator))
        #expect(withAdministrator.objects.map(\.content) == output.map(\.content))
        #expect(withAdministrator.administratorObjects.map(\.displayName) == administrator.map(\.displayName))
        #expect(withAdministrator.administratorObjects.map(\.content) == administrator.map(\.content))
        #expect(withAdministrator.profile == result.profile)
    }

    @Test func argoCDInstallGetsNamespacedDestinationProjectAndNoOwnLogIn() throws {
        let (_, result) = try restrictShared("argocd-install.yaml")
        #expect(result.profile == .argocd)
        #expect(result.installNamespace == "argocd")
        let destination = try #require(object(result, "Secret", "tools", "argocd-cluster-in-cluster"))
        #expect(destination.labels["argocd.argoproj.io/secret-type"] == "cluster")
        #expect(destination.content[path: ["stringData", "namespaces"]] == "shop,blog")
        #expect(destination.content[path: ["stringData", "clusterResources"]] == "false")
        #expect(destination.content[path: ["stringData", "server"]] == "https://kubernetes.default.svc")
        let project = try #require(object(result, "AppProject", "tools", "default"))
        #expect(project.content[path: ["spec", "clusterResourceWhitelist"]] == [])
        let destinations = try #require(project.content[path: ["spec", "destinations"]]?.arrayValue)
        #expect(destinations.compactMap { $0["namespace"]?.stringValue } == ["shop", "blog"])
        let settings = try #require(object(result, "ConfigMap", "tools", "argocd-cm"))
        #expect(settings.content[path: ["data", "admin.enabled"]] == "false")
        #expect(settings.content[path: ["data", "resource.inclusions"]]?.stringValue?.contains("Deployment") == true)

        // The controller's cluster-wide '*' became explicit application kinds in each target.
        for target in ["shop", "blog"] {
            let rules = try roleRules(result, target, "argocd-application-controller")
            #expect(!rules.contains { $0.verbs.contains("*") || $0.resources.contains("*") || $0.apiGroups.contains("*") })
            #expect(rules.contains { $0.apiGroups == ["apps"] && $0.resources.contains("deployments") && $0.verbs.contains("create") })
            #expect(!rules.contains { $0.resources.contains("secrets") })
            #expect(object(result, "RoleBinding", target, "argocd-application-controller") != nil)
        }
        // What a namespaced Role cannot do is reported, not dropped.
        #expect(result.changes.contains { $0.category == .cannotConfine && $0.reason.contains("non-resource URLs") })
        #expect(result.changes.contains { $0.category == .cut && $0.summary.contains("workflows") })
        // The CRDs and the aggregated ClusterRole are for the administrator.
        #expect(result.administratorObjects.filter { $0.kind == "CustomResourceDefinition" }.count == 3)
        let aggregated = try #require(result.administratorObjects.first { $0.kind == "ClusterRole" })
        #expect(aggregated.labels[BootstrapPolicy.aggregateToAdminLabel] == "true")
        #expect(try RBACRole(aggregated).rules.allSatisfy { $0.apiGroups == ["argoproj.io"] })
        // Every container has requests and limits; :latest images are flagged.
        for workload in result.objects where ["Deployment", "StatefulSet"].contains(workload.kind) {
            for container in workload.content[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? [] {
                #expect(container[path: ["resources", "requests", "cpu"]] != nil, "\(workload.displayName)")
                #expect(container[path: ["resources", "limits", "memory"]] != nil, "\(workload.displayName)")
            }
        }
        #expect(result.changes.contains { $0.category == .warning && $0.summary.contains("quay.io/argoproj/argocd:latest") })
    }

    /// `namespace-install.yaml` binds the application controller and the server in their own
    /// namespace only; the confined install must still be able to deploy into every target,
    /// and what the administrator applies (Argo CD's CRDs, which this file lacks) must be in the
    /// administrator's objects.
    @Test func argoCDNamespaceInstallGetsDestinationRolesAndItsCRDs() throws {
        let (_, bare) = try restrictShared("argocd-namespace-install.yaml")
        #expect(bare.profile == .argocd)
        for target in ["shop", "blog"] {
            let controller = try roleRules(bare, target, "argocd-application-controller")
            for resource in ["deployments", "services", "configmaps", "ingresses"] {
                #expect(controller.contains { $0.resources.contains(resource) && $0.verbs.contains("create") }, "\(resource) in \(target)")
            }
            let binding = try RBACBinding(try #require(object(bare, "RoleBinding", target, "argocd-application-controller")))
            #expect(binding.subjects == [.serviceAccount("argocd-application-controller", namespace: "tools")])
            #expect(binding.roleRef == .role("argocd-application-controller"))
            let server = try roleRules(bare, target, "argocd-server")
            #expect(server.contains { $0.resources.contains("deployments") && $0.verbs == ["get", "patch", "delete"] })
        }
        // Without the CRDs, the report says so first, and how to give them.
        #expect(bare.administratorObjects.filter { $0.kind == "CustomResourceDefinition" }.isEmpty)
        #expect(
            bare.attention.contains {
                $0.hasPrefix("Argo CD's CRDs applications.argoproj.io, applicationsets.argoproj.io, appprojects.argoproj.io are not in the input")
            })
        #expect(bare.prerequisites.contains { $0.hasPrefix("Apply the CRDs applications.argoproj.io") })

        // With them (--crds-from install.yaml) they are in the administrator's objects, and nothing else of that file is.
        let objects = try ManifestLoader().load([.path(TestData.sharedManifest("argocd-namespace-install.yaml"))])
        let full = try ManifestLoader().load([.path(TestData.sharedManifest("argocd-install.yaml"))])
        let result = try Restrictor(options: RestrictOptions(toolNamespace: "tools", targetNamespaces: ["shop", "blog"])).restrict(
            objects: objects, kinds: .builtin, customResourceDefinitions: full)
        #expect(
            result.administratorObjects.map(\.displayName) == [
                "CustomResourceDefinition applications.argoproj.io", "CustomResourceDefinition applicationsets.argoproj.io",
                "CustomResourceDefinition appprojects.argoproj.io", "ClusterRole warrant-argocd-tools-aggregate-to-admin",
            ])
        #expect(!result.attention.contains { $0.contains("CRDs") })
        #expect(result.objects.map(\.content) == bare.objects.map(\.content))
    }

    @Test func fluxGetsLockdownFlagsAndARiskAnalysis() throws {
        let (_, result) = try restrictShared("flux2-gotk-components.yaml", targets: ["apps"])
        #expect(result.profile == .flux)
        #expect(result.installNamespace == "flux-system")
        let kustomize = try #require(object(result, "Deployment", "tools", "kustomize-controller"))
        let arguments = (kustomize.content[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["args"]?.arrayValue ?? [])
            .compactMap(\.stringValue)
        for flag in [
            "--no-cross-namespace-refs=true", "--no-remote-bases=true", "--default-service-account=flux-reconciler",
            "--watch-all-namespaces=false", "--events-addr=http://notification-controller.tools.svc.cluster.local./",
        ] {
            #expect(arguments.contains(flag), "\(flag) missing in \(arguments)")
        }
        #expect(arguments.filter { $0.hasPrefix("--watch-all-namespaces") }.count == 1)
        // cluster-admin is gone; the reconciler ServiceAccount holds Roles in the targets only.
        #expect(!result.objects.contains { $0.content[path: ["roleRef", "name"]] == "cluster-admin" })
        #expect(object(result, "ServiceAccount", "tools", "flux-reconciler") != nil)
        let reconciler = try roleRules(result, "apps", "flux-reconciler")
        #expect(reconciler.contains { $0.resources.contains("deployments") })
        let impersonation = try roleRules(result, "tools", "flux-reconciler-impersonator")
        #expect(impersonation == [PolicyRule(verbs: ["impersonate"], apiGroups: [""], resources: ["serviceaccounts"], resourceNames: ["flux-reconciler"])])
        #expect(result.riskAnalysis.contains { $0.contains("own notion of access control") })
        // The Namespace (renamed) and the ResourceQuota need an administrator.
        #expect(result.administratorObjects.contains { $0.kind == "Namespace" && $0.name == "tools" })
        #expect(result.administratorObjects.contains { $0.kind == "ResourceQuota" })
        // Flux's own ClusterRoles aggregate its kinds into admin, renamed for the tool namespace;
        // no second aggregating ClusterRole of Warrant's beside them.
        #expect(
            result.administratorObjects.filter { $0.kind == "ClusterRole" }.map(\.name) == ["flux-edit-tools", "flux-view-tools"])
    }

    @Test func ingressNginxListsWhatCannotBeConfined() throws {
        let (_, result) = try restrictShared("ingress-nginx-cloud-deploy.yaml")
        #expect(result.profile == .generic)
        let unconfinable = result.changes.filter { $0.category == .cannotConfine }.map(\.summary)
        #expect(unconfinable.contains { $0.contains("nodes") })
        #expect(result.administratorObjects.contains { $0.kind == "IngressClass" })
        // The admission webhook: limited to the targets, pointed at the tool namespace's
        // Service, described in the report's first lines; the Job that would patch its CA bundle
        // cluster-wide is left out and the administrator told how to set it.
        let webhook = try #require(result.administratorObjects.first { $0.kind == "ValidatingWebhookConfiguration" })
        #expect(webhook.name == "ingress-nginx-admission-tools")
        let hook = try #require(webhook.content["webhooks"]?.arrayValue?.first)
        #expect(hook[path: ["clientConfig", "service", "namespace"]] == "tools")
        #expect(
            hook[path: ["namespaceSelector", "matchExpressions"]]
                == [["key": "kubernetes.io/metadata.name", "operator": "In", "values": ["shop", "blog"]]])
        #expect(result.attention.first?.contains("intercepts CREATE, UPDATE of ingresses.networking.k8s.io (v1) in the namespaces shop, blog only") == true)
        #expect(result.attention.first?.contains("FAILS CLOSED") == true)
        #expect(result.attention.contains { $0.contains("kubectl -n tools get secret ingress-nginx-admission") })
        #expect(!result.objects.contains { $0.name == "ingress-nginx-admission-patch" })
        #expect(result.objects.contains { $0.name == "ingress-nginx-admission-create" })
        // Services and Ingresses are watched where applications live; Secrets only in the tool namespace.
        let target = try roleRules(result, "shop", "ingress-nginx")
        #expect(target.contains { $0.apiGroups == ["networking.k8s.io"] && $0.resources.contains("ingresses") })
        #expect(!target.contains { $0.resources.contains("secrets") })
    }
}

/// The kinds of Argo CD's custom resources, which `restrict` keeps in its output (the default
/// AppProject) while their CRDs move to the administrator.
enum ToolProfileKinds {
    static func lookup(_ object: KubeObject) -> ResourceKind? {
        guard object.groupKind.group == "argoproj.io" else { return nil }
        return ResourceKind(group: "argoproj.io", versions: ["v1alpha1"], kind: object.kind, resource: object.kind.lowercased() + "s", namespaced: true)
    }
}
