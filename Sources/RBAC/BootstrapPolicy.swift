/// The user-facing ClusterRoles every Kubernetes cluster creates at start-up: `cluster-admin`,
/// `admin`, `edit`, `view` and the `system:aggregate-to-*` roles they aggregate.
///
/// The rules are Kubernetes' (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`, as
/// recorded in `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml`).
/// `admin`, `edit` and `view` carry only an aggregation rule, as in a cluster: resolve them with
/// ``RBACPolicy``, which also aggregates any ClusterRole labelled
/// `rbac.authorization.k8s.io/aggregate-to-admin: "true"` that is added beside them.
public enum BootstrapPolicy {
    /// The label that aggregates a ClusterRole into `admin`.
    public static let aggregateToAdminLabel = "rbac.authorization.k8s.io/aggregate-to-admin"
    /// The label that aggregates a ClusterRole into `edit`.
    public static let aggregateToEditLabel = "rbac.authorization.k8s.io/aggregate-to-edit"
    /// The label that aggregates a ClusterRole into `view`.
    public static let aggregateToViewLabel = "rbac.authorization.k8s.io/aggregate-to-view"

    /// The verbs `edit` grants on the workloads it may change.
    private static let write = ["create", "delete", "deletecollection", "patch", "update"]
    private static let read = ["get", "list", "watch"]

    /// `cluster-admin`, `admin`, `edit`, `view` and the three `system:aggregate-to-*` roles.
    public static let clusterRoles: [RBACRole] = [
        RBACRole(
            kind: .clusterRole, name: "cluster-admin",
            rules: [
                PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
                PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
            ]),
        aggregated("admin", selecting: aggregateToAdminLabel),
        aggregated("edit", selecting: aggregateToEditLabel, labels: [aggregateToAdminLabel: "true"]),
        aggregated("view", selecting: aggregateToViewLabel, labels: [aggregateToEditLabel: "true"]),
        RBACRole(
            kind: .clusterRole, name: "system:aggregate-to-admin",
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                    apiGroups: [RBACAPI.group], resources: ["rolebindings", "roles"]),
            ],
            labels: [aggregateToAdminLabel: "true"]),
        RBACRole(
            kind: .clusterRole, name: "system:aggregate-to-edit",
            rules: [
                PolicyRule(
                    verbs: read, apiGroups: [""],
                    resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
                PolicyRule(verbs: ["impersonate"], apiGroups: [""], resources: ["serviceaccounts"]),
                PolicyRule(
                    verbs: write, apiGroups: [""], resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods/eviction"]),
                PolicyRule(
                    verbs: write, apiGroups: [""],
                    resources: [
                        "configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
                        "secrets", "serviceaccounts", "services", "services/proxy",
                    ]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"]),
                PolicyRule(
                    verbs: write, apiGroups: ["apps"],
                    resources: [
                        "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale",
                        "statefulsets", "statefulsets/scale",
                    ]),
                PolicyRule(verbs: write, apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"]),
                PolicyRule(verbs: write, apiGroups: ["batch"], resources: ["cronjobs", "jobs"]),
                PolicyRule(
                    verbs: write, apiGroups: ["extensions"],
                    resources: [
                        "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies",
                        "replicasets", "replicasets/scale", "replicationcontrollers/scale",
                    ]),
                PolicyRule(verbs: write, apiGroups: ["policy"], resources: ["poddisruptionbudgets"]),
                PolicyRule(verbs: write, apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                    apiGroups: ["coordination.k8s.io"], resources: ["leases"]),
            ],
            labels: [aggregateToEditLabel: "true"]),
        RBACRole(
            kind: .clusterRole, name: "system:aggregate-to-view",
            rules: [
                PolicyRule(
                    verbs: read, apiGroups: [""],
                    resources: [
                        "configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                        "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status",
                    ]),
                PolicyRule(
                    verbs: read, apiGroups: [""],
                    resources: [
                        "bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status",
                        "resourcequotas", "resourcequotas/status",
                    ]),
                PolicyRule(verbs: read, apiGroups: [""], resources: ["namespaces"]),
                PolicyRule(verbs: read, apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"]),
                PolicyRule(
                    verbs: read, apiGroups: ["apps"],
                    resources: [
                        "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                        "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale",
                        "statefulsets/status",
                    ]),
                PolicyRule(verbs: read, apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
                PolicyRule(verbs: read, apiGroups: ["batch"], resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
                PolicyRule(
                    verbs: read, apiGroups: ["extensions"],
                    resources: [
                        "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses",
                        "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status",
                        "replicationcontrollers/scale",
                    ]),
                PolicyRule(verbs: read, apiGroups: ["policy"], resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
                PolicyRule(verbs: read, apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingresses/status", "networkpolicies"]),
            ],
            labels: [aggregateToViewLabel: "true"]),
    ]

    /// What Kubernetes grants every authenticated user (or every ServiceAccount) by default:
    /// the rules of `system:discovery`, `system:basic-user`, `system:public-info-viewer` and
    /// `system:service-account-issuer-discovery` (API discovery, its own access reviews, health,
    /// the OIDC issuer documents).
    public static let baselineRules: [PolicyRule] = [
        PolicyRule(
            verbs: ["get"],
            nonResourceURLs: [
                "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/",
            ]),
        PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
        PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
        PolicyRule(
            verbs: ["get"],
            nonResourceURLs: ["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"]),
    ]

    static func aggregated(_ name: String, selecting label: String, labels: [String: String] = [:]) -> RBACRole {
        RBACRole(
            kind: .clusterRole, name: name,
            aggregationRule: AggregationRule(clusterRoleSelectors: [LabelSelector(matchLabels: [label: "true"])]),
            labels: labels)
    }
}

extension BootstrapPolicy {
    /// Kubernetes' own ClusterRoles in the aggregation chain of `admin`, `edit` and `view`, which
    /// carry the `aggregate-to-*` labels by design.
    public static let builtinAggregationRoles: Set<String> = [
        "admin", "edit", "view", "system:aggregate-to-admin", "system:aggregate-to-edit", "system:aggregate-to-view",
    ]

    /// Whether the ClusterRole `name` is one of ``builtinAggregationRoles``.
    public static func aggregatesIntoBuiltinRoles(_ name: String) -> Bool { builtinAggregationRoles.contains(name) }
}
