import KubeModel
import RBAC

/// Detects CI/CD tools that bring their own access-control model: the second compliance question.
///
/// Known cases: Argo CD's RBAC ConfigMap (`argocd-rbac-cm`, policy.csv roles), its local accounts
/// and SSO in `argocd-cm`, AppProject roles; Flux's kustomize-controller and helm-controller, which
/// impersonate the ServiceAccounts named in Kustomizations and HelmReleases and apply with their own
/// rights when none is named and `--default-service-account` is not set; and any subject holding
/// `impersonate` or `bind`, which then decides who acts as whom.
enum ToolDetection {
    struct Detection {
        var finding: Finding
    }

    static func detect(objects: [KubeObject], findings: [Finding]) -> [Detection] {
        var detections: [Detection] = []
        func add(_ message: String, _ object: KubeObject?, severity: Severity = .high) {
            detections.append(
                Detection(
                    finding: Finding(
                        checkID: "W401", severity: severity, message: message, locations: [object?.source].compactMap { $0 },
                        namespace: object?.namespace,
                        suppression: object.flatMap { Suppressions.reason(annotations: $0.annotations, checkID: "W401") })))
        }
        // Namespaces whose argocd-cm switches every Argo CD log-in off: the admin user, anonymous
        // access, local accounts and SSO. Argo CD's own RBAC then grants nobody anything.
        var loginDisabled: Set<String> = []
        for object in objects where object.groupKind.group.isEmpty && object.kind == "ConfigMap" && object.name == "argocd-cm" {
            let data = object.content["data"]?.objectValue ?? JSONObject()
            let noAccounts = !data.keys.contains { $0.hasPrefix("accounts.") || $0 == "dex.config" || $0 == "oidc.config" }
            if data["admin.enabled"]?.stringValue == "false" && data["users.anonymous.enabled"]?.stringValue != "true" && noAccounts {
                loginDisabled.insert(object.namespace ?? "")
            }
        }
        for object in objects {
            switch (object.groupKind.group, object.kind, object.name) {
            case ("", "ConfigMap", "argocd-rbac-cm") where !loginDisabled.contains(object.namespace ?? ""):
                add(
                    "Argo CD RBAC (ConfigMap argocd-rbac-cm): Argo CD's own roles and policy.csv decide who may sync or change applications, outside Kubernetes RBAC and its audit log",
                    object)
            case ("", "ConfigMap", "argocd-cm"):
                let data = object.content["data"]?.objectValue
                let accounts = data?.keys.filter { $0.hasPrefix("accounts.") } ?? []
                let sso = ["dex.config", "oidc.config"].filter { data?.contains($0) == true }
                if !accounts.isEmpty || !sso.isEmpty {
                    add(
                        "Argo CD user accounts (ConfigMap argocd-cm: \((accounts + sso).joined(separator: ", "))): people log in to Argo CD, not to Kubernetes",
                        object)
                }
            case ("argoproj.io", "AppProject", _):
                if let roles = object.content[path: ["spec", "roles"]]?.arrayValue, !roles.isEmpty {
                    add("Argo CD AppProject \(object.name) defines \(roles.count) project role(s) with their own policies and tokens", object)
                }
            case ("apps", "Deployment", "kustomize-controller"), ("apps", "Deployment", "helm-controller"):
                let arguments = containerArguments(object)
                let hasDefault = arguments.contains { $0.hasPrefix("--default-service-account=") && $0.count > "--default-service-account=".count }
                // Flux's multi-tenancy lockdown: a default ServiceAccount, no references across
                // namespaces, only the controller's own namespace watched. What remains is Flux's
                // own notion of who applies as which ServiceAccount: medium, for a risk analysis.
                let lockedDown =
                    hasDefault && arguments.contains("--no-cross-namespace-refs=true") && arguments.contains("--watch-all-namespaces=false")
                if lockedDown {
                    add(
                        "Flux \(object.name) is locked down (--default-service-account, --no-cross-namespace-refs, --watch-all-namespaces=false) but still impersonates the ServiceAccount each \(object.name == "helm-controller" ? "HelmRelease" : "Kustomization") names: an administrator's risk analysis decides whether that is acceptable",
                        object, severity: .medium)
                    continue
                }
                add(
                    "Flux \(object.name) impersonates the ServiceAccount each \(object.name == "helm-controller" ? "HelmRelease" : "Kustomization") names"
                        + (hasDefault
                            ? ""
                            : ", and without --default-service-account applies everything else with its own (cluster-admin) rights"),
                    object)
            default:
                break
            }
        }
        var reported: Set<String> = []
        // `bind` limited to named roles (medium) is the documented least-privilege pattern, not a model of its own.
        // Also a binding that grants everything, with impersonate or bind folded into its W201.
        for finding in findings where !finding.isDormant && finding.severity >= .high {
            let checks = ([finding.checkID] + finding.folded).filter { $0 == "W115" || $0 == "W113" }
            guard !checks.isEmpty else { continue }
            // A suppressed grant's consequence carries the same suppression: listed, not live.
            let suppression = finding.suppression.map { "follows from the suppressed \(finding.checkID): \($0)" }
            for check in checks {
                // system:masters bypasses RBAC: what else it holds decides nothing.
                for subject in finding.subjects where subject != .group("system:masters") && reported.insert("\(check) \(subject)").inserted {
                    let verb = check == "W115" ? "impersonate" : "bind"
                    detections.append(
                        Detection(
                            finding: Finding(
                                checkID: "W401", severity: .high,
                                message: "\(subject) holds \(verb) (\(finding.role ?? "")): it decides itself who acts with which rights",
                                locations: finding.locations, subjects: [subject], role: finding.role, binding: finding.binding,
                                namespace: finding.namespace, suppression: suppression, requests: finding.requests)))
                }
            }
        }
        return detections
    }

    static func containerArguments(_ object: KubeObject) -> [String] {
        let containers = object.content[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
        return containers.flatMap { container in
            ((container["args"]?.arrayValue ?? []) + (container["command"]?.arrayValue ?? [])).compactMap(\.stringValue)
        }
    }
}
