public import Delivery
public import KubeModel
public import RBAC
import ScopePlanning

/// One deploy credential: whether its Role holds more than its last deploy needed (what
/// `warrant scope --for warrant` derives for those manifests), and how it authenticates.
public struct CredentialReview: Sendable, Hashable {
    /// How the credential's tokens are issued.
    public enum TokenKind: String, Sendable, Hashable {
        /// A long-lived `kubernetes.io/service-account-token` Secret (never expires until deleted).
        case secret = "long-lived token Secret"
        /// Short-lived tokens from the TokenRequest API.
        case tokenRequest = "TokenRequest (short-lived)"
        /// Both were used in the period.
        case both = "both a long-lived token Secret and TokenRequest tokens"
        /// The audit log does not say (not a ServiceAccount, or no annotation in the log).
        case unknown
    }

    /// A long-lived token Secret and how often it authenticated requests in the period.
    public struct SecretUse: Sendable, Hashable {
        /// The Secret's name.
        public var name: String
        /// When it was created, when known.
        public var created: String?
        /// Requests it authenticated among those the report kept.
        public var requests: Int

        /// Creates an entry.
        public init(name: String, created: String?, requests: Int) {
            self.name = name
            self.created = created
            self.requests = requests
        }
    }

    /// The user name the API server saw (`system:serviceaccount:NS:NAME`).
    public var credential: String
    /// The namespace it deploys to.
    public var namespace: String
    /// Its deploys in the period.
    public var deploys: Int
    /// Its last deploy's record ID.
    public var lastDeploy: String?
    /// When that deploy started.
    public var lastDeployStarted: String?
    /// The options its deploys used (`--prune`, `--wait`), read from the records' durations.
    public var deployOptions: [String]
    /// Where the manifests of its last deploy come from.
    public var manifestSource: String
    /// The rules `scope --for warrant` derives for them; `nil` when they could not be derived.
    public var derived: [PolicyRule]?
    /// The rules the credential holds in the namespace now (what every authenticated user holds
    /// left out); `nil` when RBAC could not be read.
    public var held: [PolicyRule]?
    /// Where the held rules come from (`RoleBinding ci → Role ci`).
    public var grantedBy: [String]
    /// Held rules beyond the derived ones.
    public var overPrivileged: [PolicyRule]
    /// Derived rules it does not hold (its next deploy would be refused).
    public var missing: [PolicyRule]
    /// Rules granted cluster-wide (ClusterRoleBindings): a finding for any deployer.
    public var clusterWide: [PolicyRule]
    /// How it authenticates.
    public var tokenKind: TokenKind
    /// Long-lived token Secrets: those the audit log shows in use and those in the namespace for it.
    public var tokenSecrets: [SecretUse]
    /// Distinct TokenRequest tokens (`JTI=…`) seen in the period.
    public var requestTokens: Int
    /// What could not be checked.
    public var notes: [String]

    /// Whether the Role grants more than needed, or anything cluster-wide.
    public var isOverPrivileged: Bool { !overPrivileged.isEmpty || !clusterWide.isEmpty }

    /// Creates a review.
    public init(
        credential: String, namespace: String, deploys: Int, lastDeploy: String?, lastDeployStarted: String?, deployOptions: [String],
        manifestSource: String, derived: [PolicyRule]?, held: [PolicyRule]?, grantedBy: [String], overPrivileged: [PolicyRule],
        missing: [PolicyRule], clusterWide: [PolicyRule], tokenKind: TokenKind, tokenSecrets: [SecretUse], requestTokens: Int, notes: [String]
    ) {
        self.credential = credential
        self.namespace = namespace
        self.deploys = deploys
        self.lastDeploy = lastDeploy
        self.lastDeployStarted = lastDeployStarted
        self.deployOptions = deployOptions
        self.manifestSource = manifestSource
        self.derived = derived
        self.held = held
        self.grantedBy = grantedBy
        self.overPrivileged = overPrivileged
        self.missing = missing
        self.clusterWide = clusterWide
        self.tokenKind = tokenKind
        self.tokenSecrets = tokenSecrets
        self.requestTokens = requestTokens
        self.notes = notes
    }

    /// Reviews `credential` in `namespace`.
    ///
    /// The manifests of its last deploy are the members the ApplySet parent lists (when the
    /// deploys pruned), else the objects its records applied, less those they pruned since; the
    /// Roles and RoleBindings among them are taken live from the namespace (their rules matter to
    /// escalation prevention). `--prune` and `--wait` are read from the records' `durations`.
    ///
    /// - Parameters:
    ///   - records: every record of this credential in the namespace, oldest first.
    ///   - inPeriod: how many of them fall in the report's period.
    ///   - snapshot: what was read from the namespace.
    ///   - clusterRBAC: ClusterRoles and ClusterRoleBindings, `nil` when unreadable.
    ///   - events: the kept requests this credential made.
    public static func review(
        credential: String, namespace: String, records: [DeployRecord], inPeriod: Int, snapshot: NamespaceSnapshot?, clusterRBAC: [KubeObject]?,
        events: [AuditEvent], rules: AttributionRules, kinds: KindTable
    ) -> CredentialReview {
        var notes: [String] = []
        let last = records.last
        let prune = records.contains { $0.durations["prune"] != nil }
        let wait = records.contains { $0.durations["wait"] != nil }
        var options: [String] = []
        if prune { options.append("--prune") }
        if wait { options.append("--wait") }

        let manifests = lastDeployManifests(records: records, snapshot: snapshot, prune: prune, namespace: namespace, kinds: kinds)
        var derived: [PolicyRule]?
        do {
            derived = try ScopeDeriver(
                method: .warrant, options: DeployOptions(prune: prune, wait: wait, applySetName: rules.applySetNames.first ?? "warrant-applyset"),
                namespace: namespace, roleName: "deployer"
            ).derive(objects: manifests.objects, kinds: kinds).role.rules
        } catch {
            notes.append("the Role for its manifests could not be derived: " + error.errors.map(\.message).joined(separator: "; "))
        }
        let held = heldRules(credential: credential, namespace: namespace, snapshot: snapshot, clusterRBAC: clusterRBAC, notes: &notes)
        var over: [PolicyRule] = []
        var missing: [PolicyRule] = []
        if let derived, let held = held.rules {
            over = unique(PolicyComparator.covers(derived, held).uncovered)
            missing = unique(PolicyComparator.covers(held, derived).uncovered)
        }
        let tokens = tokenUse(credential: credential, snapshot: snapshot, events: events, notes: &notes)
        return CredentialReview(
            credential: credential, namespace: namespace, deploys: inPeriod, lastDeploy: last?.id, lastDeployStarted: last?.started,
            deployOptions: options, manifestSource: manifests.source, derived: derived, held: held.rules, grantedBy: held.grantedBy,
            overPrivileged: over, missing: missing, clusterWide: held.clusterWide, tokenKind: tokens.kind, tokenSecrets: tokens.secrets,
            requestTokens: tokens.requestTokens, notes: notes)
    }

    /// The manifests of the last deploy, and where they come from: the members the ApplySet
    /// parent lists when the deploys pruned, else the objects the records applied less those
    /// they pruned since. Roles and RoleBindings among them are taken live from the namespace.
    private static func lastDeployManifests(
        records: [DeployRecord], snapshot: NamespaceSnapshot?, prune: Bool, namespace: String, kinds: KindTable
    ) -> (objects: [KubeObject], source: String) {
        var members: [ObjectReference] = []
        var source = ""
        let parent = snapshot?.applySetParents.first { !ApplySet.recordedMembers(in: $0).isEmpty }
        if prune, let parent {
            members = ApplySet.recordedMembers(in: parent)
            source = "the \(members.count) member(s) the ApplySet parent ConfigMap \(parent.name) lists"
        } else {
            var current: [String: ObjectReference] = [:]
            for record in records {
                for object in record.applied { current[object.reference.description] = object.reference }
                for object in record.pruned { current[object.reference.description] = nil }
            }
            members = current.values.sorted()
            source = "the \(members.count) object(s) its records applied and did not prune since"
        }
        let live = snapshot?.rbacObjects ?? []
        let objects = members.map { reference -> KubeObject in
            if reference.group == RBACAPI.group, let object = live.first(where: { $0.kind == reference.kind && $0.name == reference.name }) {
                return object
            }
            let version = kinds.kind(reference.groupKind)?.preferredVersion ?? "v1"
            return KubeObject([
                "apiVersion": .string(reference.group.isEmpty ? version : "\(reference.group)/\(version)"), "kind": .string(reference.kind),
                "metadata": ["name": .string(reference.name), "namespace": .string(namespace)],
            ])
        }
        return (objects, source)
    }

    /// What the credential holds in the namespace now, from the namespace's and the cluster's
    /// RBAC objects (built-in ClusterRoles standing in when the cluster's could not be read):
    /// the rules (`nil` when the namespace's RBAC could not be read), the bindings that grant
    /// them, and the rules granted cluster-wide.
    private static func heldRules(
        credential: String, namespace: String, snapshot: NamespaceSnapshot?, clusterRBAC: [KubeObject]?, notes: inout [String]
    ) -> (rules: [PolicyRule]?, grantedBy: [String], clusterWide: [PolicyRule]) {
        guard let namespaceRBAC = snapshot?.rbacObjects else {
            notes.append("the Roles and RoleBindings of \(namespace) could not be read")
            return (nil, [], [])
        }
        var grantedBy: [String] = []
        var clusterWide: [PolicyRule] = []
        var roles: [RBACRole] = []
        var bindings: [RBACBinding] = []
        for object in namespaceRBAC + (clusterRBAC ?? []) where object.groupKind.group == RBACAPI.group {
            if object.kind == "Role" || object.kind == "ClusterRole" {
                if let role = try? RBACRole(object) { roles.append(role) }
            } else if let binding = try? RBACBinding(object) {
                bindings.append(binding)
            }
        }
        if clusterRBAC == nil {
            let present = Set(roles.filter { $0.kind == .clusterRole }.map(\.name))
            roles += BootstrapPolicy.clusterRoles.filter { !present.contains($0.name) }
            notes.append(
                "ClusterRoles and ClusterRoleBindings could not be read: built-in ClusterRoles stand in, and grants made cluster-wide are not checked")
        }
        let review = RBACPolicy(roles: roles, bindings: bindings).effectiveRules(for: UserInfo(name: credential), namespace: namespace)
        var rulesHeld: [PolicyRule] = []
        var seenSources: Set<String> = []
        for grant in review.grants where !isBaseline(grant.rule) {
            rulesHeld.append(grant.rule)
            let text =
                "\(grant.binding.kind.rawValue) \(grant.binding.namespace.map { "\($0)/" } ?? "")\(grant.binding.name) → \(grant.role.kind.rawValue) \(grant.role.name)"
            if seenSources.insert(text).inserted { grantedBy.append(text) }
            if grant.binding.kind != .roleBinding { clusterWide.append(grant.rule) }
        }
        if review.isIncomplete {
            notes.append(
                "bindings to roles that do not exist: " + review.unresolvedBindings.map { "\($0.kind.rawValue) \($0.name)" }.joined(separator: ", "))
        }
        return (unique(rulesHeld), grantedBy, unique(clusterWide))
    }

    /// How the credential authenticated in the period: its long-lived token Secrets (those the
    /// audit log shows in use and those in the namespace for it) and its TokenRequest tokens.
    private static func tokenUse(
        credential: String, snapshot: NamespaceSnapshot?, events: [AuditEvent], notes: inout [String]
    ) -> (kind: TokenKind, secrets: [SecretUse], requestTokens: Int) {
        var secretRequests: [String: Int] = [:]
        var jtis: Set<String> = []
        for event in events where event.user == credential {
            guard let id = event.credentialID else { continue }
            if id.hasPrefix("secret:") {
                secretRequests[String(id.dropFirst("secret:".count)), default: 0] += 1
            } else {
                jtis.insert(id)
            }
        }
        var uses: [SecretUse] = []
        let accountName: String? =
            if case .serviceAccount(_, let name) = Principal.of(credential) { name } else { nil }
        let secrets = (snapshot?.tokenSecrets ?? []).filter { $0.serviceAccount == accountName }
        for name in Set(secretRequests.keys).union(secrets.map(\.name)).sorted() {
            uses.append(SecretUse(name: name, created: secrets.first { $0.name == name }?.created, requests: secretRequests[name] ?? 0))
        }
        if accountName != nil && snapshot?.tokenSecrets == nil {
            notes.append("the namespace's token Secrets could not be listed (metadata only is asked for)")
        }
        let kind: TokenKind =
            switch (!secretRequests.isEmpty || !secrets.isEmpty, !jtis.isEmpty) {
            case (true, true): .both
            case (true, false): .secret
            case (false, true): .tokenRequest
            case (false, false): .unknown
            }
        return (kind, uses, jtis.count)
    }

    /// What every authenticated user holds (`system:basic-user`, `system:discovery`,
    /// `system:public-info-viewer`): reading discovery and reviewing one's own access. Never a
    /// reason to call a credential over-privileged.
    static func isBaseline(_ rule: PolicyRule) -> Bool {
        if !rule.nonResourceURLs.isEmpty { return rule.verbs.allSatisfy { $0 == "get" } }
        let reviews: Set<String> = ["selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"]
        return rule.verbs == ["create"] && Set(rule.resources).isSubset(of: reviews)
            && Set(rule.apiGroups).isSubset(of: ["authorization.k8s.io", "authentication.k8s.io"])
    }

    private static func unique(_ rules: [PolicyRule]) -> [PolicyRule] {
        var seen: Set<PolicyRule> = []
        return rules.filter { seen.insert($0).inserted }
    }
}
