public import KubeModel

/// kube-apiserver's validation of RBAC objects (`pkg/apis/rbac/validation/validation.go`, after
/// the `rbac/v1` defaulting that fills in the `apiGroup` of User and Group subjects and of
/// `roleRef`): which Roles, ClusterRoles and bindings the API server refuses, and why.
///
/// The audit reports such objects instead of refusing the whole input, and leaves them out of
/// the policy, as they would never exist on a cluster.
public enum RBACValidation {
    /// One object the API server refuses.
    public struct Rejection: Sendable, Hashable, CustomStringConvertible {
        /// `ClusterRoleBinding "x"`, `Role "team/r"`.
        public var object: String
        /// The object's kind.
        public var kind: String
        /// Every reason, as the API server words them (`subjects[0].namespace: Required value`).
        public var reasons: [String]
        /// Where the object is written.
        public var location: SourceLocation?

        /// `ClusterRoleBinding "x" is refused by the API server: subjects[0].namespace: Required value`.
        public var description: String { "\(object) is refused by the API server: \(reasons.joined(separator: "; "))" }
    }

    /// The RBAC objects of `objects` the API server accepts (every other object is kept as it
    /// is), and the rejections of the others, in input order.
    public static func partition(_ objects: [KubeObject]) -> (accepted: [KubeObject], rejected: [Rejection]) {
        // Large inputs are checked in parts on every core.
        let found = ParallelChunks.map(objects.count, minimumLength: 2_048) { range in
            range.compactMap { index in RBACAPI.isRBACObject(objects[index]) ? rejection(of: objects[index]).map { (index, $0) } : nil }
        }.flatMap { $0 }
        guard !found.isEmpty else { return (objects, []) }
        let rejectedPositions = Set(found.map(\.0))
        return (objects.indices.filter { !rejectedPositions.contains($0) }.map { objects[$0] }, found.map(\.1))
    }

    /// Why the API server refuses `object` (a Role, ClusterRole or binding), or `nil` when it accepts it.
    public static func rejection(of object: KubeObject) -> Rejection? {
        if case .rejected(let rejection) = check(object) { return rejection }
        return nil
    }

    /// An RBAC object read and checked once.
    enum Checked {
        case role(RBACRole)
        case binding(RBACBinding)
        case rejected(Rejection)
    }

    /// Reads `object` (a Role, ClusterRole or binding) and checks it as the API server would.
    static func check(_ object: KubeObject) -> Checked {
        var reasons: [String] = []
        if let problem = pathSegmentProblem(object.name) { reasons.append("metadata.name: Invalid value: \"\(object.name)\": \(problem)") }
        var checked: Checked?
        switch object.kind {
        case "Role", "ClusterRole":
            do throws(ManifestError) {
                let role = try RBACRole(object)
                for (index, rule) in role.rules.enumerated() { reasons += ruleProblems(rule, namespaced: role.kind == .role, index: index) }
                checked = .role(role)
            } catch {
                reasons.append(error.message)
            }
        default:
            do throws(ManifestError) {
                let binding = try RBACBinding(object)
                reasons += bindingProblems(binding)
                checked = .binding(binding)
            } catch {
                reasons.append(error.message)
            }
        }
        if reasons.isEmpty, let checked { return checked }
        let name = object.namespace.map { "\(object.kind) \"\($0)/\(object.name)\"" } ?? "\(object.kind) \"\(object.name)\""
        return .rejected(Rejection(object: name, kind: object.kind, reasons: reasons, location: object.source))
    }

    /// `validatePolicyRule`.
    static func ruleProblems(_ rule: PolicyRule, namespaced: Bool, index: Int) -> [String] {
        let field = "rules[\(index)]"
        var problems: [String] = []
        if rule.verbs.isEmpty { problems.append("\(field).verbs: Required value: verbs must contain at least one value") }
        if !rule.nonResourceURLs.isEmpty {
            if namespaced { problems.append("\(field).nonResourceURLs: Invalid value: namespaced rules cannot apply to non-resource URLs") }
            if !rule.apiGroups.isEmpty || !rule.resources.isEmpty || !rule.resourceNames.isEmpty {
                problems.append("\(field).nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs")
            }
            return problems
        }
        if rule.apiGroups.isEmpty { problems.append("\(field).apiGroups: Required value: resource rules must supply at least one api group") }
        if rule.resources.isEmpty { problems.append("\(field).resources: Required value: resource rules must supply at least one resource") }
        return problems
    }

    /// `ValidateRoleBinding`, `ValidateClusterRoleBinding` and `validateRoleBindingSubject`.
    static func bindingProblems(_ binding: RBACBinding) -> [String] {
        var problems: [String] = []
        let ref = binding.roleRef
        if !ref.apiGroup.isEmpty && ref.apiGroup != RBACAPI.group {
            problems.append("roleRef.apiGroup: Unsupported value: \"\(ref.apiGroup)\": supported values: \"\(RBACAPI.group)\"")
        }
        let kinds = binding.kind == .clusterRoleBinding ? ["ClusterRole"] : ["Role", "ClusterRole"]
        if !kinds.contains(ref.kind) {
            problems.append(
                "roleRef.kind: Unsupported value: \"\(ref.kind)\": supported values: \(kinds.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        if ref.name.isEmpty {
            problems.append("roleRef.name: Required value")
        } else if let problem = pathSegmentProblem(ref.name) {
            problems.append("roleRef.name: Invalid value: \"\(ref.name)\": \(problem)")
        }
        for (index, subject) in binding.subjects.enumerated() {
            let field = "subjects[\(index)]"
            if subject.name.isEmpty { problems.append("\(field).name: Required value") }
            switch subject.kind {
            case .serviceAccount:
                if !subject.apiGroup.isEmpty {
                    problems.append("\(field).apiGroup: Unsupported value: \"\(subject.apiGroup)\": supported values: \"\"")
                }
                if binding.kind == .clusterRoleBinding && (subject.namespace ?? "").isEmpty {
                    problems.append("\(field).namespace: Required value (a ServiceAccount subject of a ClusterRoleBinding names its namespace)")
                }
            case .user, .group:
                if !subject.apiGroup.isEmpty && subject.apiGroup != RBACAPI.group {
                    problems.append("\(field).apiGroup: Unsupported value: \"\(subject.apiGroup)\": supported values: \"\(RBACAPI.group)\"")
                }
            default:
                problems.append("\(field).kind: Unsupported value: \"\(subject.kind)\": supported values: \"ServiceAccount\", \"User\", \"Group\"")
            }
        }
        return problems
    }

    /// `path.IsValidPathSegmentName`: not `.` or `..`, and no `/` or `%`.
    static func pathSegmentProblem(_ name: String) -> String? {
        if name == "." || name == ".." { return "may not be '\(name)'" }
        for byte in name.utf8 {
            if byte == UInt8(ascii: "/") { return "may not contain '/'" }
            if byte == UInt8(ascii: "%") { return "may not contain '%'" }
        }
        return nil
    }
}
