import ArgumentParser
import KubeModel
import Reports
import Restrict

/// `--profile` values, mirroring ``ToolProfile``.
enum ToolProfileOption: String, ExpressibleByArgument, CaseIterable {
    case argocd
    case flux
    case generic

    var profile: ToolProfile { ToolProfile(rawValue: rawValue) ?? .generic }
}

/// `--report-format` values.
enum RestrictReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case markdown
    case json
}

/// `warrant restrict`: rewrites a pull-style tool's install into a namespace-confined one.
struct RestrictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restrict",
        abstract: "Rewrite a CI/CD tool's install manifest into a namespace-confined install.",
        discussion: """
            Writes the confined install to standard output (YAML documents, or a JSON List with \
            -o json). A namespace administrator (bound to the built-in 'admin' ClusterRole in the \
            tool's and the target namespaces, nothing else) can apply it once a cluster \
            administrator has applied the objects written to --admin-out.

            What changes:
              - ClusterRoles and ClusterRoleBindings become Roles and RoleBindings: in the tool
                namespace what the tool needs to run (its ConfigMaps, Secrets, Leases, Events,
                custom resources), in each target namespace the application kinds. Wildcards
                become explicit kinds and verbs; whatever the built-in admin role does not hold
                is cut, and listed.
              - CRDs, Namespaces, webhooks and every other cluster-scoped object, and namespaced
                objects a namespace administrator cannot create (ResourceQuotas), go to
                --admin-out, with a ClusterRole warrant-TOOL-NAMESPACE-aggregate-to-admin that
                aggregates the tool's custom resources into admin. Nothing is dropped silently.
              - Admission webhooks are limited to the target namespaces (a namespaceSelector on
                kubernetes.io/metadata.name), pointed at the tool namespace's Service and renamed
                NAME-NAMESPACE; the report's first lines say what each intercepts, whether it
                fails closed, and how it gets its CA bundle. A Job that would patch the CA bundle
                itself (kube-webhook-certgen's patch) is left out: that needs update on the
                cluster-wide webhook configuration.
              - The tool's cluster-scoped custom resources, cluster-scoped kinds and non-resource
                URLs are listed under "cannot be confined" with what the tool then cannot do.
              - Objects in API versions Kubernetes no longer serves are left out and listed.
              - Containers without resource requests or limits get --default-requests and
                --default-limits; images with :latest or no tag are flagged.
              - Roles that must read Secrets in the tool namespace carry a 'warrant.dev/ignore'
                annotation with the reason, so 'warrant audit' lists that risk as accepted.

            Profiles (--profile, detected when not given):
              argocd   in-cluster destination Secret with namespaces A,B and clusterResources
                       "false"; the 'default' AppProject limited to the targets with an empty
                       clusterResourceWhitelist; Argo CD's own log-in switched off (admin user,
                       anonymous access, accounts, SSO), so Kubernetes RBAC decides who deploys;
                       resource.inclusions limited to the application kinds
              flux     lockdown flags (--watch-all-namespaces=false, --no-cross-namespace-refs=true,
                       --no-remote-bases=true, --default-service-account=SA); the cluster-admin
                       binding replaced by ServiceAccount SA with Roles in the targets; the report
                       says why Flux still needs an administrator's risk analysis
              generic  any controller: confine what can be confined, list the rest with reasons

            Application kinds (the target namespaces' Roles): the kinds of --allow-from \
            manifests, else a default set (ConfigMaps, Services, ServiceAccounts, PVCs, \
            Deployments, StatefulSets, Jobs, CronJobs, HPAs, Ingresses, NetworkPolicies, PDBs), \
            plus read access to Pods, ReplicaSets, Events and Endpoints for health. Never \
            Secrets unless the applications have them, never RBAC, never a wildcard.

            Running restrict on its own output changes nothing, with or without the --admin-out
            objects given beside it.

            The install's namespace (the one it was written for, moved to -n) is the one its
            objects name most often; --source-namespace chooses another. Objects in other
            namespaces go to --admin-out. --crds-from adds CRDs the install lacks (Argo CD's
            namespace-install.yaml has none: give its install.yaml) to --admin-out.

            EXIT CODES
              0  the confined install was written
              2  invalid input or options (nothing is written)

            EXAMPLES
              warrant restrict -f install.yaml -n argocd --target-namespaces shop,blog \\
                --admin-out admin.yaml --report report.md --report-format markdown \\
                > argocd.yaml
              warrant restrict -f gotk-components.yaml -n flux-system \\
                --target-namespaces apps --allow-from deploy/ --admin-out admin.yaml \\
                > flux.yaml
              warrant restrict -f namespace-install.yaml --crds-from install.yaml \\
                -n argocd --target-namespaces shop --admin-out admin.yaml > argocd.yaml
            """
    )

    @OptionGroup var manifests: ManifestOptions

    @Option(name: .shortAndLong, help: "The namespace the tool runs in.")
    var namespace: String

    @Option(
        name: .customLong("target-namespaces"),
        help: ArgumentHelp("The namespaces the tool deploys to, comma-separated.", valueName: "a,b"))
    var targetNamespaces: String

    @Option(
        name: .customLong("allow-from"),
        help: ArgumentHelp("Application manifests whose kinds the tool may manage in the targets (file or folder). Repeatable.", valueName: "path"))
    var allowFrom: [String] = []

    @Option(
        name: .customLong("source-namespace"),
        help: ArgumentHelp(
            "The namespace the install was written for (its objects move to -n); by default the one it names most often.", valueName: "namespace"))
    var sourceNamespace: String?

    @Option(
        name: .customLong("crds-from"),
        help: ArgumentHelp(
            "A manifest (file or folder) whose CustomResourceDefinitions the install needs but lacks; they go to --admin-out, its other objects are ignored. Repeatable.",
            valueName: "path"))
    var crdsFrom: [String] = []

    @Option(help: "The tool: argocd, flux or generic (detected when not given).")
    var profile: ToolProfileOption?

    @Option(name: .customLong("admin-out"), help: ArgumentHelp("Write what a cluster administrator must apply to this file.", valueName: "file"))
    var adminOut: String?

    @Option(help: ArgumentHelp("Write the report (every change and why) to this file; '-' for standard error.", valueName: "file"))
    var report: String?

    @Option(name: .customLong("report-format"), help: "The report's format: text, markdown or json.")
    var reportFormat: RestrictReportFormat = .text

    @Option(name: .shortAndLong, help: "Output format: yaml or json.")
    var output: ManifestFormat = .yaml

    @Option(
        name: .customLong("default-requests"),
        help: ArgumentHelp("Requests for containers without them.", valueName: "cpu=100m,memory=128Mi"))
    var defaultRequests: String = "cpu=100m,memory=128Mi"

    @Option(
        name: .customLong("default-limits"),
        help: ArgumentHelp("Limits for containers without them.", valueName: "cpu=1,memory=1Gi"))
    var defaultLimits: String = "cpu=1,memory=1Gi"

    @Option(
        name: .customLong("flux-service-account"),
        help: "Flux: the ServiceAccount in the tool namespace that Flux applies as (--default-service-account).")
    var fluxServiceAccount: String = "flux-reconciler"

    func validate() throws {
        try ArgumentChecks.namespace(namespace)
        for target in targetNamespaces.split(separator: ",").map({ String($0).filter { $0 != " " } }) where !target.isEmpty {
            try ArgumentChecks.namespace(target, flag: "--target-namespaces")
        }
    }

    func run() async throws {
        let context = CommandContext.current
        let targets = targetNamespaces.split(separator: ",").map { String($0).filter { $0 != " " } }.filter { !$0.isEmpty }
        let requests = try Self.quantities(defaultRequests, option: "--default-requests")
        let limits = try Self.quantities(defaultLimits, option: "--default-limits")
        let loaded = try manifests.load(context: context)
        var applicationKinds = ApplicationKind.defaults
        if !allowFrom.isEmpty {
            var options = manifests
            options.files = allowFrom
            options.kustomizations = []
            let applications = try options.load(context: context)
            var table = applications.kinds
            for kind in loaded.kinds.kinds where table.kind(GroupKind(group: kind.group, kind: kind.kind)) == nil { table.add(kind) }
            let (kinds, skipped) = ApplicationKind.from(objects: applications.objects, kinds: table)
            applicationKinds = kinds
            for object in skipped {
                context.warn(
                    "\(object.source?.description ?? "-"): \(object.displayName) from --allow-from is not granted to the tool: RBAC objects and cluster-scoped or unknown kinds are an administrator's to create"
                )
            }
        }
        var crds: [KubeObject] = []
        if !crdsFrom.isEmpty {
            var options = manifests
            options.files = crdsFrom
            options.kustomizations = []
            let loadedCRDs = try options.load(context: context).objects
            crds = loadedCRDs.filter { $0.kind == "CustomResourceDefinition" }
            if crds.isEmpty {
                throw CommandError(.invalidInput, "--crds-from \(crdsFrom.joined(separator: ", ")) holds no CustomResourceDefinition")
            }
        }
        let options = RestrictOptions(
            toolNamespace: namespace, targetNamespaces: targets, profile: profile?.profile, applicationKinds: applicationKinds,
            defaultRequests: requests, defaultLimits: limits, fluxServiceAccount: fluxServiceAccount, sourceNamespace: sourceNamespace)
        let result: RestrictResult
        do {
            result = try Restrictor(options: options).restrict(objects: loaded.objects, kinds: loaded.kinds, customResourceDefinitions: crds)
        } catch {
            throw CommandError(.invalidManifests, wrapping: error)
        }

        // Everything is computed before anything is written: no half-written result.
        let install: String
        switch output {
        case .yaml: install = YAMLWriter.write(documents: result.objects.map(\.content))
        case .json: install = JSONWriter.write(Self.list(result.objects)) + "\n"
        }
        let reportText: String
        switch reportFormat {
        case .text: reportText = RestrictReport.text(result, administratorFile: adminOut)
        case .markdown: reportText = RestrictReport.markdown(result, administratorFile: adminOut)
        case .json: reportText = JSONWriter.write(RestrictReport.json(result)) + "\n"
        }
        if let adminOut {
            let text =
                result.administratorObjects.isEmpty
                ? "# warrant restrict: nothing needs a cluster administrator\n"
                : YAMLWriter.write(documents: result.administratorObjects.map(\.content))
            try SecureFile.write(text, to: adminOut, mode: 0o644)
        }
        if let report, report != "-" { try SecureFile.write(reportText, to: report, mode: 0o644) }
        context.standardOutput(install)
        if report == "-" { context.standardError(reportText) }
        summarize(result, context: context)
    }

    /// A few lines on standard error so that nothing moves away unnoticed.
    private func summarize(_ result: RestrictResult, context: CommandContext) {
        let count = { (category: RestrictChange.Category) in result.changes.filter { $0.category == category }.count }
        var text = "restrict: \(result.profile) profile; \(result.objects.count) object(s) confined to \(namespace) and \(targetNamespaces); "
        text += "\(count(.cut)) permission(s) cut, \(count(.cannotConfine)) thing(s) cannot be confined, \(count(.acceptedRisk)) accepted risk(s)\n"
        if count(.unservedAPI) > 0 {
            text += "warning: \(count(.unservedAPI)) object(s) in API versions Kubernetes no longer serves were left out; see the report\n"
        }
        if !result.attention.isEmpty {
            text +=
                "restrict: \(result.attention.count) point(s) for the cluster administrator to read first (cluster-admin grants, webhooks, missing CRDs); see the report's first lines\n"
        }
        if !result.administratorObjects.isEmpty {
            if let adminOut {
                text += "restrict: \(result.administratorObjects.count) object(s) for a cluster administrator written to \(adminOut)\n"
            } else {
                let names = result.administratorObjects.prefix(8).map(\.displayName).joined(separator: ", ")
                let more = result.administratorObjects.count > 8 ? ", …" : ""
                text +=
                    "warning: \(result.administratorObjects.count) object(s) need a cluster administrator and are not in the output (\(names)\(more)); write them with --admin-out FILE\n"
            }
        }
        if report == nil { text += "restrict: every change and its reason: --report FILE (or --report - for standard error)\n" }
        context.standardError(text)
    }

    static func list(_ objects: [KubeObject]) -> JSONValue {
        ["apiVersion": "v1", "kind": "List", "items": .array(objects.map(\.content))]
    }

    /// Parses `cpu=100m,memory=128Mi`.
    static func quantities(_ text: String, option: String) throws(CommandError) -> [String: String] {
        var result: [String: String] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).filter { $0 != " " } }
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                throw CommandError(.invalidOption, at: "\(option) '\(text)'", "expected NAME=QUANTITY pairs separated by commas, e.g. cpu=100m,memory=128Mi")
            }
            result[pair[0]] = pair[1]
        }
        return result
    }
}
