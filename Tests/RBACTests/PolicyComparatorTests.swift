import RBAC
import Testing

struct EscalationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var ownerRules: [PolicyRule]
    var servantRules: [PolicyRule]
    var expectedCovered: Bool
    var expectedUncoveredRules: [PolicyRule]
    var testDescription: String { name }
}

private func rule(
    groups: [String] = [], verbs: [String], resources: [String] = [], names: [String] = [], urls: [String] = []
) -> PolicyRule {
    PolicyRule(verbs: verbs, apiGroups: groups, resources: resources, resourceNames: names, nonResourceURLs: urls)
}

// staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator_test.go: every
// TestCovers* function, named after it.
let escalationCases: [EscalationCase] = [
    EscalationCase(
        name: "TestCoversExactMatch",
        ownerRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["builds"])],
        servantRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["builds"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversSubresourceWildcard",
        ownerRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["*/scale"])],
        servantRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["foo/scale"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversMultipleRulesCoveringSingleRule",
        ownerRules: [
            rule(groups: ["v1"], verbs: ["delete"], resources: ["deployments"]),
            rule(groups: ["v1"], verbs: ["delete"], resources: ["builds"]),
            rule(groups: ["v1"], verbs: ["update"], resources: ["builds", "deployments"]),
        ],
        servantRules: [rule(groups: ["v1"], verbs: ["delete", "update"], resources: ["builds", "deployments"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversMultipleAPIGroupsCoveringSingleRule",
        ownerRules: [
            rule(groups: ["group1"], verbs: ["delete"], resources: ["deployments"]),
            rule(groups: ["group1"], verbs: ["delete"], resources: ["builds"]),
            rule(groups: ["group1"], verbs: ["update"], resources: ["builds", "deployments"]),
            rule(groups: ["group2"], verbs: ["delete"], resources: ["deployments"]),
            rule(groups: ["group2"], verbs: ["delete"], resources: ["builds"]),
            rule(groups: ["group2"], verbs: ["update"], resources: ["builds", "deployments"]),
        ],
        servantRules: [rule(groups: ["group1", "group2"], verbs: ["delete", "update"], resources: ["builds", "deployments"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversSingleAPIGroupsCoveringMultiple",
        ownerRules: [rule(groups: ["group1", "group2"], verbs: ["delete", "update"], resources: ["builds", "deployments"])],
        servantRules: [
            rule(groups: ["group1"], verbs: ["delete"], resources: ["deployments"]),
            rule(groups: ["group1"], verbs: ["delete"], resources: ["builds"]),
            rule(groups: ["group1"], verbs: ["update"], resources: ["builds", "deployments"]),
            rule(groups: ["group2"], verbs: ["delete"], resources: ["deployments"]),
            rule(groups: ["group2"], verbs: ["delete"], resources: ["builds"]),
            rule(groups: ["group2"], verbs: ["update"], resources: ["builds", "deployments"]),
        ],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversMultipleRulesMissingSingleVerbResourceCombination",
        ownerRules: [
            rule(groups: ["v1"], verbs: ["delete", "update"], resources: ["builds", "deployments"]),
            rule(groups: ["v1"], verbs: ["delete"], resources: ["pods"]),
        ],
        servantRules: [rule(groups: ["v1"], verbs: ["delete", "update"], resources: ["builds", "deployments", "pods"])],
        expectedCovered: false, expectedUncoveredRules: [rule(groups: ["v1"], verbs: ["update"], resources: ["pods"])]),
    EscalationCase(
        name: "TestCoversAPIGroupStarCoveringMultiple",
        ownerRules: [rule(groups: ["*"], verbs: ["get"], resources: ["roles"])],
        servantRules: [rule(groups: ["group1", "group2"], verbs: ["get"], resources: ["roles"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversEnumerationNotCoveringAPIGroupStar",
        ownerRules: [rule(groups: ["dummy-group"], verbs: ["get"], resources: ["roles"])],
        servantRules: [rule(groups: ["*"], verbs: ["get"], resources: ["roles"])],
        expectedCovered: false, expectedUncoveredRules: [rule(groups: ["*"], verbs: ["get"], resources: ["roles"])]),
    EscalationCase(
        name: "TestCoversAPIGroupStarCoveringStar",
        ownerRules: [rule(groups: ["*"], verbs: ["get"], resources: ["roles"])],
        servantRules: [rule(groups: ["*"], verbs: ["get"], resources: ["roles"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversVerbStarCoveringMultiple",
        ownerRules: [rule(groups: ["v1"], verbs: ["*"], resources: ["roles"])],
        servantRules: [rule(groups: ["v1"], verbs: ["watch", "list"], resources: ["roles"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversEnumerationNotCoveringVerbStar",
        ownerRules: [
            rule(groups: ["v1"], verbs: ["get", "list", "watch", "create", "update", "delete", "exec"], resources: ["roles"])
        ],
        servantRules: [rule(groups: ["v1"], verbs: ["*"], resources: ["roles"])],
        expectedCovered: false, expectedUncoveredRules: [rule(groups: ["v1"], verbs: ["*"], resources: ["roles"])]),
    EscalationCase(
        name: "TestCoversVerbStarCoveringStar",
        ownerRules: [rule(groups: ["v1"], verbs: ["*"], resources: ["roles"])],
        servantRules: [rule(groups: ["v1"], verbs: ["*"], resources: ["roles"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversResourceStarCoveringMultiple",
        ownerRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["*"])],
        servantRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["resourcegroup:deployments"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversEnumerationNotCoveringResourceStar",
        ownerRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["roles", "resourcegroup:deployments"])],
        servantRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["*"])],
        expectedCovered: false, expectedUncoveredRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["*"])]),
    EscalationCase(
        name: "TestCoversResourceStarCoveringStar",
        ownerRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["*"])],
        servantRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["*"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversResourceNameEmptyCoveringMultiple",
        ownerRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["pods"], names: [])],
        servantRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["pods"], names: ["foo", "bar"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversEnumerationNotCoveringResourceNameEmpty",
        ownerRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["pods"], names: ["foo", "bar"])],
        servantRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["pods"], names: [])],
        expectedCovered: false, expectedUncoveredRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["pods"])]),
    EscalationCase(
        name: "TestCoversNonResourceURLs",
        ownerRules: [rule(verbs: ["*"], urls: ["/apis"])],
        servantRules: [rule(verbs: ["*"], urls: ["/apis"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversNonResourceURLsStar",
        ownerRules: [rule(verbs: ["*"], urls: ["*"])],
        servantRules: [rule(verbs: ["*"], urls: ["/apis", "/apis/v1", "/"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversNonResourceURLsStarAfterPrefixDoesntCover",
        ownerRules: [rule(verbs: ["*"], urls: ["/apis/*"])],
        servantRules: [rule(verbs: ["get"], urls: ["/apis", "/apis/v1"])],
        expectedCovered: false, expectedUncoveredRules: [rule(verbs: ["get"], urls: ["/apis"])]),
    EscalationCase(
        name: "TestCoversNonResourceURLsStarAfterPrefix",
        ownerRules: [rule(verbs: ["*"], urls: ["/apis/*"])],
        servantRules: [rule(verbs: ["get"], urls: ["/apis/v1/foo", "/apis/v1"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversNonResourceURLsWithOtherFields",
        ownerRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["builds"], urls: ["/apis"])],
        servantRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["builds"], urls: ["/apis"])],
        expectedCovered: true, expectedUncoveredRules: []),
    EscalationCase(
        name: "TestCoversNonResourceURLsWithOtherFieldsFailure",
        ownerRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["builds"])],
        servantRules: [rule(groups: ["v1"], verbs: ["get"], resources: ["builds"], urls: ["/apis"])],
        expectedCovered: false, expectedUncoveredRules: [rule(verbs: ["get"], urls: ["/apis"])]),
]

// The same file, TestNonResourceURLCovers: (owner, requested, want).
struct URLCoversCase: Sendable, CustomTestStringConvertible {
    var owner: String
    var requested: String
    var want: Bool
    init(_ owner: String, _ requested: String, _ want: Bool) {
        self.owner = owner
        self.requested = requested
        self.want = want
    }
    var testDescription: String { "nonResourceURLCovers(\"\(owner)\", \"\(requested)\") == \(want)" }
}

let nonResourceURLCoversCases: [URLCoversCase] = [
    URLCoversCase("*", "", true),
    URLCoversCase("*", "/", true),
    URLCoversCase("*", "/api", true),
    URLCoversCase("/*", "", false),
    URLCoversCase("/*", "/", true),
    URLCoversCase("/*", "/foo", true),
    URLCoversCase("/api", "/api", true),
    URLCoversCase("/apis", "/api", false),
    URLCoversCase("/api/v1", "/api", false),
    URLCoversCase("/api/v1", "/api/v1", true),
    URLCoversCase("/api/*", "/api/v1", true),
    URLCoversCase("/api/*", "/api", false),
    URLCoversCase("/api/*/*", "/api/v1", false),
    URLCoversCase("/*/v1/*", "/api/v1", false),
]

@Suite("Escalation check")
struct PolicyComparatorTests {
    @Test("Covers", arguments: escalationCases)
    func covers(_ testCase: EscalationCase) {
        let (covered, uncovered) = PolicyComparator.covers(testCase.ownerRules, testCase.servantRules)
        #expect(covered == testCase.expectedCovered)
        // rulesMatch: same length, every expected rule present.
        #expect(uncovered.count == testCase.expectedUncoveredRules.count)
        #expect(Set(uncovered) == Set(testCase.expectedUncoveredRules))
    }

    @Test("TestNonResourceURLCovers", arguments: nonResourceURLCoversCases)
    func nonResourceURLCovers(_ testCase: URLCoversCase) {
        #expect(PolicyComparator.nonResourceURLCovers(testCase.owner, testCase.requested) == testCase.want)
    }

    @Test("BreakdownRule: one group, resource, verb and name per rule, then URL and verb")
    func breakdown() {
        let rule = PolicyRule(
            verbs: ["get", "list"], apiGroups: ["", "apps"], resources: ["deployments"], resourceNames: ["a", "b"],
            nonResourceURLs: ["/healthz"])
        let parts = PolicyComparator.breakdown(rule)
        #expect(parts.count == 2 * 1 * 2 * 2 + 1 * 2)
        #expect(parts.first == PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["deployments"], resourceNames: ["a"]))
        #expect(parts.last == PolicyRule(verbs: ["list"], nonResourceURLs: ["/healthz"]))
    }

    @Test("mayGrant: a namespace admin can hand out only what they hold, where they hold it")
    func mayGrant() {
        let edit = [
            PolicyRule(verbs: ["get", "list", "create", "update", "delete"], apiGroups: ["apps"], resources: ["deployments"]),
            PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"]),
        ]
        let policy = RBACPolicy(
            roles: [
                .clusterRole("edit", rules: edit),
                .clusterRole("discovery", rules: [PolicyRule(verbs: ["get"], nonResourceURLs: ["/api", "/api/*"])]),
            ],
            bindings: [
                .roleBinding("team", namespace: "team-a", roleRef: .clusterRole("edit"), subjects: [.user("ann")]),
                .clusterRoleBinding("discovery", clusterRole: "discovery", subjects: [.group("system:authenticated")]),
            ])
        let ann = UserInfo(name: "ann")
        let wanted = [PolicyRule(verbs: ["get", "update"], apiGroups: ["apps"], resources: ["deployments"])]
        #expect(policy.mayGrant(wanted, user: ann, namespace: "team-a").allowed)
        #expect(!policy.mayGrant(wanted, user: ann, namespace: "team-b").allowed)
        #expect(!policy.mayGrant(wanted, user: ann, namespace: "").allowed)
        let tooMuch = [
            PolicyRule(verbs: ["get", "patch"], apiGroups: ["apps"], resources: ["deployments", "deployments/scale"])
        ]
        let result = policy.mayGrant(tooMuch, user: ann, namespace: "team-a")
        #expect(!result.allowed)
        #expect(
            Set(result.uncovered) == [
                PolicyRule(verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments"]),
                PolicyRule(verbs: ["get"], apiGroups: ["apps"], resources: ["deployments/scale"]),
                PolicyRule(verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments/scale"]),
            ])
        // Cluster-wide rules count in every namespace, non-resource URLs included.
        #expect(policy.mayGrant([PolicyRule(verbs: ["get"], nonResourceURLs: ["/api/v1"])], user: ann, namespace: "").allowed)
        #expect(
            !policy.mayGrant([PolicyRule(verbs: ["get"], nonResourceURLs: ["/apis"])], user: ann, namespace: "team-a").allowed)
    }
}
