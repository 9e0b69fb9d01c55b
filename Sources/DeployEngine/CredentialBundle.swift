public import KubeModel

/// The objects of a least-privilege CI/CD credential: a ServiceAccount, its Role, the RoleBinding
/// and, for a long-lived token, the token Secret (the Compliant Kubernetes recipe).
///
/// Pure: it builds the manifests `warrant credentials create` prints and
/// ``CredentialInstaller`` applies.
public enum CredentialBundle {
    /// The label every object of the bundle carries.
    public static let managedByLabel = "app.kubernetes.io/managed-by"

    /// The ServiceAccount `name` (no token automounted into pods), `roleObject`, the RoleBinding
    /// `name` and, with `tokenSecret`, the Secret `NAME-token` of type
    /// `kubernetes.io/service-account-token` that the token controller fills.
    public static func documents(name: String, namespace: String, roleObject: JSONValue, tokenSecret: Bool) -> [JSONValue] {
        var documents: [JSONValue] = [
            [
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": [managedByLabel: "warrant"]],
                "automountServiceAccountToken": false,
            ],
            roleObject,
            [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": [managedByLabel: "warrant"]],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(name)],
                "subjects": [["kind": "ServiceAccount", "name": .string(name), "namespace": .string(namespace)]],
            ],
        ]
        if tokenSecret {
            documents.append([
                "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                "metadata": [
                    "name": .string(tokenSecretName(for: name)), "namespace": .string(namespace),
                    "labels": [managedByLabel: "warrant"],
                    "annotations": ["kubernetes.io/service-account.name": .string(name)],
                ],
            ])
        }
        return documents
    }

    /// The token Secret's name for the ServiceAccount `name`: `NAME-token`.
    public static func tokenSecretName(for name: String) -> String { "\(name)-token" }
}
