import RBAC
import Testing

private let readPods = PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["pods"])
private let writeDeployments = PolicyRule(verbs: ["create", "update"], apiGroups: ["apps"], resources: ["deployments"])
private let manageRoles = PolicyRule(verbs: ["create"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"])

private func aggregating(_ name: String, label: String, labels: [String: String] = [:], rules: [PolicyRule] = []) -> RBACRole {
    RBACRole(
        kind: .clusterRole, name: name, rules: rules,
        aggregationRule: AggregationRule(clusterRoleSelectors: [LabelSelector(matchLabels: [label: "true"])]), labels: labels)
}

struct SelectorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var selector: LabelSelector
    var labels: [String: String]
    var matches: Bool
    var testDescription: String { name }
}

// metav1.LabelSelectorAsSelector semantics.
let selectorCases: [SelectorCase] = [
    SelectorCase(name: "empty selector matches everything", selector: LabelSelector(), labels: [:], matches: true),
    SelectorCase(
        name: "matchLabels equal", selector: LabelSelector(matchLabels: ["a": "1"]), labels: ["a": "1", "b": "2"], matches: true),
    SelectorCase(
        name: "matchLabels different value", selector: LabelSelector(matchLabels: ["a": "1"]), labels: ["a": "2"], matches: false),
    SelectorCase(name: "matchLabels missing", selector: LabelSelector(matchLabels: ["a": "1"]), labels: [:], matches: false),
    SelectorCase(
        name: "In", selector: LabelSelector(matchExpressions: [.init(key: "a", operator: .in, values: ["1", "2"])]),
        labels: ["a": "2"],
        matches: true),
    SelectorCase(
        name: "In, missing key", selector: LabelSelector(matchExpressions: [.init(key: "a", operator: .in, values: ["1"])]),
        labels: [:], matches: false),
    SelectorCase(
        name: "NotIn, other value", selector: LabelSelector(matchExpressions: [.init(key: "a", operator: .notIn, values: ["1"])]),
        labels: ["a": "2"], matches: true),
    SelectorCase(
        name: "NotIn, listed value",
        selector: LabelSelector(matchExpressions: [.init(key: "a", operator: .notIn, values: ["1"])]),
        labels: ["a": "1"], matches: false),
    SelectorCase(
        name: "NotIn, missing key matches",
        selector: LabelSelector(matchExpressions: [.init(key: "a", operator: .notIn, values: ["1"])]),
        labels: [:], matches: true),
    SelectorCase(
        name: "Exists", selector: LabelSelector(matchExpressions: [.init(key: "a", operator: .exists)]), labels: ["a": ""],
        matches: true),
    SelectorCase(
        name: "Exists, missing", selector: LabelSelector(matchExpressions: [.init(key: "a", operator: .exists)]),
        labels: ["b": "1"],
        matches: false),
    SelectorCase(
        name: "DoesNotExist", selector: LabelSelector(matchExpressions: [.init(key: "a", operator: .doesNotExist)]),
        labels: ["b": "1"],
        matches: true),
    SelectorCase(
        name: "DoesNotExist, present", selector: LabelSelector(matchExpressions: [.init(key: "a", operator: .doesNotExist)]),
        labels: ["a": "1"], matches: false),
    SelectorCase(
        name: "all conditions must hold",
        selector: LabelSelector(matchLabels: ["a": "1"], matchExpressions: [.init(key: "b", operator: .exists)]),
        labels: ["a": "1"],
        matches: false),
]

@Suite("ClusterRole aggregation")
struct AggregationTests {
    @Test("label selectors", arguments: selectorCases)
    func selectors(_ testCase: SelectorCase) {
        #expect(testCase.selector.matches(testCase.labels) == testCase.matches)
    }

    @Test("an aggregated ClusterRole gets the union of the selected roles' rules, in name order, and loses its own")
    func union() throws {
        let policy = RBACPolicy(
            roles: [
                aggregating("monitoring", label: "aggregate-to-monitoring", rules: [manageRoles]),
                .clusterRole("z-pods", rules: [readPods, writeDeployments], labels: ["aggregate-to-monitoring": "true"]),
                .clusterRole("a-deployments", rules: [writeDeployments], labels: ["aggregate-to-monitoring": "true"]),
                .clusterRole("unlabelled", rules: [manageRoles]),
                .clusterRole("wrong-value", rules: [manageRoles], labels: ["aggregate-to-monitoring": "false"]),
                // A namespaced Role with the label is not a ClusterRole and never contributes.
                RBACRole(
                    kind: .role, name: "local", namespace: "ns", rules: [manageRoles], labels: ["aggregate-to-monitoring": "true"]
                ),
            ],
            bindings: [.clusterRoleBinding("monitors", clusterRole: "monitoring", subjects: [.user("mo")])])
        let monitoring = try #require(policy.clusterRole(named: "monitoring"))
        #expect(monitoring.rules == [writeDeployments, readPods])
        #expect(policy.aggregationSources(ofClusterRole: "monitoring") == ["a-deployments", "z-pods"])
        let mo = UserInfo(name: "mo")
        #expect(policy.allows(AccessRequest(user: mo, verb: "list", resource: "pods", namespace: "x")))
        #expect(
            !policy.allows(
                AccessRequest(user: mo, verb: "create", apiGroup: "rbac.authorization.k8s.io", resource: "roles", namespace: "x"))
        )
        // The grant points into the aggregated rules.
        let grant = try #require(
            policy.authorize(AccessRequest(user: mo, verb: "get", resource: "pods", name: "p", namespace: "x")).grant)
        #expect(grant.role.name == "monitoring")
        #expect(grant.rule == readPods)
    }

    @Test("chains resolve to a fixpoint: view into edit into admin")
    func chains() throws {
        // Listed so that a single pass in input order would miss view's rules in admin.
        let policy = RBACPolicy(
            roles: [
                aggregating("admin", label: "to-admin"),
                aggregating("edit", label: "to-edit", labels: ["to-admin": "true"]),
                aggregating("view", label: "to-view", labels: ["to-edit": "true"]),
                .clusterRole("view-pods", rules: [readPods], labels: ["to-view": "true"]),
                .clusterRole("edit-deployments", rules: [writeDeployments], labels: ["to-edit": "true"]),
                .clusterRole("admin-roles", rules: [manageRoles], labels: ["to-admin": "true"]),
            ],
            bindings: [.roleBinding("ann", namespace: "ns1", roleRef: .clusterRole("admin"), subjects: [.user("ann")])])
        #expect(try #require(policy.clusterRole(named: "view")).rules == [readPods])
        #expect(Set(try #require(policy.clusterRole(named: "edit")).rules) == [readPods, writeDeployments])
        #expect(Set(try #require(policy.clusterRole(named: "admin")).rules) == [readPods, writeDeployments, manageRoles])
        #expect(
            policy.allows(AccessRequest(user: UserInfo(name: "ann"), verb: "get", resource: "pods", name: "p", namespace: "ns1")))
    }

    @Test("cycles terminate, sharing the rules of the plain roles they reach")
    func cycles() throws {
        let policy = RBACPolicy(
            roles: [
                aggregating("a", label: "to-a", labels: ["to-b": "true"], rules: [manageRoles]),
                aggregating("b", label: "to-b", labels: ["to-a": "true"], rules: [manageRoles]),
                aggregating("self", label: "to-self", labels: ["to-self": "true"], rules: [manageRoles]),
                .clusterRole("pods", rules: [readPods], labels: ["to-a": "true"]),
            ],
            bindings: [])
        #expect(try #require(policy.clusterRole(named: "a")).rules == [readPods])
        #expect(try #require(policy.clusterRole(named: "b")).rules == [readPods])
        // A role never aggregates itself: nothing else matches, so it ends up empty.
        #expect(try #require(policy.clusterRole(named: "self")).rules.isEmpty)
    }

    @Test("an empty selector selects every other ClusterRole; no selectors means no rules")
    func emptySelectors() throws {
        let policy = RBACPolicy(
            roles: [
                RBACRole(
                    kind: .clusterRole, name: "everything", rules: [manageRoles],
                    aggregationRule: AggregationRule(clusterRoleSelectors: [LabelSelector()])),
                RBACRole(
                    kind: .clusterRole, name: "nothing", rules: [manageRoles],
                    aggregationRule: AggregationRule(clusterRoleSelectors: [])),
                .clusterRole("pods", rules: [readPods]),
                .clusterRole("deployments", rules: [writeDeployments, readPods]),
            ],
            bindings: [])
        #expect(try #require(policy.clusterRole(named: "everything")).rules == [writeDeployments, readPods])
        #expect(try #require(policy.clusterRole(named: "nothing")).rules.isEmpty)
    }

    @Test("aggregation from YAML with matchExpressions")
    func fromYAML() throws {
        let policy = try policy(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: aggregated}
            aggregationRule:
              clusterRoleSelectors:
              - matchExpressions:
                - {key: tier, operator: In, values: [gold, silver]}
                - {key: deprecated, operator: DoesNotExist}
            rules:
            - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: gold, labels: {tier: gold}}
            rules:
            - {apiGroups: [""], resources: [pods], verbs: [get, list]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: old-silver, labels: {tier: silver, deprecated: "yes"}}
            rules:
            - {apiGroups: [""], resources: [secrets], verbs: [get]}
            """)
        #expect(try #require(policy.clusterRole(named: "aggregated")).rules == [readPods])
    }

    @Test("where cycles keep reordering the rules, the result is the state the bounded passes end at")
    func alternatingCycles() throws {
        var bounded = 0
        for seed in 1...60 {
            let roles = randomAggregation(seed: UInt64(seed))
            let expected = boundedPasses(roles)
            if expected.reachedBound { bounded += 1 }
            let policy = RBACPolicy(roles: roles, bindings: [])
            for (name, rules) in expected.rules {
                #expect(try #require(policy.clusterRole(named: name)).rules == rules, "seed \(seed), \(name)")
            }
        }
        // Some inputs must reorder forever, or the test would not test the bound.
        #expect(bounded > 0)
    }
}

/// ClusterRoles in four label buckets with rules from a small pool, and aggregators selecting
/// two buckets each (aggregators are in buckets too, hence chains and cycles).
private func randomAggregation(seed: UInt64) -> [RBACRole] {
    var state = seed
    func below(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
    let pool = (0..<12).map { PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["r\($0)"]) }
    var roles: [RBACRole] = []
    for index in 0..<30 {
        let rules = (0..<(1 + below(3))).map { _ in pool[below(pool.count)] }
        roles.append(.clusterRole("plain-\(index)", rules: rules, labels: ["bucket": "b\(below(4))"]))
    }
    for index in 0..<8 {
        let first = below(4)
        let selector = LabelSelector(matchExpressions: [.init(key: "bucket", operator: .in, values: ["b\(first)", "b\((first + 1) % 4)"])])
        roles.append(
            RBACRole(
                kind: .clusterRole, name: "aggregate-\(index)", aggregationRule: AggregationRule(clusterRoleSelectors: [selector]),
                labels: ["bucket": "b\(below(4))"]))
    }
    return roles
}

/// Aggregation as first written: every aggregator united again, in name order, until a pass
/// changes nothing or after one pass more than there are aggregators plus one.
private func boundedPasses(_ roles: [RBACRole]) -> (rules: [String: [PolicyRule]], reachedBound: Bool) {
    let clusterRoles = roles.filter { $0.kind == .clusterRole }.sorted { $0.name < $1.name }
    let aggregators = clusterRoles.filter { $0.aggregationRule != nil }
    let sources = aggregators.map { aggregator in
        (aggregator.aggregationRule?.clusterRoleSelectors ?? []).flatMap { selector in
            clusterRoles.filter { $0.name != aggregator.name && selector.matches($0.labels) }.map(\.name)
        }
    }
    var current = Dictionary(uniqueKeysWithValues: clusterRoles.map { ($0.name, $0.rules) })
    for aggregator in aggregators { current[aggregator.name] = [] }
    var changed = true
    var passes = 0
    while changed && passes <= aggregators.count + 1 {
        changed = false
        passes += 1
        for (offset, aggregator) in aggregators.enumerated() {
            var merged: [PolicyRule] = []
            var seen: Set<PolicyRule> = []
            for source in sources[offset] {
                for rule in current[source] ?? [] where seen.insert(rule).inserted { merged.append(rule) }
            }
            if merged != current[aggregator.name] {
                changed = true
                current[aggregator.name] = merged
            }
        }
    }
    return (current.filter { name, _ in aggregators.contains { $0.name == name } }, changed)
}
