import Agent
import DeployEngine
import KubeAPI
import KubeModel

/// The errors a command ends with, rendered together, and the exit status they mean.
///
/// Built from a ``CommandError`` or from the errors the libraries throw (``init(_:)``), so that
/// each error type is turned into text and an exit status in one place: manifest errors exit 2,
/// an API server that could not be reached or refused the credentials 3, other API and deploy
/// failures 1.
struct CommandErrors: Error, Sendable, CustomStringConvertible {
    /// The errors, in the order they are printed.
    var errors: [CommandError]
    /// The status the command exits with.
    var status: ExitStatus

    /// Errors that end the command with `status`.
    init(_ errors: [CommandError], status: ExitStatus) {
        self.errors = errors
        self.status = status
    }

    /// One error, ending the command with its own status.
    init(_ error: CommandError) {
        self.init([error], status: error.status)
    }

    /// `errors`, at most `limit` of them shown and the rest counted in a last line; exit 2.
    init(manifests errors: ManifestErrors, limit: Int) {
        var shown = errors.errors.prefix(limit).map(CommandError.init(manifest:))
        if errors.errors.count > limit {
            shown.append(CommandError(.invalidManifests, "… and \(errors.errors.count - limit) more"))
        }
        self.init(shown, status: .invalidInput)
    }

    /// `error` as the command's errors, or `nil` for an error no command throws on purpose
    /// (ArgumentParser's own errors, say, which it renders itself).
    init?(_ error: any Error) {
        switch error {
        case let error as CommandErrors:
            self = error
        case let error as CommandError:
            self.init(error)
        case let error as ManifestError:
            self.init(CommandError(manifest: error))
        case let error as ManifestErrors:
            self.init(error.errors.map(CommandError.init(manifest:)), status: .invalidInput)
        case let error as DeployError:
            self.init(deploy: error)
        case let error as CredentialError:
            self.init(CommandError(error.isUnreachable ? .unreachable : .failed, wrapping: error))
        case let error as KubeAPIError:
            self.init(CommandError(api: error))
        case let error as SecureFile.Failure:
            self.init(CommandError(.unwritableOutput, at: error.path, "cannot write the file: \(error.reason)", underlying: error))
        case let error as KubeConfigError:
            self.init(CommandError(.invalidInput, wrapping: error))
        case let error as AgentConfigurationErrors:
            self.init(error.errors.map { CommandError(.invalidOption, wrapping: $0) }, status: .invalidInput)
        default:
            return nil
        }
    }

    /// A deploy's error: invalid manifests as one error per detail (exit 2); otherwise the
    /// explanation, exit 3 when the cluster could not be reached or refused the credential, 1 else.
    init(deploy error: DeployError) {
        if error.code == .invalidManifests {
            let errors = error.details.map { CommandError(.invalidManifests, $0, underlying: error) }
            self.init(errors.isEmpty ? [CommandError(.invalidManifests, wrapping: error)] : errors, status: .invalidInput)
            return
        }
        self.init(CommandError(error.isUnreachable ? .unreachable : .failed, wrapping: error))
    }

    /// Each error on its own `error: ` line (its details and hint on indented lines below).
    var description: String {
        errors.map { "error: \($0)\n" }.joined()
    }
}
