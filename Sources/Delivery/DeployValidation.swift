public import KubeModel
import RBAC

/// The checks `warrant deploy` makes before any change.
///
/// Errors stop the deploy (exit status 2): an object in another namespace than `-n`, a
/// cluster-scoped object (a namespace's deploy credential cannot create one), a kind the API does
/// not serve (these three are ``NamespaceCheck``'s, which `warrant scope` makes too), the same
/// object twice. Warnings are the platform safeguards of a compliance
/// platform such as Welkin (Gatekeeper rejects or warns on these): images tagged `:latest` or
/// not tagged, containers without resource requests, workloads no NetworkPolicy selects, fewer
/// than 2 replicas, LoadBalancer Services.
public enum DeployValidation {
    /// Validates `objects` for a deploy into `namespace`.
    ///
    /// - Parameters:
    ///   - objects: the manifests' objects.
    ///   - namespace: the namespace deployed to (`-n`).
    ///   - kinds: the kinds the cluster serves (built-in kinds plus CRDs).
    ///   - strict: `--strict`: report the warnings as errors too (the returned warnings are then empty).
    /// - Returns: errors that must stop the deploy and warnings to print.
    public static func validate(
        _ objects: [KubeObject], namespace: String, kinds: KindTable, strict: Bool = false
    ) -> (errors: [DeployIssue], warnings: [DeployIssue]) {
        validate(objects, namespace: namespace, kinds: kinds, strict: strict, hashing: \.hashValue)
    }

    /// ``validate(_:namespace:kinds:strict:)`` with the hash that finds duplicates given (tests
    /// make every reference collide).
    static func validate(
        _ objects: [KubeObject], namespace: String, kinds: KindTable, strict: Bool, hashing hash: (ObjectReference) -> Int
    ) -> (errors: [DeployIssue], warnings: [DeployIssue]) {
        var errors: [DeployIssue] = []
        var warnings: [DeployIssue] = []
        // The first definition of each object, found by the hash of its reference: a reference
        // held per object (several strings each) would cost more than the whole check on a large
        // input. Only references whose hashes collide are kept whole.
        var firstByHash: [Int: Int] = [:]
        var firstOfColliding: [ObjectReference: Int] = [:]
        for (index, object) in objects.enumerated() {
            // The kind and namespace checks `scope` makes too (one check, one error type).
            do throws(ManifestError) {
                let kind = try NamespaceCheck.kind(of: object, in: namespace, kinds: kinds, command: "deploy")
                guard kind.namespaced else {
                    errors.append(DeployIssue(NamespaceCheck.clusterScoped(object), object: object))
                    continue
                }
            } catch {
                errors.append(DeployIssue(error, object: object))
                continue
            }
            let reference = Self.reference(object, in: namespace)
            let referenceHash = hash(reference)
            var first: Int?
            if let candidate = firstByHash[referenceHash] {
                if Self.reference(objects[candidate], in: namespace) == reference {
                    first = candidate
                } else if let other = firstOfColliding[reference] {
                    first = other
                } else {
                    firstOfColliding[reference] = index
                }
            } else {
                firstByHash[referenceHash] = index
            }
            if let first {
                let location = objects[first].source.map { " (\($0))" } ?? ""
                errors.append(
                    DeployIssue(
                        "duplicate", object, "the same object is defined twice; first definition\(location)",
                        hint: "keep one definition: applying both would let the last one win silently"))
            }
        }
        warnings += safeguards(objects, namespace: namespace)
        if strict {
            return (errors + warnings, [])
        }
        return (errors, warnings)
    }

    /// The reference of `object`, in `namespace` when it names none.
    private static func reference(_ object: KubeObject, in namespace: String) -> ObjectReference {
        var reference = ObjectReference(object)
        reference.namespace = object.namespace ?? namespace
        return reference
    }

    /// The platform safeguards' warnings.
    static func safeguards(_ objects: [KubeObject], namespace: String) -> [DeployIssue] {
        var warnings: [DeployIssue] = []
        let policies = objects.filter { $0.groupKind == GroupKind(group: "networking.k8s.io", kind: "NetworkPolicy") }
        let autoscalers = objects.filter { $0.kind == "HorizontalPodAutoscaler" && $0.groupKind.group == "autoscaling" }
        for object in objects {
            if object.groupKind == GroupKind(group: "", kind: "Service"),
                object.content[path: ["spec", "type"]]?.stringValue == "LoadBalancer"
            {
                warnings.append(
                    DeployIssue(
                        "service-loadbalancer", object, "Service of type LoadBalancer exposes the workload outside the cluster",
                        hint: "use an Ingress, or ask the platform team whether LoadBalancer Services are allowed"))
            }
            guard let path = object.podSpecPath, let podSpec = object.content[path: path] else { continue }
            warnings += containerWarnings(object, podSpec: podSpec)
            if object.kind == "Deployment" || object.kind == "StatefulSet" {
                let replicas = object.content[path: ["spec", "replicas"]]?.integerValue ?? 1
                let scaledUp = autoscalers.contains { autoscaler in
                    autoscaler.content[path: ["spec", "scaleTargetRef", "kind"]]?.stringValue == object.kind
                        && autoscaler.content[path: ["spec", "scaleTargetRef", "name"]]?.stringValue == object.name
                        && (autoscaler.content[path: ["spec", "minReplicas"]]?.integerValue ?? 1) >= 2
                }
                if replicas < 2 && !scaledUp {
                    warnings.append(
                        DeployIssue(
                            "replicas-fewer-than-2", object, "\(replicas) replica\(replicas == 1 ? "" : "s"): the workload is down during every node drain",
                            hint: "set spec.replicas to 2 or more (or a HorizontalPodAutoscaler with minReplicas ≥ 2)"))
                }
            }
            let templateLabels: [String: String]
            if object.kind == "Pod" {
                templateLabels = object.labels
            } else {
                templateLabels = labels(object.content[path: Array(path.dropLast()) + ["metadata", "labels"]])
            }
            let selected = policies.contains { policy in
                (policy.namespace ?? namespace) == (object.namespace ?? namespace)
                    && (try? LabelSelector.read(from: policy, at: ["spec", "podSelector"]))?.matches(templateLabels) == true
            }
            if !selected {
                warnings.append(
                    DeployIssue(
                        "networkpolicy-missing", object, "no NetworkPolicy in the manifests selects this workload's pods",
                        hint: "add a NetworkPolicy whose podSelector matches the pod template's labels"))
            }
        }
        return warnings
    }

    private static func containerWarnings(_ object: KubeObject, podSpec: JSONValue) -> [DeployIssue] {
        var warnings: [DeployIssue] = []
        for key in ["initContainers", "containers"] {
            for container in podSpec[key]?.arrayValue ?? [] {
                let name = container["name"]?.stringValue ?? "?"
                let image = container["image"]?.stringValue ?? ""
                if let problem = ImagePinning(image: image).problem {
                    warnings.append(
                        DeployIssue(
                            "image-latest", object, "container '\(name)' uses image '\(image)', which \(problem)",
                            hint: "pin a version tag or a digest (image@sha256:…) so that every deploy runs what was tested"))
                }
                let requests = container[path: ["resources", "requests"]]?.objectValue
                if requests?.isEmpty ?? true {
                    warnings.append(
                        DeployIssue(
                            "resources-requests-missing", object, "container '\(name)' has no resource requests",
                            hint: "set resources.requests.cpu and resources.requests.memory"))
                }
            }
        }
        return warnings
    }

    private static func labels(_ value: JSONValue?) -> [String: String] {
        var result: [String: String] = [:]
        for (key, member) in value?.objectValue ?? JSONObject() {
            if let string = member.stringValue { result[key] = string }
        }
        return result
    }
}
