import Agent
import ArgumentParser
import Foundation
import KubeModel
import Logging

/// `warrant agent install`: prints what a namespace administrator applies to run the agent.
struct AgentInstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract:
            "Print the agent's ServiceAccount, Role, RoleBinding, ConfigMap, Deployment and NetworkPolicy (and Service, with webhooks) for one namespace.",
        discussion: """
            Nothing cluster-scoped: a namespace administrator applies the output \
            (kubectl apply -f -, or 'warrant deploy' with an admin credential).

            The Role is what 'warrant scope --for warrant' derives for the manifests (with \
            --prune and --wait as given) plus get, create and patch of the agent's status \
            ConfigMap warrant-agent-status. The manifests are those at the branch's tip (the \
            repository is fetched without credentials: use -f for a private repository), or \
            those given with -f/-k. When the repository later needs a kind the Role lacks, the \
            agent applies nothing and its status names the permission to add.

            The Deployment runs --image, pinned by digest (IMAGE@sha256:…), two replicas (the \
            Lease warrant-agent elects the one that applies), \
            as a non-root user with a read-only root file system, all capabilities dropped, \
            seccomp RuntimeDefault, requests and limits, an emptyDir for the checkout and probes \
            on the loop's heartbeat. Git credentials come from the Secret --git-secret (keys \
            token for https://; ssh-privatekey and known_hosts for ssh://). The NetworkPolicy \
            allows egress to DNS, the API server and the Git host only (by port, or to \
            --api-server-cidr and --git-cidr).

            Webhooks: --webhook-secret NAME mounts the Secret NAME (key 'secret': GitHub's \
            webhook secret or GitLab's secret token) read-only at \(AgentInstallation.webhookSecretDirectory) and \
            gives the agent --webhook-secret-file \(AgentInstallation.webhookSecretFile); the output then \
            has a Service warrant-agent (port \(AgentInstallation.servicePort) to the pods' http port) for an \
            Ingress to route /hooks/github or /hooks/gitlab to, and the NetworkPolicy admits \
            traffic to the http port.

            Without --image the Deployment runs this version's image, \(ContainerImage.reference), \
            by tag: this binary cannot know the digest of the image it ships in, so the output \
            begins with a comment saying so. Pin it before applying: --image \
            \(ContainerImage.reference)@sha256:… (the digest Scripts/build-image.sh prints, or \
            skopeo inspect --format '{{.Digest}}' docker://\(ContainerImage.reference)).

            EXIT CODES
              0  the manifests were printed
              2  invalid input (settings, manifests, an --image without a digest)
              3  the repository could not be fetched
            """
    )

    @OptionGroup var agent: AgentOptions

    @Option(help: ArgumentHelp("The agent's image, pinned by digest: IMAGE@sha256:… (default: \(ContainerImage.reference), by tag).", valueName: "image"))
    var image: String?

    @Option(name: .customLong("git-secret"), help: ArgumentHelp("A Secret with the Git credentials, mounted read-only.", valueName: "name"))
    var gitSecret: String?

    @Option(
        name: .customLong("webhook-secret"),
        help: ArgumentHelp("A Secret whose key 'secret' holds the webhook secret; mounted read-only, with a Service for the hooks.", valueName: "name"))
    var webhookSecret: String?

    @Option(name: .customLong("api-server-cidr"), help: ArgumentHelp("The API server's address range for the NetworkPolicy.", valueName: "cidr"))
    var apiServerCIDR: String?

    @Option(name: .customLong("git-cidr"), help: ArgumentHelp("The Git host's address range for the NetworkPolicy.", valueName: "cidr"))
    var gitCIDR: String?

    @OptionGroup var manifests: ManifestOptions

    func validate() throws {
        try agent.require(["--namespace", "--repo", "--branch", "--allowed-signers"])
    }

    func run() async throws {
        let context = CommandContext.current
        if let image, !AgentInstallation.isPinned(image) {
            throw CommandError(
                .invalidOption, at: "--image", "'\(image)' is not pinned by digest",
                hint: "give the image by digest, e.g. --image \(ContainerImage.reference)@sha256:<64 hex digits>, so that what runs is what was reviewed")
        }
        let image = image ?? ContainerImage.reference
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("warrant-agent-install-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var settings = AgentSettings()
        agent.add(to: &settings)
        settings.set(.workDir, scratch)
        // Each problem of the settings is an error of its own (exit 2).
        let configuration = try AgentConfiguration(settings: settings)
        let (objects, kinds) = try await loadManifests(configuration, context: context)
        let role: AgentRole
        do {
            role = try AgentRole(objects: objects, kinds: kinds, configuration: configuration)
        } catch {
            throw CommandError(.invalidManifests, "the manifests cannot be deployed by the agent:\n\(error)", underlying: error)
        }
        let installation: AgentInstallation
        do {
            installation = AgentInstallation(
                configuration: configuration, role: role,
                allowedSigners: String(decoding: try ManifestLoader.readFile(configuration.allowedSignersFile), as: UTF8.self),
                keyring: try agent.gpgKeyring.map { String(decoding: try ManifestLoader.readFile($0), as: UTF8.self) }, image: image, gitSecret: gitSecret,
                apiServerCIDR: apiServerCIDR, gitCIDR: gitCIDR, webhookSecret: webhookSecret)
        } catch {
            throw CommandError(.invalidInput, wrapping: error)
        }
        var output = ""
        if !AgentInstallation.isPinned(image) {
            let notice = Self.unpinnedNotice(image)
            output = notice.split(separator: "\n").map { "# " + $0 + "\n" }.joined()
            context.standardError("warning: " + notice.replacingOccurrences(of: "\n", with: "\n  ") + "\n")
        }
        context.standardOutput(output + YAMLWriter.write(documents: installation.documents))
    }

    /// What the output says when the Deployment's image is this version's tag (no --image).
    static func unpinnedNotice(_ image: String) -> String {
        """
        the Deployment runs \(image) by tag, not pinned by digest: the digest is not known to this binary.
        Pin it before applying: warrant agent install … --image \(image)@sha256:<digest>
        (the digest Scripts/build-image.sh prints, or: skopeo inspect --format '{{.Digest}}' docker://\(image))
        """
    }

    /// The manifests given with -f/-k, or those at the branch's tip.
    private func loadManifests(_ configuration: AgentConfiguration, context: CommandContext) async throws -> ([KubeObject], KindTable) {
        if !manifests.files.isEmpty || !manifests.kustomizations.isEmpty {
            let loaded = try manifests.load(context: context)
            return (loaded.objects, loaded.kinds)
        }
        let logger = Logger(label: "warrant.agent") { _ in SwiftLogNoOpLogHandler() }
        let source = GitRepositorySource(configuration: configuration, logger: logger)
        do {
            let tip = try await source.fetch()
            let rendered = try await source.manifests(in: try await source.checkout(tip), path: configuration.path)
            context.standardError("agent: the Role is derived for \(rendered.objects.count) object(s) at \(tip.short) (\(configuration.branch))\n")
            return (rendered.objects, rendered.kinds)
        } catch let error as GitError {
            throw CommandError(.unreachable, wrapping: error, hint: "for a private repository give the manifests with -f")
        } catch {
            throw CommandError(.invalidManifests, wrapping: error)
        }
    }
}
