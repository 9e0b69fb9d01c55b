import Foundation
import KubeAPI
import KubeModel
import RBAC
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

private let corpus = Testing.ConditionTrait.enabled(if: TestData.sharedManifests != nil, "../shared/testdata/manifests is absent")

/// `warrant restrict` on the real kube-apiserver v1.36 of `../shared/kube`: the confined install
/// works, and harms nothing else (issue 13's proof).
///
/// For each install, as its users would: `warrant restrict` writes the install and
/// `--admin-out`; the cluster administrator applies `--admin-out`; a namespace administrator
/// (alice, bound to the built-in `admin` ClusterRole in the tool and target namespaces only)
/// applies the install in file order, under the API server's real escalation prevention. Then
/// SubjectAccessReviews show that the tool's ServiceAccounts may do their work in every target,
/// SelfSubjectRulesReviews with their tokens that they hold nothing in any other namespace beyond
/// what every ServiceAccount holds, an unrelated namespace can still create an Ingress, a
/// Deployment and a ConfigMap (no webhook intercepts it), and restricting the output again changes
/// neither file; the report's command that sets a webhook's CA bundle works. No kubelet runs:
/// only the API server's decisions are tested.
@Suite(.realCluster, corpus, .timeLimit(.minutes(4)))
struct RestrictRealClusterTests {
    /// A permission the test expects a ServiceAccount of the tool to hold in every target namespace.
    struct Access: Sendable {
        var account: String
        var verb: String
        var group: String
        var resource: String
    }

    /// One install of the shared corpus and what its confined form must allow.
    struct Install: Sendable, CustomTestStringConvertible {
        var file: String
        /// `--crds-from`.
        var crdsFrom: String?
        /// ServiceAccounts that must be able to create every application kind in every target.
        var deployers: [String] = []
        /// ServiceAccounts that must be able to impersonate `flux-reconciler` in the tool namespace.
        var impersonators: [String] = []
        /// Further permissions each target must grant.
        var accesses: [Access] = []
        /// Whether a webhook of the install intercepts Ingress writes in the targets.
        var ingressWebhook = false

        var testDescription: String { file }
    }

    static let installs: [Install] = [
        Install(file: "argocd-install.yaml", deployers: ["argocd-application-controller"]),
        Install(file: "argocd-namespace-install.yaml", crdsFrom: "argocd-install.yaml", deployers: ["argocd-application-controller"]),
        Install(
            file: "flux2-gotk-components.yaml", deployers: ["flux-reconciler"], impersonators: ["kustomize-controller", "helm-controller"]),
        Install(
            file: "ingress-nginx-cloud-deploy.yaml",
            accesses: [
                Access(account: "ingress-nginx", verb: "list", group: "networking.k8s.io", resource: "ingresses"),
                Access(account: "ingress-nginx", verb: "watch", group: "networking.k8s.io", resource: "ingresses"),
                Access(account: "ingress-nginx", verb: "watch", group: "", resource: "services"),
                Access(account: "ingress-nginx", verb: "watch", group: "discovery.k8s.io", resource: "endpointslices"),
            ],
            ingressWebhook: true),
    ]

    @Test(arguments: installs)
    func confinedInstallWorksAndHarmsNothingElse(install: Install) async throws {
        let cluster = try await RealCluster.shared()
        let suffix = RealCluster.suffix()
        let tool = "tool-\(suffix)"
        let targets = ["shop-\(suffix)", "blog-\(suffix)"]
        let other = try await cluster.makeNamespace("other")
        try await withTemporaryDirectory { folder in
            let adminFile = folder.appendingPathComponent("admin.yaml").path
            let reportFile = folder.appendingPathComponent("report.json").path
            var arguments = [
                "restrict", "-f", TestData.sharedManifest(install.file), "-n", tool, "--target-namespaces", targets.joined(separator: ","),
                "--admin-out", adminFile, "--report", reportFile, "--report-format", "json",
            ]
            if let crds = install.crdsFrom { arguments += ["--crds-from", TestData.sharedManifest(crds)] }
            let run = await runWarrant(arguments)
            try #require(run.status == 0, "\(run.standardError)")
            let output = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "restricted.yaml")
            let administrator = try ManifestLoader().load([.path(adminFile)])
            let report = try JSONValue.parseJSON(Array(try String(contentsOfFile: reportFile, encoding: .utf8).utf8), source: reportFile)

            // The cluster administrator: the namespaces, the administrator's objects, and alice
            // bound to the built-in admin role in the tool and target namespaces only.
            try await cluster.apply(([tool] + targets).map { Self.namespace($0) })
            try await cluster.apply(administrator)
            try await cluster.apply(([tool] + targets).map { Self.adminBinding(user: "alice", namespace: $0) })
            try await Self.waitForAggregation(cluster, user: "alice", namespace: tool, crds: administrator)

            // The namespace administrator applies the confined install, in file order, as kubectl would.
            try await Self.apply(output, as: RealCluster.Token.alice, cluster: cluster)

            // The tool's ServiceAccounts may do their work in every target…
            for target in targets {
                for account in install.deployers {
                    for (group, resource) in Self.applicationKinds {
                        let allowed = try await Self.serviceAccountMay(
                            cluster, tool, account, AccessAttributes(verb: "create", group: group, resource: resource, namespace: target))
                        #expect(allowed, "\(account) may not create \(resource) in \(target)")
                    }
                }
                for access in install.accesses {
                    let allowed = try await Self.serviceAccountMay(
                        cluster, tool, access.account, AccessAttributes(verb: access.verb, group: access.group, resource: access.resource, namespace: target))
                    #expect(allowed, "\(access.account) may not \(access.verb) \(access.resource) in \(target)")
                }
            }
            for account in install.impersonators {
                let allowed = try await Self.serviceAccountMay(
                    cluster, tool, account, AccessAttributes(verb: "impersonate", resource: "serviceaccounts", name: "flux-reconciler", namespace: tool))
                #expect(allowed, "\(account) may not impersonate flux-reconciler")
                let elsewhere = try await Self.serviceAccountMay(
                    cluster, tool, account, AccessAttributes(verb: "impersonate", resource: "serviceaccounts", name: "default", namespace: tool))
                #expect(!elsewhere, "\(account) may impersonate any ServiceAccount")
            }
            // …and nothing in any other namespace, nor cluster-wide (a ClusterRoleBinding's rules
            // show in every namespace's rules review), beyond what every ServiceAccount holds.
            try await cluster.apply("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: baseline, namespace: \(other)}\n")
            let baseline = try await Self.rules(cluster, namespace: other, account: "baseline", in: other)
            let accounts = output.filter { $0.kind == "ServiceAccount" && $0.groupKind.group.isEmpty }.map(\.name)
            #expect(!accounts.isEmpty)
            for account in accounts {
                let rules = try await Self.rules(cluster, namespace: tool, account: account, in: other)
                #expect(rules.subtracting(baseline).isEmpty, "\(account) holds \(rules.subtracting(baseline)) in \(other)")
            }

            // An unrelated namespace still creates an Ingress, a Deployment and a ConfigMap.
            try await cluster.apply(Self.application(in: other))
            if install.ingressWebhook {
                // The webhook is real: it refuses Ingress writes in the targets while its Service
                // has no endpoint (no kubelet runs the controller), and only there.
                await #expect(throws: KubeAPIError.self) { try await cluster.apply(Self.ingress(in: targets[0])) }
                #expect((report["attention"]?.arrayValue ?? []).contains { $0.stringValue?.contains("FAILS CLOSED") == true })
            }

            // Restricting the output again changes nothing, with and without the administrator's objects.
            let outputFile = try writeFile(run.standardOutput, named: "restricted.yaml", in: folder)
            let common = ["-n", tool, "--target-namespaces", targets.joined(separator: ",")]
            let again = await runWarrant(["restrict", "-f", outputFile] + common)
            #expect(again.status == 0, "\(again.standardError)")
            #expect(again.standardOutput == run.standardOutput)
            let secondAdmin = folder.appendingPathComponent("admin-again.yaml").path
            let withAdmin = await runWarrant(["restrict", "-f", outputFile, "-f", adminFile, "--admin-out", secondAdmin] + common)
            #expect(withAdmin.status == 0, "\(withAdmin.standardError)")
            #expect(withAdmin.standardOutput == run.standardOutput)
            #expect(try String(contentsOfFile: secondAdmin, encoding: .utf8) == String(contentsOfFile: adminFile, encoding: .utf8))
        }
    }

    /// The report's command that sets ingress-nginx's webhook CA bundle, run with kubectl as the
    /// administrator would, once the Secret the install's certificate Job makes exists (made here
    /// in its stead: no kubelet runs the Job).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl"), "kubectl is not installed"))
    func theReportsCABundleCommandSetsTheWebhooksCABundle() async throws {
        let cluster = try await RealCluster.shared()
        let tool = "tool-\(RealCluster.suffix())"
        try await withTemporaryDirectory { folder in
            let adminFile = folder.appendingPathComponent("admin.yaml").path
            let reportFile = folder.appendingPathComponent("report.json").path
            let run = await runWarrant([
                "restrict", "-f", TestData.sharedManifest("ingress-nginx-cloud-deploy.yaml"), "-n", tool, "--target-namespaces", "shop-\(tool)",
                "--admin-out", adminFile, "--report", reportFile, "--report-format", "json",
            ])
            try #require(run.status == 0, "\(run.standardError)")
            let administrator = try ManifestLoader().load([.path(adminFile)])
            let report = try JSONValue.parseJSON(Array(try String(contentsOfFile: reportFile, encoding: .utf8).utf8), source: reportFile)
            try await cluster.apply(administrator)
            try await checkCABundleInstructions(cluster: cluster, tool: tool, report: report, administrator: administrator, folder: folder)
        }
    }

    private func checkCABundleInstructions(
        cluster: RealCluster, tool: String, report: JSONValue, administrator: [KubeObject], folder: URL
    ) async throws {
        let webhook = try #require(administrator.first { $0.kind == "ValidatingWebhookConfiguration" })
        #expect(webhook.name.hasSuffix("-\(tool)"))
        let attention = (report["attention"]?.arrayValue ?? []).compactMap(\.stringValue)
        let line = try #require(attention.first { $0.contains("kubectl patch") })
        let command = try #require(line.split(separator: "`").dropFirst().first.map(String.init))
        let ca = Data(cluster.caPEM.utf8).base64EncodedString()
        try await cluster.apply(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: ingress-nginx-admission, namespace: \(tool)}\ndata: {ca: \(ca)}\n")
        let kubeconfig = try cluster.kubeconfig(token: RealCluster.Token.admin, in: folder, named: "admin.kubeconfig")
        let result = try await runProcess(
            URL(fileURLWithPath: "/bin/bash"), ["-c", command],
            environment: ["KUBECONFIG": kubeconfig, "HOME": folder.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(result.status == 0, "\(command): \(result.error)")
        let patched = try await cluster.admin { client in
            try await client.get(GroupKind(group: "admissionregistration.k8s.io", kind: "ValidatingWebhookConfiguration"), namespace: nil, name: webhook.name)
        }
        #expect(patched?.content[path: ["webhooks"]]?.arrayValue?.first?[path: ["clientConfig", "caBundle"]]?.stringValue == ca)
    }

    /// Two generic tools, each with a custom resource of its own, confined into namespaces of
    /// their own: the administrator applies both administrator's files, and each namespace
    /// administrator may then create its tool's Roles (its aggregate-to-admin ClusterRole was
    /// not overwritten by the other tool's).
    @Test func twoToolsConfinedSideBySideBothApply() async throws {
        let cluster = try await RealCluster.shared()
        let suffix = RealCluster.suffix()
        try await withTemporaryDirectory { folder in
            var plans: [(token: String, user: String, output: [KubeObject], tool: String, targets: [String], administrator: [KubeObject])] = []
            for (letter, user, token) in [("a", "alice", RealCluster.Token.alice), ("b", "bob", RealCluster.Token.bob)] {
                let tool = "ops-\(letter)-\(suffix)"
                let targets = ["app-\(letter)-\(suffix)"]
                let input = try writeFile(Self.operator(letter, suffix: suffix), named: "\(letter).yaml", in: folder)
                let adminFile = folder.appendingPathComponent("admin-\(letter).yaml").path
                let run = await runWarrant(["restrict", "-f", input, "-n", tool, "--target-namespaces", targets[0], "--admin-out", adminFile])
                try #require(run.status == 0, "\(run.standardError)")
                plans.append(
                    (
                        token, user, try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "\(letter).out.yaml"), tool, targets,
                        try ManifestLoader().load([.path(adminFile)])
                    ))
            }
            let roleNames = plans.map { $0.administrator.filter { $0.kind == "ClusterRole" }.map(\.name) }
            #expect(roleNames == [["warrant-widget-a-ops-a-\(suffix)-aggregate-to-admin"], ["warrant-widget-b-ops-b-\(suffix)-aggregate-to-admin"]])
            for plan in plans {
                try await cluster.apply(([plan.tool] + plan.targets).map { Self.namespace($0) })
                try await cluster.apply(plan.administrator)
            }
            for plan in plans {
                try await cluster.apply(([plan.tool] + plan.targets).map { Self.adminBinding(user: plan.user, namespace: $0) })
                try await Self.waitForAggregation(cluster, user: plan.user, namespace: plan.tool, crds: plan.administrator)
            }
            for plan in plans {
                try await Self.apply(plan.output, as: plan.token, cluster: cluster)
                let role = try #require(plan.output.first { $0.kind == "Role" && $0.namespace == plan.tool })
                let applied = try await cluster.admin { client in
                    try await client.get(GroupKind(group: RBACAPI.group, kind: "Role"), namespace: plan.tool, name: role.name)
                }
                #expect(applied != nil)
            }
        }
    }

    // MARK: - Helpers

    /// The application kinds restrict grants by default (`ApplicationKind.defaults`), as (group, resource).
    static let applicationKinds: [(String, String)] = [
        ("", "configmaps"), ("", "services"), ("", "serviceaccounts"), ("", "persistentvolumeclaims"), ("apps", "deployments"),
        ("apps", "statefulsets"), ("batch", "jobs"), ("batch", "cronjobs"), ("autoscaling", "horizontalpodautoscalers"),
        ("networking.k8s.io", "ingresses"), ("networking.k8s.io", "networkpolicies"), ("policy", "poddisruptionbudgets"),
    ]

    static func namespace(_ name: String) -> KubeObject {
        KubeObject(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
    }

    static func adminBinding(user: String, namespace: String) -> KubeObject {
        KubeObject([
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": ["name": .string("\(user)-admin"), "namespace": .string(namespace)],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"],
            "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": .string(user)]],
        ])
    }

    /// Waits until the controller-manager has aggregated the administrator's ClusterRoles into
    /// `admin`: `user` may create each namespaced custom resource of `crds` in `namespace`.
    static func waitForAggregation(_ cluster: RealCluster, user: String, namespace: String, crds: [KubeObject]) async throws {
        let kinds = crds.filter { $0.kind == "CustomResourceDefinition" }.compactMap { try? KindTable.kind(fromCRD: $0) }.filter(\.namespaced)
        let deadline = ContinuousClock.now + .seconds(30)
        for kind in kinds {
            let request = AccessAttributes(verb: "create", group: kind.group, resource: kind.resource, namespace: namespace)
            while try await !cluster.allows(user: user, groups: ["developers"], request) {
                try #require(ContinuousClock.now < deadline, "\(user) never got \(kind.qualifiedResource) through admin's aggregation")
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Applies `objects` in order with `token`'s client, as `kubectl apply --server-side` would;
    /// a custom resource whose CRD is not served yet is retried a few times.
    static func apply(_ objects: [KubeObject], as token: String, cluster: RealCluster) async throws {
        try await cluster.client(token: token) { client in
            for object in objects {
                var attempt = 0
                while true {
                    do {
                        _ = try await client.apply(object, fieldManager: "namespace-admin")
                        break
                    } catch let error as KubeAPIError where error.code == 404 && attempt < 20 {
                        attempt += 1
                        _ = try await client.restMapper(refresh: true)
                        try await Task.sleep(for: .milliseconds(200))
                    } catch {
                        Issue.record("\(object.displayName) was refused: \(error)")
                        break
                    }
                }
            }
        }
    }

    /// Whether ServiceAccount `namespace/account` may make `request` (SubjectAccessReview).
    static func serviceAccountMay(_ cluster: RealCluster, _ namespace: String, _ account: String, _ request: AccessAttributes) async throws -> Bool {
        try await cluster.allows(
            user: "system:serviceaccount:\(namespace):\(account)",
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"], request)
    }

    /// The rules ServiceAccount `namespace/account` holds in `target`, from a
    /// SelfSubjectRulesReview made with its own token.
    static func rules(_ cluster: RealCluster, namespace: String, account: String, in target: String) async throws -> Set<PolicyRule> {
        let token = try await cluster.serviceAccountToken(namespace: namespace, name: account)
        let review = try await cluster.client(token: token) { client in try await client.selfSubjectRules(namespace: target) }
        #expect(!review.incomplete)
        return Set(review.rules)
    }

    static func ingress(in namespace: String) -> String {
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: \(namespace)}
        spec:
          defaultBackend: {service: {name: web, port: {number: 80}}}
        """
    }

    static func application(in namespace: String) -> String {
        ingress(in: namespace) + """

            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: \(namespace)}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: "nginx:1.27"}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: web, namespace: \(namespace)}
            data: {greeting: hello}
            """
    }

    /// A small operator with a namespaced custom resource of its own, read cluster-wide.
    static func `operator`(_ letter: String, suffix: String) -> String {
        let group = "\(letter)-\(suffix).example.com"
        return """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.\(group)}
            spec:
              group: \(group)
              scope: Namespaced
              names: {kind: Widget, plural: widgets}
              versions:
              - name: v1
                served: true
                storage: true
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: widget-\(letter), namespace: widget-system, labels: {app.kubernetes.io/part-of: widget-\(letter)}}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: widget-\(letter), labels: {app.kubernetes.io/part-of: widget-\(letter)}}
            rules:
            - {apiGroups: [\(group)], resources: [widgets], verbs: [get, list, watch, update]}
            - {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: widget-\(letter), labels: {app.kubernetes.io/part-of: widget-\(letter)}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: widget-\(letter)}
            subjects: [{kind: ServiceAccount, name: widget-\(letter), namespace: widget-system}]
            """
    }
}
