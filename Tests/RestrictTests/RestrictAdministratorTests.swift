import Foundation
import KubeModel
import RBAC
import Reports
import Restrict
import Testing

/// What `restrict` hands the cluster administrator: webhooks confined and described first, the
/// tool's cluster-scoped objects named for the tool and its namespace, cluster-admin grants at
/// the head of the report, and what cannot be confined with its consequence.
@Suite struct RestrictAdministratorTests {
    /// A policy engine in the style of Kyverno: a namespaced and a cluster-scoped custom
    /// resource, a controller reading both cluster-wide, a webhook on every resource failing
    /// closed, and a kube-webhook-certgen Job that patches the webhook's CA bundle.
    static let policyEngine = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: guard-system}
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: policies.guard.example.com}
        spec:
          group: guard.example.com
          scope: Namespaced
          names: {kind: Policy, plural: policies}
          versions: [{name: v1, served: true, storage: true, subresources: {status: {}}}]
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: clusterpolicies.guard.example.com}
        spec:
          group: guard.example.com
          scope: Cluster
          names: {kind: ClusterPolicy, plural: clusterpolicies}
          versions: [{name: v1, served: true, storage: true}]
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: guard, namespace: guard-system, labels: {app.kubernetes.io/part-of: guard}}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: guard, labels: {app.kubernetes.io/part-of: guard}}
        rules:
        - {apiGroups: [guard.example.com], resources: ["*"], verbs: ["*"]}
        - {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: guard, labels: {app.kubernetes.io/part-of: guard}}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: guard}
        subjects: [{kind: ServiceAccount, name: guard, namespace: guard-system}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: guard-webhook, namespace: guard-system}
        spec: {ports: [{port: 443}]}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: guard-certgen-patch, namespace: guard-system}
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              serviceAccountName: guard
              containers:
              - name: patch
                image: registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9
                args: [patch, --webhook-name, guard-validate, --secret-name=guard-tls, --patch-mutating=false]
                resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata: {name: guard-validate}
        webhooks:
        - name: validate.guard.example.com
          admissionReviewVersions: [v1]
          sideEffects: None
          clientConfig:
            service: {name: guard-webhook, namespace: guard-system, path: /validate}
          namespaceSelector:
            matchExpressions: [{key: guard.example.com/ignore, operator: DoesNotExist}]
          rules:
          - {apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE, UPDATE], resources: ["*"]}
        - name: validate-ingresses.guard.example.com
          admissionReviewVersions: [v1]
          sideEffects: None
          failurePolicy: Ignore
          clientConfig:
            service: {name: guard-webhook, namespace: guard-system, path: /ingresses}
          rules:
          - {apiGroups: [networking.k8s.io], apiVersions: [v1], operations: [CREATE], resources: [ingresses]}
        """

    @Test func webhooksAreLimitedToTheTargetsPointedAtTheToolAndDescribedFirst() throws {
        let result = try restrict(Self.policyEngine)
        let webhook = try #require(result.administratorObjects.first { $0.kind == "ValidatingWebhookConfiguration" })
        #expect(webhook.name == "guard-validate-tools")
        let hooks = try #require(webhook.content["webhooks"]?.arrayValue)
        for hook in hooks {
            #expect(hook[path: ["clientConfig", "service", "namespace"]] == "tools")
            let expressions = try #require(hook[path: ["namespaceSelector", "matchExpressions"]]?.arrayValue)
            #expect(expressions.last == ["key": "kubernetes.io/metadata.name", "operator": "In", "values": ["shop", "blog"]])
        }
        // The selector the install had is kept: both must match.
        #expect(hooks[0][path: ["namespaceSelector", "matchExpressions"]]?.arrayValue?.count == 2)
        // A rule on every resource also covered cluster-scoped ones, which no namespaceSelector limits.
        #expect(hooks[0]["rules"]?.arrayValue?.first?["scope"] == "Namespaced")
        #expect(hooks[1]["rules"]?.arrayValue?.first?["scope"] == nil)
        #expect(
            result.changes.contains {
                $0.category == .cannotConfine && $0.object == "ValidatingWebhookConfiguration guard-validate-tools"
                    && $0.summary.contains("every cluster-scoped resource") && !$0.reason.isEmpty
            })
        // The report's first lines: what each webhook intercepts, where, and how it fails.
        #expect(result.attention.count == 3)
        #expect(
            result.attention[0].hasPrefix(
                "ValidatingWebhookConfiguration guard-validate-tools, webhook validate.guard.example.com: intercepts CREATE, UPDATE of *.*"))
        #expect(result.attention[0].contains("in the namespaces shop, blog only"))
        #expect(result.attention[0].contains("calls Service tools/guard-webhook"))
        #expect(result.attention[0].contains("it FAILS CLOSED (failurePolicy Fail)"))
        #expect(result.attention[1].contains("it fails open (failurePolicy Ignore)"))
        // The certificate Job is left out; the administrator sets the CA bundle of both webhooks.
        #expect(!result.objects.contains { $0.name == "guard-certgen-patch" })
        #expect(result.changes.contains { $0.category == .replaced && $0.object == "Job guard-system/guard-certgen-patch" })
        #expect(
            result.attention[2].hasSuffix(
                #"`CA=$(kubectl -n tools get secret guard-tls -o jsonpath='{.data.ca}') && kubectl patch validatingwebhookconfiguration guard-validate-tools --type=json -p "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$CA\"},{\"op\":\"add\",\"path\":\"/webhooks/1/clientConfig/caBundle\",\"value\":\"$CA\"}]"`"#
            ))
        // The text report opens with them, before the prerequisites.
        let text = RestrictReport.text(result)
        let first = try #require(text.firstRange(of: "READ FIRST"))
        let prerequisites = try #require(text.firstRange(of: "ADMINISTRATOR'S PREREQUISITES"))
        #expect(first.lowerBound < prerequisites.lowerBound)
        // The webhook comes last in the administrator's file: applied before its Service exists, it
        // would refuse what it intercepts.
        #expect(result.administratorObjects.last?.kind == "ValidatingWebhookConfiguration")
        #expect(result.administratorObjects.first?.kind == "Namespace")
    }

    @Test func certManagerInjectionFollowsTheToolNamespace() throws {
        let yaml = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: hook, namespace: vendor}
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: MutatingWebhookConfiguration
            metadata:
              name: hook-vendor
              annotations: {cert-manager.io/inject-ca-from: vendor/hook-serving}
            webhooks:
            - name: mutate.example.com
              admissionReviewVersions: [v1]
              sideEffects: None
              clientConfig: {service: {name: hook, namespace: vendor}}
              rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
            """
        let result = try restrict(yaml)
        let webhook = try #require(result.administratorObjects.first { $0.kind == "MutatingWebhookConfiguration" })
        #expect(webhook.name == "hook-tools")
        #expect(webhook.annotations["cert-manager.io/inject-ca-from"] == "tools/hook-serving")
        #expect(result.attention.contains { $0.contains("cert-manager's CA injector fills its CA bundle from Certificate tools/hook-serving") })
    }

    @Test func clusterScopedCustomResourcesCannotBeConfinedAndSayWhatFollows() throws {
        let result = try restrict(Self.policyEngine)
        let granted = result.objects.filter { $0.kind == "Role" }.flatMap { (try? RBACRole($0).rules) ?? [] }.flatMap(\.resources)
        #expect(granted.contains("policies"))
        #expect(!granted.contains("clusterpolicies"))
        let entry = try #require(result.changes.first { $0.category == .cannotConfine && $0.summary.contains("clusterpolicies") })
        #expect(entry.summary.hasPrefix("get,list,watch,create,update,patch,delete on clusterpolicies.guard.example.com (ClusterPolicy"))
        #expect(entry.reason.contains("the confined tool will not see or reconcile any ClusterPolicy"))
        // Nor does the administrator's aggregated ClusterRole hand them to namespace administrators.
        let aggregated = try RBACRole(try #require(result.administratorObjects.first { $0.name.hasSuffix("-aggregate-to-admin") }))
        #expect(aggregated.name == "warrant-guard-tools-aggregate-to-admin")
        #expect(aggregated.rules.flatMap(\.resources).contains("policies"))
        #expect(!aggregated.rules.flatMap(\.resources).contains("clusterpolicies"))
        // The Roles name the tool's custom resources, for restrict's own second pass.
        let role = try #require(object(result, "Role", "tools", "guard"))
        #expect(role.annotations["warrant.dev/custom-resources"] == "guard.example.com/policies")
    }

    @Test(arguments: [false, true])
    func restrictingTheOutputAgainChangesNothing(withAdministratorObjects: Bool) throws {
        let first = try restrict(Self.policyEngine)
        let output = try reloaded(first.objects)
        let administrator = try reloaded(first.administratorObjects)
        let input = withAdministratorObjects ? output + administrator : output
        let again = try Restrictor(options: first.options).restrict(
            objects: input, kinds: try KindTable.builtin.adding(customResourceDefinitionsIn: input))
        #expect(again.objects.map(\.content) == output.map(\.content))
        #expect(!again.changes.contains { $0.category == .cut })
        if withAdministratorObjects {
            #expect(again.administratorObjects.map(\.content) == administrator.map(\.content))
        } else {
            // Only what restrict makes itself comes back without the administrator's file.
            #expect(again.administratorObjects.map(\.displayName) == ["ClusterRole warrant-guard-tools-aggregate-to-admin"])
            #expect(again.administratorObjects.map(\.content) == administrator.filter { $0.kind == "ClusterRole" }.map(\.content))
        }
    }

    /// Two tools confined side by side each get an aggregate-to-admin ClusterRole of their own;
    /// with both applied, a namespace administrator of each may create its tool's Roles
    /// (Kubernetes' escalation check, with aggregation).
    @Test func twoToolsGetClusterRolesOfTheirOwn() throws {
        let second = Self.policyEngine.replacingOccurrences(of: "guard", with: "watch")
        let first = try restrict(Self.policyEngine, tool: "guard-ops", targets: ["shop"])
        let other = try restrict(second, tool: "watch-ops", targets: ["blog"])
        let names = [first, other].flatMap { $0.administratorObjects.filter { $0.kind == "ClusterRole" }.map(\.name) }
        #expect(names == ["warrant-guard-guard-ops-aggregate-to-admin", "warrant-watch-watch-ops-aggregate-to-admin"])
        var clusterRoles = BootstrapPolicy.clusterRoles
        for object in (first.administratorObjects + other.administratorObjects) where object.kind == "ClusterRole" {
            clusterRoles.append(try RBACRole(object))
        }
        for (result, namespaces) in [(first, ["guard-ops", "shop"]), (other, ["watch-ops", "blog"])] {
            let bindings = namespaces.map {
                RBACBinding.roleBinding("team-admin", namespace: $0, roleRef: .clusterRole("admin"), subjects: [.user("alice")])
            }
            let policy = RBACPolicy(roles: clusterRoles, bindings: bindings)
            for role in try result.objects.filter({ $0.kind == "Role" }).map(RBACRole.init) {
                let check = policy.mayGrant(role.rules, user: UserInfo(name: "alice"), namespace: try #require(role.namespace))
                #expect(check.allowed, "\(role): \(check.uncovered)")
            }
        }
    }

    @Test func clusterAdminGrantsHeadTheReport() throws {
        let yaml = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: agent, namespace: vendor}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: agent-admin}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
            subjects:
            - {kind: ServiceAccount, name: agent, namespace: vendor}
            - {kind: Group, name: platform-operators, apiGroup: rbac.authorization.k8s.io}
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: agent}
            webhooks:
            - name: agent.example.com
              admissionReviewVersions: [v1]
              sideEffects: None
              clientConfig: {url: "https://agent.example.com/validate"}
              rules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
            """
        let result = try restrict(yaml)
        let binding = try #require(result.administratorObjects.first { $0.kind == "ClusterRoleBinding" })
        #expect(binding.name == "agent-admin-tools")
        #expect(try RBACBinding(binding).subjects == [.group("platform-operators")])
        #expect(
            result.attention.first
                == #"The administrator is asked to grant cluster-admin to Group "platform-operators", cluster-wide (ClusterRoleBinding agent-admin-tools in the administrator's objects): every right on every object of the cluster. Apply it only after your own risk analysis, or leave it out."#
        )
        #expect(result.attention[1].contains("calls the URL https://agent.example.com/validate, outside the cluster's Services"))
        #expect(
            RestrictReport.text(result).contains(
                "READ FIRST (FOR THE CLUSTER ADMINISTRATOR)\n  ! The administrator is asked to grant cluster-admin to Group \"platform-operators\""))
        // The tool's own ServiceAccount keeps cluster-admin's application kinds, in Roles.
        #expect(try roleRules(result, "shop", "cluster-admin").contains { $0.resources.contains("deployments") })
    }

    @Test func prerequisitesCountTheAdministratorsObjectsPerKind() throws {
        let result = try restrict(Self.policyEngine)
        let step = try #require(result.prerequisites.first { $0.hasPrefix("Apply the administrator's objects") })
        #expect(
            step.hasPrefix(
                "Apply the administrator's objects (--admin-out): 1 Namespace, 2 CustomResourceDefinitions, 1 ClusterRole, 1 ValidatingWebhookConfiguration."
            ))
    }

    @Test func theInstallNamespaceIsChosenAndSaidWhy() throws {
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a, namespace: platform}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: b, namespace: platform}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c, namespace: monitoring}
            """
        let picked = try restrict(yaml)
        #expect(picked.installNamespace == "platform")
        #expect(picked.installNamespaceReason == "it is named most often (platform: 2, monitoring: 1)")
        #expect(picked.objects.map(\.displayName) == ["ConfigMap tools/a", "ConfigMap tools/b"])
        #expect(picked.administratorObjects.map(\.displayName) == ["ConfigMap monitoring/c"])
        #expect(picked.attention.contains { $0.contains("platform was taken as the one it was written for") && $0.contains("--source-namespace") })

        let chosen = try restrict(yaml, sourceNamespace: "monitoring")
        #expect(chosen.installNamespace == "monitoring")
        #expect(chosen.installNamespaceReason == "given with --source-namespace")
        #expect(chosen.objects.map(\.displayName) == ["ConfigMap tools/c"])
        #expect(chosen.administratorObjects.map(\.displayName) == ["ConfigMap platform/a", "ConfigMap platform/b"])
        #expect(chosen.attention.isEmpty)
        let error = #expect(throws: RestrictError.self) { try restrict(yaml, sourceNamespace: "Bad_Name") }
        #expect(error?.message == "--source-namespace 'Bad_Name' is not a valid namespace name")
    }

    @Test func objectsInAPIVersionsNoLongerServedAreReportedAndLeftOut() throws {
        let yaml = """
            apiVersion: extensions/v1beta1
            kind: Ingress
            metadata: {name: old, namespace: vendor}
            ---
            apiVersion: policy/v1beta1
            kind: PodSecurityPolicy
            metadata: {name: restricted}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: vendor}
            """
        let result = try restrict(yaml)
        #expect(result.objects.map(\.displayName) == ["ConfigMap tools/settings"])
        #expect(result.administratorObjects.isEmpty)
        let unserved = result.changes.filter { $0.category == .unservedAPI }
        #expect(unserved.map(\.object) == ["Ingress vendor/old (extensions/v1beta1)", "PodSecurityPolicy restricted (policy/v1beta1)"])
        #expect(unserved[0].summary == "left out: Kubernetes stopped serving extensions/v1beta1 Ingress in 1.22")
        #expect(unserved[0].reason == "applying it would fail; write it as networking.k8s.io/v1 and restrict again")
        #expect(unserved[1].reason.contains("no longer has this kind"))
        #expect(RestrictReport.text(result).contains("LEFT OUT: API VERSIONS KUBERNETES NO LONGER SERVES (2)"))
        let error = #expect(throws: RestrictError.self) {
            try restrict("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old}\n")
        }
        #expect(error?.message == "every object of the input is in an API version Kubernetes no longer serves")
    }

    @Test func aClusterRoleAggregatedIntoABoundOneIsPartOfItsRoles() throws {
        let yaml = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader}
            aggregationRule:
              clusterRoleSelectors: [{matchLabels: {example.com/aggregate-to-reader: "true"}}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader-services, labels: {example.com/aggregate-to-reader: "true"}}
            rules: [{apiGroups: [""], resources: [services], verbs: [get, list, watch]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: reader}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
            subjects: [{kind: ServiceAccount, name: reader, namespace: vendor}]
            """
        let result = try restrict(yaml)
        #expect(try roleRules(result, "shop", "reader") == [PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["services"])])
        #expect(result.administratorObjects.isEmpty)
        let entry = try #require(result.changes.first { $0.object == "ClusterRole reader-services" })
        #expect(entry.category == .replaced)
        #expect(entry.summary == "its rules are part of the Roles made from ClusterRole reader, which aggregates it")
        #expect(!result.changes.contains { $0.reason.contains("not bound by the install") })
    }

    @Test func theMarkdownReportPutsTheReasonInTheWhyColumn() throws {
        let result = try restrict(RestrictorTests.controller, profile: .generic)
        let markdown = RestrictReport.markdown(result)
        let section = try #require(markdown.split(separator: "## ").first { $0.hasPrefix("Cannot be confined") })
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| ClusterRole") }
        #expect(!rows.isEmpty)
        for row in rows {
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells.count == 6)
            #expect(!cells[3].isEmpty, "no reason in \(row)")
        }
    }
}
