import ArgumentParser
import Audit
import Foundation
import KubeAPI
import KubeModel
import RBAC
import Reports

/// `--fail-on` threshold.
enum FailThreshold: String, ExpressibleByArgument, CaseIterable {
    case critical, high, medium, low, none

    var severity: Severity? { Severity(rawValue: rawValue) }
}

/// `warrant audit -o` formats.
enum AuditFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, junit, markdown, gitlab
}

/// `warrant audit`: RBAC risk findings and the compliance verdict for a set of manifests.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit RBAC in manifests: risky permissions, escalation paths and a compliance verdict.",
        discussion: """
            Evaluates every Role, ClusterRole and binding with Kubernetes' exact RBAC semantics and \
            reports:
              - findings from a catalog of risky permissions (wildcards, secrets, pods/exec, \
            escalate/bind/impersonate, webhooks, cluster-admin, system:anonymous, ...), each with a \
            stable ID, a severity, the rationale, the remediation and the file:line of the role and \
            of the binding that makes it live; roles bound to nobody are reported as dormant (low);
              - escalation paths over several hops (create pods → run as another ServiceAccount → its rights);
              - effective permissions per subject;
              - a verdict on the compliance questions for a CI/CD tool: does it need cluster-wide \
            permissions, does it bring its own access-control model (Argo CD RBAC and accounts, \
            AppProject roles, Flux impersonation, any holder of impersonate or bind)?

            Every finding that names subjects, and every escalation step, is a set of requests the \
            API server would allow them, shaped as it shapes them: cluster-scoped resources (nodes/proxy, \
            CRDs, webhooks...) only through ClusterRoleBindings; impersonating users and groups only \
            cluster-wide, ServiceAccounts in the RoleBinding's namespace; resourceNames honoured and \
            named. The JSON output lists them ('requests'); --list-checks shows what each check asks. \
            A rule that allows nothing is a dead rule (W126, low). Kubernetes' own bootstrap policy is \
            recognised: what it grants its default subjects is low; what a cluster adds is not.

            Input from whole repositories: YAML that is no Kubernetes object (a CI file, Chart.yaml, \
            a test's expected results, a kustomization) is skipped with a warning naming its file:line; \
            RBAC the API server would refuse is a finding (W207) with its file:line; an object written \
            twice is a warning naming both places, and the later one is used.

            Namespaced objects without a namespace are placed in --namespace (as 'kubectl apply -n' would).

            Formats: text (default; coloured on a terminal unless NO_COLOR is set), json, sarif \
            (2.1.0, for code scanning), junit, markdown (a report for a CISO), gitlab (Code Quality).

            Exit code 1 when a finding is at or above --fail-on (default high); 'none' never fails.

            Suppressions are always listed, never silent: annotate the Role or binding with \
            warrant.dev/ignore: "W104,W106" (and warrant.dev/ignore-reason), or give an ignore file:
              ignore:
              - check: W104            # ID or name
                role: ingress-nginx    # optional; also binding, namespace
                reason: serves TLS certificates from Secrets

            Run 'warrant audit --list-checks' for the catalog.

            AGAINST A CLUSTER (--cluster, --kubeconfig or --context)
            Reads every Role, ClusterRole, RoleBinding and ClusterRoleBinding from the API (with -n: \
            the namespaced ones of that namespace only, and all cluster-scoped ones). When the \
            credential may not list some of them (cluster-scoped RBAC, typically), the audit covers \
            what it could read and says plainly what it could not; nothing readable → exit 3.

            EXAMPLES
              warrant audit -f argocd/install.yaml -n argocd
              warrant audit -f rbac/ -o sarif > warrant.sarif
              warrant audit -f rbac/ -o markdown --fail-on none > audit.md
              warrant audit --cluster -n shop -o markdown > shop-audit.md
            """
    )

    @OptionGroup var manifests: ManifestOptions

    @OptionGroup var live: ClusterOptions

    @Option(
        name: .shortAndLong,
        help: "The namespace for namespaced objects written without one (default: default); with --cluster, the namespace to audit (default: all).")
    var namespace: String?

    @Option(name: .shortAndLong, help: "Output format: text, json, sarif, junit, markdown or gitlab.")
    var output: AuditFormat = .text

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity: critical, high, medium, low or none.")
    var failOn: FailThreshold = .high

    @Option(name: .customLong("ignore-file"), help: ArgumentHelp("Suppressions, each with a reason.", valueName: "file"))
    var ignoreFile: String?

    @Flag(name: .customLong("no-permissions"), help: "Leave the per-subject permissions out of the text output.")
    var noPermissions = false

    @Flag(name: .customLong("list-checks"), help: "Print the risk catalog and exit.")
    var listChecks = false

    func validate() throws {
        try ArgumentChecks.namespace(namespace)
    }

    func run() async throws {
        let context = CommandContext.current
        if listChecks {
            var table = TextTable(headers: ["ID", "NAME", "SEVERITY", "CLUSTER-WIDE", "TITLE"])
            for check in RiskCatalog.checks {
                table.append([check.id, check.name, check.severity.rawValue, check.clusterWideSeverity.rawValue, check.title])
            }
            var requests = TextTable(headers: ["ID", "REQUESTS ASKED (each must be allowed to the subjects a finding names)"])
            for check in RiskCatalog.checks where !RiskCatalog.requests(of: check.id).isEmpty {
                requests.append([check.id, RiskCatalog.requests(of: check.id)])
            }
            context.standardOutput(table.render() + "\n" + requests.render())
            return
        }
        if live.isLive {
            try await auditCluster(context: context)
            return
        }
        let namespace = self.namespace ?? "default"
        // Folders of whole repositories hold YAML that is no Kubernetes object: it is skipped, with
        // a warning. Only what the audit reads is kept whole of each object (issue 18).
        var input = try manifests.load(context: context, retaining: .identities(keepingWhole: Auditor.readsWhole), skippingNonObjects: true)
        for skipped in input.skipped { context.warn(skipped.description) }
        let placed = input.takeObjects(placingIn: namespace)
        let loaded = input
        var (objects, duplicates) = DuplicateObjects.laterWins(placed)
        for duplicate in duplicates { context.warn(duplicate.description) }
        // RBAC objects the API server refuses are findings (W207), not the end of the audit.
        let (policy, rejected, rejectedPositions) = RBACPolicy.validated(objects: objects, defaultNamespace: namespace)
        if !rejectedPositions.isEmpty {
            let refused = Set(rejectedPositions)
            objects = objects.indices.filter { !refused.contains($0) }.map { objects[$0] }
        }
        let suppressions = try loadSuppressions()
        let report = Auditor(suppressions: suppressions).audit(objects: objects, policy: policy, kinds: loaded.kinds, rejected: rejected)
        let failing = render(report, context: context)
        // Freeing the report and its inputs (hundreds of thousands of values for a large cluster)
        // is not needed before the process exits: a background task does it instead of delaying
        // the end of the command (in a process that goes on, such as the tests', moments later).
        let held = ReleaseLater((consume report, consume objects, consume policy, consume loaded))
        Task.detached(priority: .background) { held.release() }
        try finish(failing: failing, context: context)
    }

    /// The `--ignore-file`; its errors are manifest errors (exit 2).
    private func loadSuppressions() throws(ManifestError) -> Suppressions {
        guard let ignoreFile else { return Suppressions() }
        return try Suppressions.load(bytes: try ManifestLoader.readFile(ignoreFile), file: ignoreFile)
    }

    /// Prints the report; returns how many findings reach --fail-on.
    private func render(_ report: AuditReport, context: CommandContext) -> Int {
        let text: String
        switch output {
        case .text:
            let colour = context.outputIsTerminal && context.environment["NO_COLOR"] == nil
            text = AuditText.render(report, colour: colour, showPermissions: !noPermissions)
        case .json:
            // Written as it is made: the JSON of a large cluster is over a hundred megabytes.
            AuditJSON.write(report, to: context.standardOutput)
            text = ""
        case .sarif:
            AuditSARIF.write(report, toolVersion: Warrant.version, to: context.standardOutput)
            text = ""
        case .junit: text = AuditJUnit.render(report, failOn: failOn.severity)
        case .markdown: text = AuditMarkdown.render(report)
        case .gitlab: text = AuditGitLab.render(report)
        }
        if !text.isEmpty { context.standardOutput(text) }
        return report.findings(atOrAbove: failOn.severity).count
    }

    /// Exit 1 when findings reach --fail-on.
    private func finish(failing: Int, context: CommandContext) throws {
        if failing > 0 {
            context.standardError("warrant audit: \(failing) finding\(failing == 1 ? "" : "s") at or above \(failOn.rawValue)\n")
            throw CommandExit(.failure)
        }
    }

    /// `--cluster`: the RBAC objects from the API, then the same audit.
    private func auditCluster(context: CommandContext) async throws {
        let suppressions = try loadSuppressions()
        let kinds = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]
        let (objects, unreadable) = try await live.withClient(namespace: namespace, context: context) { client, connection in
            var objects: [KubeObject] = []
            var unreadable: [String] = []
            for kind in kinds {
                let clusterScoped = kind.hasPrefix("Cluster")
                do {
                    let listed = try await client.list(GroupKind(group: RBACAPI.group, kind: kind), namespace: clusterScoped ? nil : namespace)
                    for var object in listed.objects {
                        object.source = SourceLocation(file: "cluster \(object.displayName)", line: 0)
                        objects.append(object)
                    }
                } catch let error as KubeAPIError where error.isForbidden {
                    unreadable.append("\(kind)s\(clusterScoped || namespace == nil ? "" : " in \(namespace ?? "")"): \(error.message)")
                }
            }
            _ = connection
            return (objects, unreadable)
        }
        if unreadable.count == kinds.count {
            throw CommandError(.unreachable, "the credential may not list any RBAC object:", details: unreadable)
        }
        if !unreadable.isEmpty {
            context.warn(
                "the audit is incomplete: the credential may not list\n" + unreadable.map { "  - \($0)" }.joined(separator: "\n")
                    + "\n  bindings to roles it cannot read are reported as missing roles (W206); audit with a credential that may list cluster-scoped RBAC for the full picture"
            )
        }
        let policy: RBACPolicy
        do {
            policy = try RBACPolicy(objects: objects, defaultNamespace: namespace ?? "default")
        } catch {
            // The cluster's own objects: not the user's input, so not exit 2.
            throw CommandError(.failed, wrapping: error)
        }
        let report = Auditor(suppressions: suppressions).audit(objects: objects, policy: policy, kinds: KindTable.builtin)
        try finish(failing: render(report, context: context), context: context)
    }
}
