/// The catalog of risky RBAC permissions that `warrant audit` reports, with stable IDs.
///
/// IDs never change meaning: `W1xx` look at rules, `W2xx` at bindings and subjects, `W3xx` at
/// escalation paths, `W4xx` at tools that bring their own access control. Grounded in the
/// Kubernetes documentation "Role Based Access Control Good Practices"
/// (kubernetes.io/docs/concepts/security/rbac-good-practices/).
public enum RiskCatalog {
    /// Every check, in ID order.
    public static let checks: [RiskCheck] = [
        RiskCheck(
            id: "W100", name: "full-wildcard", title: "Rule grants every verb on every resource of every API group",
            target: .rule, severity: .critical,
            rationale:
                "A rule with '*' verbs, '*' resources and '*' API groups is cluster-admin within its scope: it includes secrets, RBAC, impersonation and every future resource.",
            remediation: "List the API groups, resources and verbs actually needed ('warrant scope' derives them from the manifests)."),
        RiskCheck(
            id: "W101", name: "wildcard-verbs", title: "Rule grants every verb ('*')", target: .rule,
            severity: .high, clusterWideSeverity: .critical,
            rationale: "'*' verbs include escalate, bind, impersonate and deletecollection, and verbs added to Kubernetes later.",
            remediation: "Name the verbs: for a deployer usually get, list, watch, create, patch, update, delete."),
        RiskCheck(
            id: "W102", name: "wildcard-resources", title: "Rule grants every resource ('*' or '*/subresource')", target: .rule,
            severity: .high, clusterWideSeverity: .critical,
            rationale: "'*' resources include secrets, pods/exec, RBAC objects and every custom resource installed later.",
            remediation: "Name the resources the workload needs."),
        RiskCheck(
            id: "W103", name: "wildcard-api-groups", title: "Rule applies to every API group ('*')", target: .rule,
            severity: .medium, clusterWideSeverity: .high,
            rationale: "'*' API groups extend the rule to every group installed now or later, including CRDs of other teams.",
            remediation: "Name the API groups ('' for the core group)."),
        RiskCheck(
            id: "W104", name: "secrets-read", title: "Rule can read Secrets", target: .rule,
            severity: .high, clusterWideSeverity: .critical,
            rationale:
                "list and watch return the contents of every Secret, including ServiceAccount tokens and credentials; get reads any Secret whose name is known.",
            remediation: "Drop list and watch on secrets; where a workload needs one Secret, mount it or limit get with resourceNames."),
        RiskCheck(
            id: "W105", name: "secrets-write", title: "Rule can create or change Secrets", target: .rule,
            severity: .medium, clusterWideSeverity: .high,
            rationale:
                "Writing Secrets can replace credentials other workloads trust, and creating a service-account-token Secret mints a token for any ServiceAccount in the namespace.",
            remediation: "Grant secret writes only to the deployer of the Secrets, and prefer an external secret store."),
        RiskCheck(
            id: "W106", name: "workload-create", title: "Rule can create pods or pod controllers", target: .rule,
            severity: .medium, clusterWideSeverity: .high,
            rationale:
                "Whoever creates a pod chooses its ServiceAccount, so it can act with the rights of any ServiceAccount in the namespace and mount any Secret there.",
            remediation: "Give workload creation only to the CI deployer of the namespace, and keep ServiceAccounts in it least-privilege."),
        RiskCheck(
            id: "W107", name: "pod-update", title: "Rule can update pods", target: .rule,
            severity: .medium, clusterWideSeverity: .high,
            rationale: "Updating a running pod can swap its container image.",
            remediation: "Let controllers own pods; grant update on the controller instead."),
        RiskCheck(
            id: "W108", name: "pod-exec", title: "Rule can exec into or attach to pods", target: .rule,
            severity: .high, clusterWideSeverity: .critical,
            rationale:
                "pods/exec and pods/attach run commands inside containers, with their ServiceAccount tokens and mounted Secrets (get was enough on clusters before 1.30's WebSocket change).",
            remediation: "Remove pods/exec and pods/attach from automation; give people time-limited access through a break-glass process."),
        RiskCheck(
            id: "W109", name: "pod-portforward", title: "Rule can port-forward to pods", target: .rule,
            severity: .medium, clusterWideSeverity: .high,
            rationale: "Port-forwarding reaches pod ports directly, around NetworkPolicies and Ingress authentication.",
            remediation: "Remove pods/portforward from automation."),
        RiskCheck(
            id: "W110", name: "ephemeral-containers", title: "Rule can add ephemeral containers", target: .rule,
            severity: .high, clusterWideSeverity: .critical,
            rationale: "Adding an ephemeral container to a pod runs arbitrary code in it, like exec.",
            remediation: "Remove pods/ephemeralcontainers."),
        RiskCheck(
            id: "W111", name: "node-proxy", title: "Rule can use nodes/proxy", target: .rule,
            severity: .critical,
            rationale: "nodes/proxy reaches the kubelet API, which runs commands in every pod on the node without API-server authorization or audit logging.",
            remediation: "Remove nodes/proxy; use the metrics API for monitoring."),
        RiskCheck(
            id: "W112", name: "rbac-escalate", title: "Rule can escalate roles", target: .rule,
            severity: .critical,
            rationale: "escalate lets a subject write Roles with permissions it does not hold, defeating escalation prevention.",
            remediation: "Remove the escalate verb."),
        RiskCheck(
            id: "W113", name: "rbac-bind", title: "Rule can bind roles", target: .rule,
            severity: .critical,
            rationale: "bind lets a subject bind roles it does not hold, including cluster-admin where the role is a ClusterRole.",
            remediation: "Remove the bind verb, or limit it with resourceNames to the roles that may be handed out."),
        RiskCheck(
            id: "W114", name: "rbac-write", title: "Rule can write Roles or bindings", target: .rule,
            severity: .medium, clusterWideSeverity: .critical,
            rationale:
                "Writing Roles and bindings changes who can do what; escalation prevention limits it to the writer's own rights, which for a namespace admin is still the whole namespace.",
            remediation: "Keep RBAC objects out of CI credentials unless the pipeline deploys them, and then only for the roles it owns."),
        RiskCheck(
            id: "W115", name: "impersonate", title: "Rule can impersonate users, groups, ServiceAccounts, UIDs or user extras", target: .rule,
            severity: .high, clusterWideSeverity: .critical,
            rationale:
                "Impersonation acts as another identity and hides the real actor from the audit log. Users and groups (system:masters included), UIDs and user extras are impersonated without a namespace, so only a ClusterRoleBinding grants that; through a RoleBinding only the ServiceAccounts of its namespace can be impersonated.",
            remediation: "Remove impersonate; where a controller must act for tenants, limit it with resourceNames to their ServiceAccounts."),
        RiskCheck(
            id: "W116", name: "serviceaccount-token", title: "Rule can request ServiceAccount tokens", target: .rule,
            severity: .high, clusterWideSeverity: .critical,
            rationale: "create on serviceaccounts/token mints tokens for any ServiceAccount in scope and so takes over its rights.",
            remediation: "Remove serviceaccounts/token, or limit it with resourceNames."),
        RiskCheck(
            id: "W117", name: "csr-approve", title: "Role can approve certificate signing requests", target: .rule,
            severity: .critical,
            rationale:
                "Approving a CSR (update on certificatesigningrequests/approval and approve on signers named after its signer) has a certificate issued. Critical when the subject can also create requests for a signer that issues API client certificates (kubernetes.io/kube-apiserver-client, or every signer): it gets a certificate for any user or group, system:masters included; high when it approves such requests that others make; medium when only other named signers are allowed.",
            remediation: "Split creation and approval between different subjects and limit approve to specific signers."),
        RiskCheck(
            id: "W118", name: "admission-control-write", title: "Rule can change admission webhooks or policies", target: .rule,
            severity: .critical,
            rationale: "Admission webhooks and policies see or mutate every object; changing them disables the platform's safeguards or exfiltrates Secrets.",
            remediation: "Admission configuration belongs to the platform administrators only."),
        RiskCheck(
            id: "W119", name: "crd-write", title: "Rule can write CustomResourceDefinitions", target: .rule,
            severity: .high,
            rationale: "CRDs are cluster-wide: changing one affects every tenant using it, and deleting one deletes all its objects.",
            remediation: "Have a cluster administrator install CRDs; 'warrant restrict' lists them as admin prerequisites."),
        RiskCheck(
            id: "W120", name: "persistentvolume-create", title: "Rule can create PersistentVolumes", target: .rule,
            severity: .high,
            rationale: "A PersistentVolume can point at a hostPath and so mount the node's file system into a pod.",
            remediation: "Use PersistentVolumeClaims and StorageClasses; PVs belong to administrators."),
        RiskCheck(
            id: "W121", name: "namespace-modify", title: "Rule can update or patch Namespaces", target: .rule,
            severity: .high,
            rationale: "Namespace labels switch Pod Security admission and policy selection off.",
            remediation: "Remove update and patch on namespaces."),
        RiskCheck(
            id: "W122", name: "status-write", title: "Rule can write status subresources", target: .rule,
            severity: .medium, clusterWideSeverity: .high,
            rationale: "Writing services/status, pods/status or nodes/status misleads controllers (for example load balancer addresses).",
            remediation: "Leave status to the controllers that own it."),
        RiskCheck(
            id: "W123", name: "event-delete", title: "Rule can delete Events", target: .rule,
            severity: .medium,
            rationale: "Deleting Events removes evidence of what happened in the namespace.",
            remediation: "Remove delete and deletecollection on events."),
        RiskCheck(
            id: "W124", name: "aggregate-to-builtin", title: "ClusterRole aggregates into admin, edit or view", target: .rule,
            severity: .high,
            rationale:
                "The aggregate-to-admin/edit/view labels add these rules to the built-in roles held by every namespace admin, editor or viewer in the cluster.",
            remediation:
                "Only label ClusterRoles for aggregation when every namespace admin (edit, view) should hold them; have a cluster administrator install them."),
        RiskCheck(
            id: "W125", name: "cluster-wide-grant", title: "Permissions granted cluster-wide", target: .binding,
            severity: .high,
            rationale:
                "A ClusterRoleBinding grants its rules in every namespace and on cluster-scoped resources: a CI/CD credential with it reaches outside the team's namespace.",
            remediation: "Use RoleBindings in the namespaces concerned; 'warrant restrict' rewrites installs that way."),
        RiskCheck(
            id: "W126", name: "dead-rule", title: "Rule allows no request", target: .rule,
            severity: .low,
            rationale:
                "A rule whose verbs, resources or URLs no request has, or a Role's rule that names only cluster-scoped resources (whose requests carry no namespace), allows nothing; it usually hides a mistake, and its text suggests a risk or a right that does not exist.",
            remediation:
                "Fix the rule (a verb such as get, a resource such as pods, a URL starting with '/'), or grant cluster-scoped resources through a ClusterRole and a ClusterRoleBinding; else remove it."
        ),
        RiskCheck(
            id: "W201", name: "cluster-admin-binding", title: "Binding to cluster-admin or an equivalent role", target: .binding,
            severity: .critical,
            rationale: "cluster-admin (or any role with '*' on '*') can do anything, including bypassing every other control.",
            remediation: "Bind a least-privilege role instead."),
        RiskCheck(
            id: "W202", name: "system-masters", title: "Binding names the system:masters group", target: .binding,
            severity: .critical,
            rationale: "system:masters bypasses RBAC entirely; binding roles to it hides super-users in policy.",
            remediation: "Remove the subject; grant named users least-privilege roles."),
        RiskCheck(
            id: "W203", name: "anonymous-subject", title: "Binding grants to unauthenticated requests", target: .binding,
            severity: .critical,
            rationale: "system:anonymous and system:unauthenticated are requests without credentials: anyone who reaches the API server.",
            remediation: "Remove the subject."),
        RiskCheck(
            id: "W204", name: "all-authenticated-subject", title: "Binding grants to every authenticated user or every ServiceAccount",
            target: .binding, severity: .high,
            rationale: "system:authenticated and system:serviceaccounts(:ns) include every person and every workload, so the grant is not least-privilege.",
            remediation: "Bind to the specific users, groups or ServiceAccounts that need it."),
        RiskCheck(
            id: "W205", name: "default-serviceaccount", title: "Role bound to a 'default' ServiceAccount", target: .binding,
            severity: .medium,
            rationale: "Every pod that names no ServiceAccount runs as 'default', so the rights reach every such workload in the namespace.",
            remediation: "Create a dedicated ServiceAccount for the workload and bind to it."),
        RiskCheck(
            id: "W206", name: "missing-role", title: "Binding refers to a role that does not exist", target: .binding,
            severity: .medium,
            rationale: "The binding grants nothing today, but whoever later creates a role with that name grants it at once.",
            remediation: "Remove the binding, or create the role it expects."),
        RiskCheck(
            id: "W207", name: "invalid-rbac", title: "RBAC object the API server rejects", target: .binding,
            severity: .high,
            rationale:
                "The API server refuses the object (a ServiceAccount subject without a namespace in a ClusterRoleBinding, an empty roleRef, a Role with nonResourceURLs, a rule without verbs, ...): applying the manifests fails, and the object grants nothing. It is left out of the rest of the audit.",
            remediation: "Correct the object as the message says; 'kubectl apply --dry-run=server' shows the API server's answer."),
        RiskCheck(
            id: "W301", name: "escalation-path", title: "Subject can gain another subject's rights", target: .escalation,
            severity: .high, clusterWideSeverity: .critical,
            rationale: "Creating pods, minting tokens, reading token Secrets, impersonating or binding lets a subject act as another one with more rights.",
            remediation: "Remove the first step of the path, or reduce the rights of the subject it leads to."),
        RiskCheck(
            id: "W401", name: "own-access-control", title: "Tool brings its own access-control model", target: .tool,
            severity: .high,
            rationale:
                "A tool that decides access itself (its own users, roles or impersonation) sits outside the platform's RBAC and audit log, which compliance guidance discourages.",
            remediation: "Confine the tool to namespace Roles ('warrant restrict') and map its access to Kubernetes identities."),
    ]

    private static let byID: [String: RiskCheck] = Dictionary(uniqueKeysWithValues: checks.map { ($0.id, $0) })
    private static let numbersByID: [String: Int] = Dictionary(uniqueKeysWithValues: checks.enumerated().map { ($1.id, $0) })

    /// The position in ``checks`` of the check with `id`; every ID a finding carries is in the catalog.
    static func number(of id: String) -> Int {
        guard let number = numbersByID[id] else { preconditionFailure("no check \(id) in the risk catalog") }
        return number
    }

    /// The check with `id`; every ID a finding carries is in the catalog.
    public static func check(_ id: String) -> RiskCheck {
        guard let check = byID[id] else { preconditionFailure("no check \(id) in the risk catalog") }
        return check
    }

    /// The requests a check asks the authorizer about, in words (`list, watch on secrets`); a
    /// finding that names subjects is reported only when each of its requests is allowed for each
    /// of them. Empty for checks that claim no request (a role's labels, a missing role).
    public static func requests(of id: String) -> String {
        switch id {
        case "W125", "W202", "W203", "W204", "W205": return "a request the role allows through the binding"
        case "W201": return "'*' verbs on '*' resources in '*' API groups, through the binding"
        case "W301": return "each step's: create pods or workloads, serviceaccounts/token, list secrets, impersonate, nodes/proxy"
        case "W401": return "impersonate or bind, when the finding names a subject"
        default: return RuleInspector.requestsAsked(by: id)
        }
    }

    /// The check with `id`, or `nil` for an unknown ID (from user input).
    public static func lookup(_ id: String) -> RiskCheck? { byID[id] ?? checks.first { $0.name == id } }
}
