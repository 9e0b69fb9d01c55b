// Kubernetes' bootstrap policy, as kube-apiserver v1.36.2 creates it at start-up
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy): read from the real API server of
// ../shared/kube with `kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -l
// kubernetes.io/bootstrapping=rbac-defaults` (OpenShift's additions in that fork left out).
// RealClusterBootstrapTests checks it against that server.

extension BootstrapPolicy {
    /// Kubernetes' default ClusterRoles, aggregated ones (`admin`, `edit`, `view`) with their
    /// aggregation rule only, as a cluster creates them.
    public static let defaultClusterRoles: [RBACRole] = [
        aggregated("admin", selecting: "rbac.authorization.k8s.io/aggregate-to-admin", labels: [:]),
        RBACRole(
            kind: .clusterRole, name: "cluster-admin",
            rules: [
                PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
                PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
            ]),
        aggregated("edit", selecting: "rbac.authorization.k8s.io/aggregate-to-edit", labels: ["rbac.authorization.k8s.io/aggregate-to-admin": "true"]),
        RBACRole(
            kind: .clusterRole, name: "system:aggregate-to-admin",
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], apiGroups: ["rbac.authorization.k8s.io"],
                    resources: ["rolebindings", "roles"]),
            ],
            labels: ["rbac.authorization.k8s.io/aggregate-to-admin": "true"]),
        RBACRole(
            kind: .clusterRole, name: "system:aggregate-to-edit",
            rules: [
                PolicyRule(
                    verbs: ["get", "list", "watch"], apiGroups: [""],
                    resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
                PolicyRule(verbs: ["impersonate"], apiGroups: [""], resources: ["serviceaccounts"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: [""],
                    resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods/eviction"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: [""],
                    resources: [
                        "configmaps", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts",
                        "services", "services/proxy",
                    ]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"]),
                PolicyRule(verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: ["apps"],
                    resources: [
                        "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets",
                        "statefulsets/scale",
                    ]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"]),
                PolicyRule(verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: ["batch"], resources: ["cronjobs", "jobs"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: ["extensions"],
                    resources: [
                        "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies", "replicasets",
                        "replicasets/scale", "replicationcontrollers/scale",
                    ]),
                PolicyRule(verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: ["policy"], resources: ["poddisruptionbudgets"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: ["networking.k8s.io"],
                    resources: ["ingresses", "networkpolicies"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], apiGroups: ["coordination.k8s.io"],
                    resources: ["leases"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: ["resource.k8s.io"],
                    resources: ["resourceclaims", "resourceclaimtemplates"]),
            ],
            labels: ["rbac.authorization.k8s.io/aggregate-to-edit": "true"]),
        RBACRole(
            kind: .clusterRole, name: "system:aggregate-to-view",
            rules: [
                PolicyRule(
                    verbs: ["get", "list", "watch"], apiGroups: [""],
                    resources: [
                        "configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                        "replicationcontrollers/scale", "serviceaccounts", "services", "services/status",
                    ]),
                PolicyRule(
                    verbs: ["get", "list", "watch"], apiGroups: [""],
                    resources: [
                        "bindings", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas",
                        "resourcequotas/status",
                    ]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["namespaces"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"]),
                PolicyRule(
                    verbs: ["get", "list", "watch"], apiGroups: ["apps"],
                    resources: [
                        "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets",
                        "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status",
                    ]),
                PolicyRule(
                    verbs: ["get", "list", "watch"], apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["batch"], resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
                PolicyRule(
                    verbs: ["get", "list", "watch"], apiGroups: ["extensions"],
                    resources: [
                        "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status",
                        "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale",
                    ]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["policy"], resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
                PolicyRule(
                    verbs: ["get", "list", "watch"], apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingresses/status", "networkpolicies"]),
                PolicyRule(
                    verbs: ["get", "list", "watch"], apiGroups: ["resource.k8s.io"],
                    resources: ["resourceclaims", "resourceclaims/status", "resourceclaimtemplates"]),
            ],
            labels: ["rbac.authorization.k8s.io/aggregate-to-view": "true"]),
        RBACRole(
            kind: .clusterRole, name: "system:auth-delegator",
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:basic-user",
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/nodeclient"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/selfnodeclient"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:certificates.k8s.io:kube-apiserver-client-approver",
            rules: [
                PolicyRule(
                    verbs: ["approve"], apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/kube-apiserver-client"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
            rules: [
                PolicyRule(
                    verbs: ["approve"], apiGroups: ["certificates.k8s.io"], resources: ["signers"],
                    resourceNames: ["kubernetes.io/kube-apiserver-client-kubelet"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:certificates.k8s.io:kubelet-serving-approver",
            rules: [
                PolicyRule(verbs: ["approve"], apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/kubelet-serving"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:certificates.k8s.io:legacy-unknown-approver",
            rules: [
                PolicyRule(verbs: ["approve"], apiGroups: ["certificates.k8s.io"], resources: ["signers"], resourceNames: ["kubernetes.io/legacy-unknown"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:attachdetach-controller",
            rules: [
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims", "persistentvolumes"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["nodes/status"]),
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(verbs: ["create", "delete", "get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["csidrivers"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["csinodes"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:certificate-controller",
            rules: [
                PolicyRule(verbs: ["delete", "get", "list", "watch"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"]),
                PolicyRule(
                    verbs: ["update"], apiGroups: ["certificates.k8s.io"],
                    resources: ["certificatesigningrequests/approval", "certificatesigningrequests/status"]),
                PolicyRule(
                    verbs: ["approve"], apiGroups: ["certificates.k8s.io"], resources: ["signers"],
                    resourceNames: ["kubernetes.io/kube-apiserver-client-kubelet"]),
                PolicyRule(
                    verbs: ["sign"], apiGroups: ["certificates.k8s.io"], resources: ["signers"],
                    resourceNames: [
                        "kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving",
                        "kubernetes.io/legacy-unknown",
                    ]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:clusterrole-aggregation-controller",
            rules: [
                PolicyRule(
                    verbs: ["escalate", "get", "list", "patch", "update", "watch"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:cronjob-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: ["batch"], resources: ["cronjobs"]),
                PolicyRule(verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], apiGroups: ["batch"], resources: ["jobs"]),
                PolicyRule(verbs: ["update"], apiGroups: ["batch"], resources: ["cronjobs/status"]),
                PolicyRule(verbs: ["update"], apiGroups: ["batch"], resources: ["cronjobs/finalizers"]),
                PolicyRule(verbs: ["delete", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:daemon-set-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["apps", "extensions"], resources: ["daemonsets"]),
                PolicyRule(verbs: ["update"], apiGroups: ["apps", "extensions"], resources: ["daemonsets/status"]),
                PolicyRule(verbs: ["update"], apiGroups: ["apps", "extensions"], resources: ["daemonsets/finalizers"]),
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["create", "delete", "list", "patch", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods/binding"]),
                PolicyRule(verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], apiGroups: ["apps"], resources: ["controllerrevisions"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:deployment-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: ["apps", "extensions"], resources: ["deployments"]),
                PolicyRule(verbs: ["update"], apiGroups: ["apps", "extensions"], resources: ["deployments/status"]),
                PolicyRule(verbs: ["update"], apiGroups: ["apps", "extensions"], resources: ["deployments/finalizers"]),
                PolicyRule(
                    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], apiGroups: ["apps", "extensions"], resources: ["replicasets"]),
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:device-taint-eviction-controller",
            rules: [
                PolicyRule(verbs: ["delete", "get", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["pods/status"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["resource.k8s.io"], resources: ["resourceclaims"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["resource.k8s.io"], resources: ["resourceslices"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["resource.k8s.io"], resources: ["deviceclasses"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:disruption-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["apps", "extensions"], resources: ["deployments"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["apps", "extensions"], resources: ["replicasets"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["replicationcontrollers"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["policy"], resources: ["poddisruptionbudgets"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["apps"], resources: ["statefulsets"]),
                PolicyRule(verbs: ["update"], apiGroups: ["policy"], resources: ["poddisruptionbudgets/status"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["pods/status"]),
                PolicyRule(verbs: ["get"], apiGroups: ["*"], resources: ["*/scale"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:endpoint-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "services"]),
                PolicyRule(verbs: ["create", "delete", "get", "list", "update", "watch"], apiGroups: [""], resources: ["endpoints"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["endpoints/restricted"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:endpointslice-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["nodes", "pods", "services"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["services/finalizers"]),
                PolicyRule(verbs: ["create", "delete", "get", "list", "update", "watch"], apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"]),
                PolicyRule(verbs: ["create"], apiGroups: ["discovery.k8s.io"], resources: ["endpointslices/restricted"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:endpointslicemirroring-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["endpoints", "services"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["services/finalizers"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["endpoints/finalizers"]),
                PolicyRule(verbs: ["create", "delete", "get", "list", "update", "watch"], apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"]),
                PolicyRule(verbs: ["create"], apiGroups: ["discovery.k8s.io"], resources: ["endpointslices/restricted"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:ephemeral-volume-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["pods/finalizers"]),
                PolicyRule(verbs: ["create", "get", "list", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:expand-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "patch", "update", "watch"], apiGroups: [""], resources: ["persistentvolumes"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["persistentvolumeclaims/status"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:generic-garbage-collector",
            rules: [
                PolicyRule(verbs: ["delete", "get", "list", "patch", "update", "watch"], apiGroups: ["*"], resources: ["*"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:horizontal-pod-autoscaler",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"]),
                PolicyRule(verbs: ["update"], apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers/status"]),
                PolicyRule(verbs: ["get", "update"], apiGroups: ["*"], resources: ["*/scale"]),
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["list", "watch"], apiGroups: ["metrics.k8s.io"], resources: ["pods"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["custom.metrics.k8s.io"], resources: ["*"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["external.metrics.k8s.io"], resources: ["*"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:job-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "patch", "update", "watch"], apiGroups: ["batch"], resources: ["jobs"]),
                PolicyRule(verbs: ["update"], apiGroups: ["batch"], resources: ["jobs/status"]),
                PolicyRule(verbs: ["update"], apiGroups: ["batch"], resources: ["jobs/finalizers"]),
                PolicyRule(verbs: ["create", "delete", "list", "patch", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:legacy-service-account-token-cleaner",
            rules: [
                PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["kube-apiserver-legacy-service-account-token-tracking"]),
                PolicyRule(verbs: ["delete", "patch"], apiGroups: [""], resources: ["secrets"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:namespace-controller",
            rules: [
                PolicyRule(verbs: ["delete", "get", "list", "watch"], apiGroups: [""], resources: ["namespaces"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["namespaces/finalize", "namespaces/status"]),
                PolicyRule(verbs: ["delete", "deletecollection", "get", "list", "watch"], apiGroups: ["*"], resources: ["*"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:node-controller",
            rules: [
                PolicyRule(verbs: ["delete", "get", "list", "patch", "update", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["nodes/status"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["pods/status"]),
                PolicyRule(verbs: ["delete", "get", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:persistent-volume-binder",
            rules: [
                PolicyRule(verbs: ["create", "delete", "get", "list", "update", "watch"], apiGroups: [""], resources: ["persistentvolumes"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["persistentvolumes/status"]),
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["persistentvolumeclaims/status"]),
                PolicyRule(verbs: ["create", "delete", "get", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["storageclasses"]),
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(verbs: ["watch"], apiGroups: [""], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:pod-garbage-collector",
            rules: [
                PolicyRule(verbs: ["delete", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["patch"], apiGroups: [""], resources: ["pods/status"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:pv-protection-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: [""], resources: ["persistentvolumes"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:pvc-protection-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["persistentvolumeclaims/status"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:replicaset-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: ["apps", "extensions"], resources: ["replicasets"]),
                PolicyRule(verbs: ["update"], apiGroups: ["apps", "extensions"], resources: ["replicasets/status"]),
                PolicyRule(verbs: ["update"], apiGroups: ["apps", "extensions"], resources: ["replicasets/finalizers"]),
                PolicyRule(verbs: ["create", "delete", "list", "patch", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:replication-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: [""], resources: ["replicationcontrollers"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["replicationcontrollers/status"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["replicationcontrollers/finalizers"]),
                PolicyRule(verbs: ["create", "delete", "list", "patch", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:resource-claim-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["pods/finalizers"]),
                PolicyRule(verbs: ["create", "delete", "get", "list", "watch"], apiGroups: ["resource.k8s.io"], resources: ["resourceclaims"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: ["resource.k8s.io"], resources: ["resourceclaims", "resourceclaims/status"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["pods/status"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: ["resource.k8s.io"], resources: ["resourceclaims/binding"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:resourcequota-controller",
            rules: [
                PolicyRule(verbs: ["list", "watch"], apiGroups: ["*"], resources: ["*"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["resourcequotas/status"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:root-ca-cert-publisher",
            rules: [
                PolicyRule(verbs: ["create", "update"], apiGroups: [""], resources: ["configmaps"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:route-controller",
            rules: [
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["patch"], apiGroups: [""], resources: ["nodes/status"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:selinux-warning-controller",
            rules: [
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["persistentvolumes"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["csidrivers"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:service-account-controller",
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:service-cidrs-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "patch", "update", "watch"], apiGroups: ["networking.k8s.io"], resources: ["servicecidrs"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: ["networking.k8s.io"], resources: ["servicecidrs/finalizers"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: ["networking.k8s.io"], resources: ["servicecidrs/status"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["networking.k8s.io"], resources: ["ipaddresses"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:service-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["services"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["services/status"]),
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:statefulset-controller",
            rules: [
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["apps"], resources: ["statefulsets"]),
                PolicyRule(verbs: ["update"], apiGroups: ["apps"], resources: ["statefulsets/status"]),
                PolicyRule(verbs: ["update"], apiGroups: ["apps"], resources: ["statefulsets/finalizers"]),
                PolicyRule(verbs: ["create", "delete", "get", "patch", "update"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], apiGroups: ["apps"], resources: ["controllerrevisions"]),
                PolicyRule(verbs: ["create", "get", "list", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
                PolicyRule(verbs: ["delete", "update"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["pods/finalizers"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:ttl-after-finished-controller",
            rules: [
                PolicyRule(verbs: ["delete", "get", "list", "watch"], apiGroups: ["batch"], resources: ["jobs"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:ttl-controller",
            rules: [
                PolicyRule(verbs: ["list", "patch", "update", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:validatingadmissionpolicy-status-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingadmissionpolicies"]),
                PolicyRule(verbs: ["get", "patch", "update"], apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingadmissionpolicies/status"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:controller:volumeattributesclass-protection-controller",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["persistentvolumes"]),
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: ["storage.k8s.io"], resources: ["volumeattributesclasses"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:discovery",
            rules: [
                PolicyRule(
                    verbs: ["get"],
                    nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:heapster",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["events", "namespaces", "nodes", "pods"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["extensions"], resources: ["deployments"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:kube-aggregator",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["endpoints", "services"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:kube-controller-manager",
            rules: [
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(verbs: ["create"], apiGroups: ["coordination.k8s.io"], resources: ["leases"]),
                PolicyRule(verbs: ["get", "update"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["kube-controller-manager"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["secrets", "serviceaccounts"]),
                PolicyRule(verbs: ["delete"], apiGroups: [""], resources: ["secrets"]),
                PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps", "namespaces", "secrets", "serviceaccounts"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["secrets", "serviceaccounts"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"]),
                PolicyRule(verbs: ["list", "watch"], apiGroups: ["*"], resources: ["*"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:kube-dns",
            rules: [
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["endpoints", "services"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:kube-scheduler",
            rules: [
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(verbs: ["create"], apiGroups: ["coordination.k8s.io"], resources: ["leases"]),
                PolicyRule(
                    verbs: ["get", "list", "update", "watch"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["kube-scheduler"]),
                PolicyRule(
                    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], apiGroups: ["coordination.k8s.io"],
                    resources: ["leasecandidates"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["delete", "get", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["bindings", "pods/binding"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["pods/status"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["replicationcontrollers", "services"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["apps", "extensions"], resources: ["replicasets"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["apps"], resources: ["statefulsets"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["policy"], resources: ["poddisruptionbudgets"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims", "persistentvolumes"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["csinodes"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["namespaces"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["csidrivers"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["csistoragecapacities"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["resource.k8s.io"], resources: ["deviceclasses"]),
                PolicyRule(verbs: ["get", "list", "patch", "update", "watch"], apiGroups: ["resource.k8s.io"], resources: ["resourceclaims"]),
                PolicyRule(verbs: ["get", "list", "patch", "update", "watch"], apiGroups: ["resource.k8s.io"], resources: ["resourceclaims/status"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["pods/finalizers"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["resource.k8s.io"], resources: ["resourceslices"]),
                PolicyRule(verbs: ["create", "delete"], apiGroups: ["resource.k8s.io"], resources: ["resourceclaims"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: ["resource.k8s.io"], resources: ["resourceclaims/binding"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:kubelet-api-admin",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["proxy"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["*"], apiGroups: [""], resources: ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"]),
                PolicyRule(verbs: ["*"], apiGroups: [""], resources: ["nodes/configz", "nodes/healthz", "nodes/pods"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:monitoring",
            rules: [
                PolicyRule(
                    verbs: ["get"],
                    nonResourceURLs: [
                        "/flagz", "/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*", "/statusz",
                    ]),
                PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["nodes/metrics"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:node",
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews", "subjectaccessreviews"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["services"]),
                PolicyRule(verbs: ["create", "get", "list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["nodes/status"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["create", "delete"], apiGroups: [""], resources: ["pods"]),
                PolicyRule(verbs: ["patch", "update"], apiGroups: [""], resources: ["pods/status"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods/eviction"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["configmaps", "secrets"]),
                PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["persistentvolumeclaims", "persistentvolumes"]),
                PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["endpoints"]),
                PolicyRule(verbs: ["create", "get", "list", "watch"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"]),
                PolicyRule(verbs: ["create", "delete", "get", "patch", "update"], apiGroups: ["coordination.k8s.io"], resources: ["leases"]),
                PolicyRule(verbs: ["get"], apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"]),
                PolicyRule(verbs: ["get", "patch", "update"], apiGroups: [""], resources: ["persistentvolumeclaims/status"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["csidrivers"]),
                PolicyRule(verbs: ["create", "delete", "get", "patch", "update"], apiGroups: ["storage.k8s.io"], resources: ["csinodes"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["node.k8s.io"], resources: ["runtimeclasses"]),
                PolicyRule(verbs: ["get"], apiGroups: ["resource.k8s.io"], resources: ["resourceclaims"]),
                PolicyRule(verbs: ["deletecollection"], apiGroups: ["resource.k8s.io"], resources: ["resourceslices"]),
                PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["serviceaccounts"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:node-bootstrapper",
            rules: [
                PolicyRule(verbs: ["create", "get", "list", "watch"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:node-problem-detector",
            rules: [
                PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["patch"], apiGroups: [""], resources: ["nodes/status"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:node-proxier",
            rules: [
                PolicyRule(verbs: ["list", "watch"], apiGroups: [""], resources: ["endpoints", "services"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["nodes"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
                PolicyRule(verbs: ["list", "watch"], apiGroups: ["networking.k8s.io"], resources: ["servicecidrs"]),
                PolicyRule(verbs: ["list", "watch"], apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:persistent-volume-provisioner",
            rules: [
                PolicyRule(verbs: ["create", "delete", "get", "list", "watch"], apiGroups: [""], resources: ["persistentvolumes"]),
                PolicyRule(verbs: ["get", "list", "update", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["storageclasses"]),
                PolicyRule(verbs: ["watch"], apiGroups: [""], resources: ["events"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:public-info-viewer",
            rules: [
                PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:service-account-issuer-discovery",
            rules: [
                PolicyRule(
                    verbs: ["get"],
                    nonResourceURLs: ["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"])
            ]),
        RBACRole(
            kind: .clusterRole, name: "system:volume-scheduler",
            rules: [
                PolicyRule(verbs: ["get", "list", "patch", "update", "watch"], apiGroups: [""], resources: ["persistentvolumes"]),
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: ["storage.k8s.io"], resources: ["storageclasses"]),
                PolicyRule(verbs: ["get", "list", "patch", "update", "watch"], apiGroups: [""], resources: ["persistentvolumeclaims"]),
            ]),
        aggregated("view", selecting: "rbac.authorization.k8s.io/aggregate-to-view", labels: ["rbac.authorization.k8s.io/aggregate-to-edit": "true"]),
    ]

    /// Kubernetes' default Roles (in kube-system and kube-public).
    public static let defaultRoles: [RBACRole] = [
        RBACRole(
            kind: .role, name: "system:controller:bootstrap-signer", namespace: "kube-public",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["configmaps"]),
                PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["cluster-info"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
        RBACRole(
            kind: .role, name: "extension-apiserver-authentication-reader", namespace: "kube-system",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["extension-apiserver-authentication"])
            ]),
        RBACRole(
            kind: .role, name: "system::leader-locking-kube-controller-manager", namespace: "kube-system",
            rules: [
                PolicyRule(verbs: ["create", "get", "list", "update", "watch"], apiGroups: ["coordination.k8s.io"], resources: ["leases"]),
                PolicyRule(verbs: ["create", "get", "list", "update", "watch"], apiGroups: ["coordination.k8s.io"], resources: ["leasecandidates"]),
            ]),
        RBACRole(
            kind: .role, name: "system::leader-locking-kube-scheduler", namespace: "kube-system",
            rules: [
                PolicyRule(verbs: ["create", "get", "list", "update", "watch"], apiGroups: ["coordination.k8s.io"], resources: ["leases"]),
                PolicyRule(verbs: ["create", "get", "list", "update", "watch"], apiGroups: ["coordination.k8s.io"], resources: ["leasecandidates"]),
            ]),
        RBACRole(
            kind: .role, name: "system:controller:bootstrap-signer", namespace: "kube-system",
            rules: [
                PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["secrets"])
            ]),
        RBACRole(
            kind: .role, name: "system:controller:cloud-provider", namespace: "kube-system",
            rules: [
                PolicyRule(verbs: ["create", "get", "list", "watch"], apiGroups: [""], resources: ["configmaps"])
            ]),
        RBACRole(
            kind: .role, name: "system:controller:token-cleaner", namespace: "kube-system",
            rules: [
                PolicyRule(verbs: ["delete", "get", "list", "watch"], apiGroups: [""], resources: ["secrets"]),
                PolicyRule(verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"]),
            ]),
    ]

    /// Kubernetes' default ClusterRoleBindings and RoleBindings.
    public static let defaultBindings: [RBACBinding] = [
        .clusterRoleBinding("cluster-admin", clusterRole: "cluster-admin", subjects: [.group("system:masters")]),
        .clusterRoleBinding("system:basic-user", clusterRole: "system:basic-user", subjects: [.group("system:authenticated")]),
        .clusterRoleBinding(
            "system:controller:attachdetach-controller", clusterRole: "system:controller:attachdetach-controller",
            subjects: [.serviceAccount("attachdetach-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:certificate-controller", clusterRole: "system:controller:certificate-controller",
            subjects: [.serviceAccount("certificate-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:clusterrole-aggregation-controller", clusterRole: "system:controller:clusterrole-aggregation-controller",
            subjects: [.serviceAccount("clusterrole-aggregation-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:cronjob-controller", clusterRole: "system:controller:cronjob-controller",
            subjects: [.serviceAccount("cronjob-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:daemon-set-controller", clusterRole: "system:controller:daemon-set-controller",
            subjects: [.serviceAccount("daemon-set-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:deployment-controller", clusterRole: "system:controller:deployment-controller",
            subjects: [.serviceAccount("deployment-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:device-taint-eviction-controller", clusterRole: "system:controller:device-taint-eviction-controller",
            subjects: [.serviceAccount("device-taint-eviction-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:disruption-controller", clusterRole: "system:controller:disruption-controller",
            subjects: [.serviceAccount("disruption-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:endpoint-controller", clusterRole: "system:controller:endpoint-controller",
            subjects: [.serviceAccount("endpoint-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:endpointslice-controller", clusterRole: "system:controller:endpointslice-controller",
            subjects: [.serviceAccount("endpointslice-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:endpointslicemirroring-controller", clusterRole: "system:controller:endpointslicemirroring-controller",
            subjects: [.serviceAccount("endpointslicemirroring-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:ephemeral-volume-controller", clusterRole: "system:controller:ephemeral-volume-controller",
            subjects: [.serviceAccount("ephemeral-volume-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:expand-controller", clusterRole: "system:controller:expand-controller",
            subjects: [.serviceAccount("expand-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:generic-garbage-collector", clusterRole: "system:controller:generic-garbage-collector",
            subjects: [.serviceAccount("generic-garbage-collector", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:horizontal-pod-autoscaler", clusterRole: "system:controller:horizontal-pod-autoscaler",
            subjects: [.serviceAccount("horizontal-pod-autoscaler", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:job-controller", clusterRole: "system:controller:job-controller",
            subjects: [.serviceAccount("job-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:legacy-service-account-token-cleaner", clusterRole: "system:controller:legacy-service-account-token-cleaner",
            subjects: [.serviceAccount("legacy-service-account-token-cleaner", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:namespace-controller", clusterRole: "system:controller:namespace-controller",
            subjects: [.serviceAccount("namespace-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:node-controller", clusterRole: "system:controller:node-controller",
            subjects: [.serviceAccount("node-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:persistent-volume-binder", clusterRole: "system:controller:persistent-volume-binder",
            subjects: [.serviceAccount("persistent-volume-binder", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:pod-garbage-collector", clusterRole: "system:controller:pod-garbage-collector",
            subjects: [.serviceAccount("pod-garbage-collector", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:pv-protection-controller", clusterRole: "system:controller:pv-protection-controller",
            subjects: [.serviceAccount("pv-protection-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:pvc-protection-controller", clusterRole: "system:controller:pvc-protection-controller",
            subjects: [.serviceAccount("pvc-protection-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:replicaset-controller", clusterRole: "system:controller:replicaset-controller",
            subjects: [.serviceAccount("replicaset-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:replication-controller", clusterRole: "system:controller:replication-controller",
            subjects: [.serviceAccount("replication-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:resource-claim-controller", clusterRole: "system:controller:resource-claim-controller",
            subjects: [.serviceAccount("resource-claim-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:resourcequota-controller", clusterRole: "system:controller:resourcequota-controller",
            subjects: [.serviceAccount("resourcequota-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:root-ca-cert-publisher", clusterRole: "system:controller:root-ca-cert-publisher",
            subjects: [.serviceAccount("root-ca-cert-publisher", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:route-controller", clusterRole: "system:controller:route-controller",
            subjects: [.serviceAccount("route-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:selinux-warning-controller", clusterRole: "system:controller:selinux-warning-controller",
            subjects: [.serviceAccount("selinux-warning-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:service-account-controller", clusterRole: "system:controller:service-account-controller",
            subjects: [.serviceAccount("service-account-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:service-cidrs-controller", clusterRole: "system:controller:service-cidrs-controller",
            subjects: [.serviceAccount("service-cidrs-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:service-controller", clusterRole: "system:controller:service-controller",
            subjects: [.serviceAccount("service-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:statefulset-controller", clusterRole: "system:controller:statefulset-controller",
            subjects: [.serviceAccount("statefulset-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:ttl-after-finished-controller", clusterRole: "system:controller:ttl-after-finished-controller",
            subjects: [.serviceAccount("ttl-after-finished-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:ttl-controller", clusterRole: "system:controller:ttl-controller",
            subjects: [.serviceAccount("ttl-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:validatingadmissionpolicy-status-controller", clusterRole: "system:controller:validatingadmissionpolicy-status-controller",
            subjects: [.serviceAccount("validatingadmissionpolicy-status-controller", namespace: "kube-system")]),
        .clusterRoleBinding(
            "system:controller:volumeattributesclass-protection-controller", clusterRole: "system:controller:volumeattributesclass-protection-controller",
            subjects: [.serviceAccount("volumeattributesclass-protection-controller", namespace: "kube-system")]),
        .clusterRoleBinding("system:discovery", clusterRole: "system:discovery", subjects: [.group("system:authenticated")]),
        .clusterRoleBinding(
            "system:kube-controller-manager", clusterRole: "system:kube-controller-manager", subjects: [.user("system:kube-controller-manager")]),
        .clusterRoleBinding("system:kube-dns", clusterRole: "system:kube-dns", subjects: [.serviceAccount("kube-dns", namespace: "kube-system")]),
        .clusterRoleBinding("system:kube-scheduler", clusterRole: "system:kube-scheduler", subjects: [.user("system:kube-scheduler")]),
        .clusterRoleBinding("system:monitoring", clusterRole: "system:monitoring", subjects: [.group("system:monitoring")]),
        .clusterRoleBinding("system:node", clusterRole: "system:node", subjects: []),
        .clusterRoleBinding("system:node-proxier", clusterRole: "system:node-proxier", subjects: [.user("system:kube-proxy")]),
        .clusterRoleBinding(
            "system:public-info-viewer", clusterRole: "system:public-info-viewer", subjects: [.group("system:authenticated"), .group("system:unauthenticated")]),
        .clusterRoleBinding(
            "system:service-account-issuer-discovery", clusterRole: "system:service-account-issuer-discovery", subjects: [.group("system:serviceaccounts")]),
        .clusterRoleBinding("system:volume-scheduler", clusterRole: "system:volume-scheduler", subjects: [.user("system:kube-scheduler")]),
        .roleBinding(
            "system:controller:bootstrap-signer", namespace: "kube-public", roleRef: RoleRef(kind: "Role", name: "system:controller:bootstrap-signer"),
            subjects: [.serviceAccount("bootstrap-signer", namespace: "kube-system")]),
        .roleBinding(
            "system::extension-apiserver-authentication-reader", namespace: "kube-system",
            roleRef: RoleRef(kind: "Role", name: "extension-apiserver-authentication-reader"),
            subjects: [.user("system:kube-controller-manager"), .user("system:kube-scheduler")]),
        .roleBinding(
            "system::leader-locking-kube-controller-manager", namespace: "kube-system",
            roleRef: RoleRef(kind: "Role", name: "system::leader-locking-kube-controller-manager"),
            subjects: [
                .user("system:kube-controller-manager"), .serviceAccount("kube-controller-manager", namespace: "kube-system"),
                .serviceAccount("leader-election-controller", namespace: "kube-system"),
            ]),
        .roleBinding(
            "system::leader-locking-kube-scheduler", namespace: "kube-system", roleRef: RoleRef(kind: "Role", name: "system::leader-locking-kube-scheduler"),
            subjects: [.user("system:kube-scheduler"), .serviceAccount("kube-scheduler", namespace: "kube-system")]),
        .roleBinding(
            "system:controller:bootstrap-signer", namespace: "kube-system", roleRef: RoleRef(kind: "Role", name: "system:controller:bootstrap-signer"),
            subjects: [.serviceAccount("bootstrap-signer", namespace: "kube-system")]),
        .roleBinding(
            "system:controller:cloud-provider", namespace: "kube-system", roleRef: RoleRef(kind: "Role", name: "system:controller:cloud-provider"),
            subjects: [.serviceAccount("cloud-provider", namespace: "kube-system")]),
        .roleBinding(
            "system:controller:token-cleaner", namespace: "kube-system", roleRef: RoleRef(kind: "Role", name: "system:controller:token-cleaner"),
            subjects: [.serviceAccount("token-cleaner", namespace: "kube-system")]),
    ]
}
