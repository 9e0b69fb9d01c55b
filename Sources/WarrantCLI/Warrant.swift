public import ArgumentParser

/// The `warrant` command: compliance-first CI/CD plumbing for Kubernetes namespaces.
public struct Warrant: AsyncParsableCommand {
    /// The version `warrant --version` prints.
    public static let version = "0.1.0-dev"

    public static let configuration = CommandConfiguration(
        commandName: "warrant",
        abstract: "Least-privilege CI/CD for Kubernetes namespaces, with evidence for the auditor.",
        discussion: """
            Warrant reads Kubernetes manifests and answers the questions a compliance-focused platform \
            asks of every deploy: which permissions does it need, does it stay inside the team's \
            namespace, and who did what.

            EXIT CODES (every command)
              0  success
              1  findings at or above the threshold, or an operation failed
              2  invalid input or usage, checked before any request (the message names the
                 file and line, or the flag)
              3  the cluster or API could not be reached, refused the request, or did not
                 answer within --request-timeout

            Start with 'warrant manifests -f FILE' to see how Warrant reads your manifests.
            """,
        version: version,
        subcommands: [
            ManifestsCommand.self, ScopeCommand.self, CredentialsCommand.self, CanCommand.self, WhoCanCommand.self, AuditCommand.self,
            RestrictCommand.self, DeployCommand.self, HistoryCommand.self, EvidenceCommand.self, AgentCommand.self,
        ]
    )

    public init() {}
}

/// Runs `warrant` with arguments in a context and returns the exit code; `main` and tests use it.
public enum WarrantMain {
    /// Parses `arguments` (without the program name), runs the command and returns its exit code.
    /// Usage errors print kubectl-style help to standard error and return 2; the errors a command
    /// throws are rendered here, once (``CommandErrors``).
    public static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        await CommandContext.$current.withValue(context) {
            let command: any ParsableCommand
            do {
                command = try Warrant.parseAsRoot(arguments)
            } catch {
                return report(parseError: error, context: context)
            }
            do {
                if var asyncCommand = command as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    var syncCommand = command
                    try syncCommand.run()
                }
                return ExitStatus.success.rawValue
            } catch let exit as CommandExit {
                return exit.status.rawValue
            } catch {
                guard let errors = CommandErrors(error) else { return report(parseError: error, context: context) }
                return render(errors, context: context)
            }
        }
    }

    /// The one place a command's errors reach standard error: each as `error: …` (see
    /// ``CommandError``); returns the status they mean.
    static func render(_ errors: CommandErrors, context: CommandContext) -> Int32 {
        context.standardError(errors.description)
        return errors.status.rawValue
    }

    private static func report(parseError error: any Error, context: CommandContext) -> Int32 {
        let message = Warrant.fullMessage(for: error)
        let code = Warrant.exitCode(for: error)
        if code == .success {
            if !message.isEmpty { context.standardOutput(message + "\n") }
            return ExitStatus.success.rawValue
        }
        if !message.isEmpty { context.standardError(message + "\n") }
        return ExitStatus.invalidInput.rawValue
    }
}
