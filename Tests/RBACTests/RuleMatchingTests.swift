import RBAC
import Testing

/// One request checked against one rule.
struct RuleMatchCase: Sendable, CustomTestStringConvertible {
    var name: String
    var rule: PolicyRule
    var request: AccessRequest
    var expected: Bool
    var testDescription: String { "\(name): \(request.action) → \(expected)" }
}

/// rbac_test.go's `resourceRequest(verb).Group(g).Resource(r).Subresource(s).Name(n).New()`.
func resourceRequest(
    _ verb: String, group: String, resource: String, subresource: String = "", name: String = ""
)
    -> AccessRequest
{
    AccessRequest(user: anyone, verb: verb, apiGroup: group, resource: resource, subresource: subresource, name: name)
}

/// rbac_test.go's `nonresourceRequest(verb).URL(url).New()`.
func nonresourceRequest(_ verb: String, url: String) -> AccessRequest {
    AccessRequest(user: anyone, verb: verb, nonResourceURL: url)
}

private func cases(_ name: String, _ rule: PolicyRule, _ expectations: [(AccessRequest, Bool)]) -> [RuleMatchCase] {
    expectations.map { RuleMatchCase(name: name, rule: rule, request: $0.0, expected: $0.1) }
}

// plugin/pkg/auth/authorizer/rbac/rbac_test.go, TestRuleMatches (every case and request).
let ruleMatchesCases: [RuleMatchCase] =
    cases(
        "star verb, exact match other",
        PolicyRule(verbs: ["*"], apiGroups: ["group1"], resources: ["resource1"]),
        [
            (resourceRequest("verb1", group: "group1", resource: "resource1"), true),
            (resourceRequest("verb1", group: "group2", resource: "resource1"), false),
            (resourceRequest("verb1", group: "group1", resource: "resource2"), false),
            (resourceRequest("verb1", group: "group2", resource: "resource2"), false),
            (resourceRequest("verb2", group: "group1", resource: "resource1"), true),
            (resourceRequest("verb2", group: "group2", resource: "resource1"), false),
            (resourceRequest("verb2", group: "group1", resource: "resource2"), false),
            (resourceRequest("verb2", group: "group2", resource: "resource2"), false),
        ])
    + cases(
        "star group, exact match other",
        PolicyRule(verbs: ["verb1"], apiGroups: ["*"], resources: ["resource1"]),
        [
            (resourceRequest("verb1", group: "group1", resource: "resource1"), true),
            (resourceRequest("verb1", group: "group2", resource: "resource1"), true),
            (resourceRequest("verb1", group: "group1", resource: "resource2"), false),
            (resourceRequest("verb1", group: "group2", resource: "resource2"), false),
            (resourceRequest("verb2", group: "group1", resource: "resource1"), false),
            (resourceRequest("verb2", group: "group2", resource: "resource1"), false),
            (resourceRequest("verb2", group: "group1", resource: "resource2"), false),
            (resourceRequest("verb2", group: "group2", resource: "resource2"), false),
        ])
    + cases(
        "star resource, exact match other",
        PolicyRule(verbs: ["verb1"], apiGroups: ["group1"], resources: ["*"]),
        [
            (resourceRequest("verb1", group: "group1", resource: "resource1"), true),
            (resourceRequest("verb1", group: "group2", resource: "resource1"), false),
            (resourceRequest("verb1", group: "group1", resource: "resource2"), true),
            (resourceRequest("verb1", group: "group2", resource: "resource2"), false),
            (resourceRequest("verb2", group: "group1", resource: "resource1"), false),
            (resourceRequest("verb2", group: "group2", resource: "resource1"), false),
            (resourceRequest("verb2", group: "group1", resource: "resource2"), false),
            (resourceRequest("verb2", group: "group2", resource: "resource2"), false),
        ])
    + cases(
        "tuple expansion",
        PolicyRule(verbs: ["verb1", "verb2"], apiGroups: ["group1", "group2"], resources: ["resource1", "resource2"]),
        [
            (resourceRequest("verb1", group: "group1", resource: "resource1"), true),
            (resourceRequest("verb1", group: "group2", resource: "resource1"), true),
            (resourceRequest("verb1", group: "group1", resource: "resource2"), true),
            (resourceRequest("verb1", group: "group2", resource: "resource2"), true),
            (resourceRequest("verb2", group: "group1", resource: "resource1"), true),
            (resourceRequest("verb2", group: "group2", resource: "resource1"), true),
            (resourceRequest("verb2", group: "group1", resource: "resource2"), true),
            (resourceRequest("verb2", group: "group2", resource: "resource2"), true),
        ])
    + cases(
        "subresource expansion",
        PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["resource1/subresource1"]),
        [
            (resourceRequest("verb1", group: "group1", resource: "resource1", subresource: "subresource1"), true),
            (resourceRequest("verb1", group: "group2", resource: "resource1", subresource: "subresource2"), false),
            (resourceRequest("verb1", group: "group1", resource: "resource2", subresource: "subresource1"), false),
            (resourceRequest("verb1", group: "group2", resource: "resource2", subresource: "subresource1"), false),
            (resourceRequest("verb2", group: "group1", resource: "resource1", subresource: "subresource1"), true),
            (resourceRequest("verb2", group: "group2", resource: "resource1", subresource: "subresource2"), false),
            (resourceRequest("verb2", group: "group1", resource: "resource2", subresource: "subresource1"), false),
            (resourceRequest("verb2", group: "group2", resource: "resource2", subresource: "subresource1"), false),
        ])
    + cases(
        "star nonresource, exact match other",
        PolicyRule(verbs: ["verb1"], nonResourceURLs: ["*"]),
        [
            (nonresourceRequest("verb1", url: "/foo"), true),
            (nonresourceRequest("verb1", url: "/foo/bar"), true),
            (nonresourceRequest("verb1", url: "/foo/baz"), true),
            (nonresourceRequest("verb1", url: "/foo/bar/one"), true),
            (nonresourceRequest("verb1", url: "/foo/baz/one"), true),
            (nonresourceRequest("verb2", url: "/foo"), false),
            (nonresourceRequest("verb2", url: "/foo/bar"), false),
            (nonresourceRequest("verb2", url: "/foo/baz"), false),
            (nonresourceRequest("verb2", url: "/foo/bar/one"), false),
            (nonresourceRequest("verb2", url: "/foo/baz/one"), false),
        ])
    + cases(
        "star nonresource subpath",
        PolicyRule(verbs: ["verb1"], nonResourceURLs: ["/foo/*"]),
        [
            (nonresourceRequest("verb1", url: "/foo"), false),
            (nonresourceRequest("verb1", url: "/foo/bar"), true),
            (nonresourceRequest("verb1", url: "/foo/baz"), true),
            (nonresourceRequest("verb1", url: "/foo/bar/one"), true),
            (nonresourceRequest("verb1", url: "/foo/baz/one"), true),
            (nonresourceRequest("verb1", url: "/notfoo"), false),
            (nonresourceRequest("verb1", url: "/notfoo/bar"), false),
            (nonresourceRequest("verb1", url: "/notfoo/baz"), false),
            (nonresourceRequest("verb1", url: "/notfoo/bar/one"), false),
            (nonresourceRequest("verb1", url: "/notfoo/baz/one"), false),
        ])
    + cases(
        "star verb, exact nonresource",
        PolicyRule(verbs: ["*"], nonResourceURLs: ["/foo", "/foo/bar/one"]),
        [
            (nonresourceRequest("verb1", url: "/foo"), true),
            (nonresourceRequest("verb1", url: "/foo/bar"), false),
            (nonresourceRequest("verb1", url: "/foo/baz"), false),
            (nonresourceRequest("verb1", url: "/foo/bar/one"), true),
            (nonresourceRequest("verb1", url: "/foo/baz/one"), false),
            (nonresourceRequest("verb2", url: "/foo"), true),
            (nonresourceRequest("verb2", url: "/foo/bar"), false),
            (nonresourceRequest("verb2", url: "/foo/baz"), false),
            (nonresourceRequest("verb2", url: "/foo/bar/one"), true),
            (nonresourceRequest("verb2", url: "/foo/baz/one"), false),
        ])

// Further cases of the semantics documented for RuleAllows and the evaluation helpers
// (pkg/apis/rbac/v1/evaluation_helpers.go): subresources, */sub, resourceNames, and the
// separation of resource and non-resource rules.
let extraRuleCases: [RuleMatchCase] =
    cases(
        "*/scale matches the scale subresource of any resource, nothing else",
        PolicyRule(verbs: ["get"], apiGroups: ["*"], resources: ["*/scale"]),
        [
            (resourceRequest("get", group: "apps", resource: "deployments", subresource: "scale"), true),
            (resourceRequest("get", group: "", resource: "replicationcontrollers", subresource: "scale"), true),
            (resourceRequest("get", group: "apps", resource: "deployments"), false),
            (resourceRequest("get", group: "apps", resource: "deployments", subresource: "status"), false),
            (resourceRequest("get", group: "apps", resource: "deployments", subresource: "scales"), false),
        ])
    + cases(
        "pods/* is not a wildcard",
        PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods/*"]),
        [
            (resourceRequest("create", group: "", resource: "pods", subresource: "exec"), false),
            (resourceRequest("create", group: "", resource: "pods"), false),
            (resourceRequest("create", group: "", resource: "pods", subresource: "*"), true),
        ])
    + cases(
        "* matches every resource and subresource",
        PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["*"]),
        [
            (resourceRequest("create", group: "", resource: "pods", subresource: "exec"), true),
            (resourceRequest("create", group: "", resource: "serviceaccounts", subresource: "token"), true),
            (resourceRequest("create", group: "apps", resource: "deployments"), false),
        ])
    + cases(
        "pods does not match pods/exec; resource/subresource written in one string is split",
        PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods", "pods/exec"]),
        [
            (resourceRequest("create", group: "", resource: "pods", subresource: "exec"), true),
            (resourceRequest("create", group: "", resource: "pods/exec"), true),
            (resourceRequest("create", group: "", resource: "pods", subresource: "attach"), false),
            (resourceRequest("create", group: "", resource: "pods/attach"), false),
        ])
    + cases(
        "empty resourceNames match every name and none",
        PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"]),
        [
            (resourceRequest("get", group: "", resource: "configmaps", name: "a"), true),
            (resourceRequest("list", group: "", resource: "configmaps"), true),
        ])
    + cases(
        "resourceNames allow only those names; a request without a name never",
        PolicyRule(
            verbs: ["get", "update", "list", "watch", "create", "delete", "deletecollection"], apiGroups: [""],
            resources: ["configmaps"], resourceNames: ["app-config", "flags"]),
        [
            (resourceRequest("get", group: "", resource: "configmaps", name: "app-config"), true),
            (resourceRequest("update", group: "", resource: "configmaps", name: "flags"), true),
            (resourceRequest("get", group: "", resource: "configmaps", name: "other"), false),
            (resourceRequest("create", group: "", resource: "configmaps"), false),
            (resourceRequest("list", group: "", resource: "configmaps"), false),
            (resourceRequest("watch", group: "", resource: "configmaps"), false),
            (resourceRequest("deletecollection", group: "", resource: "configmaps"), false),
            // list/watch with a metadata.name field selector carry the name.
            (resourceRequest("list", group: "", resource: "configmaps", name: "flags"), true),
            (resourceRequest("watch", group: "", resource: "configmaps", name: "flags"), true),
        ])
    + cases(
        "a resource rule never allows a non-resource request",
        PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
        [
            (nonresourceRequest("get", url: "/healthz"), false),
            (resourceRequest("get", group: "", resource: "pods"), true),
        ])
    + cases(
        "a non-resource rule never allows a resource request",
        PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
        [
            (resourceRequest("get", group: "", resource: "pods"), false),
            (nonresourceRequest("get", url: "/metrics"), true),
        ])
    + cases(
        "trailing stars are all dropped; an inner star is literal",
        PolicyRule(verbs: ["get"], nonResourceURLs: ["/logs**", "/api/*/v1"]),
        [
            (nonresourceRequest("get", url: "/logs"), true),
            (nonresourceRequest("get", url: "/logsx/y"), true),
            (nonresourceRequest("get", url: "/api/*/v1"), true),
            (nonresourceRequest("get", url: "/api/x/v1"), false),
        ])
    + cases(
        "the core group is the empty string, not * and not v1",
        PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"]),
        [
            (resourceRequest("get", group: "", resource: "pods"), true),
            (resourceRequest("get", group: "v1", resource: "pods"), false),
            (resourceRequest("get", group: "apps", resource: "pods"), false),
        ])

@Suite("Rule matching")
struct RuleMatchingTests {
    @Test("TestRuleMatches", arguments: ruleMatchesCases)
    func ruleMatches(_ testCase: RuleMatchCase) {
        #expect(testCase.rule.allows(testCase.request) == testCase.expected)
    }

    @Test("RuleAllows semantics", arguments: extraRuleCases)
    func ruleSemantics(_ testCase: RuleMatchCase) {
        #expect(testCase.rule.allows(testCase.request) == testCase.expected)
    }

    @Test("the policy's indexed matching agrees with PolicyRule.allows", arguments: ruleMatchesCases + extraRuleCases)
    func policyAgreesWithRule(_ testCase: RuleMatchCase) {
        let policy = RBACPolicy(
            roles: [.clusterRole("r", rules: [testCase.rule])],
            bindings: [.clusterRoleBinding("b", clusterRole: "r", subjects: [.user(anyone.name)])])
        #expect(policy.allows(testCase.request) == testCase.expected)
    }

    @Test("compact description as in kube-apiserver's escalation errors")
    func compactDescription() {
        let rule = PolicyRule(verbs: ["get", "list"], apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["web"])
        #expect(
            rule.description == #"{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get" "list"]}"#)
        #expect(
            PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz"]).description
                == #"{NonResourceURLs:["/healthz"], Verbs:["get"]}"#)
    }
}
