public import DeployEngine

/// What one pass of the reconcile loop did.
public enum ReconcileStep: Sendable {
    /// The branch still points to the applied commit (or to a refused one); nothing to do.
    case unchanged(CommitID)
    /// A new range verified and was deployed; the outcome says whether the deploy succeeded.
    case deployed(VerificationVerdict, DeployOutcome)
    /// The applied commit was applied again to correct drift (``AgentConfiguration/reconcileInterval``).
    case reconciled(CommitID, DeployOutcome)
    /// The range was refused: nothing was applied, the refusal was recorded.
    case refused(VerificationVerdict, DeployOutcome)
    /// Nothing was applied because of an error: Git, verification, the manifests or the pre-flight.
    case failed(ReconcileFailure)

    /// Whether the step ended in an error (for the backoff).
    public var isFailure: Bool {
        switch self {
        case .failed: return true
        case .deployed(_, let outcome), .reconciled(_, let outcome): return !outcome.isSuccess
        case .unchanged, .refused: return false
        }
    }
}

/// Why a pass applied nothing, and whether trying again can help.
public struct ReconcileFailure: Error, Sendable, CustomStringConvertible {
    /// Where it failed.
    public enum Stage: String, Sendable, Hashable {
        /// Polling or fetching the repository.
        case git
        /// Verifying the signatures could not be done (a program or the history failed).
        case verification
        /// The commit's manifests are invalid; tried again when the branch moves.
        case manifests
        /// The deploy's pre-flight refused (missing permissions, a broad credential); nothing was changed.
        case preflight
        /// The deploy ran and failed, or its record could not be written (the record says what was done).
        case deploy
        /// The deploy was cancelled before it began.
        case interrupted
    }

    /// Where it failed.
    public var stage: Stage
    /// What went wrong, with the hint.
    public var message: String
    /// Whether the loop retries by itself (with backoff).
    public var retrying: Bool

    /// Creates a failure.
    public init(_ stage: Stage, _ message: String, retrying: Bool) {
        self.stage = stage
        self.message = message
        self.retrying = retrying
    }

    /// `git: …`.
    public var description: String { "\(stage.rawValue): \(message)" }
}
