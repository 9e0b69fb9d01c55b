public import KubeModel
import RBAC

/// The API requests each deploy method makes for a set of manifests: the single source of truth
/// for `warrant scope` (which turns them into a Role) and `warrant deploy` (which makes them).
///
/// Grounded in how each tool calls the API:
/// - server-side apply is a PATCH; when the object does not exist the API server also checks
///   `create` for it, with its name (k8s.io/apiserver `pkg/endpoints/handlers/patch.go`,
///   `createAuthorizerAttributes`);
/// - client-side `kubectl apply` GETs the live object, then POSTs it or sends a strategic-merge
///   PATCH (k8s.io/kubectl `pkg/cmd/apply/patcher.go`, `apply.go`);
/// - ApplySet pruning (KEP-3659, kubectl `pkg/cmd/apply/applyset.go` and `applyset_pruner.go`)
///   reads and server-side-applies the parent object, LISTs every member group-kind by the
///   `applyset.kubernetes.io/part-of` label and DELETEs members no longer applied; `warrant deploy`
///   does the same except for Secrets, which it prunes by the names it recorded, because a LIST of
///   Secrets returns their contents;
/// - `kubectl rollout status` watches the workload by name (list and watch with a
///   `metadata.name` field selector) after a GET (kubectl `pkg/cmd/rollout/rollout_status.go`);
/// - Helm 3 keeps each release revision in a Secret it gets, lists (by label), creates, updates
///   and deletes (helm `pkg/storage/driver/secrets.go`; ConfigMaps with `HELM_DRIVER=configmap`,
///   `cfgmaps.go`, which spares the deployer from listing Secrets), reads current objects for its three-way
///   merge before creating or patching them and deletes objects dropped from the chart
///   (helm `pkg/kube/client.go`), and with `--wait` lists a Deployment's ReplicaSets and pods
///   (helm `pkg/kube/ready.go`);
/// - leader election with a Lease (client-go `tools/leaderelection/resourcelock/leaselock.go`)
///   gets the Lease and updates it with the `resourceVersion` read; `warrant deploy` holds one
///   per ApplySet, and appends its record to the history ConfigMap the same way.
public enum RequestPlanner {
    /// Kinds whose readiness `--wait` follows, and whose pods it reads to fail fast.
    public static let workloadKinds: Set<GroupKind> = [
        GroupKind(group: "apps", kind: "Deployment"), GroupKind(group: "apps", kind: "StatefulSet"),
        GroupKind(group: "apps", kind: "DaemonSet"), GroupKind(group: "apps", kind: "ReplicaSet"),
        GroupKind(group: "batch", kind: "Job"), GroupKind(group: "", kind: "ReplicationController"),
    ]

    /// Per kind and verb, the objects named in planned requests; the rest are counted in the last
    /// one's ``PlannedRequest/otherObjects``. The requests of objects of one kind differ only in
    /// the name, which no rule depends on: `scope --explain` names five and counts the others.
    public static let namedObjectsPerRequest = 5

    /// The requests `method` makes to deploy `objects` (namespaced objects of known kinds) with
    /// `options`; objects without a namespace are named as in `namespace` when it is given. Per
    /// kind and verb at most ``namedObjectsPerRequest`` objects are named, the rest counted.
    public static func requests(
        for objects: [KubeObject], kinds: KindTable, method: DeployMethod, options: DeployOptions, namespace: String? = nil
    ) -> [PlannedRequest] {
        var requests: [PlannedRequest] = []
        let appliedKinds = objectRequests(for: objects, kinds: kinds, method: method, namespace: namespace, into: &requests)
        if method == .warrant { requests += memberListRequests(appliedKinds) }
        if options.prune && method != .helm { requests += pruneRequests(appliedKinds, method: method, options: options) }
        if options.wait { requests += waitRequests(appliedKinds, method: method) }
        requests += bookkeepingRequests(method: method, options: options)
        return requests
    }

    /// The requests on each applied object, appended to `requests`; returns the kinds applied,
    /// in the order first met.
    private static func objectRequests(
        for objects: [KubeObject], kinds: KindTable, method: DeployMethod, namespace: String?, into requests: inout [PlannedRequest]
    ) -> [ResourceKind] {
        let verbs = objectVerbs(method)
        var appliedKinds: [ResourceKind] = []
        var seenKinds: Set<GroupKind> = []
        // Per kind: how many objects were named, and where each verb's last named request is.
        var named: [GroupKind: (count: Int, last: [String: Int])] = [:]
        for object in objects {
            guard let kind = kinds.kind(object.groupKind), kind.namespaced else { continue }
            if seenKinds.insert(object.groupKind).inserted { appliedKinds.append(kind) }
            let groupKind = object.groupKind
            let namedSoFar = named[groupKind]?.count ?? 0
            let countsOnly = namedSoFar >= namedObjectsPerRequest
            named[groupKind, default: (0, [:])].count = namedSoFar + 1
            let displayName =
                countsOnly ? "" : object.namespace == nil ? namespace.map { "\(object.kind) \($0)/\(object.name)" } ?? object.displayName : object.displayName
            for (verb, reason) in verbs {
                if countsOnly, let index = named[groupKind]?.last[verb] {
                    requests[index].otherObjects += 1
                    continue
                }
                named[groupKind]?.last[verb] = requests.count
                requests.append(
                    PlannedRequest(
                        verb: verb, apiGroup: kind.group, resource: kind.resource, objectName: object.name, reason: reason,
                        object: displayName, source: object.source))
            }
        }
        return appliedKinds
    }

    /// The verbs `method` uses on every object it applies, and why, in the order it uses them.
    private static func objectVerbs(_ method: DeployMethod) -> [(verb: String, reason: String)] {
        switch method {
        case .warrant:
            [
                ("get", "warrant deploy reads a live object it cannot list (a Secret, or one not yet in the set) and for --diff"),
                ("patch", "server-side apply is a PATCH"),
                ("create", "server-side apply of a missing object is also authorized as create (apiserver handlers/patch.go)"),
            ]
        case .kubectl:
            [
                ("get", "kubectl apply reads the live object for its three-way merge (kubectl apply/patcher.go)"),
                ("create", "kubectl apply creates missing objects"),
                ("patch", "kubectl apply sends a strategic-merge patch to existing objects"),
            ]
        case .kubectlSSA:
            [
                ("patch", "kubectl apply --server-side sends an apply PATCH"),
                ("create", "server-side apply of a missing object is also authorized as create (apiserver handlers/patch.go)"),
            ]
        case .helm:
            [
                ("get", "Helm reads current objects for its three-way merge (helm pkg/kube/client.go)"),
                ("create", "Helm creates new objects"),
                ("patch", "Helm patches changed objects"),
                ("delete", "Helm deletes objects removed from the chart on upgrade"),
            ]
        }
    }

    /// `warrant deploy`'s one list per applied kind, by the ApplySet's part-of label, which finds
    /// the live members that would not change: no request per object. Secrets are read one by one
    /// (a list of Secrets returns every Secret's contents).
    private static func memberListRequests(_ appliedKinds: [ResourceKind]) -> [PlannedRequest] {
        appliedKinds.filter { !($0.group.isEmpty && $0.resource == "secrets") }.map { kind in
            PlannedRequest(
                verb: "list", apiGroup: kind.group, resource: kind.resource,
                reason: "warrant deploy lists the set's \(kind.kind) members once to skip unchanged objects")
        }
    }

    /// ApplySet pruning: list and delete of every applied kind, and the parent ConfigMap.
    private static func pruneRequests(_ appliedKinds: [ResourceKind], method: DeployMethod, options: DeployOptions) -> [PlannedRequest] {
        var requests: [PlannedRequest] = []
        for kind in appliedKinds {
            if method == .warrant, kind.group.isEmpty, kind.resource == "secrets" {
                // Listing Secrets returns their contents. Warrant prunes Secrets by the names it
                // recorded in the ApplySet parent instead, so its credential never lists them.
                requests.append(
                    PlannedRequest(
                        verb: "delete", apiGroup: "", resource: "secrets",
                        reason: "pruning deletes Secrets that left the manifests, by the names recorded in the ApplySet parent (no list)"))
                continue
            }
            requests.append(
                PlannedRequest(
                    verb: "list", apiGroup: kind.group, resource: kind.resource,
                    reason: "pruning lists the ApplySet's \(kind.kind) members by the applyset.kubernetes.io/part-of label"))
            requests.append(
                PlannedRequest(
                    verb: "delete", apiGroup: kind.group, resource: kind.resource,
                    reason: "pruning deletes \(kind.kind) members that left the manifests"))
        }
        for verb in ["get", "patch", "create"] {
            requests.append(request(verb, "", "configmaps", name: options.applySetName, "the ApplySet parent ConfigMap records the set's members (KEP-3659)"))
        }
        return requests
    }

    /// What waiting for the applied workloads reads.
    private static func waitRequests(_ appliedKinds: [ResourceKind], method: DeployMethod) -> [PlannedRequest] {
        let workloads = appliedKinds.filter { workloadKinds.contains(GroupKind(group: $0.group, kind: $0.kind)) }
        let hasDeployment = workloads.contains { $0.kind == "Deployment" }
        var requests: [PlannedRequest] = []
        switch method {
        case .warrant:
            if !workloads.isEmpty {
                requests.append(request("list", "", "pods", "waiting reads the workloads' pods to fail fast on ImagePullBackOff or CrashLoopBackOff"))
                requests.append(request("list", "", "events", "a failed wait reports the pod's last events"))
            }
            if hasDeployment {
                requests.append(request("list", "apps", "replicasets", "waiting finds a Deployment's current ReplicaSet and its pods"))
            }
        case .kubectl, .kubectlSSA:
            for kind in workloads {
                for verb in ["list", "watch"] {
                    requests.append(
                        PlannedRequest(
                            verb: verb, apiGroup: kind.group, resource: kind.resource,
                            reason: "kubectl rollout status watches the \(kind.kind) by name (rollout_status.go)"))
                }
            }
        case .helm:
            if hasDeployment {
                requests.append(request("list", "apps", "replicasets", "helm --wait lists a Deployment's ReplicaSets (helm pkg/kube/ready.go)"))
            }
            if !workloads.isEmpty {
                requests.append(request("list", "", "pods", "helm --wait lists the workloads' pods (helm pkg/kube/ready.go)"))
            }
        }
        return requests
    }

    /// What the method keeps beside the objects: `warrant deploy`'s record, Lease and Event;
    /// Helm's release storage.
    private static func bookkeepingRequests(method: DeployMethod, options: DeployOptions) -> [PlannedRequest] {
        var requests: [PlannedRequest] = []
        switch method {
        case .warrant:
            for verb in ["get", "patch", "create"] {
                requests.append(request(verb, "", "configmaps", name: options.historyName, "the deployment record is kept in this ConfigMap"))
            }
            requests.append(
                request(
                    "update", "", "configmaps", name: options.historyName,
                    "records are appended by compare-and-swap: an update carrying the resourceVersion read, so concurrent deploys lose none"))
            // One Lease per ApplySet serialises its deploys (client-go leader election's
            // resourcelock.LeaseLock: get, then update with the resourceVersion read). Created by a
            // server-side apply of its labels, which is authorized as create with the Lease's
            // name (apiserver handlers/patch.go), so no create on every Lease is needed.
            for (verb, reason) in [
                ("get", "warrant deploy reads the Lease that serialises deploys of the ApplySet"),
                ("create", "a missing Lease is created by server-side apply, authorized as create with its name (apiserver handlers/patch.go)"),
                ("patch", "a missing Lease is created by server-side apply of its labels"),
                ("update", "the Lease is taken, renewed and released by updates carrying its resourceVersion (client-go leaderelection)"),
            ] {
                requests.append(request(verb, "coordination.k8s.io", "leases", name: options.applySetName, reason))
            }
            requests.append(request("create", "", "events", "each deploy emits a Kubernetes Event naming who deployed what"))
        case .helm:
            let storage = options.helmStorage == .configMap ? "configmaps" : "secrets"
            let driver = options.helmStorage == .configMap ? "HELM_DRIVER=configmap, helm pkg/storage/driver/cfgmaps.go" : "helm pkg/storage/driver/secrets.go"
            for verb in ["get", "list", "create", "update", "delete"] {
                requests.append(request(verb, "", storage, "Helm stores release revisions in \(storage == "secrets" ? "Secrets" : "ConfigMaps") (\(driver))"))
            }
        case .kubectl, .kubectlSSA:
            break
        }
        return requests
    }

    /// A request not caused by one object.
    private static func request(_ verb: String, _ group: String, _ resource: String, name: String? = nil, _ reason: String) -> PlannedRequest {
        PlannedRequest(verb: verb, apiGroup: group, resource: resource, resourceName: name, reason: reason)
    }
}
