public import KubeModel
public import RBAC
public import ScopePlanning

/// The namespaced Role the agent's ServiceAccount needs, and nothing cluster-scoped: what
/// `warrant scope --for warrant` derives for the manifests (with the agent's prune and wait
/// settings, its ApplySet and history), plus its status ConfigMap by name and the Lease of its
/// leader election (``AgentLease``).
public struct AgentRole: Sendable {
    /// The Role.
    public var role: RBACRole
    /// The Role as a manifest, annotated with how it was derived.
    public var object: JSONValue
    /// Why each rule is there, from the scope derivation (the status and Lease rules are the agent's own).
    public var explanations: [RuleExplanation]

    /// Derives the Role for `objects` (the manifests at the branch's tip, or given with `-f`).
    ///
    /// - Throws: ``ManifestErrors`` when the objects cannot be deployed into the namespace (unknown
    ///   kinds, another namespace, cluster-scoped objects).
    public init(objects: [KubeObject], kinds: KindTable, configuration: AgentConfiguration, name: String = "warrant-agent") throws(ManifestErrors) {
        let options = DeployOptions(prune: configuration.prune, wait: configuration.wait, applySetName: configuration.applySet)
        let scope = try ScopeDeriver(method: .warrant, options: options, namespace: configuration.namespace, roleName: name)
            .derive(objects: objects, kinds: kinds)
        // The agent's own needs, unless the manifests' rules already grant them.
        let needs = AgentStatusStore(namespace: configuration.namespace).rules + AgentLease(namespace: configuration.namespace).rules
        let own = needs.filter {
            !PolicyComparator.covers(scope.role.rules, PolicyComparator.breakdown($0)).covered
        }
        var role = scope.role
        role.rules += own
        var object = scope.roleObject
        object["rules"] = .array(role.rules.map(\.jsonValue))
        object.setValue(
            .string(
                "--for warrant\(configuration.prune ? " --prune" : "")\(configuration.wait ? " --wait" : ""), plus the agent's status ConfigMap and leader-election Lease"
            ),
            at: ["metadata", "annotations", "warrant.dev/scope"])
        self.role = role
        self.object = object
        self.explanations = scope.explanations
    }
}
