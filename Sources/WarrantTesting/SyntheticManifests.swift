public import KubeModel

/// Generates realistic manifests at any scale, for benchmarks and scale tests.
///
/// The mix follows a typical application namespace: per application a Deployment (two containers
/// with env, probes, resources), a Service, a ConfigMap with a few keys, a ServiceAccount, a Role and
/// a RoleBinding. Output is deterministic for a given count.
public enum SyntheticManifests {
    /// `count` objects as multi-document YAML.
    public static func yaml(objects count: Int, namespaces: Int = 20) -> String {
        YAMLWriter.write(documents: values(objects: count, namespaces: namespaces))
    }

    /// `count` object values.
    public static func values(objects count: Int, namespaces: Int = 20) -> [JSONValue] {
        (0..<count).map { object(index: $0, namespaces: namespaces) }
    }

    private static func object(index: Int, namespaces: Int) -> JSONValue {
        let app = "app-\(index / 6)"
        let namespace = JSONValue.string("team-\((index / 6) % max(1, namespaces))")
        let labels: JSONValue = [
            "app.kubernetes.io/name": .string(app), "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/version": "1.4.2",
        ]
        switch index % 6 {
        case 0:
            return [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": .string(app), "namespace": namespace, "labels": labels],
                "spec": [
                    "replicas": 2,
                    "selector": ["matchLabels": ["app.kubernetes.io/name": .string(app)]],
                    "template": [
                        "metadata": ["labels": labels, "annotations": ["prometheus.io/scrape": "true", "prometheus.io/port": "9090"]],
                        "spec": [
                            "serviceAccountName": .string(app),
                            "securityContext": ["runAsNonRoot": true, "seccompProfile": ["type": "RuntimeDefault"]],
                            "containers": [
                                container(app, image: "registry.example.com/shop/\(app):1.4.2", port: 8080),
                                container("\(app)-sidecar", image: "registry.example.com/proxy:2.1", port: 9090),
                            ],
                        ],
                    ],
                ],
            ]
        case 1:
            return [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": .string(app), "namespace": namespace, "labels": labels],
                "spec": [
                    "selector": ["app.kubernetes.io/name": .string(app)],
                    "ports": [["name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"], ["name": "metrics", "port": 9090, "targetPort": 9090]],
                ],
            ]
        case 2:
            return [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": .string("\(app)-config"), "namespace": namespace, "labels": labels],
                "data": [
                    "LOG_LEVEL": "info", "FEATURE_FLAGS": "checkout,recommendations,reviews",
                    "DATABASE_URL": .string("postgres://\(app)-db:5432/\(app)?sslmode=require"),
                    "application.yaml": .string("server:\n  port: 8080\n  shutdown: graceful\nmanagement:\n  endpoints: [health, metrics]\n"),
                ],
            ]
        case 3:
            return ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(app), "namespace": namespace, "labels": labels]]
        case 4:
            return [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": ["name": .string("\(app)-reader"), "namespace": namespace, "labels": labels],
                "rules": [
                    ["apiGroups": [""], "resources": ["configmaps"], "resourceNames": .array([.string("\(app)-config")]), "verbs": ["get", "watch"]],
                    ["apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "create", "update"]],
                ],
            ]
        default:
            return [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": ["name": .string("\(app)-reader"), "namespace": namespace, "labels": labels],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string("\(app)-reader")],
                "subjects": [["kind": "ServiceAccount", "name": .string(app), "namespace": namespace]],
            ]
        }
    }

    private static func container(_ name: String, image: String, port: Int64) -> JSONValue {
        [
            "name": .string(name), "image": .string(image),
            "ports": [["containerPort": .integer(port), "name": "http"]],
            "env": [["name": "PORT", "value": .string(String(port))], ["name": "POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]],
            "resources": ["requests": ["cpu": "100m", "memory": "128Mi"], "limits": ["memory": "256Mi"]],
            "readinessProbe": ["httpGet": ["path": "/healthz", "port": .integer(port)], "periodSeconds": 5],
            "livenessProbe": ["httpGet": ["path": "/healthz", "port": .integer(port)], "initialDelaySeconds": 10],
        ]
    }
}
