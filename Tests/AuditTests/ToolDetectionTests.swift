import Audit
import KubeModel
import RBAC
import Testing

@Suite struct ToolDetectionTests {
    static let rbacConfigMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-rbac-cm}\ndata: {policy.csv: ''}\n"

    @Test(arguments: [
        ("", true),  // no argocd-cm: Argo CD's admin user is on by default
        ("data: {admin.enabled: 'true'}", true),
        ("data: {admin.enabled: 'false', accounts.ci: apiKey}", true),
        ("data: {admin.enabled: 'false', users.anonymous.enabled: 'true'}", true),
        ("data: {admin.enabled: 'false', dex.config: 'connectors: []'}", true),
        ("data: {admin.enabled: 'false', users.anonymous.enabled: 'false'}", false),
    ])
    func argoCDRBACCountsOnlyWhenSomeoneCanLogIn(settings: String, flagged: Bool) throws {
        let argocdCM = settings.isEmpty ? "" : "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm}\n\(settings)\n"
        let report = try audit(Self.rbacConfigMap + argocdCM)
        #expect(report.findings.contains { $0.checkID == "W401" && $0.message.contains("argocd-rbac-cm") } == flagged)
    }

    static func flux(_ arguments: [String], annotations: String = "") -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: kustomize-controller\(annotations)}
        spec:
          template:
            spec:
              containers: [{name: manager, image: ghcr.io/fluxcd/kustomize-controller:v1.3.0, args: [\(arguments.joined(separator: ", "))]}]
        """
    }

    @Test func lockedDownFluxIsMediumAndUnlockedIsHigh() throws {
        let open = try audit(Self.flux(["--watch-all-namespaces=true"]))
        #expect(open.findings.first { $0.checkID == "W401" }?.severity == .high)
        let partly = try audit(Self.flux(["--default-service-account=flux", "--watch-all-namespaces=true"]))
        #expect(partly.findings.first { $0.checkID == "W401" }?.severity == .high)
        let locked = try audit(
            Self.flux(["--default-service-account=flux", "--no-cross-namespace-refs=true", "--watch-all-namespaces=false"]))
        let finding = try #require(locked.findings.first { $0.checkID == "W401" })
        #expect(finding.severity == .medium)
        #expect(finding.message.contains("risk analysis"))
    }

    @Test func detectionsHonourTheObjectsSuppressionAnnotation() throws {
        let annotated = Self.flux(
            ["--watch-all-namespaces=true"], annotations: ", annotations: {warrant.dev/ignore: W401, warrant.dev/ignore-reason: reviewed}")
        let report = try audit(annotated)
        #expect(!report.findings.contains { $0.checkID == "W401" })
        #expect(report.suppressed.contains { $0.checkID == "W401" && $0.suppression?.contains("reviewed") == true })
    }

    @Test func consequenceOfASuppressedImpersonationGrantIsSuppressedToo() throws {
        let yaml = boundRole(
            rules: "- {apiGroups: [''], resources: [serviceaccounts], verbs: [impersonate]}",
            labels: "  annotations: {warrant.dev/ignore: W115, warrant.dev/ignore-reason: accepted}")
        let report = try audit(yaml)
        #expect(!report.findings.contains { $0.checkID == "W115" || $0.checkID == "W401" })
        let derived = try #require(report.suppressed.first { $0.checkID == "W401" })
        #expect(derived.suppression?.contains("follows from the suppressed W115") == true)
    }
}
