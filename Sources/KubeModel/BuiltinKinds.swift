// The built-in kinds of Kubernetes 1.34 and the APIs Kubernetes has removed.
//
// Checked against these sources (kubernetes/kubernetes unless noted):
// - test/integration/etcd/data.go: every persisted resource per group/version, with the
//   release that introduced and removed each non-GA version (IPAddress and ServiceCIDR GA in 1.33,
//   VolumeAttributesClass and resource.k8s.io/v1 GA in 1.34, LeaseCandidate, ClusterTrustBundle and
//   MutatingAdmissionPolicy still beta only).
// - pkg/controlplane/instance.go: beta group versions added since 1.24 are not served unless
//   enabled with --runtime-config (KEP-3136), so no beta version appears below.
// - pkg/registry/core/rest/storage_core.go: core resources and subresources (pods/resize is
//   served because InPlacePodVerticalScaling is on by default since 1.33).
// - pkg/registry/{networking,admissionregistration,resource,storage}/...: subresources and short
//   names (servicecidrs/status, resourceclaims/status, `vac` for volumeattributesclasses, none for
//   ipaddresses, servicecidrs or validatingadmissionpolicies).
// - kubernetes/website content/en/docs/reference/using-api/deprecation-guide.md: removed APIs.
// Short names match `kubectl api-resources`; subresources are sorted alphabetically.

extension KindTable {
    /// Every kind served by the built-in APIs of Kubernetes 1.34 (kube-apiserver without aggregated APIs),
    /// counting only GA versions and beta versions that are served by default. Kinds that exist only in a
    /// beta or alpha version that is off by default (LeaseCandidate, ClusterTrustBundle,
    /// MutatingAdmissionPolicy, PodCertificateRequest, DeviceTaintRule, StorageVersionMigration, ...) are
    /// left out. The virtual, create-only review kinds of `authentication.k8s.io` and
    /// `authorization.k8s.io` are included because RBAC rules name them.
    ///
    /// Sorted by group (core `""` first), then kind.
    static let builtinKinds: [ResourceKind] = [
        // MARK: core ("")
        ResourceKind(group: "", versions: ["v1"], kind: "Binding", resource: "bindings", namespaced: true),
        ResourceKind(group: "", versions: ["v1"], kind: "ComponentStatus", resource: "componentstatuses", namespaced: false, shortNames: ["cs"]),
        ResourceKind(group: "", versions: ["v1"], kind: "ConfigMap", resource: "configmaps", namespaced: true, shortNames: ["cm"]),
        ResourceKind(group: "", versions: ["v1"], kind: "Endpoints", resource: "endpoints", namespaced: true, shortNames: ["ep"]),
        ResourceKind(group: "", versions: ["v1"], kind: "Event", resource: "events", namespaced: true, shortNames: ["ev"]),
        ResourceKind(group: "", versions: ["v1"], kind: "LimitRange", resource: "limitranges", namespaced: true, shortNames: ["limits"]),
        ResourceKind(
            group: "", versions: ["v1"], kind: "Namespace", resource: "namespaces", namespaced: false, shortNames: ["ns"], subresources: ["finalize", "status"]),
        ResourceKind(group: "", versions: ["v1"], kind: "Node", resource: "nodes", namespaced: false, shortNames: ["no"], subresources: ["proxy", "status"]),
        ResourceKind(
            group: "", versions: ["v1"], kind: "PersistentVolume", resource: "persistentvolumes", namespaced: false, shortNames: ["pv"],
            subresources: ["status"]),
        ResourceKind(
            group: "", versions: ["v1"], kind: "PersistentVolumeClaim", resource: "persistentvolumeclaims", namespaced: true, shortNames: ["pvc"],
            subresources: ["status"]),
        ResourceKind(
            group: "", versions: ["v1"], kind: "Pod", resource: "pods", namespaced: true, shortNames: ["po"],
            subresources: ["attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "resize", "status"]),
        ResourceKind(group: "", versions: ["v1"], kind: "PodTemplate", resource: "podtemplates", namespaced: true),
        ResourceKind(
            group: "", versions: ["v1"], kind: "ReplicationController", resource: "replicationcontrollers", namespaced: true, shortNames: ["rc"],
            subresources: ["scale", "status"]),
        ResourceKind(
            group: "", versions: ["v1"], kind: "ResourceQuota", resource: "resourcequotas", namespaced: true, shortNames: ["quota"], subresources: ["status"]),
        ResourceKind(group: "", versions: ["v1"], kind: "Secret", resource: "secrets", namespaced: true),
        ResourceKind(
            group: "", versions: ["v1"], kind: "Service", resource: "services", namespaced: true, shortNames: ["svc"], subresources: ["proxy", "status"]),
        ResourceKind(
            group: "", versions: ["v1"], kind: "ServiceAccount", resource: "serviceaccounts", namespaced: true, shortNames: ["sa"], subresources: ["token"]),

        // MARK: admissionregistration.k8s.io
        ResourceKind(
            group: "admissionregistration.k8s.io", versions: ["v1"], kind: "MutatingWebhookConfiguration", resource: "mutatingwebhookconfigurations",
            namespaced: false),
        ResourceKind(
            group: "admissionregistration.k8s.io", versions: ["v1"], kind: "ValidatingAdmissionPolicy", resource: "validatingadmissionpolicies",
            namespaced: false, subresources: ["status"]),
        ResourceKind(
            group: "admissionregistration.k8s.io", versions: ["v1"], kind: "ValidatingAdmissionPolicyBinding", resource: "validatingadmissionpolicybindings",
            namespaced: false),
        ResourceKind(
            group: "admissionregistration.k8s.io", versions: ["v1"], kind: "ValidatingWebhookConfiguration", resource: "validatingwebhookconfigurations",
            namespaced: false),

        // MARK: apiextensions.k8s.io
        ResourceKind(
            group: "apiextensions.k8s.io", versions: ["v1"], kind: "CustomResourceDefinition", resource: "customresourcedefinitions", namespaced: false,
            shortNames: ["crd", "crds"], subresources: ["status"]),

        // MARK: apiregistration.k8s.io
        ResourceKind(
            group: "apiregistration.k8s.io", versions: ["v1"], kind: "APIService", resource: "apiservices", namespaced: false, subresources: ["status"]),

        // MARK: apps
        ResourceKind(group: "apps", versions: ["v1"], kind: "ControllerRevision", resource: "controllerrevisions", namespaced: true),
        ResourceKind(
            group: "apps", versions: ["v1"], kind: "DaemonSet", resource: "daemonsets", namespaced: true, shortNames: ["ds"], subresources: ["status"]),
        ResourceKind(
            group: "apps", versions: ["v1"], kind: "Deployment", resource: "deployments", namespaced: true, shortNames: ["deploy"],
            subresources: ["scale", "status"]),
        ResourceKind(
            group: "apps", versions: ["v1"], kind: "ReplicaSet", resource: "replicasets", namespaced: true, shortNames: ["rs"],
            subresources: ["scale", "status"]),
        ResourceKind(
            group: "apps", versions: ["v1"], kind: "StatefulSet", resource: "statefulsets", namespaced: true, shortNames: ["sts"],
            subresources: ["scale", "status"]),

        // MARK: authentication.k8s.io (create-only)
        ResourceKind(group: "authentication.k8s.io", versions: ["v1"], kind: "SelfSubjectReview", resource: "selfsubjectreviews", namespaced: false),
        ResourceKind(group: "authentication.k8s.io", versions: ["v1"], kind: "TokenReview", resource: "tokenreviews", namespaced: false),

        // MARK: authorization.k8s.io (create-only)
        ResourceKind(
            group: "authorization.k8s.io", versions: ["v1"], kind: "LocalSubjectAccessReview", resource: "localsubjectaccessreviews", namespaced: true),
        ResourceKind(group: "authorization.k8s.io", versions: ["v1"], kind: "SelfSubjectAccessReview", resource: "selfsubjectaccessreviews", namespaced: false),
        ResourceKind(group: "authorization.k8s.io", versions: ["v1"], kind: "SelfSubjectRulesReview", resource: "selfsubjectrulesreviews", namespaced: false),
        ResourceKind(group: "authorization.k8s.io", versions: ["v1"], kind: "SubjectAccessReview", resource: "subjectaccessreviews", namespaced: false),

        // MARK: autoscaling
        ResourceKind(
            group: "autoscaling", versions: ["v2", "v1"], kind: "HorizontalPodAutoscaler", resource: "horizontalpodautoscalers", namespaced: true,
            shortNames: ["hpa"], subresources: ["status"]),

        // MARK: batch
        ResourceKind(group: "batch", versions: ["v1"], kind: "CronJob", resource: "cronjobs", namespaced: true, shortNames: ["cj"], subresources: ["status"]),
        ResourceKind(group: "batch", versions: ["v1"], kind: "Job", resource: "jobs", namespaced: true, subresources: ["status"]),

        // MARK: certificates.k8s.io
        ResourceKind(
            group: "certificates.k8s.io", versions: ["v1"], kind: "CertificateSigningRequest", resource: "certificatesigningrequests", namespaced: false,
            shortNames: ["csr"], subresources: ["approval", "status"]),

        // MARK: coordination.k8s.io
        ResourceKind(group: "coordination.k8s.io", versions: ["v1"], kind: "Lease", resource: "leases", namespaced: true),

        // MARK: discovery.k8s.io
        ResourceKind(group: "discovery.k8s.io", versions: ["v1"], kind: "EndpointSlice", resource: "endpointslices", namespaced: true),

        // MARK: events.k8s.io
        ResourceKind(group: "events.k8s.io", versions: ["v1"], kind: "Event", resource: "events", namespaced: true, shortNames: ["ev"]),

        // MARK: flowcontrol.apiserver.k8s.io
        ResourceKind(
            group: "flowcontrol.apiserver.k8s.io", versions: ["v1"], kind: "FlowSchema", resource: "flowschemas", namespaced: false, subresources: ["status"]),
        ResourceKind(
            group: "flowcontrol.apiserver.k8s.io", versions: ["v1"], kind: "PriorityLevelConfiguration", resource: "prioritylevelconfigurations",
            namespaced: false, subresources: ["status"]),

        // MARK: networking.k8s.io
        ResourceKind(group: "networking.k8s.io", versions: ["v1"], kind: "IPAddress", resource: "ipaddresses", namespaced: false),
        ResourceKind(
            group: "networking.k8s.io", versions: ["v1"], kind: "Ingress", resource: "ingresses", namespaced: true, shortNames: ["ing"],
            subresources: ["status"]),
        ResourceKind(group: "networking.k8s.io", versions: ["v1"], kind: "IngressClass", resource: "ingressclasses", namespaced: false),
        ResourceKind(
            group: "networking.k8s.io", versions: ["v1"], kind: "NetworkPolicy", resource: "networkpolicies", namespaced: true, shortNames: ["netpol"]),
        ResourceKind(group: "networking.k8s.io", versions: ["v1"], kind: "ServiceCIDR", resource: "servicecidrs", namespaced: false, subresources: ["status"]),

        // MARK: node.k8s.io
        ResourceKind(group: "node.k8s.io", versions: ["v1"], kind: "RuntimeClass", resource: "runtimeclasses", namespaced: false),

        // MARK: policy
        ResourceKind(
            group: "policy", versions: ["v1"], kind: "PodDisruptionBudget", resource: "poddisruptionbudgets", namespaced: true, shortNames: ["pdb"],
            subresources: ["status"]),

        // MARK: rbac.authorization.k8s.io
        ResourceKind(group: "rbac.authorization.k8s.io", versions: ["v1"], kind: "ClusterRole", resource: "clusterroles", namespaced: false),
        ResourceKind(group: "rbac.authorization.k8s.io", versions: ["v1"], kind: "ClusterRoleBinding", resource: "clusterrolebindings", namespaced: false),
        ResourceKind(group: "rbac.authorization.k8s.io", versions: ["v1"], kind: "Role", resource: "roles", namespaced: true),
        ResourceKind(group: "rbac.authorization.k8s.io", versions: ["v1"], kind: "RoleBinding", resource: "rolebindings", namespaced: true),

        // MARK: resource.k8s.io (DRA, GA in 1.34; v1beta1/v1beta2 are off by default)
        ResourceKind(group: "resource.k8s.io", versions: ["v1"], kind: "DeviceClass", resource: "deviceclasses", namespaced: false),
        ResourceKind(group: "resource.k8s.io", versions: ["v1"], kind: "ResourceClaim", resource: "resourceclaims", namespaced: true, subresources: ["status"]),
        ResourceKind(group: "resource.k8s.io", versions: ["v1"], kind: "ResourceClaimTemplate", resource: "resourceclaimtemplates", namespaced: true),
        ResourceKind(group: "resource.k8s.io", versions: ["v1"], kind: "ResourceSlice", resource: "resourceslices", namespaced: false),

        // MARK: scheduling.k8s.io
        ResourceKind(group: "scheduling.k8s.io", versions: ["v1"], kind: "PriorityClass", resource: "priorityclasses", namespaced: false, shortNames: ["pc"]),

        // MARK: storage.k8s.io
        ResourceKind(group: "storage.k8s.io", versions: ["v1"], kind: "CSIDriver", resource: "csidrivers", namespaced: false),
        ResourceKind(group: "storage.k8s.io", versions: ["v1"], kind: "CSINode", resource: "csinodes", namespaced: false),
        ResourceKind(group: "storage.k8s.io", versions: ["v1"], kind: "CSIStorageCapacity", resource: "csistoragecapacities", namespaced: true),
        ResourceKind(group: "storage.k8s.io", versions: ["v1"], kind: "StorageClass", resource: "storageclasses", namespaced: false, shortNames: ["sc"]),
        ResourceKind(
            group: "storage.k8s.io", versions: ["v1"], kind: "VolumeAttachment", resource: "volumeattachments", namespaced: false, subresources: ["status"]),
        ResourceKind(
            group: "storage.k8s.io", versions: ["v1"], kind: "VolumeAttributesClass", resource: "volumeattributesclasses", namespaced: false,
            shortNames: ["vac"]),
    ]

    /// APIs that Kubernetes has stopped serving, as listed in the Deprecated API Migration Guide
    /// (kubernetes.io/docs/reference/using-api/deprecation-guide/), from 1.16 to 1.32.
    ///
    /// `replacement` is the apiVersion that serves the kind today (for example
    /// `flowcontrol.apiserver.k8s.io/v1` even where the guide first pointed at a later beta that has
    /// since been removed too), or `nil` when the kind is gone (PodSecurityPolicy).
    ///
    /// Sorted by release, then group, version and kind.
    static let removedAPIs: [RemovedAPI] = [
        // MARK: 1.16
        RemovedAPI(group: "apps", version: "v1beta1", kind: "Deployment", removedIn: "1.16", replacement: "apps/v1"),
        RemovedAPI(group: "apps", version: "v1beta1", kind: "ReplicaSet", removedIn: "1.16", replacement: "apps/v1"),
        RemovedAPI(group: "apps", version: "v1beta1", kind: "StatefulSet", removedIn: "1.16", replacement: "apps/v1"),
        RemovedAPI(group: "apps", version: "v1beta2", kind: "DaemonSet", removedIn: "1.16", replacement: "apps/v1"),
        RemovedAPI(group: "apps", version: "v1beta2", kind: "Deployment", removedIn: "1.16", replacement: "apps/v1"),
        RemovedAPI(group: "apps", version: "v1beta2", kind: "ReplicaSet", removedIn: "1.16", replacement: "apps/v1"),
        RemovedAPI(group: "apps", version: "v1beta2", kind: "StatefulSet", removedIn: "1.16", replacement: "apps/v1"),
        RemovedAPI(group: "extensions", version: "v1beta1", kind: "DaemonSet", removedIn: "1.16", replacement: "apps/v1"),
        RemovedAPI(group: "extensions", version: "v1beta1", kind: "Deployment", removedIn: "1.16", replacement: "apps/v1"),
        RemovedAPI(group: "extensions", version: "v1beta1", kind: "NetworkPolicy", removedIn: "1.16", replacement: "networking.k8s.io/v1"),
        RemovedAPI(group: "extensions", version: "v1beta1", kind: "PodSecurityPolicy", removedIn: "1.16", replacement: nil),
        RemovedAPI(group: "extensions", version: "v1beta1", kind: "ReplicaSet", removedIn: "1.16", replacement: "apps/v1"),

        // MARK: 1.22
        RemovedAPI(
            group: "admissionregistration.k8s.io", version: "v1beta1", kind: "MutatingWebhookConfiguration", removedIn: "1.22",
            replacement: "admissionregistration.k8s.io/v1"),
        RemovedAPI(
            group: "admissionregistration.k8s.io", version: "v1beta1", kind: "ValidatingWebhookConfiguration", removedIn: "1.22",
            replacement: "admissionregistration.k8s.io/v1"),
        RemovedAPI(
            group: "apiextensions.k8s.io", version: "v1beta1", kind: "CustomResourceDefinition", removedIn: "1.22", replacement: "apiextensions.k8s.io/v1"),
        RemovedAPI(group: "apiregistration.k8s.io", version: "v1beta1", kind: "APIService", removedIn: "1.22", replacement: "apiregistration.k8s.io/v1"),
        RemovedAPI(group: "authentication.k8s.io", version: "v1beta1", kind: "TokenReview", removedIn: "1.22", replacement: "authentication.k8s.io/v1"),
        RemovedAPI(
            group: "authorization.k8s.io", version: "v1beta1", kind: "LocalSubjectAccessReview", removedIn: "1.22", replacement: "authorization.k8s.io/v1"),
        RemovedAPI(
            group: "authorization.k8s.io", version: "v1beta1", kind: "SelfSubjectAccessReview", removedIn: "1.22", replacement: "authorization.k8s.io/v1"),
        RemovedAPI(group: "authorization.k8s.io", version: "v1beta1", kind: "SubjectAccessReview", removedIn: "1.22", replacement: "authorization.k8s.io/v1"),
        RemovedAPI(
            group: "certificates.k8s.io", version: "v1beta1", kind: "CertificateSigningRequest", removedIn: "1.22", replacement: "certificates.k8s.io/v1"),
        RemovedAPI(group: "coordination.k8s.io", version: "v1beta1", kind: "Lease", removedIn: "1.22", replacement: "coordination.k8s.io/v1"),
        RemovedAPI(group: "extensions", version: "v1beta1", kind: "Ingress", removedIn: "1.22", replacement: "networking.k8s.io/v1"),
        RemovedAPI(group: "networking.k8s.io", version: "v1beta1", kind: "Ingress", removedIn: "1.22", replacement: "networking.k8s.io/v1"),
        RemovedAPI(group: "networking.k8s.io", version: "v1beta1", kind: "IngressClass", removedIn: "1.22", replacement: "networking.k8s.io/v1"),
        RemovedAPI(group: "rbac.authorization.k8s.io", version: "v1beta1", kind: "ClusterRole", removedIn: "1.22", replacement: "rbac.authorization.k8s.io/v1"),
        RemovedAPI(
            group: "rbac.authorization.k8s.io", version: "v1beta1", kind: "ClusterRoleBinding", removedIn: "1.22", replacement: "rbac.authorization.k8s.io/v1"),
        RemovedAPI(group: "rbac.authorization.k8s.io", version: "v1beta1", kind: "Role", removedIn: "1.22", replacement: "rbac.authorization.k8s.io/v1"),
        RemovedAPI(group: "rbac.authorization.k8s.io", version: "v1beta1", kind: "RoleBinding", removedIn: "1.22", replacement: "rbac.authorization.k8s.io/v1"),
        RemovedAPI(group: "scheduling.k8s.io", version: "v1beta1", kind: "PriorityClass", removedIn: "1.22", replacement: "scheduling.k8s.io/v1"),
        RemovedAPI(group: "storage.k8s.io", version: "v1beta1", kind: "CSIDriver", removedIn: "1.22", replacement: "storage.k8s.io/v1"),
        RemovedAPI(group: "storage.k8s.io", version: "v1beta1", kind: "CSINode", removedIn: "1.22", replacement: "storage.k8s.io/v1"),
        RemovedAPI(group: "storage.k8s.io", version: "v1beta1", kind: "StorageClass", removedIn: "1.22", replacement: "storage.k8s.io/v1"),
        RemovedAPI(group: "storage.k8s.io", version: "v1beta1", kind: "VolumeAttachment", removedIn: "1.22", replacement: "storage.k8s.io/v1"),

        // MARK: 1.25
        RemovedAPI(group: "autoscaling", version: "v2beta1", kind: "HorizontalPodAutoscaler", removedIn: "1.25", replacement: "autoscaling/v2"),
        RemovedAPI(group: "batch", version: "v1beta1", kind: "CronJob", removedIn: "1.25", replacement: "batch/v1"),
        RemovedAPI(group: "discovery.k8s.io", version: "v1beta1", kind: "EndpointSlice", removedIn: "1.25", replacement: "discovery.k8s.io/v1"),
        RemovedAPI(group: "events.k8s.io", version: "v1beta1", kind: "Event", removedIn: "1.25", replacement: "events.k8s.io/v1"),
        RemovedAPI(group: "node.k8s.io", version: "v1beta1", kind: "RuntimeClass", removedIn: "1.25", replacement: "node.k8s.io/v1"),
        RemovedAPI(group: "policy", version: "v1beta1", kind: "PodDisruptionBudget", removedIn: "1.25", replacement: "policy/v1"),
        RemovedAPI(group: "policy", version: "v1beta1", kind: "PodSecurityPolicy", removedIn: "1.25", replacement: nil),

        // MARK: 1.26
        RemovedAPI(group: "autoscaling", version: "v2beta2", kind: "HorizontalPodAutoscaler", removedIn: "1.26", replacement: "autoscaling/v2"),
        RemovedAPI(
            group: "flowcontrol.apiserver.k8s.io", version: "v1beta1", kind: "FlowSchema", removedIn: "1.26", replacement: "flowcontrol.apiserver.k8s.io/v1"),
        RemovedAPI(
            group: "flowcontrol.apiserver.k8s.io", version: "v1beta1", kind: "PriorityLevelConfiguration", removedIn: "1.26",
            replacement: "flowcontrol.apiserver.k8s.io/v1"),

        // MARK: 1.27
        RemovedAPI(group: "storage.k8s.io", version: "v1beta1", kind: "CSIStorageCapacity", removedIn: "1.27", replacement: "storage.k8s.io/v1"),

        // MARK: 1.29
        RemovedAPI(
            group: "flowcontrol.apiserver.k8s.io", version: "v1beta2", kind: "FlowSchema", removedIn: "1.29", replacement: "flowcontrol.apiserver.k8s.io/v1"),
        RemovedAPI(
            group: "flowcontrol.apiserver.k8s.io", version: "v1beta2", kind: "PriorityLevelConfiguration", removedIn: "1.29",
            replacement: "flowcontrol.apiserver.k8s.io/v1"),

        // MARK: 1.32
        RemovedAPI(
            group: "flowcontrol.apiserver.k8s.io", version: "v1beta3", kind: "FlowSchema", removedIn: "1.32", replacement: "flowcontrol.apiserver.k8s.io/v1"),
        RemovedAPI(
            group: "flowcontrol.apiserver.k8s.io", version: "v1beta3", kind: "PriorityLevelConfiguration", removedIn: "1.32",
            replacement: "flowcontrol.apiserver.k8s.io/v1"),
    ]
}
