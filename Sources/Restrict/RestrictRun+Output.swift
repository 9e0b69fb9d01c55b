import KubeModel
import RBAC

/// The objects and result a run produces: Roles and RoleBindings built, the slots in order, the
/// apply order.
extension RestrictRun {
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
        var annotations = build.annotations
        let custom = Set(build.permissions.map(\.baseKey)).filter {
            confiner.ownResources.contains($0) && !profile.knownCustomResources.contains($0)
        }
        if !custom.isEmpty { annotations[Self.customResourcesAnnotation] = custom.sorted().joined(separator: ",") }
        Self.annotate(&object, annotations)
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
            profile: profile, options: options, installNamespace: installNamespace, installNamespaceReason: installNamespaceReason,
            toolName: toolName, objects: outputObjects(), administratorObjects: Self.applyOrder(administrator), changes: changes,
            attention: attention, prerequisites: prerequisites, riskAnalysis: riskAnalysis)
    }

    /// The administrator's objects in the order to apply them: Namespaces, CRDs, RBAC, the rest,
    /// and admission webhooks and policies last (a webhook applied before its Service exists
    /// refuses what it intercepts); input order within each.
    static func applyOrder(_ objects: [KubeObject]) -> [KubeObject] {
        func rank(_ object: KubeObject) -> Int {
            switch (object.groupKind.group, object.kind) {
            case ("", "Namespace"): return 0
            case ("apiextensions.k8s.io", "CustomResourceDefinition"): return 1
            case (RBACAPI.group, "ClusterRole"): return 2
            case (RBACAPI.group, "ClusterRoleBinding"): return 3
            case (RBACAPI.group, "Role"): return 4
            case (RBACAPI.group, "RoleBinding"): return 5
            case ("admissionregistration.k8s.io", _): return 7
            default: return 6
            }
        }
        return objects.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }
}
