import ArgumentParser

/// `warrant agent`: the pull-style GitOps agent.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "A pull-style GitOps agent that needs only a namespaced Role and applies only signed commits (in progress).",
        discussion: """
            The agent polls one branch of a Git repository, verifies that every new commit is signed \
            by a key in an allowed-signers file (or an OpenPGP keyring), and applies the manifests \
            with the same engine as 'warrant deploy'. Today 'agent run' reads and checks its \
            configuration only; applying is not wired yet.
            """,
        subcommands: [AgentRunCommand.self]
    )
}
