/// The outcome of verifying a range: every commit with its signer, or why the range is refused.
///
/// Fail closed: a range is accepted only when every commit in it verified and the tip descends
/// from the base. One refusal refuses the whole range; all refusals found are listed.
public struct VerificationVerdict: Sendable, Hashable, Codable {
    /// The range verified.
    public var range: CommitRange
    /// The commits that verified, parents before children.
    public var verified: [VerifiedCommit]
    /// Why the range is refused; empty when it is accepted.
    public var refusals: [Refusal]

    /// Creates a verdict.
    public init(range: CommitRange, verified: [VerifiedCommit], refusals: [Refusal]) {
        self.range = range
        self.verified = verified
        self.refusals = refusals
    }

    /// Whether every commit of the range may be applied.
    public var isAccepted: Bool { refusals.isEmpty }

    /// Whether trust starts at this range's tip (the first run).
    public var startsTrust: Bool { range.startsTrust }

    /// One line for logs and status: what was accepted, or the first refusal and how many more.
    public var summary: String {
        if isAccepted {
            let count = verified.count
            let signers = Set(verified.map(\.signer.principal)).sorted().joined(separator: ", ")
            if range.startsTrust { return "trust starts at \(range.tip.short), signed by \(signers)" }
            if count == 0 { return "\(range): nothing new" }
            return "\(range): \(count) commit\(count == 1 ? "" : "s") signed by \(signers)"
        }
        let more = refusals.count > 1 ? " and \(refusals.count - 1) more" : ""
        return "\(range) refused: \(refusals[0])\(more)"
    }
}
