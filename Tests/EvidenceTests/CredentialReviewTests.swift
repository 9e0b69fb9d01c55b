import Delivery
import Evidence
import Foundation
import KubeModel
import RBAC
import ScopePlanning
import Testing

func loadObjects(_ yaml: String) throws -> [KubeObject] {
    try ManifestLoader().load(bytes: Array(yaml.utf8), file: "test.yaml")
}

/// A Role or ClusterRole object with `rules`.
func roleObject(_ kind: String, _ name: String, namespace: String?, rules: [PolicyRule]) -> KubeObject {
    var metadata = JSONObject([("name", JSONValue.string(name))])
    if let namespace { metadata["namespace"] = .string(namespace) }
    return KubeObject(
        .object(
            JSONObject([
                ("apiVersion", "rbac.authorization.k8s.io/v1"), ("kind", .string(kind)), ("metadata", .object(metadata)),
                ("rules", .array(rules.map(\.jsonValue))),
            ])))
}

@Suite struct CredentialReviewTests {
    /// The app as deployed: with its full content, as `warrant scope` sees it.
    static let manifests = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx:1.27}]}}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: web-secret, namespace: shop}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: web-reader, namespace: shop}
        rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
        """

    /// The Role `warrant scope --for warrant [--prune]` derives for the full manifests, bound to `ci`.
    static func credentialRBAC(prune: Bool, extra: [PolicyRule] = []) throws -> [KubeObject] {
        var role = try ScopeDeriver(method: .warrant, options: DeployOptions(prune: prune), namespace: "shop", roleName: "ci")
            .derive(objects: try loadObjects(manifests), kinds: .builtin).role
        role.rules += extra
        let ciRole = roleObject("Role", "ci", namespace: "shop", rules: role.rules)
        let binding = try loadObjects(
            "{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: ci, namespace: shop}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ci}, subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]}"
        )
        return [ciRole] + binding + (try loadObjects(manifests)).filter { $0.kind == "Role" }
    }

    static let applied: [(String, String, String)] = [
        ("apps", "Deployment", "web"), ("", "Service", "web"), ("", "Secret", "web-secret"), (RBACAPI.group, "Role", "web-reader"),
    ]

    func review(
        rbac: [KubeObject]?, clusterRBAC: [KubeObject]? = [], records: [DeployRecord]? = nil, parents: [KubeObject] = [], events: [AuditEvent] = [],
        secrets: [TokenSecret]? = []
    )
        -> CredentialReview
    {
        let records = records ?? [makeRecord(applied: Self.applied)]
        return CredentialReview.review(
            credential: ciUser, namespace: "shop", records: records, inPeriod: records.count,
            snapshot: NamespaceSnapshot(namespace: "shop", historyConfigMaps: [], rbacObjects: rbac, applySetParents: parents, tokenSecrets: secrets),
            clusterRBAC: clusterRBAC, events: events, rules: AttributionRules(), kinds: .builtin)
    }

    @Test func theRoleScopeDerivesHoldsExactlyWhatTheLastDeployNeeded() throws {
        // The review derives from the recorded references only (and the live Role): the same Role.
        let exact = review(rbac: try Self.credentialRBAC(prune: false))
        #expect(exact.derived != nil && exact.held != nil)
        #expect(exact.overPrivileged.isEmpty && exact.missing.isEmpty && exact.clusterWide.isEmpty, "\(exact)")
        #expect(!exact.isOverPrivileged)
        #expect(exact.grantedBy == ["RoleBinding shop/ci → Role ci"])
    }

    @Test func moreThanNeededIsListedRuleByRule() throws {
        let wide = review(rbac: try Self.credentialRBAC(prune: false, extra: [PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["secrets"])]))
        #expect(wide.isOverPrivileged)
        #expect(wide.overPrivileged == [PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["secrets"])])
        // A Role from `scope --prune` is more than a deploy without --prune needs.
        let pruning = review(rbac: try Self.credentialRBAC(prune: true))
        #expect(pruning.isOverPrivileged && pruning.deployOptions.isEmpty)
        let prunedRecord = makeRecord(applied: Self.applied, durations: ["prune": 10])
        #expect(!review(rbac: try Self.credentialRBAC(prune: true), records: [prunedRecord]).isOverPrivileged)
    }

    @Test func lessThanNeededAndClusterWideGrantsAreFindingsToo() throws {
        let narrow = try Self.credentialRBAC(prune: false).map { object -> KubeObject in
            guard object.kind == "Role", object.name == "ci" else { return object }
            var copy = object
            copy.content["rules"] = .array((object.content["rules"]?.arrayValue ?? []).dropLast())
            return copy
        }
        #expect(!review(rbac: narrow).missing.isEmpty)
        let clusterWide =
            try loadObjects(
                """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: ci-view}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]
                """) + [roleObject("ClusterRole", "view", namespace: nil, rules: [PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["pods"])])]
        let broad = review(rbac: try Self.credentialRBAC(prune: false), clusterRBAC: clusterWide)
        #expect(broad.isOverPrivileged && !broad.clusterWide.isEmpty)
        let unknown = review(rbac: try Self.credentialRBAC(prune: false), clusterRBAC: nil)
        #expect(unknown.notes.contains { $0.contains("cluster-wide are not checked") })
        #expect(review(rbac: nil).held == nil)
    }

    @Test func theLastDeploysManifestsComeFromTheApplySetParentWhenItPruned() throws {
        let parent = try loadObjects(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: warrant-applyset
              namespace: shop
              annotations: {warrant.dev/applyset-members: "Deployment.apps/web,Service/web"}
            """)
        let record = makeRecord(applied: [("apps", "Deployment", "web")], durations: ["prune": 3])
        let fromParent = review(rbac: [], records: [record], parents: parent)
        #expect(fromParent.manifestSource.contains("2 member(s) the ApplySet parent ConfigMap warrant-applyset lists"))
        #expect(fromParent.derived?.contains { $0.resources.contains("services") } == true)
        // Without pruning, the records' objects less those pruned since.
        let later = makeRecord(applied: [], pruned: [("", "Service", "web")])
        let fromRecords = review(rbac: [], records: [makeRecord(applied: Self.applied), later])
        #expect(fromRecords.manifestSource.contains("3 object(s)"))
    }

    @Test(arguments: [
        (["secret:ci-token"], CredentialReview.TokenKind.secret),
        (["JTI=1", "JTI=2"], .tokenRequest),
        (["secret:ci-token", "JTI=1"], .both),
        ([], .unknown),
    ])
    func tellsLongLivedTokenSecretsFromTokenRequest(ids: [String], kind: CredentialReview.TokenKind) {
        let events = ids.map { id in
            AuditEvent(auditID: id, verb: "patch", user: ciUser, objectRef: nil, code: 200, received: MicroTime(deployStart), credentialID: id)
        }
        let reviewed = review(rbac: [], events: events, secrets: nil)
        #expect(reviewed.tokenKind == kind)
        #expect(reviewed.requestTokens == ids.filter { $0.hasPrefix("JTI=") }.count)
        if kind == .secret { #expect(reviewed.tokenSecrets.first == CredentialReview.SecretUse(name: "ci-token", created: nil, requests: 1)) }
    }

    @Test func aTokenSecretInTheNamespaceCountsEvenUnused() {
        let reviewed = review(
            rbac: [],
            secrets: [
                TokenSecret(name: "ci-token", serviceAccount: "ci", created: "2026-01-02T03:04:05Z"),
                TokenSecret(name: "other", serviceAccount: "bot", created: ""),
            ])
        #expect(reviewed.tokenKind == .secret)
        #expect(reviewed.tokenSecrets == [CredentialReview.SecretUse(name: "ci-token", created: "2026-01-02T03:04:05Z", requests: 0)])
    }
}
