import KubeModel

/// Who started a deploy and from where, as the CI system reports it.
///
/// The API server's audit log only sees the ServiceAccount; this identity, written into the
/// deployment record, ties the change to a person.
///
/// The actor comes from `GITLAB_USER_LOGIN`, else `GITHUB_TRIGGERING_ACTOR` (who started a re-run),
/// else `GITHUB_ACTOR`, else the `--actor` option. When the CI system names the actor, that name
/// wins over `--actor`: the CI system sets it, while anyone who can edit the pipeline can write
/// any `--actor`. A differing `--actor` is then kept as ``claimedActor`` so the record shows both.
/// With neither, the actor is `unknown` and ``actorSource`` is `unknown`.
///
/// Values are kept as given, control characters and all (they are evidence; renderings escape
/// them, see `DisplayText`), but each is cut to ``maximumFieldLength`` characters so that no
/// variable can make a record too large for the history; user information is removed from
/// ``pipelineURL`` (`URLUserInfo`).
public struct CIIdentity: Sendable, Hashable {
    /// The CI system the variables came from.
    public enum System: String, Sendable, Hashable, CaseIterable {
        /// GitLab CI (`GITLAB_CI` or `CI_JOB_URL` set).
        case gitlab
        /// GitHub Actions (`GITHUB_ACTIONS` or `GITHUB_RUN_ID` set).
        case github
        /// Neither: a person's terminal or another CI system.
        case none
    }

    /// The name recorded for actors nobody named.
    public static let unknownActor = "unknown"
    /// The most characters kept of one value; a longer one is cut and says so.
    public static let maximumFieldLength = 1024

    /// `value` cut to ``maximumFieldLength`` characters, ending in `… (cut from N characters)` when it was longer.
    public static func capped(_ value: String) -> String {
        let count = value.count
        guard count > maximumFieldLength else { return value }
        return String(value.prefix(maximumFieldLength)) + "… (cut from \(count) characters)"
    }

    /// The CI system.
    public var system: System
    /// The person (login) behind the deploy, or ``unknownActor``.
    public var actor: String
    /// Where ``actor`` came from: the variable name, `--actor`, or `unknown`.
    public var actorSource: String
    /// `--actor` when the CI system named someone else.
    public var claimedActor: String?
    /// `GITLAB_USER_EMAIL`, when set.
    public var email: String?
    /// The commit deployed (`CI_COMMIT_SHA`, `GITHUB_SHA`).
    public var commit: String?
    /// The job or run (`CI_JOB_URL`, or `GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID`).
    public var pipelineURL: String?
    /// The pipeline or run number (`CI_PIPELINE_ID`, `GITHUB_RUN_ID`).
    public var pipelineID: String?
    /// The project (`CI_PROJECT_PATH`, `GITHUB_REPOSITORY`).
    public var project: String?
    /// The deployment environment (`CI_ENVIRONMENT_NAME`; GitHub Actions exposes none).
    public var environment: String?

    /// Whether someone was named, by the CI system or `--actor`.
    public var isActorKnown: Bool { actorSource != Self.unknownActor }

    /// Creates an identity.
    public init(
        system: System = .none, actor: String = CIIdentity.unknownActor, actorSource: String = CIIdentity.unknownActor,
        claimedActor: String? = nil, email: String? = nil, commit: String? = nil, pipelineURL: String? = nil,
        pipelineID: String? = nil, project: String? = nil, environment: String? = nil
    ) {
        self.system = system
        self.actor = actor
        self.actorSource = actorSource
        self.claimedActor = claimedActor
        self.email = email
        self.commit = commit
        self.pipelineURL = pipelineURL
        self.pipelineID = pipelineID
        self.project = project
        self.environment = environment
    }

    /// The identity described by CI variables (empty values count as unset) and the `--actor` option.
    ///
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - actor: the `--actor` option, `nil` when not given.
    public static func from(environment: [String: String], actor: String? = nil) -> CIIdentity {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingWhitespace(), !value.isEmpty else { return nil }
            return capped(value)
        }
        var identity = CIIdentity()
        if value("GITLAB_CI") != nil || value("CI_JOB_URL") != nil || value("GITLAB_USER_LOGIN") != nil {
            identity.system = .gitlab
        } else if value("GITHUB_ACTIONS") != nil || value("GITHUB_RUN_ID") != nil || value("GITHUB_ACTOR") != nil {
            identity.system = .github
        }
        let option = actor.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : capped($0) }
        if let (name, source) = ["GITLAB_USER_LOGIN", "GITHUB_TRIGGERING_ACTOR", "GITHUB_ACTOR"].lazy
            .compactMap({ variable in value(variable).map { ($0, variable) } }).first
        {
            identity.actor = name
            identity.actorSource = source
            if let option, option != name { identity.claimedActor = option }
        } else if let option {
            identity.actor = option
            identity.actorSource = "--actor"
        }
        identity.email = value("GITLAB_USER_EMAIL")
        identity.commit = value("CI_COMMIT_SHA") ?? value("GITHUB_SHA")
        identity.pipelineID = value("CI_PIPELINE_ID") ?? value("GITHUB_RUN_ID")
        identity.project = value("CI_PROJECT_PATH") ?? value("GITHUB_REPOSITORY")
        identity.environment = value("CI_ENVIRONMENT_NAME")
        if let url = value("CI_JOB_URL") ?? value("CI_PIPELINE_URL") {
            identity.pipelineURL = URLUserInfo.stripped(url)
        } else if let repository = value("GITHUB_REPOSITORY"), let run = value("GITHUB_RUN_ID") {
            let server = value("GITHUB_SERVER_URL") ?? "https://github.com"
            identity.pipelineURL = URLUserInfo.stripped("\(server)/\(repository)/actions/runs/\(run)")
        }
        return identity
    }
}
