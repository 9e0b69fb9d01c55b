import ArgumentParser
import DeployEngine
import Foundation
import KubeModel
import RBAC
import ScopePlanning

/// `warrant credentials`: the CI/CD credential bundle and its kubeconfig.
struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "Create a least-privilege CI/CD credential: ServiceAccount, Role, RoleBinding, token and kubeconfig.",
        discussion: """
            The Compliant Kubernetes recipe for CI credentials in two commands:

              1. warrant credentials create --name ci -n shop -f deploy/ -o out/
                 writes out/ci.yaml: a ServiceAccount, the Role 'warrant scope' derives from the
                 manifests, a RoleBinding and (with --token secret) a token Secret. A namespace admin
                 applies it: kubectl apply -f out/ci.yaml
              2. warrant credentials kubeconfig --server https://API:6443 \\
                   --certificate-authority ca.crt --token-file token -n shop -o ci.kubeconfig --ci gitlab
                 writes a kubeconfig (mode 0600) and explains how to store it as a protected CI secret.
            """,
        subcommands: [CreateCredentials.self, KubeconfigCommand.self]
    )
}

/// `--token` kinds.
enum TokenKind: String, ExpressibleByArgument, CaseIterable {
    case secret
    case request
}

/// `--ci` systems.
enum CISystem: String, ExpressibleByArgument, CaseIterable {
    case gitlab
    case github
}

/// `warrant credentials create`.
struct CreateCredentials: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Write the credential bundle for deploying the manifests: ServiceAccount, Role, RoleBinding, token Secret.",
        discussion: """
            Offline: writes one manifest for a namespace admin to apply. The Role is exactly what \
            'warrant scope' derives for the same options. The ServiceAccount does not automount its \
            token into pods: it is for the pipeline only.

            By default the credential is scoped for a pipeline that prunes and waits ('warrant \
            deploy --prune --wait', what a team needs); --no-prune and --no-wait leave those rights \
            out. The deploy job printed for GitLab or GitHub runs exactly the options the \
            credential was scoped for, so that its first run passes the pre-flight.

            --token secret (default) adds a Secret of type kubernetes.io/service-account-token \
            annotated with kubernetes.io/service-account.name, the long-lived token the Compliant \
            Kubernetes tutorial uses. --token request adds none: the safer, short-lived form, where \
            each pipeline obtains a token with TokenRequest ('kubectl create token NAME --duration D') \
            and nothing long-lived is stored.

            --apply does it in the cluster (your kubeconfig, or --kubeconfig/--context): checks first \
            that the kubeconfig can be written (its folder is created) and that you hold every \
            permission the Role grants (Kubernetes' escalation prevention would \
            refuse it otherwise) and lists what you lack without changing anything; applies the \
            ServiceAccount, Role, RoleBinding (and token Secret) with server-side apply; waits for \
            the token (or requests one, --token request); writes a kubeconfig (mode 0600, \
            --kubeconfig-out, default NAME.kubeconfig); then verifies, as the new credential, that it \
            holds exactly the scoped rules in the namespace and nothing of them in --verify-namespace.

            Exits 1 when the manifests hold cluster-scoped objects (listed for an administrator), \
            when you lack permissions or the verification fails; 2 on invalid input; 3 when the \
            cluster cannot be reached.
            """
    )

    @Option(help: "The name of the ServiceAccount, Role and RoleBinding.")
    var name: String

    @Option(name: .shortAndLong, help: "The namespace the pipeline deploys to.")
    var namespace: String

    @OptionGroup var manifests: ManifestOptions

    @Option(name: .customLong("for"), help: "The deploy method: warrant, kubectl, kubectl-ssa or helm.")
    var method: DeployMethodOption = .warrant

    @Flag(inversion: .prefixedNo, help: "The pipeline prunes objects that left the manifests (the default; --no-prune leaves it out).")
    var prune = true

    @Flag(inversion: .prefixedNo, help: "The pipeline waits for workloads to become ready (the default; --no-wait leaves it out).")
    var wait = true

    @Option(name: .customLong("helm-storage"), help: "With --for helm: secret (Helm's default) or configmap (HELM_DRIVER=configmap).")
    var helmStorage: HelmStorageOption = .secret

    @Option(help: "secret: a long-lived token Secret; request: short-lived tokens from TokenRequest (safer).")
    var token: TokenKind = .secret

    @Option(
        name: .customLong("duration"),
        help: ArgumentHelp(
            "With --token request: the token lifetime (kubectl's format, e.g. 1h; 10m to 2^32 s, as TokenRequest allows; default 1h).", valueName: "duration"),
        transform: DurationArgument.option(in: .seconds(600) ... .seconds(1 << 32)))
    var tokenDuration: DurationArgument?

    /// The token lifetime in whole seconds (TokenRequest's `expirationSeconds`).
    var tokenSeconds: Int { tokenDuration?.seconds ?? 3600 }

    /// The token lifetime written the way kubectl reads it (`1h`, `90m`).
    var duration: String { DurationArgument(duration: .seconds(tokenSeconds)).description }

    @Option(name: .shortAndLong, help: ArgumentHelp("Write NAME.yaml into this folder instead of standard output (created if missing).", valueName: "dir"))
    var output: String?

    @Option(help: "With --apply: explain how to store the kubeconfig in gitlab or github, with a deploy job.")
    var ci: CISystem = .gitlab

    @Flag(help: "Create the credential in the cluster, write its kubeconfig and verify it.")
    var apply = false

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .customLong("kubeconfig-out"), help: ArgumentHelp("With --apply: where to write the kubeconfig (mode 0600).", valueName: "file"))
    var kubeconfigOut: String?

    @Option(name: .customLong("verify-namespace"), help: "With --apply: a namespace where the credential must be denied (default: default, or kube-system).")
    var verifyNamespace: String?

    @Option(
        name: .customLong("timeout"), help: ArgumentHelp("With --apply: seconds to wait for the token controller (1-3600, default 60).", valueName: "seconds"))
    var tokenTimeout: Int?

    /// How long to wait for the token controller, in seconds.
    var timeout: Int { tokenTimeout ?? 60 }

    func validate() throws {
        guard Self.isDNSLabel(name) else {
            throw ValidationError("--name must be a DNS label (lower-case letters, digits and '-', at most 63 characters): '\(name)'")
        }
        try ArgumentChecks.namespace(namespace)
        try ArgumentChecks.namespace(verifyNamespace, flag: "--verify-namespace")
        if let tokenTimeout, !(1...3600).contains(tokenTimeout) {
            throw ValidationError("--timeout \(tokenTimeout) is \(tokenTimeout < 0 ? "negative" : "out of range"): give 1 to 3600 seconds")
        }
        try ArgumentChecks.needs(tokenDuration != nil && token != .request, "--duration", "--token request")
        try ArgumentChecks.needs(tokenTimeout != nil && !apply, "--timeout", "--apply")
        try ArgumentChecks.needs(kubeconfigOut != nil && !apply, "--kubeconfig-out", "--apply")
        try ArgumentChecks.needs(verifyNamespace != nil && !apply, "--verify-namespace", "--apply")
        try ArgumentChecks.needs(connection.isGiven && !apply, "--kubeconfig, --context, --log-level or --request-timeout", "--apply")
    }

    static func isDNSLabel(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 63, text.first?.isLetter == true || text.first?.isNumber == true, text.last != "-" else {
            return false
        }
        return text.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    func run() async throws {
        let context = CommandContext.current
        let loaded = try manifests.load(context: context, retaining: .rbac)
        let result = try ScopeSupport.derive(
            loaded, namespace: namespace, method: method.method,
            options: DeployOptions(prune: prune, wait: wait, helmStorage: helmStorage.storage), roleName: name)
        for warning in result.warnings { context.warn(warning) }
        let documents = bundle(roleObject: result.roleObject)
        let job = deployJob(loaded.objects)
        if apply {
            try await applyInCluster(documents: documents, role: result.role, job: job, context: context)
            try ScopeSupport.reportAdministratorObjects(result, context: context)
            return
        }
        let text =
            "# Credential bundle for CI/CD deploys to \(namespace) (warrant credentials create).\n"
            + "# Apply as a namespace admin: kubectl apply -f <this file>\n" + YAMLWriter.write(documents: documents)
        var next = ""
        if let output {
            let path = URL(fileURLWithPath: output).appendingPathComponent("\(name).yaml").path
            try SecureFile.prepare(path, folderMode: 0o755)
            try SecureFile.write(text, to: path, mode: 0o644)
            next += "wrote \(path)\n"
        } else {
            context.standardOutput(text)
        }
        next += "Next steps:\n  1. As a namespace admin of \(namespace): kubectl apply -f \(output.map { "\($0)/\(name).yaml" } ?? "<the bundle>")\n"
        switch token {
        case .secret:
            next += "  2. Read the token and CA (they stay out of your terminal):\n"
            next += "       kubectl get secret \(name)-token -n \(namespace) -o jsonpath='{.data.token}' | base64 -d > token\n"
            next += "       kubectl get secret \(name)-token -n \(namespace) -o jsonpath='{.data.ca\\.crt}' | base64 -d > ca.crt\n"
        case .request:
            next += "  2. Get a short-lived token (TokenRequest) when the pipeline runs:\n"
            next += "       kubectl create token \(name) -n \(namespace) --duration \(duration) > token\n"
        }
        next +=
            "  3. warrant credentials kubeconfig --server https://API-SERVER:6443 --certificate-authority ca.crt --token-file token -n \(namespace) -o \(name).kubeconfig --ci \(ci)\(job.kubeconfigFlags)\n"
        next += "     (its deploy job runs: \(job.commands.joined(separator: "; ")))\n"
        context.standardError(next)
        try ScopeSupport.reportAdministratorObjects(result, context: context)
    }

    /// The deploy step a pipeline with this credential runs: the method and options it was
    /// scoped for, and the workloads of `objects` for a kubectl job to wait for.
    func deployJob(_ objects: [KubeObject]) -> DeployJob {
        let workloads = objects.filter { RequestPlanner.workloadKinds.contains($0.groupKind) }.map { "\($0.kind.lowercased())/\($0.name)" }
        return DeployJob(
            method: method.method, options: DeployOptions(prune: prune, wait: wait, helmStorage: helmStorage.storage), namespace: namespace,
            workloads: workloads)
    }

    /// The ServiceAccount, the Role, the RoleBinding and, with `--token secret`, the token Secret.
    func bundle(roleObject: JSONValue) -> [JSONValue] {
        CredentialBundle.documents(name: name, namespace: namespace, roleObject: roleObject, tokenSecret: token == .secret)
    }
}
