import KubeModel
import RBAC

/// The Flux profile: the multi-tenancy lockdown flags, cluster-admin replaced by a ServiceAccount
/// with Roles in the target namespaces, and the risk analysis Flux still needs.
extension RestrictRun {
    /// The lockdown flags per controller. Only flags each controller accepts: an unknown flag
    /// stops it from starting.
    static let fluxFlags: [String: [(String, String?)]] = [
        "source-controller": [("--watch-all-namespaces", "false")],
        "kustomize-controller": [
            ("--watch-all-namespaces", "false"), ("--no-cross-namespace-refs", "true"), ("--no-remote-bases", "true"),
            ("--default-service-account", nil),
        ],
        "helm-controller": [
            ("--watch-all-namespaces", "false"), ("--no-cross-namespace-refs", "true"), ("--default-service-account", nil),
        ],
        "notification-controller": [("--watch-all-namespaces", "false"), ("--no-cross-namespace-refs", "true")],
        "image-reflector-controller": [("--watch-all-namespaces", "false"), ("--no-cross-namespace-refs", "true")],
        "image-automation-controller": [("--watch-all-namespaces", "false"), ("--no-cross-namespace-refs", "true")],
    ]

    /// Which Flux controller a Deployment runs, from its name or its image.
    static func fluxController(_ object: KubeObject) -> String? {
        guard object.kind == "Deployment", object.groupKind.group == "apps" else { return nil }
        if fluxFlags[object.name] != nil { return object.name }
        let containers = object.content[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
        for container in containers {
            guard let image = container["image"]?.stringValue, let range = image.firstRange(of: "fluxcd/") else { continue }
            let name = image[range.upperBound...].prefix { $0 != ":" && $0 != "@" }
            if fluxFlags[String(name)] != nil { return String(name) }
        }
        return nil
    }

    mutating func configureFlux() {
        let tool = self.tool
        let account = options.fluxServiceAccount
        var reconcilers: [Subject] = fluxReconcilers
        var flagged: [(String, [String])] = []
        modify(where: { Self.fluxController($0) != nil && $0.namespace == tool }) { object in
            guard let controller = Self.fluxController(object), let flags = Self.fluxFlags[controller] else { return }
            var set: [String] = []
            let path = ["spec", "template", "spec", "containers"]
            guard var containers = object.content[path: path]?.arrayValue, !containers.isEmpty else { return }
            let index = containers.firstIndex { $0["image"]?.stringValue?.contains("fluxcd/") == true } ?? 0
            var arguments = (containers[index]["args"]?.arrayValue ?? []).compactMap(\.stringValue)
            for (flag, value) in flags {
                let wanted = "\(flag)=\(value ?? account)"
                if Self.setFlag(&arguments, flag: flag, to: wanted) { set.append(wanted) }
            }
            containers[index]["args"] = .array(arguments.map(JSONValue.string))
            object.content.setValue(.array(containers), at: path)
            if !set.isEmpty { flagged.append((object.displayName, set)) }
        }
        for (object, set) in flagged {
            changes.append(
                RestrictChange(
                    .changed, object: object, "flags \(set.joined(separator: " "))",
                    reason:
                        "Flux's lockdown: watch only \(tool), no references across namespaces, no remote Kustomize bases, apply as \(tool)/\(account) unless a ServiceAccount is named"
                ))
        }
        // The controllers that apply (and impersonate): kustomize- and helm-controller.
        for case let object? in ["kustomize-controller", "helm-controller"].map({ name in
            first(where: { Self.fluxController($0) == name && $0.namespace == tool })
        }) {
            let name = object.content[path: ["spec", "template", "spec", "serviceAccountName"]]?.stringValue ?? "default"
            let subject = Subject.serviceAccount(name, namespace: tool)
            if !reconcilers.contains(subject) { reconcilers.append(subject) }
        }
        guard !reconcilers.isEmpty else { return }

        let serviceAccount = KubeObject([
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": [
                "name": .string(account), "namespace": .string(tool),
                "labels": ["app.kubernetes.io/part-of": "flux", "app.kubernetes.io/managed-by": "warrant"],
            ],
        ])
        if upsert(serviceAccount) {
            changes.append(
                RestrictChange(
                    .added, object: serviceAccount.displayName, "the ServiceAccount Flux applies as (--default-service-account)",
                    reason: "it holds Roles in the target namespaces only, instead of cluster-admin"))
        }
        let impersonation = [Permission(group: "", resource: "serviceaccounts", verb: "impersonate", name: account)]
        addRole(
            namespace: tool, name: "\(account)-impersonator", permissions: impersonation, slot: nil, original: nil, changed: true,
            origin: "the Flux lockdown")
        addBinding(namespace: tool, name: "\(account)-impersonator", roleRef: .role("\(account)-impersonator"), subjects: reconcilers, slot: nil)
        roles["\(tool)/\(account)-impersonator"]?.annotations = [
            "warrant.dev/ignore": "W115",
            "warrant.dev/ignore-reason":
                "Flux lockdown: kustomize- and helm-controller may impersonate only \(tool)/\(account), which holds Roles in \(targets.joined(separator: ", ")) only; accepted after the administrator's risk analysis that restrict's report asks for",
        ]
        let applied = confiner.confine([
            PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])
        ]).targets
        for target in targets {
            addRole(namespace: target, name: account, permissions: applied, slot: nil, original: nil, changed: true, origin: "the Flux lockdown")
            addBinding(namespace: target, name: account, roleRef: .role(account), subjects: [.serviceAccount(account, namespace: tool)], slot: nil)
        }
        changes.append(
            RestrictChange(
                .acceptedRisk, object: "Role \(tool)/\(account)-impersonator",
                "\(reconcilers.map(\.name).joined(separator: ", ")) may impersonate \(tool)/\(account) (W115, suppressed with a reason on the Role)",
                reason:
                    "the lockdown's --default-service-account works by impersonation; it is Flux's own access-control notion and needs an administrator's risk analysis"
            ))

        riskAnalysis = [
            "Flux brings its own notion of access control: which ServiceAccount a Kustomization or HelmRelease applies as (spec.serviceAccountName, else --default-service-account=\(account)) is decided by whoever may write Flux objects in \(tool), not by Kubernetes RBAC on the applied objects.",
            "kustomize-controller and helm-controller hold impersonate on \(tool)/\(account): anyone who can create a Kustomization or HelmRelease in \(tool) deploys with its rights in \(targets.joined(separator: ", ")). The API server's audit log names \(account), not the person; keep Git history and commit signing as the record of who changed what.",
            "Flux's CRDs and the ClusterRoles that aggregate its kinds into admin, edit and view are cluster-wide and must be installed by a cluster administrator (see the administrator's objects).",
            "source-controller fetches from Git, Helm and OCI repositories outside the cluster with credentials kept as Secrets in \(tool), and reads every Secret there: keep application Secrets out of \(tool).",
            "With --watch-all-namespaces=false the controllers reconcile only objects in \(tool); Kustomizations set spec.targetNamespace to one of \(targets.joined(separator: ", ")).",
            "The namespaced alternative that needs no such analysis is a push-style deploy with a least-privilege credential (warrant scope, warrant credentials, warrant deploy).",
        ]
    }

    /// Sets `--flag=value` in `arguments`, replacing `--flag=…` or `--flag …`; whether it changed.
    static func setFlag(_ arguments: inout [String], flag: String, to wanted: String) -> Bool {
        if let index = arguments.firstIndex(where: { $0.hasPrefix("\(flag)=") }) {
            guard arguments[index] != wanted else { return false }
            arguments[index] = wanted
            return true
        }
        if let index = arguments.firstIndex(of: flag) {
            arguments[index] = wanted
            if arguments.indices.contains(index + 1), !arguments[index + 1].hasPrefix("-") { arguments.remove(at: index + 1) }
            return true
        }
        arguments.append(wanted)
        return true
    }
}
