import Audit
import KubeModel
import RBAC
import ScopePlanning
import Testing
import WarrantTestSupport

private func load(_ yaml: String) throws -> [KubeObject] {
    try ManifestLoader().load(bytes: Array(yaml.utf8), file: "app.yaml")
}

private func derive(
    _ objects: [KubeObject], namespace: String = "shop", method: DeployMethod = .warrant, options: DeployOptions = DeployOptions(),
    kinds: KindTable = .builtin
) throws -> ScopeResult {
    try ScopeDeriver(method: method, options: options, namespace: namespace, roleName: "deployer").derive(objects: objects, kinds: kinds)
}

/// The rules as compact strings: `group|resources|names|verbs`.
private func summary(_ result: ScopeResult) -> [String] {
    result.role.rules.map {
        "\($0.apiGroups.joined(separator: ","))|\($0.resources.joined(separator: ","))|\($0.resourceNames.joined(separator: ","))|\($0.verbs.joined(separator: ","))"
    }
}

private let app = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec: {}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: web, namespace: shop}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings}
    """

/// Golden Roles for the same small app, one per deploy method and option set.
private let golden: [(DeployMethod, DeployOptions, [String])] = [
    (
        .warrant, DeployOptions(),
        [
            "|configmaps,services||create,get,list,patch", "|events||create", "|configmaps|warrant-history|update",
            "apps|deployments||create,get,list,patch", "coordination.k8s.io|leases|warrant-applyset|create,get,patch,update",
            "networking.k8s.io|ingresses||create,get,list,patch",
        ]
    ),
    (
        .kubectlSSA, DeployOptions(),
        ["|configmaps,services||create,patch", "apps|deployments||create,patch", "networking.k8s.io|ingresses||create,patch"]
    ),
    (
        .kubectl, DeployOptions(prune: true, applySetName: "shop-set"),
        [
            "|configmaps,services||create,delete,get,list,patch", "apps|deployments||create,delete,get,list,patch",
            "networking.k8s.io|ingresses||create,delete,get,list,patch",
        ]
    ),
    (
        .warrant, DeployOptions(prune: true, wait: true),
        [
            "|configmaps,services||create,delete,get,list,patch", "|events||create,list", "|pods||list",
            "|configmaps|warrant-history|update", "apps|deployments||create,delete,get,list,patch", "apps|replicasets||list",
            "coordination.k8s.io|leases|warrant-applyset|create,get,patch,update", "networking.k8s.io|ingresses||create,delete,get,list,patch",
        ]
    ),
    (
        .kubectlSSA, DeployOptions(wait: true),
        ["|configmaps,services||create,patch", "apps|deployments||create,list,patch,watch", "networking.k8s.io|ingresses||create,patch"]
    ),
    (
        .helm, DeployOptions(wait: true),
        [
            "|configmaps,services||create,delete,get,patch", "|pods||list", "|secrets||create,delete,get,list,update",
            "apps|deployments||create,delete,get,patch", "apps|replicasets||list", "networking.k8s.io|ingresses||create,delete,get,patch",
        ]
    ),
]

@Test("golden Roles per deploy method", arguments: golden)
func goldenRoles(_ testCase: (DeployMethod, DeployOptions, [String])) throws {
    let (method, options, expected) = testCase
    let result = try derive(try load(app), method: method, options: options)
    #expect(summary(result) == expected)
    #expect(result.role.namespace == "shop")
    #expect(result.needsAdministrator.isEmpty)
    for rule in result.role.rules {
        #expect(!rule.verbs.contains("*") && !rule.resources.contains("*") && !rule.apiGroups.contains("*"))
        #expect(rule.verbs == rule.verbs.sorted() && rule.resources == rule.resources.sorted())
    }
}

@Test func helmWithConfigMapStorageNeedsNoSecretListingAndAuditsClean() throws {
    let secretStorage = try derive(try load(app), method: .helm)
    #expect(summary(secretStorage).contains("|secrets||create,delete,get,list,update"))
    // Helm's default storage lists Secrets: the audit says so (W104, high).
    #expect(try auditOf(secretStorage).findings.contains { $0.checkID == "W104" && $0.severity == .high })
    let configMapStorage = try derive(try load(app), method: .helm, options: DeployOptions(helmStorage: .configMap))
    #expect(!summary(configMapStorage).contains { $0.contains("secrets") })
    #expect(summary(configMapStorage).contains("|configmaps||create,delete,get,list,patch,update"))
    let audit = try auditOf(configMapStorage)
    #expect(audit.findings(atOrAbove: .high).isEmpty, "\(audit.findings.map(\.message))")
}

@Test(arguments: [DeployMethod.warrant, .kubectl, .kubectlSSA])
func derivedRolesAuditWithoutHighFindings(method: DeployMethod) throws {
    // kubectl's pruning lists Secrets (W104, high, warned about); warrant prunes them by name.
    let optionSets = method == .warrant ? [DeployOptions(), DeployOptions(prune: true, wait: true)] : [DeployOptions(), DeployOptions(wait: true)]
    for options in optionSets {
        let objects = try load(
            app + "\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n")
        let audit = try auditOf(try derive(objects, method: method, options: options))
        #expect(audit.findings(atOrAbove: .high).isEmpty, "\(method): \(audit.findings.map(\.message))")
        #expect(audit.verdict.isCompliant)
    }
}

@Test func pruningSecretsWithKubectlIsWarnedAbout() throws {
    let objects = try load("apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\n")
    let kubectl = try derive(objects, method: .kubectlSSA, options: DeployOptions(prune: true))
    #expect(kubectl.warnings.contains { $0.contains("list on Secrets") })
    #expect(summary(kubectl).contains("|secrets||create,delete,list,patch"))
    let warrant = try derive(objects, method: .warrant, options: DeployOptions(prune: true))
    #expect(warrant.warnings.isEmpty)
    #expect(summary(warrant).contains("|secrets||create,delete,get,patch"))
}

@Test func namedRulesForWarrantsOwnObjectsWhenConfigMapsAreNotDeployed() throws {
    let result = try derive(try load("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"), options: DeployOptions(prune: true))
    #expect(summary(result).contains("|configmaps|warrant-applyset|create,get,patch"))
    #expect(summary(result).contains("|configmaps|warrant-history|create,get,patch,update"))
    // The deploy Lease, by name: no create on every Lease of the namespace.
    #expect(summary(result).contains("coordination.k8s.io|leases|warrant-applyset|create,get,patch,update"))
}

@Test(
    "golden Roles for the shared sample apps",
    .enabled(if: TestData.sharedManifests != nil, "../shared/testdata/manifests is absent"),
    arguments: [
        (
            "app-deploy-svc-ingress.yaml", "default",
            ["|services||create,get,patch", "apps|deployments||create,get,patch", "networking.k8s.io|ingresses||create,get,patch"]
        ),
        (
            "app-echo-deploy-svc-2ingress.yaml", "default",
            ["|services||create,get,patch", "apps|deployments||create,get,patch", "networking.k8s.io|ingresses||create,get,patch"]
        ),
        ("microservices-demo.yaml", "boutique", ["|serviceaccounts,services||create,get,patch", "apps|deployments||create,get,patch"]),
    ])
func sharedSampleApps(file: String, namespace: String, expected: [String]) throws {
    let objects = try ManifestLoader().load([.path(TestData.sharedManifest(file))])
    let result = try derive(objects, namespace: namespace, method: .kubectl)
    #expect(summary(result) == expected)
    let audit = try auditOf(result)
    #expect(audit.findings(atOrAbove: .high).isEmpty, "\(audit.findings.map(\.message))")
}

private func auditOf(_ result: ScopeResult) throws -> AuditReport {
    let binding = RBACBinding.roleBinding(
        "deployer", namespace: result.role.namespace ?? "", roleRef: .role(result.role.name),
        subjects: [.serviceAccount("ci", namespace: result.role.namespace)])
    let policy = RBACPolicy(roles: [result.role], bindings: [binding])
    return Auditor().audit(objects: [], policy: policy)
}

@Test func clusterScopedObjectsAreListedForAnAdministrator() throws {
    let result = try derive(
        try load(
            app
                + "\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\n"
        ))
    #expect(result.needsAdministrator.map(\.kind) == ["Namespace", "StorageClass"])
    #expect(!summary(result).contains { $0.contains("namespaces") || $0.contains("storageclasses") })
}

@Test func otherNamespacesAndUnknownKindsAreErrors() throws {
    #expect {
        _ = try derive(try load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: prod}\n"))
    } throws: { error in
        let first = (error as? ManifestErrors)?.errors.first
        return first?.code == .namespaceMismatch && first?.location.line == 1 && first?.message.contains("prod") == true
    }
    #expect {
        _ = try derive(try load("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: a}\n"))
    } throws: { error in
        let first = (error as? ManifestErrors)?.errors.first
        return first?.code == .unknownKind && first?.hint?.contains("--resource-map") == true
    }
}

@Test func customResourcesMapThroughCRDs() throws {
    let objects = try load(
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: servicemonitors.monitoring.coreos.com}
        spec: {group: monitoring.coreos.com, scope: Namespaced, names: {kind: ServiceMonitor, plural: servicemonitors}, versions: [{name: v1, served: true, storage: true}]}
        ---
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: web}
        """)
    let kinds = try KindTable.builtin.adding(customResourceDefinitionsIn: objects)
    let result = try derive(objects, method: .kubectlSSA, kinds: kinds)
    #expect(summary(result) == ["monitoring.coreos.com|servicemonitors||create,patch"])
    #expect(result.needsAdministrator.map(\.kind) == ["CustomResourceDefinition"])
}

@Test func rolesInTheInputAreHeldAndBindingsToOutsideRolesGetBind() throws {
    let objects = try load(
        app + """

            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: reader}
            rules: [{apiGroups: [''], resources: [pods], verbs: [get, list]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: reader}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
            subjects: [{kind: ServiceAccount, name: web}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: viewers}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects: [{kind: Group, name: shop-team}]
            """)
    let result = try derive(objects, method: .kubectlSSA)
    let rules = summary(result)
    #expect(rules.contains("rbac.authorization.k8s.io|rolebindings,roles||create,patch"))
    #expect(rules.contains("|pods||get,list"))
    #expect(rules.contains("rbac.authorization.k8s.io|clusterroles|view|bind"))
    // The deployer may create the Role and both bindings under escalation prevention.
    let deployer = UserInfo.serviceAccount("ci", namespace: "shop")
    let policy = RBACPolicy(
        roles: [result.role],
        bindings: [.roleBinding("ci", namespace: "shop", roleRef: .role("deployer"), subjects: [.serviceAccount("ci", namespace: "shop")])])
    let reader = try RBACRole(try #require(objects.first { $0.kind == "Role" }))
    #expect(policy.mayGrant(reader.rules, user: deployer, namespace: "shop").allowed)
    #expect(policy.allows(AccessRequest(user: deployer, verb: "bind", apiGroup: RBACAPI.group, resource: "clusterroles", name: "view", namespace: "shop")))
    #expect(!policy.allows(AccessRequest(user: deployer, verb: "bind", apiGroup: RBACAPI.group, resource: "clusterroles", name: "admin", namespace: "shop")))
    let audit = try auditOf(result)
    #expect(audit.findings(atOrAbove: .high).isEmpty, "\(audit.findings.map(\.message))")
}

@Test func wildcardRolesInTheInputAreWarnedAbout() throws {
    let result = try derive(
        try load("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: all}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n"))
    #expect(result.warnings.count == 1)
    #expect(result.warnings.first?.contains("wildcard") == true)
}

@Test func explanationsCoverEveryRule() throws {
    let result = try derive(try load(app), options: DeployOptions(prune: true, wait: true))
    #expect(result.explanations.count == result.role.rules.count)
    for explanation in result.explanations { #expect(!explanation.reasons.isEmpty) }
    let deployments = try #require(result.explanations.first { $0.rule.resources == ["deployments"] })
    #expect(deployments.reasons.contains { $0.object == "Deployment shop/web" && $0.source?.line == 1 })
}
