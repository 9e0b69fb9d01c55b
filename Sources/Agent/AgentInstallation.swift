import Foundation
public import KubeModel
import RBAC

/// Everything a namespace administrator applies to run the agent, and nothing cluster-scoped:
/// ServiceAccount, Role (``AgentRole``), RoleBinding, the configuration ConfigMap with the allowed
/// signers, the Deployment and a NetworkPolicy; with webhooks (``webhookSecret``) also a Service
/// for the HTTP port.
///
/// The Deployment runs two replicas, of which the Lease `warrant-agent` elects one to poll and
/// apply (one replica, `Recreate`, when leader election is off), as a non-root user with a
/// read-only root file system, every capability dropped, seccomp `RuntimeDefault`, requests and
/// limits, an `emptyDir` for the Git checkout, and liveness and readiness probes on the agent's
/// `/healthz` and `/readyz` (port `http`, the `listen` port, which also serves `/metrics`).
public struct AgentInstallation: Sendable {
    /// The name of every object (`warrant-agent`).
    public static let name = "warrant-agent"
    /// Where the configuration ConfigMap is mounted.
    public static let configDirectory = "/etc/warrant-agent"
    /// Where the Git Secret is mounted.
    public static let gitSecretDirectory = "/etc/warrant-agent/git"
    /// Where the webhook Secret is mounted.
    public static let webhookSecretDirectory = "/etc/warrant-agent/webhook"
    /// The key of the webhook Secret that holds the secret (GitHub's secret, GitLab's secret token).
    public static let webhookSecretKey = "secret"
    /// The port of the Service in front of the agent's HTTP port (webhooks only).
    public static let servicePort: Int64 = 80
    /// The working folder (an emptyDir).
    public static let workDirectory = "/var/lib/warrant-agent"
    /// The user the container runs as (the distroless `nonroot` user).
    public static let userID: Int64 = 65532

    /// The agent's configuration.
    public var configuration: AgentConfiguration
    /// The Role.
    public var role: AgentRole
    /// The allowed-signers file's content.
    public var allowedSigners: String
    /// The OpenPGP keyring's content (ASCII armour), when there is one.
    public var keyring: String?
    /// The container image, pinned by digest (`IMAGE@sha256:…`).
    public var image: String
    /// A Secret with the Git credentials (`token`, or `username` and `password`, or
    /// `ssh-privatekey` and `known_hosts`), mounted read-only; `nil` for a public repository.
    public var gitSecret: String?
    /// A Secret whose key ``webhookSecretKey`` holds the webhook secret, mounted read-only at
    /// ``webhookSecretDirectory`` and given to the agent as `webhook-secret-file`; with it the
    /// output also has a Service for the `http` port (the hooks' target, for an Ingress) and the
    /// NetworkPolicy admits traffic to that port. `nil`: no webhooks.
    public var webhookSecret: String?
    /// The address range of the API server (`10.0.0.1/32`); `nil`: any address on ports 443 and 6443.
    public var apiServerCIDR: String?
    /// The address range of the Git host; `nil`: any address on the repository's port.
    public var gitCIDR: String?

    /// Creates an installation.
    public init(
        configuration: AgentConfiguration, role: AgentRole, allowedSigners: String, keyring: String?, image: String, gitSecret: String?,
        apiServerCIDR: String?, gitCIDR: String?, webhookSecret: String? = nil
    ) {
        self.configuration = configuration
        self.role = role
        self.allowedSigners = allowedSigners
        self.keyring = keyring
        self.image = image
        self.gitSecret = gitSecret
        self.apiServerCIDR = apiServerCIDR
        self.gitCIDR = gitCIDR
        self.webhookSecret = webhookSecret
    }

    /// Whether `image` names a digest, so that what runs is exactly what was reviewed.
    public static func isPinned(_ image: String) -> Bool {
        guard let at = image.range(of: "@sha256:") else { return false }
        let digest = image[at.upperBound...]
        return digest.count == 64 && digest.allSatisfy(\.isHexDigit)
    }

    /// The objects, in the order to apply them.
    public var documents: [JSONValue] {
        [serviceAccount, role.object, roleBinding, configMap, deployment] + (webhookSecret == nil ? [] : [service]) + [networkPolicy]
    }

    /// The file the agent reads the webhook secret from, in the mounted Secret.
    public static var webhookSecretFile: String { webhookSecretDirectory + "/" + webhookSecretKey }

    var namespace: JSONValue { .string(configuration.namespace) }

    var labels: JSONValue { ["app.kubernetes.io/name": .string(Self.name), "app.kubernetes.io/managed-by": "warrant"] }

    var serviceAccount: JSONValue {
        ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(Self.name), "namespace": namespace, "labels": labels]]
    }

    var roleBinding: JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": ["name": .string(Self.name), "namespace": namespace, "labels": labels],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(role.role.name)],
            "subjects": [["kind": "ServiceAccount", "name": .string(Self.name), "namespace": namespace]],
        ]
    }

    /// The `--config` file the agent reads in its pod.
    public var configFile: String {
        var lines: [(String, String)] = [
            ("repo", configuration.repository.address), ("branch", configuration.branch), ("path", configuration.path),
            ("namespace", configuration.namespace), ("allowed-signers", Self.configDirectory + "/allowed_signers"),
            ("interval", "\(configuration.interval.components.seconds)s"),
            ("reconcile-interval", "\(configuration.reconcileInterval.components.seconds)s"),
            ("prune", "\(configuration.prune)"), ("wait", "\(configuration.wait)"), ("max-prune", "\(configuration.maxPrune)"),
            ("applyset", configuration.applySet), ("work-dir", Self.workDirectory),
        ]
        if keyring != nil { lines.append(("gpg-keyring", Self.configDirectory + "/keyring.asc")) }
        if webhookSecret != nil { lines.append(("webhook-secret-file", Self.webhookSecretFile)) }
        if gitSecret != nil {
            switch configuration.repository.transport {
            case .https: lines.append(("git-token-file", Self.gitSecretDirectory + "/token"))
            case .ssh:
                lines.append(("ssh-key-file", Self.gitSecretDirectory + "/ssh-privatekey"))
                lines.append(("ssh-known-hosts", Self.gitSecretDirectory + "/known_hosts"))
            case .file: break
            }
        }
        return lines.map { "\($0.0): \(YAMLWriter.write(.string($0.1)).trimmingCharacters(in: .newlines))" }.joined(separator: "\n") + "\n"
    }

    var configMap: JSONValue {
        var data: [(String, JSONValue)] = [("agent.yaml", .string(configFile)), ("allowed_signers", .string(allowedSigners))]
        if let keyring { data.append(("keyring.asc", .string(keyring))) }
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(Self.name + "-config"), "namespace": namespace, "labels": labels],
            "data": .object(JSONObject(data)),
        ]
    }

    var deployment: JSONValue {
        // The agent's own HTTP server: /healthz while the loop is alive, /readyz once the first
        // poll was verified and while the API server answers (a follower is ready too).
        func probe(_ path: String, initialDelay: Int64, period: Int64) -> JSONValue {
            [
                "httpGet": ["path": .string(path), "port": "http"],
                "initialDelaySeconds": .integer(initialDelay), "periodSeconds": .integer(period), "timeoutSeconds": 5, "failureThreshold": 3,
            ]
        }
        var volumes: [JSONValue] = [
            ["name": "config", "configMap": ["name": .string(Self.name + "-config")]],
            ["name": "work", "emptyDir": ["sizeLimit": "1Gi"]],
        ]
        var mounts: [JSONValue] = [
            ["name": "config", "mountPath": .string(Self.configDirectory), "readOnly": true],
            ["name": "work", "mountPath": .string(Self.workDirectory)],
        ]
        if let gitSecret {
            volumes.append(["name": "git", "secret": ["secretName": .string(gitSecret), "defaultMode": 0o440]])
            mounts.append(["name": "git", "mountPath": .string(Self.gitSecretDirectory), "readOnly": true])
        }
        if let webhookSecret {
            // Only the one key, as a file the agent's user can read and nobody can write.
            volumes.append([
                "name": "webhook",
                "secret": [
                    "secretName": .string(webhookSecret), "defaultMode": 0o440,
                    "items": [["key": .string(Self.webhookSecretKey), "path": .string(Self.webhookSecretKey)]],
                ],
            ])
            mounts.append(["name": "webhook", "mountPath": .string(Self.webhookSecretDirectory), "readOnly": true])
        }
        let selector: JSONValue = ["app.kubernetes.io/name": .string(Self.name)]
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(Self.name), "namespace": namespace, "labels": labels],
            "spec": [
                // Two replicas: the Lease `warrant-agent` elects the one that polls and applies,
                // and the other takes over within the lease duration when a node is drained.
                "replicas": .integer(configuration.leaderElection ? 2 : 1),
                "strategy": configuration.leaderElection
                    ? ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": 1]] : ["type": "Recreate"],
                "selector": ["matchLabels": selector],
                "template": [
                    "metadata": [
                        "labels": labels,
                        "annotations": [
                            "prometheus.io/scrape": "true", "prometheus.io/port": .string(String(configuration.listen.port)), "prometheus.io/path": "/metrics",
                        ],
                    ],
                    "spec": [
                        "serviceAccountName": .string(Self.name),
                        "automountServiceAccountToken": true,
                        "enableServiceLinks": false,
                        "securityContext": [
                            "runAsNonRoot": true, "runAsUser": .integer(Self.userID), "runAsGroup": .integer(Self.userID), "fsGroup": .integer(Self.userID),
                            "seccompProfile": ["type": "RuntimeDefault"],
                        ],
                        "containers": [
                            [
                                "name": "agent",
                                "image": .string(image),
                                "imagePullPolicy": "IfNotPresent",
                                "args": ["agent", "run", "--config", .string(Self.configDirectory + "/agent.yaml")],
                                "ports": [["name": "http", "containerPort": .integer(Int64(configuration.listen.port)), "protocol": "TCP"]],
                                "env": [["name": "HOME", "value": .string(Self.workDirectory)]],
                                "securityContext": [
                                    "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "privileged": false,
                                    "runAsNonRoot": true, "capabilities": ["drop": ["ALL"]], "seccompProfile": ["type": "RuntimeDefault"],
                                ],
                                "resources": [
                                    "requests": ["cpu": "50m", "memory": "64Mi", "ephemeral-storage": "100Mi"],
                                    "limits": ["cpu": "500m", "memory": "256Mi", "ephemeral-storage": "1Gi"],
                                ],
                                "livenessProbe": probe("/healthz", initialDelay: 10, period: 20),
                                "readinessProbe": probe("/readyz", initialDelay: 5, period: 10),
                                "volumeMounts": .array(mounts),
                            ]
                        ],
                        "volumes": .array(volumes),
                    ],
                ],
            ],
        ]
    }

    /// The webhooks' target: port ``servicePort`` to the pods' `http` port (the same port serves
    /// `/healthz`, `/readyz` and `/metrics`). A ClusterIP Service: an Ingress or a Gateway route
    /// in front of it makes the hooks reachable from the Git host.
    var service: JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(Self.name), "namespace": namespace, "labels": labels],
            "spec": [
                "type": "ClusterIP",
                "selector": ["app.kubernetes.io/name": .string(Self.name)],
                "ports": [["name": "http", "port": .integer(Self.servicePort), "targetPort": "http", "protocol": "TCP"]],
            ],
        ]
    }

    /// Egress to DNS, the API server and the Git host only; no ingress at all, except to the
    /// `http` port when webhooks are on (from anywhere: the Ingress controller's pods are not
    /// known here; narrow it with a `from` for your controller's namespace).
    var networkPolicy: JSONValue {
        func destination(_ cidr: String?, ports: [Int64]) -> JSONValue {
            var rule: [(String, JSONValue)] = [("ports", .array(ports.map { ["protocol": "TCP", "port": .integer($0)] }))]
            if let cidr { rule.append(("to", [["ipBlock": ["cidr": .string(cidr)]]])) }
            return .object(JSONObject(rule))
        }
        let repository = configuration.repository
        let gitPort: Int64 = repository.port.map(Int64.init) ?? (repository.transport == .ssh ? 22 : 443)
        var egress: [JSONValue] = [
            [
                "to": [
                    [
                        "namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": "kube-system"]],
                        "podSelector": ["matchLabels": ["k8s-app": "kube-dns"]],
                    ]
                ],
                "ports": [["protocol": "UDP", "port": 53], ["protocol": "TCP", "port": 53]],
            ],
            destination(apiServerCIDR, ports: [443, 6443]),
        ]
        if repository.transport != .file { egress.append(destination(gitCIDR, ports: [gitPort])) }
        var spec: [(String, JSONValue)] = [
            ("podSelector", ["matchLabels": ["app.kubernetes.io/name": .string(Self.name)]]),
            ("policyTypes", ["Ingress", "Egress"]),
        ]
        if webhookSecret != nil {
            spec.append(("ingress", [["ports": [["protocol": "TCP", "port": .integer(Int64(configuration.listen.port))]]]]))
        }
        spec.append(("egress", .array(egress)))
        return [
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": ["name": .string(Self.name), "namespace": namespace, "labels": labels],
            "spec": .object(JSONObject(spec)),
        ]
    }
}
