import Crypto
import Foundation
import KubeModel
import RBAC

/// Everything the server knows, kept behind one lock in ``KubeTestServer``: the objects, the
/// kinds it serves, the users and tokens, the RBAC policy built from the stored RBAC objects,
/// the recorded requests and the injected faults.
struct ServerState: Sendable {
    /// A token minted by TokenRequest or the token controller, bound to a ServiceAccount.
    struct BoundToken: Sendable {
        var namespace: String
        var name: String
        var uid: String
        var expires: Date?
        /// The token's `jti` claim, for a TokenRequest token (the audit log's credential ID).
        var jti: String? = nil
        /// The token Secret that holds it, for a legacy token.
        var secretName: String? = nil
    }

    /// A write a hook or the token controller reacts to.
    struct Change: Sendable {
        var key: ObjectKey
        var object: KubeObject
        var event: ChangeEvent
    }

    let configuration: KubeTestServer.Configuration
    let caCertificatePEM: String
    var kinds = KindTable.builtin
    var store: ObjectStore
    var users: [String: UserInfo] = [:]
    var boundTokens: [String: BoundToken] = [:]
    var cachedPolicy: RBACPolicy?
    var requests: [RecordedRequest] = []
    var faults: [Fault] = []
    var random: SplitMix
    /// Changes made by the request being served, for hooks and the token controller.
    var changes: [Change] = []
    /// The `jti` of the token the request being served issued (TokenRequest), for the audit log.
    var issuedJTI: String?
    /// Signs ServiceAccount tokens.
    let tokenKey = SymmetricKey(size: .bits256)

    init(configuration: KubeTestServer.Configuration, caCertificatePEM: String) {
        self.configuration = configuration
        self.caCertificatePEM = caCertificatePEM
        store = ObjectStore(historyLimit: configuration.eventHistoryLimit)
        random = SplitMix(seed: configuration.faultSeed)
        // kube-apiserver's system namespaces controller creates these (pkg/controlplane/controller/systemnamespaces).
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try? seed(KubeObject(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]))
        }
        changes = []
    }

    static var now: String { Date().formatted(.iso8601) }

    static func newUID() -> String { UUID().uuidString.lowercased() }

    /// The RBAC policy: the stored Roles, ClusterRoles and bindings plus the bootstrap policy.
    mutating func policy() -> RBACPolicy {
        if let cachedPolicy { return cachedPolicy }
        var roles = BootstrapPolicy.clusterRoles + Bootstrap.clusterRoles
        var bindings = Bootstrap.clusterRoleBindings
        for (key, object) in store.objects where key.group == RBACAPI.group {
            switch object.kind {
            case "Role", "ClusterRole":
                if let role = try? RBACRole(object) {
                    roles.removeAll { $0.kind == role.kind && $0.name == role.name && $0.namespace == role.namespace }
                    roles.append(role)
                }
            default:
                if let binding = try? RBACBinding(object) {
                    bindings.removeAll { $0.kind == binding.kind && $0.name == binding.name && $0.namespace == binding.namespace }
                    bindings.append(binding)
                }
            }
        }
        let policy = RBACPolicy(roles: roles, bindings: bindings)
        cachedPolicy = policy
        return policy
    }

    /// Stores `object` as is (as a superuser would, without admission), filling the server-set metadata.
    @discardableResult
    mutating func seed(_ input: KubeObject) throws(APIError) -> KubeObject {
        let gvk = input.groupVersionKind
        guard let kind = kinds.kind(gvk.groupKind) else {
            throw APIError.badRequest("no kind \"\(gvk.kind)\" is registered for version \"\(gvk.apiVersion)\"")
        }
        var object = input
        object.source = nil
        if !kind.namespaced {
            object.namespace = nil
        } else if object.namespace == nil {
            object.namespace = "default"
        }
        let key = ObjectKey(group: kind.group, resource: kind.resource, namespace: object.namespace ?? "", name: object.name)
        let existing = store[key]
        if object.content[path: ["metadata", "uid"]] == nil {
            object.setMetadata("uid", existing?.content[path: ["metadata", "uid"]] ?? .string(Self.newUID()))
        }
        if object.content[path: ["metadata", "creationTimestamp"]] == nil {
            object.setMetadata("creationTimestamp", existing?.content[path: ["metadata", "creationTimestamp"]] ?? .string(Self.now))
        }
        if object.content[path: ["metadata", "generation"]] == nil {
            object.setMetadata("generation", existing?.content[path: ["metadata", "generation"]] ?? 1)
        }
        try afterWrite(kind: kind, object: &object, creating: existing == nil)
        let version = store.nextVersion()
        object.setMetadata("resourceVersion", .string(String(version)))
        store.write(key, object, type: existing == nil ? "ADDED" : "MODIFIED", version: version)
        noteWrite(key: key, object: object, kind: existing == nil ? .created : .updated)
        return object
    }

    /// Bookkeeping after any write: the RBAC policy cache, CRDs served, namespace defaults.
    mutating func afterWrite(kind: ResourceKind, object: inout KubeObject, creating: Bool) throws(APIError) {
        if kind.group == RBACAPI.group { cachedPolicy = nil }
        if kind.group == "apiextensions.k8s.io" && kind.kind == "CustomResourceDefinition" {
            let served: ResourceKind
            do {
                served = try KindTable.kind(fromCRD: object)
            } catch {
                throw APIError.invalid(
                    kind: "CustomResourceDefinition", group: kind.group, name: object.name,
                    [.init(type: "FieldValueRequired", message: "Required value: \(error.message)", field: "spec")])
            }
            kinds.add(served)
            var status = object.content["status"]?.objectValue ?? JSONObject()
            status["conditions"] = [
                ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"],
                ["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"],
            ]
            status["acceptedNames"] = object.content[path: ["spec", "names"]] ?? .object(JSONObject())
            status["storedVersions"] = .array(served.versions.prefix(1).map(JSONValue.string))
            object.content["status"] = .object(status)
        }
        if kind.group.isEmpty && kind.kind == "Namespace" && creating {
            if object.content[path: ["spec", "finalizers"]] == nil { object.content.setValue(["kubernetes"], at: ["spec", "finalizers"]) }
            if object.content[path: ["status", "phase"]] == nil { object.content.setValue("Active", at: ["status", "phase"]) }
            var labels = object.content[path: ["metadata", "labels"]]?.objectValue ?? JSONObject()
            labels["kubernetes.io/metadata.name"] = .string(object.name)
            object.setMetadata("labels", .object(labels))
        }
    }

    mutating func noteWrite(key: ObjectKey, object: KubeObject, kind: ChangeEvent.Kind) {
        changes.append(Change(key: key, object: object, event: ChangeEvent(kind: kind, group: key.group, resource: key.resource)))
    }

    /// Picks the fault, if any, that hits a `method` request for `path`.
    mutating func drawFault(method: String, path: String) -> Fault.Action? {
        for index in faults.indices where path.hasPrefix(faults[index].pathPrefix) && (faults[index].method ?? method.uppercased()) == method.uppercased() {
            if let remaining = faults[index].remaining, remaining <= 0 { continue }
            guard random.nextDouble() < faults[index].rate else { continue }
            if let remaining = faults[index].remaining { faults[index].remaining = remaining - 1 }
            return faults[index].action
        }
        return nil
    }
}

/// SplitMix64: a small seeded generator, so that fault injection is reproducible.
struct SplitMix: Sendable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
