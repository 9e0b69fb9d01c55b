public import KubeModel
import RBAC

/// Rewrites a tool's install manifest into a namespace-confined install: `warrant restrict`.
///
/// - ClusterRoles and ClusterRoleBindings become Roles and RoleBindings in the tool's namespace
///   (for what the tool needs to run: its ConfigMaps, Secrets, Leases, Events and custom
///   resources) and in each target namespace (the application kinds), wildcards replaced by
///   explicit kinds and verbs, and everything cut that the built-in `admin` ClusterRole does not
///   hold, so that a namespace administrator can apply the result under escalation prevention.
/// - Cluster-scoped objects, and namespaced objects a namespace administrator may not create
///   (ResourceQuotas, say), move to the administrator's list, never dropped.
/// - The profile makes the tool's own settings namespaced (``ToolProfile``).
/// - Containers get resource requests and limits; unpinned images are flagged.
///
/// Running it on its own output changes nothing.
public struct Restrictor: Sendable {
    /// What to confine to.
    public var options: RestrictOptions

    /// Creates a restrictor.
    public init(options: RestrictOptions) {
        self.options = options
    }

    /// Restricts `objects`.
    ///
    /// - Parameters:
    ///   - objects: the tool's install manifest.
    ///   - kinds: the kind table (built-ins, the input's CRDs, resource maps).
    ///   - customResourceDefinitions: CRDs the install needs but does not hold (Argo CD's
    ///     `namespace-install.yaml` has none; `--crds-from`): they go to the administrator's
    ///     objects, and their kinds count as the tool's own. Other objects among them are ignored.
    /// - Throws: ``RestrictError`` for bad options or input: invalid namespace names, no
    ///   objects, objects of unknown kinds.
    public func restrict(
        objects inputObjects: [KubeObject], kinds inputKinds: KindTable, customResourceDefinitions: [KubeObject] = []
    ) throws(RestrictError) -> RestrictResult {
        try validate(objects: inputObjects)
        // Objects in API versions Kubernetes no longer serves would only fail at apply: reported
        // and left out, as `scope` and `manifests` report them.
        var unserved: [(object: KubeObject, api: RemovedAPI)] = []
        var objects: [KubeObject] = []
        for object in inputObjects {
            if let api = inputKinds.removedAPI(object.groupVersionKind) {
                unserved.append((object, api))
            } else {
                objects.append(object)
            }
        }
        guard !objects.isEmpty else {
            throw RestrictError(
                .unservedAPIs, "every object of the input is in an API version Kubernetes no longer serves",
                hint: "update the install to current API versions (warrant manifests lists them with their replacements)")
        }
        let crds = customResourceDefinitions.filter { $0.kind == "CustomResourceDefinition" && $0.isInGroup("apiextensions.k8s.io") }
        let profile = options.profile ?? ToolProfile.detect(objects + crds)
        var kinds = inputKinds
        for object in crds {
            guard let kind = try? KindTable.kind(fromCRD: object), kinds.kind(GroupKind(group: kind.group, kind: kind.kind)) == nil else { continue }
            kinds.add(kind)
        }
        for kind in profile.knownKinds where kinds.kind(GroupKind(group: kind.group, kind: kind.kind)) == nil { kinds.add(kind) }
        let unknown = objects.filter { kinds.kind($0.groupKind) == nil }
        if !unknown.isEmpty {
            throw RestrictError(
                .unknownKinds, at: unknown.first?.source,
                unknown.prefix(5).map { "\($0.source?.description ?? "-"): unknown kind \($0.groupKind) (\($0.displayName))" }
                    .joined(separator: "\n"),
                hint:
                    "restrict must know whether each kind is namespaced: include its CustomResourceDefinition with -f or --crds-from, or declare it with --resource-map"
            )
        }
        var run = RestrictRun(options: options, profile: profile, objects: objects, kinds: kinds, customResourceDefinitions: crds)
        for (object, api) in unserved {
            run.changes.append(
                RestrictChange(
                    .unservedAPI, object: "\(object.displayName) (\(object.apiVersion))",
                    "left out: Kubernetes stopped serving \(object.apiVersion) \(object.kind) in \(api.removedIn)",
                    reason: api.replacement.map { "applying it would fail; write it as \($0) and restrict again" }
                        ?? "applying it would fail, and Kubernetes no longer has this kind; remove it from the install",
                    source: object.source))
        }
        run.confineObjects()
        run.addCustomResourceDefinitions()
        switch profile {
        case .argocd: run.configureArgoCD()
        case .flux: run.configureFlux()
        case .generic: break
        }
        run.recordAcceptedRisks()
        run.addAdministratorRole()
        return run.result()
    }

    private func validate(objects: [KubeObject]) throws(RestrictError) {
        for namespace in [options.toolNamespace] + options.targetNamespaces where !Self.isNamespaceName(namespace) {
            throw RestrictError(
                .invalidNamespace, "'\(namespace)' is not a valid namespace name",
                hint: "a namespace name is at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit")
        }
        if let source = options.sourceNamespace, !Self.isNamespaceName(source) {
            throw RestrictError(
                .invalidNamespace, "--source-namespace '\(source)' is not a valid namespace name",
                hint: "give the namespace the install was written for, e.g. --source-namespace argocd")
        }
        if options.targetNamespaces.isEmpty {
            throw RestrictError(.noTargetNamespaces, "no target namespaces", hint: "name the namespaces the tool deploys to with --target-namespaces A,B")
        }
        if objects.isEmpty {
            throw RestrictError(.noObjects, "the input holds no objects", hint: "give the tool's install manifest with -f")
        }
    }

    /// Whether `name` is a DNS-1123 label, as namespace names must be.
    static func isNamespaceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) }
        guard let first = bytes.first, let last = bytes.last, alphanumeric(first), alphanumeric(last) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == 0x2D }
    }
}
