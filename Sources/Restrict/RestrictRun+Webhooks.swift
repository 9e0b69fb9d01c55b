import KubeModel
import RBAC

/// Admission webhooks and policies of the install: they go to the administrator, limited to the
/// target namespaces, pointed at the tool namespace's Service, renamed for the tool, and
/// described in the first lines of the report.
///
/// An admission webhook that fails closed (`failurePolicy: Fail`, the default of
/// `admissionregistration.k8s.io/v1`) refuses every request it intercepts while its Service does
/// not answer. Left cluster-wide and pointing at a namespace that no longer holds the Service, it
/// would refuse, say, every Ingress write in the cluster.
extension RestrictRun {
    /// The webhook configuration kinds of `admissionregistration.k8s.io`.
    static let webhookConfigurationKinds: Set<String> = ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]
    /// The admission policy binding kinds of `admissionregistration.k8s.io`.
    static let policyBindingKinds: Set<String> = ["ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicyBinding"]
    /// The label the API server sets on every namespace to its name (Kubernetes 1.21 and later).
    static let namespaceNameLabel = "kubernetes.io/metadata.name"

    /// A workload of the install that sets a webhook configuration's CA bundle, as
    /// kube-webhook-certgen's `patch` does (`--webhook-name NAME`, `--secret-name SECRET`): it gets
    /// the configuration by name and updates it whole.
    struct WebhookPatcher {
        /// The workload as the input names it (`Job ingress-nginx/ingress-nginx-admission-patch`).
        var object: String
        /// The workload's kind and name.
        var kind: String
        var name: String
        /// The configuration it patches, as the input names it.
        var configuration: String
        /// `ValidatingWebhookConfiguration` or `MutatingWebhookConfiguration`.
        var configurationKind: String
        /// The Secret whose `ca` key holds the CA bundle, when the arguments name it.
        var secret: String?
    }

    /// The workloads in `objects` that patch one of their webhook configurations, by configuration name.
    static func webhookPatchers(in objects: [KubeObject]) -> [String: WebhookPatcher] {
        var configurations: [String: String] = [:]
        for object in objects where object.groupKind.group == "admissionregistration.k8s.io" && webhookConfigurationKinds.contains(object.kind) {
            if configurations[object.name] == nil || object.kind == "ValidatingWebhookConfiguration" { configurations[object.name] = object.kind }
        }
        guard !configurations.isEmpty else { return [:] }
        var patchers: [String: WebhookPatcher] = [:]
        for object in objects {
            guard let path = object.podSpecPath, let podSpec = object.content[path: path] else { continue }
            for list in ["initContainers", "containers"] {
                for container in podSpec[list]?.arrayValue ?? [] {
                    let words = ((container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? [])).compactMap(\.stringValue)
                    guard let webhook = flag("--webhook-name", in: words), let kind = configurations[webhook] else { continue }
                    patchers[webhook] = WebhookPatcher(
                        object: object.displayName, kind: object.kind, name: object.name, configuration: webhook, configurationKind: kind,
                        secret: flag("--secret-name", in: words))
                }
            }
        }
        return patchers
    }

    /// The value of `--name=value` or `--name value` in `words`.
    static func flag(_ name: String, in words: [String]) -> String? {
        for (index, word) in words.enumerated() {
            if word.hasPrefix("\(name)=") { return String(word.dropFirst(name.count + 1)) }
            if word == name, words.indices.contains(index + 1) { return words[index + 1] }
        }
        return nil
    }

    /// `selector` with a `kubernetes.io/metadata.name In (targets)` expression added, so that it
    /// selects the target namespaces only (ANDed with what it selected before).
    func limitedToTargets(_ selector: JSONValue?) -> (selector: JSONValue, changed: Bool) {
        var object = selector?.objectValue ?? JSONObject()
        var expressions = object["matchExpressions"]?.arrayValue ?? []
        let present = expressions.contains { expression in
            expression["key"]?.stringValue == Self.namespaceNameLabel && expression["operator"]?.stringValue == "In"
                && Set((expression["values"]?.arrayValue ?? []).compactMap(\.stringValue)) == Set(targets)
        }
        guard !present else { return (.object(object), false) }
        expressions.append(["key": .string(Self.namespaceNameLabel), "operator": "In", "values": .array(targets.map(JSONValue.string))])
        object["matchExpressions"] = .array(expressions)
        return (.object(object), true)
    }

    /// The cluster-scoped resources a webhook rule's groups and resources cover, described.
    private func clusterScopedResources(groups: [String], resources: [String]) -> [String] {
        var covered: [String] = []
        for resource in resources {
            let base = resource.split(separator: "/", maxSplits: 1).first.map(String.init) ?? resource
            if base == "*" {
                return ["every cluster-scoped resource\(groups.contains("*") ? "" : " of \(groups.map { $0.isEmpty ? "core" : $0 }.joined(separator: ", "))")"]
            }
            for kind in kinds.kinds where !kind.namespaced && kind.resource == base && (groups.contains("*") || groups.contains(kind.group)) {
                covered.append(kind.qualifiedResource)
            }
        }
        return covered
    }

    /// Confines a Validating- or MutatingWebhookConfiguration for the administrator's file and
    /// describes it in ``attention``; returns the reason for the report.
    mutating func confineWebhookConfiguration(_ object: inout KubeObject) -> String {
        let originalName = object.name
        let name = clusterScopedName(originalName)
        object.setMetadata("name", .string(name))
        let injector = rewriteInjectedCA(&object)
        var webhooks = object.content["webhooks"]?.arrayValue ?? []
        var withoutCA: [Int] = []
        var services: [String] = []
        for index in webhooks.indices {
            var hook = webhooks[index]
            let hookName = hook["name"]?.stringValue ?? "#\(index)"
            var calls = "no Service or URL"
            if var service = hook[path: ["clientConfig", "service"]]?.objectValue {
                let namespace = service["namespace"]?.stringValue ?? ""
                if let installNamespace, namespace == installNamespace {
                    service["namespace"] = .string(tool)
                    hook.setValue(.object(service), at: ["clientConfig", "service"])
                }
                let serviceName = "\(service["namespace"]?.stringValue ?? "")/\(service["name"]?.stringValue ?? "")"
                services.append("Service \(serviceName)")
                calls = "Service \(serviceName)"
                if service["namespace"]?.stringValue != tool {
                    calls += ", outside the tool namespace \(tool)"
                }
                if (hook[path: ["clientConfig", "caBundle"]]?.stringValue ?? "").isEmpty { withoutCA.append(index) }
            } else if let url = hook[path: ["clientConfig", "url"]]?.stringValue {
                calls = "the URL \(url), outside the cluster's Services"
            }
            let (selector, _) = limitedToTargets(hook["namespaceSelector"])
            hook["namespaceSelector"] = selector

            var intercepts: [String] = []
            var clusterWide: [String] = []
            var rules = hook["rules"]?.arrayValue ?? []
            for ruleIndex in rules.indices {
                let rule = rules[ruleIndex]
                let strings = { (key: String) in (rule[key]?.arrayValue ?? []).compactMap(\.stringValue) }
                let groups = strings("apiGroups")
                let resources = strings("resources")
                let scope = rule["scope"]?.stringValue ?? "*"
                if scope != "Namespaced" {
                    let covered = clusterScopedResources(groups: groups, resources: resources)
                    if !covered.isEmpty {
                        rules[ruleIndex]["scope"] = "Namespaced"
                        clusterWide.append(contentsOf: covered)
                    }
                }
                let qualified = resources.flatMap { resource in
                    groups.map { group in group.isEmpty ? resource : "\(resource).\(group)" }
                }
                intercepts.append(
                    "\(strings("operations").joined(separator: ", ")) of \(qualified.joined(separator: ", ")) (\(strings("apiVersions").joined(separator: ", ")))"
                )
            }
            hook["rules"] = .array(rules)
            webhooks[index] = hook

            let failurePolicy = hook["failurePolicy"]?.stringValue ?? "Fail"
            let failure =
                failurePolicy == "Ignore"
                ? "it fails open (failurePolicy Ignore): while the webhook does not answer, those requests pass unchecked"
                : "it FAILS CLOSED (failurePolicy \(failurePolicy)): while the webhook does not answer, those requests are refused"
            attention.append(
                "\(object.kind) \(name), webhook \(hookName): intercepts \(intercepts.joined(separator: "; ")) in the namespaces \(targets.joined(separator: ", ")) only (namespaceSelector \(Self.namespaceNameLabel) In \(targets.joined(separator: ","))), and calls \(calls); \(failure)."
            )
            if !clusterWide.isEmpty {
                changes.append(
                    RestrictChange(
                        .cannotConfine, object: "\(object.kind) \(name)",
                        "webhook \(hookName) no longer sees \(clusterWide.joined(separator: ", ")) (its rules are limited to scope Namespaced)",
                        reason:
                            "cluster-scoped objects belong to no namespace, so a namespaceSelector cannot limit them: the confined tool does not check or change them, and the cluster keeps working without it",
                        source: object.source))
            }
        }
        object.content["webhooks"] = .array(webhooks)
        if !withoutCA.isEmpty {
            attention.append(caBundleInstructions(kind: object.kind, name: name, originalName: originalName, webhooks: withoutCA, injector: injector))
        }
        var reason = "admission webhooks see and can refuse requests in every namespace they select; limited to the target namespaces"
        if !services.isEmpty { reason += " and pointed at \(Array(Set(services)).sorted().joined(separator: ", "))" }
        if name != originalName { reason += "; renamed for the tool namespace, so that another confined install does not overwrite it" }
        return reason + " (see the first lines of this report)"
    }

    /// How the webhooks at `webhooks` (indices) of the configuration get their CA bundle.
    private func caBundleInstructions(kind: String, name: String, originalName: String, webhooks: [Int], injector: String?) -> String {
        if let injector {
            return
                "\(kind) \(name): cert-manager's CA injector fills its CA bundle from Certificate \(injector) (annotation cert-manager.io/inject-ca-from); cert-manager must run in the cluster."
        }
        let resource = kind.lowercased()
        guard let patcher = webhookPatchers[originalName] else {
            return
                "\(kind) \(name) has no CA bundle, so the API server cannot call it: the administrator sets clientConfig.caBundle of each webhook to the CA (base64) of the certificate its Service serves."
        }
        let secret = patcher.secret ?? "SECRET"
        let operations = webhooks.map { #"{\"op\":\"add\",\"path\":\"/webhooks/\#($0)/clientConfig/caBundle\",\"value\":\"$CA\"}"# }
        return
            "\(kind) \(name) has no CA bundle yet, so the API server cannot call it. The install's \(patcher.kind) \(patcher.name) would set it but needs update on this cluster-wide object (which would let the tool's namespace change what the webhook intercepts, anywhere), so it is left out; instead, once the install has created Secret \(tool)/\(secret), the administrator runs: "
            + "`CA=$(kubectl -n \(tool) get secret \(secret) -o jsonpath='{.data.ca}') && kubectl patch \(resource) \(name) --type=json -p \"[\(operations.joined(separator: ","))]\"`"
    }

    /// Rewrites cert-manager's `cert-manager.io/inject-ca-from: NAMESPACE/CERTIFICATE` from the
    /// install's namespace to the tool's; returns the reference, when there is one.
    private func rewriteInjectedCA(_ object: inout KubeObject) -> String? {
        let key = "cert-manager.io/inject-ca-from"
        guard var reference = object.annotations[key] else { return nil }
        if let installNamespace, reference.hasPrefix("\(installNamespace)/") {
            reference = "\(tool)/" + reference.dropFirst(installNamespace.count + 1)
            var annotations = object.content[path: ["metadata", "annotations"]]?.objectValue ?? JSONObject()
            annotations[key] = .string(reference)
            object.setMetadata("annotations", .object(annotations))
        }
        return reference
    }

    /// Confines a Validating- or MutatingAdmissionPolicyBinding to the target namespaces
    /// (`spec.matchResources.namespaceSelector`) and describes it in ``attention``; returns the
    /// reason for the report.
    mutating func confineAdmissionPolicyBinding(_ object: inout KubeObject) -> String {
        let (selector, _) = limitedToTargets(object.content[path: ["spec", "matchResources", "namespaceSelector"]])
        object.content.setValue(selector, at: ["spec", "matchResources", "namespaceSelector"])
        let policy = object.content[path: ["spec", "policyName"]]?.stringValue ?? "?"
        let actions = (object.content[path: ["spec", "validationActions"]]?.arrayValue ?? []).compactMap(\.stringValue)
        attention.append(
            "\(object.kind) \(object.name): applies admission policy \(policy) to namespaced objects in \(targets.joined(separator: ", ")) only\(actions.isEmpty ? "" : " (validationActions \(actions.joined(separator: ", ")))"); cluster-scoped objects the policy matches are still checked cluster-wide."
        )
        return "admission policies act on requests before they are stored; limited to the target namespaces (see the first lines of this report)"
    }
}
