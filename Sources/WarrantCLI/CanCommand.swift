import ArgumentParser
import Foundation
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
            """
    )

    @Argument(help: "The verb (get, list, create, patch, delete, escalate, bind, impersonate, ...).")
    var verb: String?

    @Argument(help: "TYPE, TYPE/NAME or a non-resource URL.")
    var type: String?

    @OptionGroup var manifests: ManifestOptions

    @Option(name: .shortAndLong, help: "The namespace of the request; also for RBAC objects written without one.")
    var namespace: String = "default"

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
        if check != nil {
            if verb != nil || list { throw ValidationError("--check runs the expectations in the file; give no VERB, TYPE or --list with it.") }
            return
        }
        if `as` == nil { throw ValidationError("Say who asks with --as USER (ServiceAccounts: --as system:serviceaccount:NAMESPACE:NAME).") }
        if list {
            if verb != nil { throw ValidationError("--list takes no VERB or TYPE.") }
            return
        }
        guard verb != nil, type != nil else { throw ValidationError("Give a VERB and a TYPE, e.g. 'warrant can get pods --as alice -f rbac/'.") }
    }

    func run() async throws {
        let context = CommandContext.current
        let loaded = try manifests.load(context: context)
        let policy = try RBACCommandSupport.policy(loaded, defaultNamespace: namespace, context: context)
        if let check {
            try runChecks(file: check, policy: policy, kinds: loaded.kinds, context: context)
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

    private func runChecks(file: String, policy: RBACPolicy, kinds: KindTable, context: CommandContext) throws {
        let expectations: [AccessExpectation]
        do {
            expectations = try AccessExpectation.load(bytes: try ManifestLoader.readFile(file), file: file, kinds: kinds)
        } catch {
            context.standardError("error: \(error)\n")
            throw CommandExit(.invalidInput)
        }
        var passed = 0
        var failed = 0
        var output = ""
        for expectation in expectations {
            let decision = policy.authorize(expectation.request)
            if decision.isAllowed == expectation.allow {
                passed += 1
                continue
            }
            failed += 1
            output += "FAIL \(expectation.location): expected \(expectation.allow ? "allow" : "deny") for \(expectation.request)\n"
            output += "     \(decision.reason)\n"
        }
        output += "\(passed) passed, \(failed) failed\n"
        context.standardOutput(output)
        if failed > 0 { throw CommandExit(.failure) }
    }
}
