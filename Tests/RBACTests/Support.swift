import KubeModel
import RBAC

// Builders that mirror the helpers of Kubernetes' Go tests, so that the translated tables read
// like the originals.

/// Go's `strings.Split(s, ",")`: an empty string gives `[""]`, as in the Go tests.
func goSplit(_ list: String) -> [String] {
    list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
}

/// `newRule(verbs, apiGroups, resources, nonResourceURLs)` from rbac_test.go.
func newRule(_ verbs: String, _ apiGroups: String, _ resources: String, _ nonResourceURLs: String) -> PolicyRule {
    PolicyRule(
        verbs: goSplit(verbs), apiGroups: goSplit(apiGroups), resources: goSplit(resources),
        nonResourceURLs: goSplit(nonResourceURLs))
}

/// `newClusterRole(name, rules...)`.
func newClusterRole(_ name: String, _ rules: PolicyRule...) -> RBACRole {
    RBACRole(kind: .clusterRole, name: name, rules: rules)
}

/// `"User:admin"`, `"Group:admins"`, `"ServiceAccount:default"` as in the Go helpers.
func goSubjects(_ subjects: [String]) -> [Subject] {
    subjects.map { entry in
        let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
        return Subject(kind: Subject.Kind(rawValue: parts[0]), name: parts[1])
    }
}

/// `newClusterRoleBinding(roleName, subjects...)`: an unnamed ClusterRoleBinding.
func newClusterRoleBinding(_ roleName: String, _ subjects: String...) -> RBACBinding {
    RBACBinding(kind: .clusterRoleBinding, name: "", roleRef: .clusterRole(roleName), subjects: goSubjects(subjects))
}

/// `newRoleBinding(namespace, roleName, bindToClusterRole, subjects...)`.
func newRoleBindingToClusterRole(_ namespace: String, _ roleName: String, _ subjects: String...) -> RBACBinding {
    RBACBinding(
        kind: .roleBinding, name: "", namespace: namespace, roleRef: .clusterRole(roleName), subjects: goSubjects(subjects))
}

/// A user exactly as Go's `user.DefaultInfo{Name:, Groups:}`: no implicit groups.
func goUser(_ name: String, _ groups: [String] = []) -> UserInfo {
    UserInfo(name: name, groups: groups, addingImplicitGroups: false)
}

/// rbac_test.go's `defaultAttributes{user, groups, verb, resource, subresource, namespace, apiGroup}`.
func defaultAttributes(
    _ user: String, _ groups: String, _ verb: String, _ resource: String, _ subresource: String, _ namespace: String,
    _ apiGroup: String
) -> AccessRequest {
    AccessRequest(
        user: goUser(user, goSplit(groups)), verb: verb, apiGroup: apiGroup, resource: resource, subresource: subresource,
        namespace: namespace)
}

/// A user for tests about rules only.
let anyone = goUser("someone")

/// Loads YAML text as the manifest loader would from a file named `test.yaml`.
func load(_ yaml: String, file: String = "test.yaml") throws -> [KubeObject] {
    try ManifestLoader().load(bytes: Array(yaml.utf8), file: file)
}

/// A policy from YAML text.
func policy(_ yaml: String) throws -> RBACPolicy {
    try RBACPolicy(objects: load(yaml))
}

/// Sorted descriptions, to compare rule lists as multisets.
func sortedDescriptions(_ rules: [PolicyRule]) -> [String] {
    rules.map(\.description).sorted()
}
