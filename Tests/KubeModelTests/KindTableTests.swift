import Foundation
import KubeModel
import Testing

/// Known facts, written independently of the table (from `kubectl api-resources` on Kubernetes 1.3x):
/// (kind, group, resource, namespaced).
private let knownFacts: [(String, String, String, Bool)] = [
    ("Pod", "", "pods", true),
    ("Service", "", "services", true),
    ("ConfigMap", "", "configmaps", true),
    ("Secret", "", "secrets", true),
    ("ServiceAccount", "", "serviceaccounts", true),
    ("Namespace", "", "namespaces", false),
    ("Node", "", "nodes", false),
    ("PersistentVolume", "", "persistentvolumes", false),
    ("PersistentVolumeClaim", "", "persistentvolumeclaims", true),
    ("Endpoints", "", "endpoints", true),
    ("Event", "", "events", true),
    ("LimitRange", "", "limitranges", true),
    ("ResourceQuota", "", "resourcequotas", true),
    ("ReplicationController", "", "replicationcontrollers", true),
    ("Deployment", "apps", "deployments", true),
    ("StatefulSet", "apps", "statefulsets", true),
    ("DaemonSet", "apps", "daemonsets", true),
    ("ReplicaSet", "apps", "replicasets", true),
    ("ControllerRevision", "apps", "controllerrevisions", true),
    ("Job", "batch", "jobs", true),
    ("CronJob", "batch", "cronjobs", true),
    ("HorizontalPodAutoscaler", "autoscaling", "horizontalpodautoscalers", true),
    ("PodDisruptionBudget", "policy", "poddisruptionbudgets", true),
    ("Role", "rbac.authorization.k8s.io", "roles", true),
    ("RoleBinding", "rbac.authorization.k8s.io", "rolebindings", true),
    ("ClusterRole", "rbac.authorization.k8s.io", "clusterroles", false),
    ("ClusterRoleBinding", "rbac.authorization.k8s.io", "clusterrolebindings", false),
    ("Ingress", "networking.k8s.io", "ingresses", true),
    ("IngressClass", "networking.k8s.io", "ingressclasses", false),
    ("NetworkPolicy", "networking.k8s.io", "networkpolicies", true),
    ("EndpointSlice", "discovery.k8s.io", "endpointslices", true),
    ("StorageClass", "storage.k8s.io", "storageclasses", false),
    ("CSIDriver", "storage.k8s.io", "csidrivers", false),
    ("VolumeAttachment", "storage.k8s.io", "volumeattachments", false),
    ("PriorityClass", "scheduling.k8s.io", "priorityclasses", false),
    ("RuntimeClass", "node.k8s.io", "runtimeclasses", false),
    ("Lease", "coordination.k8s.io", "leases", true),
    ("CertificateSigningRequest", "certificates.k8s.io", "certificatesigningrequests", false),
    ("MutatingWebhookConfiguration", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", false),
    ("ValidatingWebhookConfiguration", "admissionregistration.k8s.io", "validatingwebhookconfigurations", false),
    ("ValidatingAdmissionPolicy", "admissionregistration.k8s.io", "validatingadmissionpolicies", false),
    ("CustomResourceDefinition", "apiextensions.k8s.io", "customresourcedefinitions", false),
    ("APIService", "apiregistration.k8s.io", "apiservices", false),
    ("FlowSchema", "flowcontrol.apiserver.k8s.io", "flowschemas", false),
    ("PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", false),
    ("TokenReview", "authentication.k8s.io", "tokenreviews", false),
    ("SubjectAccessReview", "authorization.k8s.io", "subjectaccessreviews", false),
    ("SelfSubjectAccessReview", "authorization.k8s.io", "selfsubjectaccessreviews", false),
    ("LocalSubjectAccessReview", "authorization.k8s.io", "localsubjectaccessreviews", true),
    ("SelfSubjectRulesReview", "authorization.k8s.io", "selfsubjectrulesreviews", false),
]

@Test("built-in kinds match kubectl api-resources", arguments: knownFacts)
func builtinKindFacts(_ fact: (String, String, String, Bool)) throws {
    let (kind, group, resource, namespaced) = fact
    let entry = try #require(KindTable.builtin.kind(GroupKind(group: group, kind: kind)))
    #expect(entry.resource == resource)
    #expect(entry.namespaced == namespaced)
    #expect(KindTable.builtin.kind(group: group, resource: resource)?.kind == kind)
}

@Test(arguments: [
    ("pods", ["attach", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "status"]),
    ("deployments", ["scale", "status"]),
    ("serviceaccounts", ["token"]),
    ("namespaces", ["finalize", "status"]),
    ("certificatesigningrequests", ["approval", "status"]),
    ("nodes", ["proxy", "status"]),
    ("services", ["proxy", "status"]),
])
func subresourcesIncludeTheSecuritySensitiveOnes(resource: String, expected: [String]) throws {
    let group = resource == "deployments" ? "apps" : resource == "certificatesigningrequests" ? "certificates.k8s.io" : ""
    let entry = try #require(KindTable.builtin.kind(group: group, resource: resource))
    for subresource in expected { #expect(entry.subresources.contains(subresource), "\(resource)/\(subresource)") }
}

@Test(arguments: [
    ("deploy", "Deployment"), ("deployments", "Deployment"), ("deployment", "Deployment"),
    ("Deployment", "Deployment"), ("deployments.apps", "Deployment"), ("svc", "Service"),
    ("cm", "ConfigMap"), ("ingresses.networking.k8s.io", "Ingress"), ("hpa", "HorizontalPodAutoscaler"),
    ("crd", "CustomResourceDefinition"), ("ns", "Namespace"),
])
func resolvesTypesLikeKubectl(type: String, kind: String) {
    #expect(KindTable.builtin.resolve(type: type).map(\.kind) == [kind])
}

@Test func everyBuiltinKindIsUniqueAndHasAPreferredVersion() {
    let kinds = KindTable.builtin.kinds
    #expect(kinds.count >= 60)
    #expect(Set(kinds.map { "\($0.group)/\($0.kind)" }).count == kinds.count)
    #expect(Set(kinds.map(\.qualifiedResource)).count == kinds.count)
    for kind in kinds {
        #expect(!kind.versions.isEmpty, "\(kind.kind)")
        #expect(kind.resource == kind.resource.lowercased(), "\(kind.kind)")
    }
}

@Test func removedAPIsAreKnownWithReplacements() throws {
    let removed = try #require(KindTable.builtin.removedAPI(GroupVersionKind(group: "extensions", version: "v1beta1", kind: "Ingress")))
    #expect(removed.removedIn == "1.22")
    #expect(removed.replacement == "networking.k8s.io/v1")
    #expect(KindTable.builtin.removedAPI(GroupVersionKind(group: "policy", version: "v1beta1", kind: "PodSecurityPolicy"))?.replacement == nil)
    #expect(KindTable.builtin.removedAPI(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")) == nil)
}

@Test func customResourceDefinitionsExtendTheTable() throws {
    let crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: applications.argoproj.io}
        spec:
          group: argoproj.io
          names: {kind: Application, plural: applications, shortNames: [app, apps]}
          scope: Namespaced
          versions:
          - {name: v1alpha1, served: true, storage: true, subresources: {status: {}}}
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Cluster
          versions: [{name: v2, served: true, storage: false}, {name: v1, served: true, storage: true}, {name: v0, served: false, storage: false}]
        """
    let objects = try ManifestLoader().load(bytes: Array(crd.utf8), file: "crds.yaml")
    let table = try KindTable.builtin.adding(customResourceDefinitionsIn: objects)
    let application = try #require(table.kind(GroupKind(group: "argoproj.io", kind: "Application")))
    #expect(application.resource == "applications")
    #expect(application.namespaced)
    #expect(application.subresources == ["status"])
    #expect(application.shortNames == ["app", "apps"])
    let widget = try #require(table.kind(GroupKind(group: "example.com", kind: "Widget")))
    #expect(!widget.namespaced)
    #expect(widget.versions == ["v1", "v2"])
    #expect(KindTable.builtin.kind(GroupKind(group: "argoproj.io", kind: "Application")) == nil)
}

@Test func brokenCRDIsReported() throws {
    let objects = try ManifestLoader().load(
        bytes: Array("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec: {group: g}\n".utf8),
        file: "crd.yaml")
    #expect(throws: ManifestErrors.self) { try KindTable.builtin.adding(customResourceDefinitionsIn: objects) }
}

@Test func resourceMapEntriesAndErrors() throws {
    let map = """
        kinds:
        - group: monitoring.coreos.com
          kind: ServiceMonitor
          resource: servicemonitors
        - group: example.com
          kind: Gadget
          resource: gadgets
          namespaced: false
          versions: [v2, v1]
        """
    let kinds = try ResourceMap.kinds(bytes: Array(map.utf8), file: "map.yaml")
    #expect(kinds.map(\.kind) == ["ServiceMonitor", "Gadget"])
    #expect(kinds[0].namespaced && kinds[0].versions == ["v1"])
    #expect(!kinds[1].namespaced && kinds[1].preferredVersion == "v2")
    #expect {
        _ = try ResourceMap.kinds(bytes: Array("- group: g\n  kind: K\n".utf8), file: "bad.yaml")
    } throws: { error in
        let error = error as? ManifestError
        return error?.code == .invalidResourceMap && error?.message.contains("resource is missing") == true
    }
    #expect(throws: ManifestError.self) {
        _ = try ResourceMap.kinds(bytes: Array("- {group: g, kind: K, resource: Ks}\n".utf8), file: "bad.yaml")
    }
}
