import ArgumentParser
import KubeModel
import RBAC
import ScopePlanning

/// `--for` values, mirroring ``DeployMethod``.
enum DeployMethodOption: String, ExpressibleByArgument, CaseIterable {
    case warrant
    case kubectl
    case kubectlSSA = "kubectl-ssa"
    case helm

    var method: DeployMethod { DeployMethod(rawValue: rawValue) ?? .warrant }
}

/// `warrant scope`: the least-privilege Role for deploying manifests into a namespace.
struct ScopeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scope",
        abstract: "Derive the least-privilege Role for deploying manifests into a namespace.",
        discussion: """
            Prints a Role (and nothing else on standard output) holding exactly the (API group, \
            resource) pairs of the manifests and exactly the verbs the deploy method uses — never a \
            wildcard. Resources that need the same verbs share a rule.

            Deploy methods (--for):
              warrant      warrant deploy: list (one labelled list per kind
                           finds unchanged objects; never on Secrets), get,
                           patch and create (server-side apply creates missing
                           objects), and a history ConfigMap and an Event for
                           the deploy record
              kubectl      kubectl apply: get, create, patch
              kubectl-ssa  kubectl apply --server-side: patch, create
              helm         helm upgrade --install: get, create, patch, delete,
                           and Secrets for the release history (ConfigMaps
                           with --helm-storage configmap, which spares the
                           deployer from listing Secrets)
            --prune adds list and delete on the applied kinds and the ApplySet
            parent ConfigMap (--applyset); --wait adds what waiting reads.

            Roles and RoleBindings in the manifests: Kubernetes only lets a deployer create a Role \
            whose permissions it holds itself (escalation prevention), so their rules are added and \
            explained; a RoleBinding to a role outside the manifests gets 'bind' on that role only.

            Cluster-scoped objects (Namespace, CRD, ClusterRole, PersistentVolume, StorageClass, \
            webhooks, ...) are never granted: they are listed under "needs a cluster administrator" \
            and the exit code is 1. An object in another namespace than -n, or of an unknown kind, \
            exits 2.

            --explain prints, on standard error, which object needs which rule and why.
            --compare ROLE.yaml compares an existing Role with the derived one and lists \
            over-privileged and missing permissions (exit 1 when there are any).

            EXAMPLES
              warrant scope -f Examples/guestbook -n guestbook
              warrant scope -f deploy/ -n shop --for kubectl-ssa --prune --wait --explain
              warrant scope -f deploy/ -n shop --compare current-role.yaml
            """
    )

    @OptionGroup var manifests: ManifestOptions

    @Option(name: .shortAndLong, help: "The namespace deployed to; objects without a namespace go there.")
    var namespace: String?

    @Option(name: .customLong("for"), help: "The deploy method: warrant, kubectl, kubectl-ssa or helm.")
    var method: DeployMethodOption = .warrant

    @Flag(help: "Include pruning of objects that left the manifests.")
    var prune = false

    @Flag(help: "Include waiting for workloads to become ready.")
    var wait = false

    @Option(help: "The ApplySet parent ConfigMap used for pruning.")
    var applyset: String = "warrant-applyset"

    @Option(
        name: .customLong("helm-storage"),
        help: "With --for helm: where Helm keeps releases, secret (its default) or configmap (HELM_DRIVER=configmap; no Secret listing).")
    var helmStorage: HelmStorageOption = .secret

    @Option(help: "The Role's name.")
    var name: String = "deployer"

    @Option(name: .shortAndLong, help: "Output format: yaml or json.")
    var output: ManifestFormat = .yaml

    @Flag(help: "Explain on standard error which object needs which rule.")
    var explain = false

    @Option(help: ArgumentHelp("Compare an existing Role with the derived one.", valueName: "role.yaml"))
    var compare: String?

    func validate() throws {
        try ArgumentChecks.namespace(namespace)
        try ArgumentChecks.name(applyset, flag: "--applyset", kind: "ConfigMap")
        try ArgumentChecks.name(name, flag: "--name", kind: "Role", group: "rbac.authorization.k8s.io")
    }

    func run() async throws {
        let context = CommandContext.current
        let loaded = try manifests.load(context: context, retaining: .rbac)
        let result = try ScopeSupport.derive(
            loaded, namespace: namespace, method: method.method,
            options: DeployOptions(prune: prune, wait: wait, applySetName: applyset, helmStorage: helmStorage.storage),
            roleName: name)
        for warning in result.warnings { context.warn(warning) }
        if explain { context.standardError(ScopeSupport.explanation(result)) }
        if let compare {
            try compareRole(file: compare, with: result, context: context)
            return
        }
        switch output {
        case .yaml: context.standardOutput(YAMLWriter.write(result.roleObject))
        case .json: context.standardOutput(JSONWriter.write(result.roleObject) + "\n")
        }
        try ScopeSupport.reportAdministratorObjects(result, context: context)
    }

    private func compareRole(file: String, with result: ScopeResult, context: CommandContext) throws {
        // Manifest errors in the file end the command with exit 2, each at its line.
        let objects = try ManifestLoader().load([.path(file)])
        guard let object = objects.first(where: { RBACAPI.isRBACObject($0) && ($0.kind == "Role" || $0.kind == "ClusterRole") }) else {
            throw CommandError(.invalidInput, at: file, "no Role or ClusterRole to compare")
        }
        let existing = try RBACRole(object)
        let over = PolicyComparator.covers(result.role.rules, existing.rules).uncovered
        let missing = PolicyComparator.covers(existing.rules, result.role.rules).uncovered
        var text = "Comparing \(existing) (\(file)) with what --for \(result.method) needs:\n"
        if over.isEmpty && missing.isEmpty {
            text += "  it grants exactly what is needed.\n"
        }
        if !over.isEmpty {
            text += "Over-privileged (granted, not needed): \(over.count)\n"
            for rule in over { text += "  - \(rule)\n" }
        }
        if !missing.isEmpty {
            text += "Missing (needed, not granted): \(missing.count)\n"
            for rule in missing { text += "  - \(rule)\n" }
        }
        context.standardOutput(text)
        if !over.isEmpty || !missing.isEmpty { throw CommandExit(.failure) }
    }
}

/// `--helm-storage` values.
enum HelmStorageOption: String, ExpressibleByArgument, CaseIterable {
    case secret
    case configmap

    var storage: DeployOptions.HelmStorage { self == .configmap ? .configMap : .secret }
}

/// `-o yaml|json` for commands that print manifests.
enum ManifestFormat: String, ExpressibleByArgument, CaseIterable {
    case yaml
    case json
}

/// Steps `scope` and `credentials` share.
enum ScopeSupport {
    /// Derives the Role; input errors are thrown (exit 2), at most ``maximumErrorsShown`` of them shown.
    static func derive(
        _ loaded: LoadedManifests, namespace: String?, method: DeployMethod, options: DeployOptions, roleName: String
    ) throws -> ScopeResult {
        let target: String
        if let namespace {
            target = namespace
        } else {
            let namespaces = Set(loaded.objects.compactMap(\.namespace))
            guard namespaces.count == 1, let only = namespaces.first else {
                throw CommandError(
                    .missingInput,
                    "give the namespace to deploy to with -n NAMESPACE"
                        + (namespaces.count > 1 ? " (the manifests name \(namespaces.sorted().joined(separator: ", ")))" : ""))
            }
            target = only
        }
        var objects = loaded.objects
        NamespacePlacement.place(&objects, in: target, kinds: loaded.kinds)
        do {
            return try ScopeDeriver(method: method, options: options, namespace: target, roleName: roleName)
                .derive(objects: objects, kinds: loaded.kinds)
        } catch {
            throw CommandErrors(manifests: error, limit: maximumErrorsShown)
        }
    }

    /// At most this many input errors are printed; the rest are counted.
    static let maximumErrorsShown = 20

    /// Lists cluster-scoped objects on standard error and ends with status 1 when there are any.
    static func reportAdministratorObjects(_ result: ScopeResult, context: CommandContext) throws {
        guard !result.needsAdministrator.isEmpty else { return }
        var text = "needs a cluster administrator: \(result.needsAdministrator.count) cluster-scoped object(s) are not granted to the deployer:\n"
        for object in result.needsAdministrator {
            text += "  - \(object.kind) \(object.name) (\(object.source?.description ?? "-"))\n"
        }
        text += "Ask a cluster administrator to apply them, or remove them from the deploy.\n"
        context.standardError(text)
        throw CommandExit(.failure)
    }

    /// Which object needs which rule, for `--explain`: per rule, each reason once with the objects that need it.
    static func explanation(_ result: ScopeResult) -> String {
        var text = "Role \(result.role.namespace ?? "")/\(result.role.name) for --for \(result.method):\n"
        for (index, entry) in result.explanations.enumerated() {
            text += "rule \(index + 1): \(entry.rule)\n"
            var order: [String] = []
            var objects: [String: [String]] = [:]
            // Objects the planner counted without naming them (it names five per kind and verb).
            var counted: [String: Int] = [:]
            for reason in entry.reasons {
                let head = reason.verb.isEmpty ? reason.reason : "\(reason.verb) \(reason.resource): \(reason.reason)"
                if objects[head] == nil {
                    order.append(head)
                    objects[head] = []
                }
                if let object = reason.object, !object.isEmpty {
                    let named = object + (reason.source.map { " (\($0))" } ?? "")
                    if objects[head]?.contains(named) == false { objects[head]?.append(named) }
                }
                counted[head, default: 0] += reason.otherObjects
            }
            for head in order {
                text += "  - \(head)\n"
                let needed = objects[head] ?? []
                if !needed.isEmpty {
                    let shown = needed.prefix(5).joined(separator: ", ")
                    let more = max(0, needed.count - 5) + (counted[head] ?? 0)
                    text += "      for \(shown)\(more > 0 ? " and \(more) more" : "")\n"
                }
            }
        }
        return text
    }
}
