/// Kubernetes' rules for object names and namespaces, checked before any request so that a name
/// can never change the meaning of a URL and a bad one is reported with its file and line.
///
/// The rules are apimachinery's (`staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go`:
/// `IsDNS1123Label`, `IsDNS1123Subdomain`; `pkg/api/validation/path/name.go`: `IsValidPathSegmentName`),
/// applied per kind as kube-apiserver applies them (`pkg/apis/*/validation/validation.go`, checked on
/// kube-apiserver 1.36): namespaces, Services (`RelaxedServiceNameValidation`, on by default since
/// 1.34; older servers also want a letter first) and StatefulSets are DNS labels; RBAC objects, core
/// Events and PodDisruptionBudgets may have any name that is a valid path segment (`system:foo`);
/// custom resources and most built-in kinds are DNS subdomains. A built-in kind not listed here is
/// held to the path-segment rule only, which every name must pass, so Warrant is never stricter
/// than the API server.
public enum ObjectNames {
    /// Which rule a kind's names follow.
    public enum Rule: Sendable, Hashable, CustomStringConvertible {
        /// At most 63 characters: lower-case letters, digits and '-', starting and ending with a letter or digit.
        case dnsLabel
        /// At most 253 characters: lower-case letters, digits and '-' in parts joined by '.'.
        case dnsSubdomain
        /// Anything but '.', '..', or a name containing '/' or '%' (it is one segment of a URL path).
        case pathSegment

        public var description: String {
            switch self {
            case .dnsLabel: "a DNS label (at most 63 characters: lower-case letters, digits and '-', starting and ending with a letter or digit)"
            case .dnsSubdomain:
                "a DNS subdomain (at most 253 characters: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)"
            case .pathSegment: "a valid name (not '.' or '..', without '/' or '%')"
            }
        }
    }

    /// The rule for names of `kind` (a built-in kind; any other group and kind is a custom
    /// resource, whose names are DNS subdomains).
    public static func rule(for kind: GroupKind) -> Rule {
        if let rule = builtinRules[kind] { return rule }
        if KindTable.builtin.kind(kind) != nil { return .pathSegment }
        return .dnsSubdomain
    }

    /// Why `name` breaks `rule`, or `nil` when it follows it.
    public static func problem(with name: String, rule: Rule) -> String? {
        if name.isEmpty { return "may not be empty" }
        if let problem = pathSegmentProblem(name) { return problem }
        switch rule {
        case .pathSegment:
            return nil
        case .dnsLabel:
            if name.utf8.count > 63 { return "must be no more than 63 characters" }
            if name.contains(".") { return "must not contain dots" }
            return isLabel(name.utf8, maximumLength: 63) ? nil : "must consist of lower-case letters, digits and '-', and start and end with a letter or digit"
        case .dnsSubdomain:
            if name.utf8.count > 253 { return "must be no more than 253 characters" }
            let labels = name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            // IsDNS1123Subdomain limits the whole name, not each label.
            return labels.allSatisfy { isLabel($0, maximumLength: 253) }
                ? nil : "must consist of lower-case letters, digits, '-' and '.', and start and end with a letter or digit"
        }
    }

    /// Why `namespace` is not a namespace name (a DNS label), or `nil`.
    public static func namespaceProblem(_ namespace: String) -> String? {
        problem(with: namespace, rule: .dnsLabel)
    }

    /// `IsValidPathSegmentName`: '.', '..', '/' and '%' would change the meaning of the URL.
    private static func pathSegmentProblem(_ name: String) -> String? {
        if name == "." || name == ".." { return "may not be '\(name)'" }
        if name.contains("/") { return "may not contain '/'" }
        if name.contains("%") { return "may not contain '%'" }
        return nil
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most `maximumLength` bytes.
    private static func isLabel(_ bytes: some BidirectionalCollection<UInt8>, maximumLength: Int) -> Bool {
        guard let first = bytes.first, let last = bytes.last, bytes.count <= maximumLength else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        return isAlphanumeric(first) && isAlphanumeric(last) && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// The kinds whose name rule kube-apiserver 1.36 was seen to apply (a name such as `a:b` or
    /// `a.b` sent to it with `dryRun=All`).
    private static let builtinRules: [GroupKind: Rule] = {
        var rules: [GroupKind: Rule] = [:]
        func add(_ group: String, _ kinds: [String], _ rule: Rule) {
            for kind in kinds { rules[GroupKind(group: group, kind: kind)] = rule }
        }
        add("", ["Namespace", "Service"], .dnsLabel)
        add("apps", ["StatefulSet"], .dnsLabel)
        add(
            "",
            [
                "ConfigMap", "Secret", "ServiceAccount", "Pod", "PersistentVolumeClaim", "PersistentVolume", "ReplicationController", "Endpoints",
                "LimitRange", "ResourceQuota", "PodTemplate", "Node",
            ], .dnsSubdomain)
        add("apps", ["Deployment", "DaemonSet", "ReplicaSet"], .dnsSubdomain)
        add("batch", ["Job", "CronJob"], .dnsSubdomain)
        add("networking.k8s.io", ["Ingress", "IngressClass", "NetworkPolicy"], .dnsSubdomain)
        add("autoscaling", ["HorizontalPodAutoscaler"], .dnsSubdomain)
        add("coordination.k8s.io", ["Lease"], .dnsSubdomain)
        add("storage.k8s.io", ["StorageClass"], .dnsSubdomain)
        add("scheduling.k8s.io", ["PriorityClass"], .dnsSubdomain)
        add("events.k8s.io", ["Event"], .dnsSubdomain)
        add("admissionregistration.k8s.io", ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"], .dnsSubdomain)
        add("apiextensions.k8s.io", ["CustomResourceDefinition"], .dnsSubdomain)
        add("flowcontrol.apiserver.k8s.io", ["FlowSchema"], .dnsSubdomain)
        add("discovery.k8s.io", ["EndpointSlice"], .dnsSubdomain)
        add("rbac.authorization.k8s.io", ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"], .pathSegment)
        add("", ["Event"], .pathSegment)
        add("policy", ["PodDisruptionBudget"], .pathSegment)
        return rules
    }()
}
