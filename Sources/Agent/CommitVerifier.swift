/// Decides whether a range of commits may be applied.
///
/// ``SignedCommitVerifier`` checks signatures with `ssh-keygen` and `gpg`; the reconcile loop
/// depends on this protocol only, so that it can be tested with a verifier of its own.
public protocol CommitVerifier: Sendable {
    /// Verifies every commit reachable from `range.tip` and not from `range.base`.
    ///
    /// - Returns: the verdict; a refused range is a verdict, not an error.
    /// - Throws: ``VerificationError`` when the verification itself could not be done (Git or a
    ///   program failed); nothing may be applied then either.
    func verify(_ range: CommitRange, in history: any CommitHistory) async throws(VerificationError) -> VerificationVerdict
}
