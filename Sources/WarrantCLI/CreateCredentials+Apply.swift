import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import RBAC

/// `warrant credentials create --apply`: the Compliant Kubernetes recipe, done and checked.
///
/// ``CredentialInstaller`` checks, applies, obtains the token and verifies; the command writes the
/// kubeconfig in between (a file on the operator's machine, not part of what the engine does).
extension CreateCredentials {
    func applyInCluster(documents: [JSONValue], role: RBACRole, job: DeployJob, context: CommandContext) async throws {
        let kubeconfigPath = kubeconfigOut ?? output.map { URL(fileURLWithPath: $0).appendingPathComponent("\(name).kubeconfig").path } ?? "\(name).kubeconfig"
        // Every output path is checked (its folder created) before the first change in the
        // cluster: a credential whose kubeconfig cannot be written would be made for nothing.
        do {
            try SecureFile.prepare(kubeconfigPath, folderMode: 0o700)
        } catch {
            throw CommandError(.unwritableOutput, "\(error); nothing was changed in the cluster", underlying: error)
        }
        let source: CredentialInstaller.TokenSource
        switch token {
        case .secret: source = .secret(timeout: .seconds(timeout))
        case .request: source = .request(expirationSeconds: tokenSeconds)
        }
        let installer = CredentialInstaller(
            configuration: CredentialInstaller.Configuration(name: name, namespace: namespace, token: source, verifyNamespace: verifyNamespace),
            logger: connection.logger(label: "warrant.credentials", context: context))
        let reporter = CredentialReporter { event in Self.show(event, context: context) }
        try await connection.withClient(namespace: namespace, context: context) { client, cluster in
            let issued = try await installer.install(documents, role: role, client: client, reporter: reporter)
            let ca = issued.certificateAuthorityPEM ?? cluster.certificateAuthorityPEM
            // The pipeline authenticates with its token: the operator's user information
            // (`user:password@` in the server URL) stays out of the pipeline's kubeconfig.
            let kubeconfig = KubeconfigCommand.document(
                name: name, server: cluster.displayServer, certificateAuthority: ca, token: issued.token, namespace: namespace)
            try SecureFile.write(YAMLWriter.write(kubeconfig), to: kubeconfigPath)
            context.standardError("wrote \(kubeconfigPath) (mode 0600): cluster \(cluster.displayServer), namespace \(namespace)\n")
            try await installer.verify(
                issued.connection(basedOn: cluster), role: role, clientConfiguration: connection.clientConfiguration(context: context),
                reporter: reporter)
        }
        context.standardOutput(
            "Credential \(namespace)/\(name) is ready in \(kubeconfigPath).\n"
                + KubeconfigCommand.instructions(for: ci, namespace: namespace, file: kubeconfigPath, job: job))
    }

    /// One line on standard error for each step of the installer.
    static func show(_ event: CredentialEvent, context: CommandContext) {
        switch event {
        case .ownRulesIncomplete(let namespace):
            context.warn("the server says your rules in \(namespace) may be incomplete; the API server decides")
        case .applied(let object):
            context.standardError("applied \(object)\n")
        case .tokenRequested(let expiration):
            context.standardError("requested a token valid until \(expiration)\n")
        case .waitingForTokenSecret(let namespace, let name):
            context.standardError("waiting for the token controller to fill Secret \(namespace)/\(name) …\n")
        case .verified(let namespace, let name, let ruleCount, let otherNamespace):
            context.standardError(
                "verified as \(namespace)/\(name): it holds exactly the \(ruleCount) scoped rule(s) in \(namespace) and none of them in \(otherNamespace)\n")
        }
    }
}
