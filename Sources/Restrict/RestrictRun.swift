import KubeModel
import RBAC

/// The working state of one `restrict`: objects in slots (one per input object, so that
/// generated objects appear where what they replace was), Roles and RoleBindings being built,
/// and the report.
struct RestrictRun {
    /// A Role being built: from an input Role, from converted ClusterRoles, or both.
    struct RoleBuild {
        var namespace: String
        var name: String
        var slot: Int
        var original: KubeObject?
        var permissions: [Permission]
        var changed: Bool
        var origin: String
        /// Annotations the output Role must carry (accepted risks).
        var annotations: [String: String] = [:]
    }

    /// A RoleBinding being built.
    struct BindingBuild {
        var namespace: String
        var name: String
        var slot: Int
        var original: KubeObject?
        var roleRef: RoleRef
        var subjects: [Subject]
        var changed: Bool
    }

    let options: RestrictOptions
    let profile: ToolProfile
    let input: [KubeObject]
    let kinds: KindTable
    let tool: String
    let targets: [String]
    /// The namespace the install was written for, when it names one other than the tool's and the targets.
    let installNamespace: String?
    let confiner: RuleConfiner
    /// The input's ClusterRoles with the bootstrap ones, aggregation resolved.
    let clusterRoles: RBACPolicy

    var slots: [[KubeObject]]
    /// Objects generated without an input object to stand beside, in order.
    var appended: [KubeObject] = []
    var roles: [String: RoleBuild] = [:]
    var roleOrder: [String] = []
    var bindings: [String: BindingBuild] = [:]
    var bindingOrder: [String] = []
    var administrator: [KubeObject] = []
    var changes: [RestrictChange] = []
    var prerequisites: [String] = []
    var riskAnalysis: [String] = []
    /// ClusterRoles that some converted binding used.
    var convertedClusterRoles: Set<String> = []

    init(options: RestrictOptions, profile: ToolProfile, objects: [KubeObject], kinds: KindTable) {
        self.options = options
        self.profile = profile
        self.input = objects
        self.kinds = kinds
        self.tool = options.toolNamespace
        var seen: Set<String> = []
        self.targets = options.targetNamespaces.filter { seen.insert($0).inserted }
        self.installNamespace = Self.installNamespace(of: objects, kinds: kinds, excluding: Set([options.toolNamespace] + options.targetNamespaces))

        var ownResources = profile.knownCustomResources
        for object in objects where object.kind == "CustomResourceDefinition" {
            if let kind = try? KindTable.kind(fromCRD: object) { ownResources.insert("\(kind.group)/\(kind.resource)") }
        }
        let ownKinds = kinds.kinds.filter { ownResources.contains("\($0.group)/\($0.resource)") }
        let bootstrap = RBACPolicy(roles: BootstrapPolicy.clusterRoles, bindings: [])
        self.confiner = RuleConfiner(
            kinds: kinds, ownResources: ownResources, ownKinds: ownKinds, applicationKinds: options.applicationKinds,
            adminRules: bootstrap.clusterRole(named: "admin")?.rules ?? [])

        var inputClusterRoles: [RBACRole] = []
        for object in objects where RBACAPI.isRBACObject(object) && object.kind == "ClusterRole" {
            if let role = try? RBACRole(object) { inputClusterRoles.append(role) }
        }
        let inputNames = Set(inputClusterRoles.map(\.name))
        self.clusterRoles = RBACPolicy(
            roles: BootstrapPolicy.clusterRoles.filter { !inputNames.contains($0.name) } + inputClusterRoles, bindings: [])
        self.slots = Array(repeating: [], count: objects.count)
    }

    /// The namespace most of the input's namespaced objects and ServiceAccount subjects name,
    /// other than the tool's and the targets'.
    static func installNamespace(of objects: [KubeObject], kinds: KindTable, excluding: Set<String>) -> String? {
        var counts: [String: Int] = [:]
        var order: [String] = []
        func count(_ namespace: String?) {
            guard let namespace, !namespace.isEmpty, !excluding.contains(namespace) else { return }
            if counts[namespace] == nil { order.append(namespace) }
            counts[namespace, default: 0] += 1
        }
        for object in objects {
            if kinds.kind(object.groupKind)?.namespaced == true { count(object.namespace) }
            if object.kind == "Namespace" && object.groupKind.group.isEmpty { count(object.name) }
            if RBACAPI.isRBACObject(object), let binding = try? RBACBinding(object) {
                for subject in binding.subjects where subject.kind == .serviceAccount { count(subject.namespace) }
            }
        }
        return order.max { (counts[$0] ?? 0) < (counts[$1] ?? 0) }
    }

    // MARK: - Confining

    /// Places every input object: namespaced ones into the tool namespace (or kept in a target),
    /// cluster-scoped ones to the administrator, RBAC converted.
    mutating func confineObjects() {
        // Roles first, so that converted ClusterRoles merge into them.
        for (slot, object) in input.enumerated() where RBACAPI.isRBACObject(object) && object.kind == "Role" {
            guard let namespace = placement(of: object, slot: slot) else { continue }
            guard let role = try? RBACRole(object) else {
                keep(object, namespace: namespace, slot: slot)
                continue
            }
            let confined = confiner.confineInPlace(role.rules)
            let changed = !confined.cut.isEmpty || role.rules.contains(where: \.hasWildcard)
            for cut in confined.cut {
                changes.append(RestrictChange(.cut, object: object.displayName, cut, reason: "", source: object.source))
            }
            addRole(
                namespace: namespace, name: role.name, permissions: confined.permissions, slot: slot, original: object, changed: changed,
                origin: object.displayName)
        }
        for (slot, object) in input.enumerated() {
            let group = object.groupKind.group
            if group == RBACAPI.group && object.kind == "Role" { continue }
            if group == RBACAPI.group && object.kind == "ClusterRoleBinding" {
                convertClusterRoleBinding(object, slot: slot)
                continue
            }
            if group == RBACAPI.group && object.kind == "RoleBinding" {
                convertRoleBinding(object, slot: slot)
                continue
            }
            if group == RBACAPI.group && object.kind == "ClusterRole" { continue }  // after the bindings
            guard let kind = kinds.kind(object.groupKind) else { continue }
            if !kind.namespaced {
                moveClusterScoped(object, kind: kind)
                continue
            }
            guard let namespace = placement(of: object, slot: slot) else { continue }
            var placed = object
            placed.namespace = namespace
            if !confiner.ownResources.contains("\(kind.group)/\(kind.resource)")
                && !PolicyComparator.covers(
                    confiner.adminRules, [PolicyRule(verbs: ["create"], apiGroups: [kind.group], resources: [kind.resource])]
                ).covered
            {
                administrator.append(placed)
                changes.append(
                    RestrictChange(
                        .needsAdministrator, object: placed.displayName, "moved to the administrator's objects",
                        reason: "the built-in admin role cannot create \(kind.resource), so a namespace administrator could not apply it",
                        source: object.source))
                continue
            }
            applyContainerPolicy(&placed)
            rewriteServiceAddresses(&placed)
            slots[slot].append(placed)
        }
        for (slot, object) in input.enumerated() where RBACAPI.isRBACObject(object) && object.kind == "ClusterRole" {
            if convertedClusterRoles.contains(object.name) {
                changes.append(
                    RestrictChange(
                        .replaced, object: object.displayName, "replaced by Roles in \(([tool] + targets).joined(separator: ", "))",
                        reason: "a ClusterRole bound cluster-wide reaches every namespace", source: object.source))
            } else {
                administrator.append(object)
                let aggregates = object.labels.keys.contains { $0.hasPrefix("rbac.authorization.k8s.io/aggregate-to-") }
                changes.append(
                    RestrictChange(
                        .needsAdministrator, object: object.displayName, "moved to the administrator's objects",
                        reason: aggregates
                            ? "it aggregates into the built-in roles (admin, edit, view) of every namespace; only a cluster administrator decides that"
                            : "ClusterRoles are cluster-scoped and this one is not bound by the install",
                        source: object.source))
            }
            _ = slot
        }
    }

    /// The namespace an object goes to, or `nil` when it moved to the administrator (an object
    /// in a namespace that is neither the install's, the tool's nor a target).
    private mutating func placement(of object: KubeObject, slot: Int) -> String? {
        guard let namespace = object.namespace, !namespace.isEmpty, namespace != installNamespace else { return tool }
        if namespace == tool || targets.contains(namespace) { return namespace }
        administrator.append(object)
        changes.append(
            RestrictChange(
                .needsAdministrator, object: object.displayName, "moved to the administrator's objects",
                reason: "it is in namespace \(namespace), which is neither the tool's (\(tool)) nor a target", source: object.source))
        return nil
    }

    private mutating func keep(_ object: KubeObject, namespace: String, slot: Int) {
        var placed = object
        placed.namespace = namespace
        slots[slot].append(placed)
    }

    private mutating func moveClusterScoped(_ object: KubeObject, kind: ResourceKind) {
        var moved = object
        var reason = "\(kind.kind) is cluster-scoped: only a cluster administrator can create it"
        switch (kind.group, kind.kind) {
        case ("", "Namespace"):
            if object.name == installNamespace {
                moved.setMetadata("name", .string(tool))
                reason = "creating a namespace needs a cluster administrator; renamed to the tool namespace \(tool)"
            } else {
                reason = "creating a namespace needs a cluster administrator"
            }
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            reason = "CRDs are cluster-wide; an administrator installs them before the confined install"
        case ("admissionregistration.k8s.io", _):
            reason = "admission webhooks and policies act on every request in the cluster"
        default:
            break
        }
        administrator.append(moved)
        changes.append(RestrictChange(.needsAdministrator, object: object.displayName, "moved to the administrator's objects", reason: reason, source: object.source))
    }

    /// A binding's ServiceAccount subjects that are the tool's (in the install's or the tool's
    /// namespace, or without one), moved to the tool namespace, and the other subjects.
    private func splitSubjects(_ subjects: [Subject], bindingNamespace: String?) -> (tool: [Subject], others: [Subject]) {
        var own: [Subject] = []
        var others: [Subject] = []
        for subject in subjects {
            let namespace = subject.namespace ?? bindingNamespace
            if subject.kind == .serviceAccount, namespace == nil || namespace == installNamespace || namespace == tool || namespace == "" {
                own.append(.serviceAccount(subject.name, namespace: tool))
            } else {
                others.append(subject)
            }
        }
        return (own, others)
    }

    private mutating func convertClusterRoleBinding(_ object: KubeObject, slot: Int) {
        guard let binding = try? RBACBinding(object) else {
            administrator.append(object)
            changes.append(
                RestrictChange(.needsAdministrator, object: object.displayName, "moved to the administrator's objects", reason: "it could not be read as a binding", source: object.source))
            return
        }
        let (own, others) = splitSubjects(binding.subjects, bindingNamespace: nil)
        if !others.isEmpty {
            var rest = object
            rest.content["subjects"] = .array(others.map(Self.subjectValue))
            administrator.append(rest)
            changes.append(
                RestrictChange(
                    .cannotConfine, object: object.displayName,
                    "its subjects \(others.map(\.description).joined(separator: ", ")) moved to the administrator's objects",
                    reason: "they are not the tool's ServiceAccounts; granting them anything cluster-wide is an administrator's decision",
                    source: object.source))
        }
        guard !own.isEmpty else { return }
        if profile == .flux && binding.roleRef.name == "cluster-admin" {
            fluxReconcilers.append(contentsOf: own)
            changes.append(
                RestrictChange(
                    .replaced, object: object.displayName, "removed; \(own.map(\.name).joined(separator: ", ")) now apply as ServiceAccount \(tool)/\(options.fluxServiceAccount)",
                    reason: "cluster-admin everywhere is what the platform forbids; the lockdown's --default-service-account makes Flux apply as a ServiceAccount that holds only Roles in the target namespaces",
                    source: object.source))
            return
        }
        guard binding.roleRef.kind == "ClusterRole", let role = clusterRoles.clusterRole(named: binding.roleRef.name) else {
            var rest = object
            rest.content["subjects"] = .array(own.map(Self.subjectValue))
            administrator.append(rest)
            changes.append(
                RestrictChange(
                    .cannotConfine, object: object.displayName, "moved to the administrator's objects",
                    reason: "it refers to \(binding.roleRef), which is not in the input, so its permissions are unknown", source: object.source))
            return
        }
        convertedClusterRoles.insert(role.name)
        let confined = confiner.confine(role.rules)
        for entry in confined.cannotConfine {
            changes.append(RestrictChange(.cannotConfine, object: "ClusterRole \(role.name)", entry, reason: "", source: role.source))
        }
        for entry in confined.cut {
            changes.append(RestrictChange(.cut, object: "ClusterRole \(role.name)", entry, reason: "", source: role.source))
        }
        var placedIn: [String] = []
        if !confined.tool.isEmpty {
            addRole(namespace: tool, name: role.name, permissions: confined.tool, slot: slot, original: nil, changed: true, origin: "ClusterRole \(role.name)")
            addBinding(namespace: tool, name: binding.name, roleRef: .role(role.name), subjects: own, slot: slot)
            placedIn.append(tool)
        }
        if !confined.targets.isEmpty {
            for target in targets {
                addRole(
                    namespace: target, name: role.name, permissions: confined.targets, slot: slot, original: nil, changed: true,
                    origin: "ClusterRole \(role.name)")
                addBinding(namespace: target, name: binding.name, roleRef: .role(role.name), subjects: own, slot: slot)
                placedIn.append(target)
            }
        }
        changes.append(
            RestrictChange(
                .replaced, object: object.displayName,
                placedIn.isEmpty ? "removed: nothing of \(role.name) can be confined" : "replaced by RoleBindings in \(placedIn.joined(separator: ", "))",
                reason: "a ClusterRoleBinding grants in every namespace", source: object.source))
    }

    private mutating func convertRoleBinding(_ object: KubeObject, slot: Int) {
        guard let namespace = placement(of: object, slot: slot) else { return }
        guard let binding = try? RBACBinding(object) else {
            keep(object, namespace: namespace, slot: slot)
            return
        }
        var subjects: [Subject] = []
        var rewritten = false
        for subject in binding.subjects {
            if subject.kind == .serviceAccount, let subjectNamespace = subject.namespace, subjectNamespace == installNamespace {
                subjects.append(.serviceAccount(subject.name, namespace: tool))
                rewritten = true
            } else {
                subjects.append(subject)
            }
        }
        var roleRef = binding.roleRef
        var changed = rewritten
        if roleRef.kind == "ClusterRole" {
            if ["admin", "edit", "view"].contains(roleRef.name) && input.allSatisfy({ !($0.kind == "ClusterRole" && $0.name == roleRef.name) }) {
                // A namespace administrator may bind the built-in roles it holds in full.
            } else if let role = clusterRoles.clusterRole(named: roleRef.name), roleRef.name != "cluster-admin" {
                convertedClusterRoles.insert(role.name)
                let confined = confiner.confineInPlace(role.rules)
                for entry in confined.cut {
                    changes.append(RestrictChange(.cut, object: "ClusterRole \(role.name)", entry, reason: "", source: role.source))
                }
                addRole(
                    namespace: namespace, name: role.name, permissions: confined.permissions, slot: slot, original: nil, changed: true,
                    origin: "ClusterRole \(role.name)")
                roleRef = .role(role.name)
                changed = true
                changes.append(
                    RestrictChange(
                        .changed, object: object.displayName, "now refers to a Role \(namespace)/\(role.name) copied from the ClusterRole",
                        reason: "the ClusterRole itself is cluster-scoped", source: object.source))
            } else {
                administrator.append(object)
                changes.append(
                    RestrictChange(
                        .cannotConfine, object: object.displayName, "moved to the administrator's objects",
                        reason: "it binds \(roleRef), which a namespace administrator does not hold in full", source: object.source))
                return
            }
        }
        if rewritten {
            changes.append(
                RestrictChange(
                    .changed, object: object.displayName, "ServiceAccount subjects moved from namespace \(installNamespace ?? "") to \(tool)",
                    reason: "the tool runs in \(tool)", source: object.source))
        }
        let key = "\(namespace)/\(binding.name)"
        if bindings[key] == nil { bindingOrder.append(key) }
        bindings[key] = BindingBuild(
            namespace: namespace, name: binding.name, slot: slot, original: object, roleRef: roleRef, subjects: subjects, changed: changed)
    }

    /// Adds permissions to the Role `namespace/name`, creating it or merging into it.
    mutating func addRole(namespace: String, name: String, permissions: [Permission], slot: Int?, original: KubeObject?, changed: Bool, origin: String) {
        let key = "\(namespace)/\(name)"
        guard var build = roles[key] else {
            roleOrder.append(key)
            roles[key] = RoleBuild(
                namespace: namespace, name: name, slot: slot ?? -1, original: original, permissions: permissions, changed: changed, origin: origin)
            return
        }
        let held = build.permissions.map(\.rule)
        let missing = permissions.filter { !PolicyComparator.covers(held, [$0.rule]).covered }
        if !missing.isEmpty {
            build.permissions.append(contentsOf: missing)
            build.changed = true
            if build.original != nil {
                changes.append(
                    RestrictChange(
                        .changed, object: "Role \(namespace)/\(name)", "gained \(missing.count) permission(s) from \(origin)",
                        reason: "what the cluster-wide role granted in this namespace, made explicit"))
            }
        }
        if build.original == nil, let original {
            build.original = original
            build.slot = slot ?? build.slot
        }
        roles[key] = build
    }

    /// Adds subjects to the RoleBinding `namespace/name`, creating it or merging into it.
    mutating func addBinding(namespace: String, name: String, roleRef: RoleRef, subjects: [Subject], slot: Int?) {
        let key = "\(namespace)/\(name)"
        guard var build = bindings[key] else {
            bindingOrder.append(key)
            bindings[key] = BindingBuild(
                namespace: namespace, name: name, slot: slot ?? -1, original: nil, roleRef: roleRef, subjects: subjects, changed: true)
            return
        }
        for subject in subjects where !build.subjects.contains(where: { $0.resolved(in: namespace) == subject.resolved(in: namespace) }) {
            build.subjects.append(subject)
            build.changed = true
        }
        if build.roleRef != roleRef {
            // Same name, other role: keep both by renaming the new binding.
            bindings[key] = build
            addBinding(namespace: namespace, name: "\(name)-\(roleRef.name)", roleRef: roleRef, subjects: subjects, slot: slot)
            return
        }
        bindings[key] = build
    }

    // MARK: - Containers

    private mutating func applyContainerPolicy(_ object: inout KubeObject) {
        let policy = ContainerPolicy(requests: options.defaultRequests, limits: options.defaultLimits)
        let (added, warnings) = policy.apply(to: &object)
        for entry in added {
            changes.append(
                RestrictChange(
                    .changed, object: object.displayName, entry,
                    reason: "the platform rejects containers without resource requests; the defaults are a starting point, size them for your load",
                    source: object.source))
        }
        for warning in warnings {
            changes.append(
                RestrictChange(
                    .warning, object: object.displayName, warning,
                    reason: "an unpinned image changes under you and the platform's policy rejects :latest", source: object.source))
        }
    }

    /// Service addresses naming the install's namespace (`x.flux-system.svc`) in container
    /// arguments and environment values, rewritten to the tool namespace.
    private mutating func rewriteServiceAddresses(_ object: inout KubeObject) {
        guard let installNamespace, installNamespace != tool, let path = ContainerPolicy.podSpecPath(of: object),
            var podSpec = object.content[path: path]
        else { return }
        let old = ".\(installNamespace).svc"
        let new = ".\(tool).svc"
        var rewritten = 0
        func rewrite(_ value: JSONValue) -> JSONValue {
            guard let string = value.stringValue, string.contains(old) else { return value }
            rewritten += 1
            return .string(string.replacingAll(old, with: new))
        }
        for list in ["initContainers", "containers"] {
            guard var containers = podSpec[list]?.arrayValue else { continue }
            for index in containers.indices {
                for field in ["args", "command"] {
                    if let values = containers[index][field]?.arrayValue { containers[index][field] = .array(values.map(rewrite)) }
                }
                if var env = containers[index]["env"]?.arrayValue {
                    for item in env.indices { if let value = env[item]["value"] { env[item]["value"] = rewrite(value) } }
                    containers[index]["env"] = .array(env)
                }
            }
            podSpec[list] = .array(containers)
        }
        guard rewritten > 0 else { return }
        object.content.setValue(podSpec, at: path)
        changes.append(
            RestrictChange(
                .changed, object: object.displayName, "\(rewritten) service address(es) *\(old) changed to *\(new)",
                reason: "the tool runs in \(tool)", source: object.source))
    }

    // MARK: - Flux state

    /// The ServiceAccounts that held cluster-admin (Flux's kustomize- and helm-controller).
    var fluxReconcilers: [Subject] = []

    // MARK: - Output

    static func subjectValue(_ subject: Subject) -> JSONValue {
        var object = JSONObject()
        object["kind"] = .string(subject.kind.rawValue)
        object["name"] = .string(subject.name)
        if subject.kind == .serviceAccount {
            if let namespace = subject.namespace { object["namespace"] = .string(namespace) }
        } else {
            object["apiGroup"] = .string(RBACAPI.group)
        }
        return .object(object)
    }

    func roleObject(_ build: RoleBuild) -> KubeObject {
        var object = Self.materialize(
            kind: "Role", name: build.name, namespace: build.namespace, original: build.original, changed: build.changed,
            annotations: ["warrant.dev/restricted-from": .string(build.origin)]
        ) { object in
            object.content["rules"] = .array(RuleConfiner.rules(from: build.permissions).map(\.jsonValue))
        }
        Self.annotate(&object, build.annotations)
        return object
    }

    /// Sets `annotations` on `object`, keeping the others.
    static func annotate(_ object: inout KubeObject, _ annotations: [String: String]) {
        guard !annotations.isEmpty else { return }
        var existing = object.content[path: ["metadata", "annotations"]]?.objectValue ?? JSONObject()
        for key in annotations.keys.sorted() { existing[key] = annotations[key].map(JSONValue.string) }
        object.setMetadata("annotations", .object(existing))
    }

    func bindingObject(_ build: BindingBuild) -> KubeObject {
        Self.materialize(
            kind: "RoleBinding", name: build.name, namespace: build.namespace, original: build.original, changed: build.changed,
            annotations: nil
        ) { object in
            object.content["roleRef"] = [
                "apiGroup": .string(build.roleRef.apiGroup), "kind": .string(build.roleRef.kind), "name": .string(build.roleRef.name),
            ]
            object.content["subjects"] = .array(build.subjects.map(Self.subjectValue))
        }
    }

    /// A built Role or RoleBinding as output: the input object as it was (placed in its namespace)
    /// when nothing changed; else the input object, or a new one labelled as Warrant's, with
    /// `fill` writing its rules or its roleRef and subjects.
    static func materialize(
        kind: String, name: String, namespace: String, original: KubeObject?, changed: Bool, annotations: JSONValue?,
        fill: (inout KubeObject) -> Void
    ) -> KubeObject {
        var metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace), "labels": ["app.kubernetes.io/managed-by": "warrant"]]
        if let annotations { metadata["annotations"] = annotations }
        var object = original ?? KubeObject(["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": metadata])
        object.namespace = namespace
        if original == nil || changed { fill(&object) }
        return object
    }

    /// Every output object in order.
    func outputObjects() -> [KubeObject] {
        var slotted = slots
        var tail = appended
        for key in roleOrder {
            guard let build = roles[key] else { continue }
            if slotted.indices.contains(build.slot) { slotted[build.slot].append(roleObject(build)) } else { tail.append(roleObject(build)) }
        }
        for key in bindingOrder {
            guard let build = bindings[key] else { continue }
            if slotted.indices.contains(build.slot) {
                slotted[build.slot].append(bindingObject(build))
            } else {
                tail.append(bindingObject(build))
            }
        }
        return slotted.flatMap { $0 } + tail
    }

    func result() -> RestrictResult {
        RestrictResult(
            profile: profile, options: options, installNamespace: installNamespace, objects: outputObjects(),
            administratorObjects: administrator, changes: changes, prerequisites: prerequisites, riskAnalysis: riskAnalysis)
    }

    // MARK: - Helpers for profiles

    /// Replaces the object with the same kind, namespace and name, or appends it.
    mutating func upsert(_ object: KubeObject) -> Bool {
        for slot in slots.indices {
            for index in slots[slot].indices where Self.sameObject(slots[slot][index], object) {
                let changed = slots[slot][index] != object
                slots[slot][index] = object
                return changed
            }
        }
        for index in appended.indices where Self.sameObject(appended[index], object) {
            let changed = appended[index] != object
            appended[index] = object
            return changed
        }
        appended.append(object)
        return true
    }

    /// Applies `change` to every placed object matching `matches`.
    mutating func modify(where matches: (KubeObject) -> Bool, _ change: (inout KubeObject) -> Void) {
        for slot in slots.indices {
            for index in slots[slot].indices where matches(slots[slot][index]) { change(&slots[slot][index]) }
        }
        for index in appended.indices where matches(appended[index]) { change(&appended[index]) }
    }

    /// The first placed object matching `matches`.
    func first(where matches: (KubeObject) -> Bool) -> KubeObject? {
        for slot in slots { if let found = slot.first(where: matches) { return found } }
        return appended.first(where: matches)
    }

    static func sameObject(_ lhs: KubeObject, _ rhs: KubeObject) -> Bool {
        lhs.groupKind == rhs.groupKind && lhs.name == rhs.name && lhs.namespace == rhs.namespace
    }
}

extension Subject {
    /// The subject with a ServiceAccount's namespace filled in from the binding's.
    fileprivate func resolved(in namespace: String) -> Subject {
        guard kind == .serviceAccount, namespace.isEmpty == false, self.namespace?.isEmpty ?? true else { return self }
        return .serviceAccount(name, namespace: namespace)
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement`, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
