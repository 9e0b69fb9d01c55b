import Delivery
import DeployEngine
import Foundation
import KubeModel

/// What an agent's deploy record holds beyond a deploy's: the repository, the commit range, and
/// every commit's author, committer and signer (or why it was refused).
///
/// It is kept under the record's `agent` member, part of the record's digest.
enum AgentRecordFields {
    /// Why the agent deployed.
    enum Trigger: String {
        /// The branch moved to new, verified commits.
        case commits
        /// The last applied commit was applied again to correct drift.
        case drift
        /// The branch moved to commits that were refused.
        case refused
    }

    /// The identity of a deploy of `range`: the actor is the tip's signer, the commit is the tip.
    static func identity(
        configuration: AgentConfiguration, trigger: Trigger, range: CommitRange, verified: [VerifiedCommit], signers: [Signer],
        refusals: [Refusal] = []
    ) -> DeployIdentity {
        var ci = CIIdentity(commit: range.tip.hex, project: configuration.repository.address)
        if let tipSigner = verified.last(where: { $0.id == range.tip })?.signer ?? signers.last {
            ci.actor = tipSigner.principal
            ci.actorSource = "commit-signature"
        } else if let author = refusals.first(where: { $0.commit == range.tip })?.author ?? refusals.first?.author {
            // A refused tip: the author is named, but nothing vouches for it.
            ci.actor = author.email
            ci.actorSource = "commit-author-unverified"
        }
        var agent: [(String, JSONValue)] = [
            ("trigger", .string(trigger.rawValue)),
            ("repository", .string(configuration.repository.address)),
            ("branch", .string(configuration.branch)),
            ("path", .string(configuration.path)),
            ("range", ["base": range.base.map { .string($0.hex) } ?? .null, "tip": .string(range.tip.hex)]),
            ("trustStarted", .bool(range.startsTrust && trigger == .commits)),
            ("signers", .array(unique(signers).map(json))),
            ("commits", .array(verified.map(json))),
        ]
        if !refusals.isEmpty { agent.append(("refusals", .array(refusals.map(json)))) }
        return DeployIdentity(ci: ci, recordFields: JSONObject([("agent", .object(JSONObject(agent)))]))
    }

    /// Each signer once, in the order met.
    static func unique(_ signers: [Signer]) -> [Signer] {
        var seen: Set<Signer> = []
        return signers.filter { seen.insert($0).inserted }
    }

    static func json(_ signer: Signer) -> JSONValue {
        ["method": .string(signer.method.rawValue), "principal": .string(signer.principal), "fingerprint": .string(signer.fingerprint)]
    }

    static func json(_ identity: GitIdentity) -> JSONValue {
        ["name": .string(identity.name), "email": .string(identity.email), "time": .string(DeployRecord.timestamp(identity.date))]
    }

    static func json(_ commit: VerifiedCommit) -> JSONValue {
        [
            "commit": .string(commit.id.hex), "subject": .string(commit.subject), "author": json(commit.author),
            "committer": json(commit.committer), "signer": json(commit.signer), "parents": .array(commit.parents.map { .string($0.hex) }),
        ]
    }

    static func json(_ refusal: Refusal) -> JSONValue {
        [
            "commit": .string(refusal.commit.hex), "subject": .string(refusal.subject), "author": refusal.author.map(json) ?? .null,
            "committer": refusal.committer.map(json) ?? .null, "reason": .string(refusal.reason.rawValue), "detail": .string(refusal.detail),
        ]
    }
}
