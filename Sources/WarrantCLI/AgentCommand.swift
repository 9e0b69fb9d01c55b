import ArgumentParser

/// `warrant agent`: the pull-style GitOps agent.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "A pull-style GitOps agent that needs only a namespaced Role and applies only signed commits .",
        discussion: """
            The agent polls one branch of a Git repository, verifies that every new commit is signed \
            by a key in an allowed-signers file (or an OpenPGP keyring), and applies the manifests \
            with the same engine as 'warrant deploy', recording every deploy and every refusal in \
            the namespace's hash-chained history.
            """,
        subcommands: [AgentRunCommand.self, AgentStatusCommand.self, AgentInstallCommand.self, AgentProbeCommand.self]
    )
}
