import ArgumentParser
import Foundation
import KubeAPI
import KubeModel
import RBAC
import Reports

/// `warrant can`: access questions answered offline from manifests, with Kubernetes' RBAC semantics.
struct CanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "can",
        abstract: "Check whether a user may do something, offline from RBAC manifests (like 'kubectl auth can-i').",
        discussion: """
            Evaluates the Roles, ClusterRoles and bindings in the manifests exactly as kube-apiserver's \
            RBAC authorizer does: ClusterRoleBindings everywhere, RoleBindings only in their namespace, \
            resource/subresource and '*/subresource' matching, resourceNames, aggregated ClusterRoles, \
            and the groups Kubernetes adds (system:authenticated; for ServiceAccounts \
            system:serviceaccounts and system:serviceaccounts:NAMESPACE).

            Prints 'yes' (exit 0) or 'no' (exit 1); --why adds the binding, role and rule that decided.

            TYPE is a resource (pods), RESOURCE.GROUP (deployments.apps), a kind (Deployment), a short \
            name (deploy) or '*'; TYPE/NAME asks about one object; a path (/healthz) asks about a \
            non-resource URL. ServiceAccounts are users named system:serviceaccount:NAMESPACE:NAME.

            --list prints every rule the user holds in the namespace, like 'kubectl auth can-i --list'.

            --check FILE runs access-policy tests kept in the repository: a YAML
            or JSON list of expectations, each with
              as, groups, verb, resource, group (API group, "" for core),
              subresource, name, namespace, nonResourceURL, expect: allow|deny
            It prints every mismatch with the rule (or its absence) that
            decided it, then 'N passed, N failed', and exits 1 when any failed.

            EXAMPLES
              warrant can create deployments -n shop \\
                --as system:serviceaccount:shop:ci -f rbac/
              warrant can get pods/web --subresource log -n shop \\
                --as alice --as-group developers -f rbac/
              warrant can get /healthz --as system:anonymous -f rbac/
              warrant can --list -n shop --as alice -f rbac/
              warrant can --check access-policy.yaml -f rbac/

            AGAINST A CLUSTER (--cluster, --kubeconfig or --context)
            The same questions go to the API server: SelfSubjectAccessReview for yourself, \
            SubjectAccessReview for --as (you need create on subjectaccessreviews), \
            SelfSubjectRulesReview for --list, one SubjectAccessReview per expectation for --check. \
            TYPE is mapped through the server's discovery, so custom resources work.
              warrant can create deployments -n shop --cluster
              warrant can get secrets -n shop --as system:serviceaccount:shop:ci --cluster
            """
    )

    @Argument(help: "The verb (get, list, create, patch, delete, escalate, bind, impersonate, ...).")
    var verb: String?

    @Argument(help: "TYPE, TYPE/NAME or a non-resource URL.")
    var type: String?

    @OptionGroup var manifests: ManifestOptions

    @OptionGroup var live: ClusterOptions

    @Option(
        name: [.customShort("n"), .customLong("namespace")], help: "The namespace of the request; also for RBAC objects written without one (default: default)."
    )
    var namespaceOption: String?

    /// The namespace of the request.
    var namespace: String { namespaceOption ?? "default" }

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Ask about all namespaces (cluster-wide).")
    var allNamespaces = false

    @Option(help: "The subresource (log, exec, status, scale, ...).")
    var subresource: String = ""

    @Option(help: "The user to ask for; ServiceAccounts as system:serviceaccount:NAMESPACE:NAME.")
    var `as`: String?

    @Option(name: .customLong("as-group"), help: "A group of the user; repeatable. Implicit groups are added.")
    var asGroups: [String] = []

    @Flag(help: "List the rules the user holds in the namespace.")
    var list = false

    @Option(help: ArgumentHelp("Run the access expectations in FILE.", valueName: "file"))
    var check: String?

    @Flag(help: "Explain the answer: the binding, role and rule that allow it, or why nothing does.")
    var why = false

    func validate() throws {
        try ArgumentChecks.namespace(namespaceOption)
        if allNamespaces && namespaceOption != nil {
            throw ValidationError("Give either -A (all namespaces) or -n NAMESPACE, not both.")
        }
        if check != nil {
            if verb != nil || list { throw ValidationError("--check runs the expectations in the file; give no VERB, TYPE or --list with it.") }
            return
        }
        if live.isLive && !(manifests.files.isEmpty && manifests.kustomizations.isEmpty) {
            throw ValidationError("Ask either the cluster (--cluster) or manifests (-f), not both.")
        }
        if `as` == nil && !live.isLive {
            throw ValidationError("Say who asks with --as USER (ServiceAccounts: --as system:serviceaccount:NAMESPACE:NAME).")
        }
        if list {
            if verb != nil { throw ValidationError("--list takes no VERB or TYPE.") }
            if live.isLive && `as` != nil {
                throw ValidationError("--list --cluster lists your own rules (SelfSubjectRulesReview); Kubernetes has no review of another user's rules.")
            }
            return
        }
        guard verb != nil, type != nil else { throw ValidationError("Give a VERB and a TYPE, e.g. 'warrant can get pods --as alice -f rbac/'.") }
    }

    func run() async throws {
        let context = CommandContext.current
        if live.isLive {
            try await runLive(context: context)
            return
        }
        let loaded = try manifests.load(context: context, retaining: .rbac)
        let policy = try RBACCommandSupport.policy(loaded, defaultNamespace: namespace)
        if let check {
            try await runChecks(file: check, policy: policy, kinds: loaded.kinds, context: context)
            return
        }
        let user = UserInfo(name: `as` ?? "", groups: asGroups)
        let requestNamespace = allNamespaces ? "" : namespace
        if list {
            let review = policy.effectiveRules(for: user, namespace: requestNamespace)
            context.standardOutput(RBACCommandSupport.rulesTable(review.rules))
            for binding in review.unresolvedBindings {
                context.warn(Denial.problem(of: binding))
            }
            return
        }
        let target = try ResourceTarget.parse(type ?? "", subresource: subresource, kinds: loaded.kinds) { context.warn($0) }
        let decision = policy.authorize(target.request(user: user, verb: verb ?? "", namespace: requestNamespace))
        context.standardOutput(decision.isAllowed ? "yes\n" : "no\n")
        if why { context.standardError(decision.reason + "\n") }
        if !decision.isAllowed { throw CommandExit(.failure) }
    }

    private func runChecks(file: String, policy: RBACPolicy, kinds: KindTable, context: CommandContext) async throws {
        try await Self.runExpectations(file: file, kinds: kinds, context: context) { expectation in
            let decision = policy.authorize(expectation.request)
            return (decision.isAllowed, decision.reason)
        }
    }

    /// Reads the expectations in `file`, asks `decide` about each, prints every mismatch with its
    /// file:line and the reason, then `N passed, N failed`; exit 1 when any failed.
    static func runExpectations(
        file: String, kinds: KindTable, context: CommandContext, decide: (AccessExpectation) async throws -> (allowed: Bool, reason: String)
    ) async throws {
        // A file that cannot be read or used is a manifest error (exit 2).
        let expectations = try AccessExpectation.load(bytes: try ManifestLoader.readFile(file), file: file, kinds: kinds)
        var passed = 0
        var failed = 0
        var output = ""
        for expectation in expectations {
            let answer = try await decide(expectation)
            if answer.allowed == expectation.allow {
                passed += 1
                continue
            }
            failed += 1
            output += "FAIL \(expectation.location): expected \(expectation.allow ? "allow" : "deny") for \(expectation.request)\n"
            output += "     \(answer.reason)\n"
        }
        output += "\(passed) passed, \(failed) failed\n"
        context.standardOutput(output)
        if failed > 0 { throw CommandExit(.failure) }
    }

    // MARK: - Against a cluster

    private func runLive(context: CommandContext) async throws {
        try await live.withClient(namespace: namespace, context: context) { client, connection in
            if let check {
                try await runLiveChecks(file: check, client: client, context: context)
                return
            }
            let requestNamespace = allNamespaces ? "" : namespace
            if list {
                let review = try await client.selfSubjectRules(namespace: requestNamespace)
                context.standardOutput(RBACCommandSupport.rulesTable(review.rules))
                if review.incomplete { context.warn("the server says this list may be incomplete (another authorizer than RBAC is in use)") }
                return
            }
            let kinds = try await Self.servedKinds(client)
            let target = try ResourceTarget.parse(type ?? "", subresource: subresource, kinds: kinds) { context.warn($0) }
            let request = target.request(user: UserInfo(name: `as` ?? "", groups: asGroups), verb: verb ?? "", namespace: requestNamespace)
            let answer = try await Self.review(request, asSomeoneElse: `as` != nil, client: client)
            context.standardOutput(answer.allowed ? "yes\n" : "no\n")
            if why {
                context.standardError((answer.reason.isEmpty ? "the server gave no reason" : answer.reason) + " (\(connection.origin))\n")
            }
            if !answer.allowed { throw CommandExit(.failure) }
        }
    }

    /// The built-in kinds plus everything the server serves (custom resources included).
    static func servedKinds(_ client: KubeClient) async throws -> KindTable {
        var kinds = KindTable.builtin
        for mapping in try await client.restMapper().mappings where kinds.kind(GroupKind(group: mapping.group, kind: mapping.kind)) == nil {
            kinds.add(
                ResourceKind(group: mapping.group, versions: [mapping.version], kind: mapping.kind, resource: mapping.resource, namespaced: mapping.namespaced))
        }
        return kinds
    }

    /// Asks the server: SelfSubjectAccessReview for the caller, SubjectAccessReview for another user
    /// (with the groups Kubernetes would add on authentication, as the offline answer assumes).
    static func review(_ request: AccessRequest, asSomeoneElse: Bool, client: KubeClient) async throws -> (allowed: Bool, reason: String) {
        let attributes =
            request.isResourceRequest
            ? AccessAttributes(
                verb: request.verb, group: request.apiGroup, resource: request.resource, subresource: request.subresource, name: request.name,
                namespace: request.namespace)
            : AccessAttributes(verb: request.verb, nonResourceURL: request.path)
        if asSomeoneElse {
            return try await client.subjectAccess(attributes, user: request.user.name, groups: request.user.groups)
        }
        return try await client.selfSubjectAccess(attributes)
    }

    private func runLiveChecks(file: String, client: KubeClient, context: CommandContext) async throws {
        try await Self.runExpectations(file: file, kinds: try await Self.servedKinds(client), context: context) { expectation in
            let answer = try await Self.review(expectation.request, asSomeoneElse: true, client: client)
            return (answer.allowed, "the server says \(answer.allowed ? "allowed" : "denied")\(answer.reason.isEmpty ? "" : ": " + answer.reason)")
        }
    }
}
