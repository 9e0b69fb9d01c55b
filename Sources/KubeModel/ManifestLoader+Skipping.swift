/// A document a lenient load left out because it is not a Kubernetes object.
public struct SkippedDocument: Sendable, Hashable, CustomStringConvertible {
    /// Where the document starts.
    public var location: SourceLocation
    /// Why it is not a Kubernetes object (`no kind`, `a kustomize.config.k8s.io Kustomization`).
    public var reason: String

    /// `ci/.gitlab-ci.yml:1: not a Kubernetes object (no apiVersion and kind); skipped`.
    public var description: String { "\(location): not a Kubernetes object (\(reason)); skipped" }
}

extension ManifestLoader {
    /// Loads every input as ``load(_:)`` does, except that a document that is not a Kubernetes
    /// object at all is left out and returned instead of failing the load: YAML a repository
    /// keeps beside its manifests (a CI file, a chart's `Chart.yaml` or values, a test's
    /// expected results, a policy file, a kustomization).
    ///
    /// A document is taken for a Kubernetes object, and checked as strictly as ``load(_:)``
    /// checks it, when it is a mapping with a `kind` and an `apiVersion` or `metadata` (or a list
    /// of such mappings), and is not a kustomize configuration (`kustomize.config.k8s.io`,
    /// `config.kubernetes.io`). Everything else is skipped. Syntax errors still fail the load.
    ///
    /// - Returns: the objects, and the skipped documents in input order.
    /// - Throws: ``ManifestErrors`` as ``load(_:)``, for the documents taken for objects.
    public func loadSkippingNonObjects(_ inputs: [ManifestInput]) throws(ManifestErrors) -> (objects: [KubeObject], skipped: [SkippedDocument]) {
        var objects: [KubeObject] = []
        let (_, skipped) = try load(inputs, skippingNonObjects: true) { objects.append($0) }
        return (objects, skipped)
    }

    /// Why `value` is not a Kubernetes object at all, or `nil` when it is meant to be one.
    static func notAnObject(_ value: JSONValue) -> String? {
        if let items = value.arrayValue {
            if items.contains(where: { notAnObject($0) == nil }) { return nil }
            return items.isEmpty ? "an empty list" : "a list of no Kubernetes objects"
        }
        guard let object = value.objectValue else { return "a \(value.typeDescription)" }
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else {
            return object["apiVersion"] == nil ? "no apiVersion and kind" : "no kind"
        }
        guard object["apiVersion"] != nil || object["metadata"] != nil else { return "no apiVersion and metadata" }
        let group = (object["apiVersion"]?.stringValue ?? "").split(separator: "/").first.map(String.init) ?? ""
        if group == "kustomize.config.k8s.io" || group == "config.kubernetes.io" { return "a \(group) \(kind)" }
        return nil
    }
}
