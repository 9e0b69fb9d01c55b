import Audit
import KubeModel
import RBAC
import Testing
import WarrantTestSupport

private func auditShared(_ file: String, namespace: String) throws -> AuditReport {
    var objects = try ManifestLoader().load([.path(TestData.sharedManifest(file))])
    let kinds = try KindTable.builtin.adding(customResourceDefinitionsIn: objects)
    for index in objects.indices where objects[index].namespace == nil && kinds.kind(objects[index].groupKind)?.namespaced == true {
        objects[index].namespace = namespace
    }
    return Auditor().audit(objects: objects, policy: try RBACPolicy(objects: objects, defaultNamespace: namespace), kinds: kinds)
}

private let corpus = Testing.ConditionTrait.enabled(if: TestData.sharedManifests != nil, "../shared/testdata/manifests is absent")

@Suite(corpus, .ownThread) struct RealWorldAuditTests {
    @Test func argoCDInstallIsNotCompliant() throws {
        let report = try auditShared("argocd-install.yaml", namespace: "argocd")
        // The controller's binding grants everything: one finding, the wildcard (W100) and the
        // other checks it fires folded into it.
        let controller = try #require(
            report.findings.first { $0.checkID == "W201" && $0.role == "ClusterRole \"argocd-application-controller\"" })
        #expect(controller.severity == .critical)
        #expect(controller.folded.contains("W100") && controller.folded.contains("W125"))
        let sameBinding = report.findings.filter { $0.binding == "ClusterRoleBinding \"argocd-application-controller\"" }
        // Besides W201, only the tool question: holding impersonate and bind (folded into W201) decides who acts as whom.
        #expect(sameBinding.map(\.checkID).sorted() == ["W201", "W401", "W401"])
        #expect(controller.namespace == nil)
        #expect(controller.binding == "ClusterRoleBinding \"argocd-application-controller\"")
        #expect(controller.locations.count == 2)
        let server = try #require(report.findings.first { $0.checkID == "W102" && $0.role == "ClusterRole \"argocd-server\"" })
        #expect(server.severity == .critical)
        #expect(!report.verdict.isCompliant)
        #expect(report.verdict.clusterWideGrants.count == 3)
        #expect(report.verdict.ownAccessControl.contains { $0.contains("argocd-rbac-cm") })
    }

    @Test func argoCDNamespaceInstallHasNoClusterScopedGrant() throws {
        let report = try auditShared("argocd-namespace-install.yaml", namespace: "argocd")
        #expect(report.verdict.clusterWideGrants.isEmpty)
        #expect(!report.findings.contains { $0.checkID == "W125" || $0.checkID == "W201" })
        #expect(report.findings.filter { $0.checkID != "W401" }.allSatisfy { $0.namespace == "argocd" })
        #expect(report.counts["ClusterRole"] == nil)
    }

    @Test func fluxClusterReconcilerIsCritical() throws {
        let report = try auditShared("flux2-gotk-components.yaml", namespace: "flux-system")
        let admin = try #require(report.findings.first { $0.checkID == "W201" && $0.binding == "ClusterRoleBinding \"cluster-reconciler-flux-system\"" })
        #expect(admin.severity == .critical)
        #expect(admin.subjects.contains(.serviceAccount("kustomize-controller", namespace: "flux-system")))
        #expect(report.verdict.ownAccessControl.contains { $0.contains("kustomize-controller") && $0.contains("--default-service-account") })
        // CRDs, ClusterRoles, bindings and the Namespace are what an administrator installs.
        #expect(report.verdict.clusterScopedObjects.filter { $0.hasPrefix("CustomResourceDefinition") }.count == 10)
        #expect(report.verdict.clusterScopedObjects.contains("Namespace flux-system"))
        #expect(!report.verdict.isCompliant)
    }

    @Test func ingressNginxReadsSecretsClusterWide() throws {
        let report = try auditShared("ingress-nginx-cloud-deploy.yaml", namespace: "ingress-nginx")
        let secrets = try #require(report.findings.first { $0.checkID == "W104" && $0.role == "ClusterRole \"ingress-nginx\"" })
        #expect(secrets.namespace == nil)
        #expect(secrets.severity == .critical)
        #expect(secrets.message.contains("list, watch on secrets"))
    }

    @Test(arguments: ["app-deploy-svc-ingress.yaml", "app-echo-deploy-svc-2ingress.yaml", "microservices-demo.yaml"])
    func sampleAppsHaveNoFindings(file: String) throws {
        let report = try auditShared(file, namespace: "shop")
        #expect(report.findings.isEmpty)
        #expect(report.verdict.isCompliant)
    }
}
