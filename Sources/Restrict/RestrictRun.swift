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
    /// Why ``installNamespace`` was taken, for the report.
    let installNamespaceReason: String?
    /// Every namespace the input names other than the tool's and the targets', most often named first.
    let namedNamespaces: [(namespace: String, count: Int)]
    /// A short name for the tool, for the names of generated cluster-scoped objects.
    let toolName: String
    let confiner: RuleConfiner
    /// The input's ClusterRoles with the bootstrap ones, aggregation resolved.
    let clusterRoles: RBACPolicy
    /// The names of the input's ClusterRoles.
    let inputClusterRoleNames: Set<String>
    /// CustomResourceDefinitions given beside the install (`--crds-from`), for the administrator.
    let extraCRDs: [KubeObject]
    /// Workloads that patch a webhook configuration's CA bundle, by the configuration's name.
    let webhookPatchers: [String: WebhookPatcher]

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
    /// What the administrator must read first: grants of cluster-admin, webhooks, missing CRDs.
    var attention: [String] = []
    /// CRDs the tool needs that neither the input nor `--crds-from` holds (the profile knows them).
    var missingCustomResourceDefinitions: [String] = []
    /// ClusterRoles that some converted binding used, with the namespaces their Roles went to.
    var convertedClusterRoles: [String: [String]] = [:]
    /// ClusterRoles that bindings in the administrator's objects refer to.
    var administratorRoleRefs: Set<String> = []
    /// Rules of the input's ClusterRoles that go to the administrator and aggregate into the
    /// built-in roles (so into `admin`).
    var aggregatedIntoAdmin: [PolicyRule] = []

    /// The annotation on output Roles naming the tool's custom resources they grant (those the
    /// profile does not know), so that `restrict` of its own output, where the CRDs have moved to
    /// the administrator's file, still counts them as the tool's own.
    static let customResourcesAnnotation = "warrant.dev/custom-resources"

    init(options: RestrictOptions, profile: ToolProfile, objects: [KubeObject], kinds: KindTable, customResourceDefinitions: [KubeObject] = []) {
        self.options = options
        self.profile = profile
        self.input = objects
        self.kinds = kinds
        self.tool = options.toolNamespace
        var seen: Set<String> = []
        self.targets = options.targetNamespaces.filter { seen.insert($0).inserted }
        let excluded = Set([options.toolNamespace] + options.targetNamespaces)
        let counts = Self.namespaceCounts(of: objects, kinds: kinds, excluding: excluded)
        self.namedNamespaces = counts
        if let source = options.sourceNamespace {
            self.installNamespace = excluded.contains(source) ? nil : source
            self.installNamespaceReason = "given with --source-namespace"
        } else if let first = counts.first {
            self.installNamespace = first.namespace
            self.installNamespaceReason =
                counts.count == 1
                ? "every namespaced object and ServiceAccount subject that names a namespace names \(first.namespace)"
                : "it is named most often (\(counts.map { "\($0.namespace): \($0.count)" }.joined(separator: ", ")))"
        } else {
            self.installNamespace = nil
            self.installNamespaceReason = nil
        }
        self.toolName = profile == .generic ? Self.derivedToolName(objects) : profile.toolName

        let inputCRDs = objects.filter { $0.kind == "CustomResourceDefinition" }
        let inputCRDNames = Set(inputCRDs.map(\.name))
        self.extraCRDs = customResourceDefinitions.filter { $0.kind == "CustomResourceDefinition" && !inputCRDNames.contains($0.name) }
        var ownResources = profile.knownCustomResources
        for object in inputCRDs + extraCRDs {
            if let kind = try? KindTable.kind(fromCRD: object) { ownResources.insert("\(kind.group)/\(kind.resource)") }
        }
        for object in objects where RBACAPI.isRBACObject(object) && object.kind == "Role" {
            for entry in (object.annotations[Self.customResourcesAnnotation] ?? "").split(separator: ",") {
                let key = entry.filter { $0 != " " }
                if key.contains("/") { ownResources.insert(String(key)) }
            }
        }
        let ownKinds = kinds.kinds.filter { ownResources.contains("\($0.group)/\($0.resource)") }
        let bootstrap = RBACPolicy(roles: BootstrapPolicy.clusterRoles, bindings: [])
        self.confiner = RuleConfiner(
            kinds: kinds, ownResources: ownResources, ownKinds: ownKinds, applicationKinds: options.applicationKinds,
            adminRules: bootstrap.clusterRole(named: "admin")?.rules ?? [])

        var inputClusterRoles: [RBACRole] = []
        for object in objects where RBACAPI.isRBACObject(object) && object.kind == "ClusterRole" && !Self.isGenerated(object) {
            if let role = try? RBACRole(object) { inputClusterRoles.append(role) }
        }
        let inputNames = Set(inputClusterRoles.map(\.name))
        self.inputClusterRoleNames = inputNames
        self.clusterRoles = RBACPolicy(
            roles: BootstrapPolicy.clusterRoles.filter { !inputNames.contains($0.name) } + inputClusterRoles, bindings: [])
        self.webhookPatchers = Self.webhookPatchers(in: objects)
        self.slots = Array(repeating: [], count: objects.count)
    }

    /// The namespaces the input's namespaced objects and ServiceAccount subjects name, other than
    /// the tool's and the targets', most often named first (input order between equals).
    static func namespaceCounts(of objects: [KubeObject], kinds: KindTable, excluding: Set<String>) -> [(namespace: String, count: Int)] {
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
        return order.enumerated()
            .sorted { (counts[$0.element] ?? 0, -$0.offset) > (counts[$1.element] ?? 0, -$1.offset) }
            .map { ($0.element, counts[$0.element] ?? 0) }
    }

    /// A name for a tool without a profile: its most common `app.kubernetes.io/part-of` label,
    /// else `app.kubernetes.io/name`, else its first workload's name; the same for the input and
    /// for `restrict`'s own output.
    static func derivedToolName(_ objects: [KubeObject]) -> String {
        for label in ["app.kubernetes.io/part-of", "app.kubernetes.io/name"] {
            var counts: [String: Int] = [:]
            var order: [String] = []
            for object in objects where !isGenerated(object) {
                guard let value = object.labels[label], !value.isEmpty else { continue }
                if counts[value] == nil { order.append(value) }
                counts[value, default: 0] += 1
            }
            if let best = order.max(by: { (counts[$0] ?? 0) < (counts[$1] ?? 0) }), let name = dnsLabel(best) { return name }
        }
        let workloads: Set<String> = ["Deployment", "StatefulSet", "DaemonSet"]
        if let workload = objects.first(where: { workloads.contains($0.kind) }), let name = dnsLabel(workload.name) { return name }
        return "tool"
    }

    /// `text` lower-cased with everything but letters, digits and '-' replaced by '-', at most 40
    /// characters, or `nil` when nothing is left.
    static func dnsLabel(_ text: String) -> String? {
        let mapped = String(text.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" ? $0 : "-" }.prefix(40))
        let trimmed = mapped.drop { $0 == "-" }.reversed().drop { $0 == "-" }.reversed()
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// Whether `object` is one that `restrict` generates (the administrator's aggregated
    /// ClusterRole): given back with the administrator's objects, it is made again, not kept twice.
    static func isGenerated(_ object: KubeObject) -> Bool {
        object.kind == "ClusterRole" && object.groupKind.group == RBACAPI.group && object.labels["app.kubernetes.io/managed-by"] == "warrant"
            && object.labels[BootstrapPolicy.aggregateToAdminLabel] == "true" && object.name.hasPrefix("warrant-")
            && object.name.hasSuffix("-aggregate-to-admin")
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
            let changed = !confined.cut.isEmpty || !confined.cannotConfine.isEmpty || role.rules.contains(where: \.hasWildcard)
            report(confined.cannotConfine, .cannotConfine, object: object.displayName, source: object.source)
            report(confined.cut, .cut, object: object.displayName, source: object.source)
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
            if let patcher = webhookPatchers.values.first(where: { $0.object == object.displayName }) {
                changes.append(
                    RestrictChange(
                        .replaced, object: object.displayName,
                        "left out: it sets the CA bundle of the cluster-wide \(patcher.configurationKind) \(patcher.configuration)",
                        reason:
                            "that needs update on the whole webhook configuration, which would let the tool's namespace redirect or widen the webhook to every namespace; the administrator sets the CA bundle instead (see the first lines of this report)",
                        source: object.source))
                continue
            }
            applyContainerPolicy(&placed)
            rewriteServiceAddresses(&placed)
            slots[slot].append(placed)
        }
        placeClusterRoles()
    }

    /// The input's ClusterRoles, once the bindings are converted: replaced by the Roles made from
    /// them, or moved to the administrator (with the name made the tool's, see ``clusterScopedName(_:)``).
    private mutating func placeClusterRoles() {
        let converted = convertedClusterRoles.keys.compactMap { clusterRoles.clusterRole(named: $0) }
        for object in input where RBACAPI.isRBACObject(object) && object.kind == "ClusterRole" && !Self.isGenerated(object) {
            let aggregates = object.labels.contains { $0.key.hasPrefix("rbac.authorization.k8s.io/aggregate-to-") && $0.value == "true" }
            let aggregatedInto = converted.filter { $0.name != object.name && $0.aggregationRule?.selects(object.labels) == true }.map(\.name)
            let referenced = administratorRoleRefs.contains(object.name)
            if let namespaces = convertedClusterRoles[object.name] {
                changes.append(
                    RestrictChange(
                        .replaced, object: object.displayName,
                        namespaces.isEmpty
                            ? "removed: none of its rules can be granted by a Role (see Cannot be confined)"
                            : "replaced by Roles in \(namespaces.joined(separator: ", "))",
                        reason: "a ClusterRole bound cluster-wide reaches every namespace", source: object.source))
                if !referenced { continue }
            } else if !aggregatedInto.isEmpty && !aggregates && !referenced {
                changes.append(
                    RestrictChange(
                        .replaced, object: object.displayName,
                        "its rules are part of the Roles made from ClusterRole \(aggregatedInto.joined(separator: ", ")), which aggregates it",
                        reason: "an aggregated ClusterRole grants nothing by itself; what it adds is in those Roles", source: object.source))
                continue
            }
            var moved = object
            moved.setMetadata("name", .string(clusterScopedName(object.name)))
            administrator.append(moved)
            if aggregates, let role = try? RBACRole(object) { aggregatedIntoAdmin.append(contentsOf: role.rules) }
            let reason: String
            if referenced {
                reason = "a ClusterRoleBinding in the administrator's objects refers to it"
            } else if aggregates {
                reason = "it aggregates into the built-in roles (admin, edit, view) of every namespace; only a cluster administrator decides that"
            } else {
                reason = "ClusterRoles are cluster-scoped and no binding of the install uses this one"
            }
            changes.append(
                RestrictChange(
                    .needsAdministrator, object: object.displayName, "moved to the administrator's objects\(renamed(object.name))",
                    reason: reason, source: object.source))
        }
    }

    /// Reports notes of the rule confiner.
    private mutating func report(_ notes: [RuleConfiner.Note], _ category: RestrictChange.Category, object: String, source: SourceLocation?) {
        for note in notes { changes.append(RestrictChange(category, object: object, note.what, reason: note.why, source: source)) }
    }

    /// The name of one of the tool's cluster-scoped RBAC or admission objects in the
    /// administrator's file, made the tool namespace's so that confined installs in other
    /// namespaces do not overwrite it: a suffix naming the install's namespace replaced by the tool
    /// namespace (`flux-edit-flux-system` becomes `flux-edit-tools`), else the tool namespace
    /// appended (`ingress-nginx-admission-tools`), unless the name already ends in it.
    func clusterScopedName(_ name: String) -> String {
        if let installNamespace, installNamespace != tool {
            if name == installNamespace { return tool }
            if name.hasSuffix("-\(installNamespace)") { return String(name.dropLast(installNamespace.count)) + tool }
        }
        if name == tool || name.hasSuffix("-\(tool)") { return name }
        return "\(name)-\(tool)"
    }

    /// ` as NAME` when ``clusterScopedName(_:)`` renames `name`, else empty.
    func renamed(_ name: String) -> String {
        let new = clusterScopedName(name)
        return new == name ? "" : " as \(new)"
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
        case ("admissionregistration.k8s.io", let kindName) where Self.webhookConfigurationKinds.contains(kindName):
            reason = confineWebhookConfiguration(&moved)
        case ("admissionregistration.k8s.io", let kindName) where Self.policyBindingKinds.contains(kindName):
            reason = confineAdmissionPolicyBinding(&moved)
        case ("admissionregistration.k8s.io", _):
            reason = "admission policies act on requests in every namespace; only a cluster administrator decides that"
        default:
            break
        }
        administrator.append(moved)
        changes.append(
            RestrictChange(
                .needsAdministrator, object: object.displayName, "moved to the administrator's objects\(moved.name == object.name ? "" : " as \(moved.name)")",
                reason: reason, source: object.source))
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

    /// `object`, a binding, for the administrator's file: a ClusterRoleBinding renamed for the
    /// tool, its role reference following a renamed input ClusterRole.
    private mutating func administratorBinding(_ object: KubeObject, subjects: [Subject]) -> KubeObject {
        var binding = object
        binding.content["subjects"] = .array(subjects.map(Self.subjectValue))
        if object.kind == "ClusterRoleBinding" { binding.setMetadata("name", .string(clusterScopedName(object.name))) }
        if object.content[path: ["roleRef", "kind"]]?.stringValue == "ClusterRole", let name = object.content[path: ["roleRef", "name"]]?.stringValue,
            inputClusterRoleNames.contains(name)
        {
            administratorRoleRefs.insert(name)
            binding.content.setValue(.string(clusterScopedName(name)), at: ["roleRef", "name"])
        }
        return binding
    }

    private mutating func convertClusterRoleBinding(_ object: KubeObject, slot: Int) {
        guard let binding = try? RBACBinding(object) else {
            administrator.append(object)
            changes.append(
                RestrictChange(
                    .needsAdministrator, object: object.displayName, "moved to the administrator's objects", reason: "it could not be read as a binding",
                    source: object.source))
            return
        }
        let (own, others) = splitSubjects(binding.subjects, bindingNamespace: nil)
        if !others.isEmpty {
            let rest = administratorBinding(object, subjects: others)
            administrator.append(rest)
            changes.append(
                RestrictChange(
                    .cannotConfine, object: object.displayName,
                    "its subjects \(others.map(\.description).joined(separator: ", ")) moved to the administrator's objects\(renamed(object.name))",
                    reason: "they are not the tool's ServiceAccounts; granting them anything cluster-wide is an administrator's decision",
                    source: object.source))
        }
        guard !own.isEmpty else { return }
        if profile == .flux && binding.roleRef.name == "cluster-admin" {
            fluxReconcilers.append(contentsOf: own)
            changes.append(
                RestrictChange(
                    .replaced, object: object.displayName,
                    "removed; \(own.map(\.name).joined(separator: ", ")) now apply as ServiceAccount \(tool)/\(options.fluxServiceAccount)",
                    reason:
                        "cluster-admin everywhere is what the platform forbids; the lockdown's --default-service-account makes Flux apply as a ServiceAccount that holds only Roles in the target namespaces",
                    source: object.source))
            return
        }
        guard binding.roleRef.kind == "ClusterRole", let role = clusterRoles.clusterRole(named: binding.roleRef.name) else {
            let rest = administratorBinding(object, subjects: own)
            administrator.append(rest)
            changes.append(
                RestrictChange(
                    .cannotConfine, object: object.displayName, "moved to the administrator's objects\(renamed(object.name))",
                    reason: "it refers to \(binding.roleRef), which is not in the input, so its permissions are unknown", source: object.source))
            return
        }
        let confined = confiner.confine(role.rules)
        report(confined.cannotConfine, .cannotConfine, object: "ClusterRole \(role.name)", source: role.source)
        report(confined.cut, .cut, object: "ClusterRole \(role.name)", source: role.source)
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
        var namespaces = convertedClusterRoles[role.name] ?? []
        for namespace in placedIn where !namespaces.contains(namespace) { namespaces.append(namespace) }
        convertedClusterRoles[role.name] = namespaces
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
            if ["admin", "edit", "view"].contains(roleRef.name) && !inputClusterRoleNames.contains(roleRef.name) {
                // A namespace administrator may bind the built-in roles it holds in full.
            } else if let role = clusterRoles.clusterRole(named: roleRef.name), roleRef.name != "cluster-admin" {
                let confined = confiner.confineInPlace(role.rules)
                report(confined.cannotConfine, .cannotConfine, object: "ClusterRole \(role.name)", source: role.source)
                report(confined.cut, .cut, object: "ClusterRole \(role.name)", source: role.source)
                addRole(
                    namespace: namespace, name: role.name, permissions: confined.permissions, slot: slot, original: nil, changed: true,
                    origin: "ClusterRole \(role.name)")
                var namespaces = convertedClusterRoles[role.name] ?? []
                if !namespaces.contains(namespace) { namespaces.append(namespace) }
                convertedClusterRoles[role.name] = namespaces
                roleRef = .role(role.name)
                changed = true
                changes.append(
                    RestrictChange(
                        .changed, object: object.displayName, "now refers to a Role \(namespace)/\(role.name) copied from the ClusterRole",
                        reason: "the ClusterRole itself is cluster-scoped", source: object.source))
            } else {
                var placed = administratorBinding(object, subjects: subjects)
                placed.namespace = namespace
                administrator.append(placed)
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

    // MARK: - Flux state

    /// The ServiceAccounts that held cluster-admin (Flux's kustomize- and helm-controller).
    var fluxReconcilers: [Subject] = []
}

extension Subject {
    /// The subject with a ServiceAccount's namespace filled in from the binding's.
    fileprivate func resolved(in namespace: String) -> Subject {
        guard kind == .serviceAccount, namespace.isEmpty == false, self.namespace?.isEmpty ?? true else { return self }
        return .serviceAccount(name, namespace: namespace)
    }
}
