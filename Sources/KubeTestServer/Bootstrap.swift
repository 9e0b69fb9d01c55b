import RBAC

/// The parts of kube-apiserver's bootstrap policy beyond ``BootstrapPolicy/clusterRoles``
/// (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go` and `controller_policy.go`):
/// discovery and self-review for every authenticated user, and `cluster-admin` for `system:masters`.
enum Bootstrap {
    static let clusterRoles: [RBACRole] = [
        .clusterRole(
            "system:discovery",
            rules: [
                PolicyRule(
                    verbs: ["get"],
                    nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])
            ]),
        .clusterRole(
            "system:basic-user",
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
                PolicyRule(
                    verbs: ["create"], apiGroups: ["authorization.k8s.io"],
                    resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            ]),
        .clusterRole(
            "system:public-info-viewer",
            rules: [PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"])]),
    ]

    static let clusterRoleBindings: [RBACBinding] = [
        .clusterRoleBinding("cluster-admin", clusterRole: "cluster-admin", subjects: [.group("system:masters")]),
        .clusterRoleBinding("system:discovery", clusterRole: "system:discovery", subjects: [.group("system:authenticated")]),
        .clusterRoleBinding("system:basic-user", clusterRole: "system:basic-user", subjects: [.group("system:authenticated")]),
        .clusterRoleBinding(
            "system:public-info-viewer", clusterRole: "system:public-info-viewer",
            subjects: [.group("system:authenticated"), .group("system:unauthenticated")]),
    ]
}
