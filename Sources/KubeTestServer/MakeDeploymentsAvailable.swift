public import KubeModel

/// A change hook for ``KubeTestServer/onChange(_:)`` that plays the Deployment controller: every
/// Deployment written becomes available at once (its status says all replicas are updated,
/// ready and available, with the `Available` and `Progressing` conditions the controller sets),
/// so that tests of `--wait` need no controller.
public func makeDeploymentsAvailable(_ object: inout KubeObject, _ event: ChangeEvent) {
    guard event.kind != .deleted, event.resource == "deployments" else { return }
    let replicas = object.content[path: ["spec", "replicas"]] ?? 1
    object.content["status"] = [
        "observedGeneration": object.content[path: ["metadata", "generation"]] ?? 1,
        "replicas": replicas, "updatedReplicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
        "conditions": [
            ["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"],
            ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"],
        ],
    ]
}
