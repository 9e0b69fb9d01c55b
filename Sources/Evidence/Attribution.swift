/// Who a request is attributed to.
public enum Attribution: Sendable, Hashable {
    /// A recorded deploy: the record names the person, commit and pipeline. Boxed, so that every
    /// other attribution of a large period's requests is a word or two, not the record's fields.
    indirect case deploy(DeployAttribution)
    /// A person, by the user name the API server authenticated (a human's own credential).
    case person(String)
    /// A Kubernetes component acting for the cluster (`system:kube-controller-manager`, a node,
    /// a ServiceAccount of `kube-system`): the consequence of other requests, not a person's.
    case controlPlane(String)
    /// A user the auditor declared as automation with `--automation` (an operator, Argo CD).
    case automation(String)
    /// Nobody can be named: the reason says why (a deploy credential used outside any recorded
    /// deploy, a ServiceAccount no record covers, an anonymous request).
    case unattributed(String)
    /// Refused before authentication (401): no credential, nothing changed.
    case unauthenticated

    /// The person the request is attributed to, `nil` when none.
    public var person: String? {
        switch self {
        case .deploy(let deploy): deploy.namesPerson ? deploy.person : nil
        case .person(let name): name
        default: nil
        }
    }

    /// Whether this is a finding: nobody can be named (an unattributed request, or a deploy
    /// whose record names no person).
    public var isFinding: Bool {
        switch self {
        case .unattributed: true
        case .deploy(let deploy): !deploy.namesPerson
        default: false
        }
    }

    /// A short kind for tables and JSON: `deploy`, `person`, `control-plane`, `automation`,
    /// `unattributed`, `unauthenticated`.
    public var kind: String {
        switch self {
        case .deploy: "deploy"
        case .person: "person"
        case .controlPlane: "control-plane"
        case .automation: "automation"
        case .unattributed: "unattributed"
        case .unauthenticated: "unauthenticated"
        }
    }

    /// One line for a report: `alice (deploy 2026…-1a2b3c4d, commit 0123abcd)`, `unattributed: …`.
    public var summary: String {
        switch self {
        case .deploy(let deploy):
            var text = deploy.namesPerson ? deploy.person : "no person named"
            var details = ["deploy \(deploy.recordID)"]
            if let commit = deploy.commit { details.append("commit \(commit.prefix(12))") }
            if !deploy.verified { details.append("record NOT verified") }
            text += " (\(details.joined(separator: ", ")))"
            return text
        case .person(let name): return name
        case .controlPlane(let name): return "control plane (\(name))"
        case .automation(let name): return "automation (\(name))"
        case .unattributed(let reason): return "UNATTRIBUTED: \(reason)"
        case .unauthenticated: return "unauthenticated (refused)"
        }
    }
}

/// A request matched to a deploy record.
public struct DeployAttribution: Sendable, Hashable {
    /// The record's ID.
    public var recordID: String
    /// The person the record names: the CI actor (or, for the agent, the commit signers);
    /// `unknown` when it names none.
    public var person: String
    /// Where the person comes from (`GITLAB_USER_LOGIN`, `--actor`, `commit signers`, `unknown`).
    public var personSource: String
    /// Whether the record names a person.
    public var namesPerson: Bool
    /// The commit deployed.
    public var commit: String?
    /// The pipeline or job URL.
    public var pipeline: String?
    /// Whether the record verified (its digest matches and its chain holds).
    public var verified: Bool

    /// Creates an attribution.
    public init(recordID: String, person: String, personSource: String, namesPerson: Bool, commit: String?, pipeline: String?, verified: Bool) {
        self.recordID = recordID
        self.person = person
        self.personSource = personSource
        self.namesPerson = namesPerson
        self.commit = commit
        self.pipeline = pipeline
        self.verified = verified
    }
}
