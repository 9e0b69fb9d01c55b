public import Delivery
import Evidence
public import Foundation
public import KubeModel

/// A deterministic audit log of a busy cluster, for benchmarks and tests: kubelet lease renewals
/// and pod status updates, controllers reading and writing, people reading and writing, health
/// checks, Secret reads, and in one namespace a CI credential deploying once an hour — with the
/// deploy records that cover those writes — plus a few writes by that credential outside any
/// deploy and a few by a person. Lines look like kube-apiserver v1.36's (`Metadata` level, the
/// same members in the same order, RBAC reasons, user agents), about 750 bytes on average.
public struct SyntheticAuditLog: Sendable {
    /// How many events to write.
    public var events: Int
    /// The namespace the CI credential deploys to.
    public var namespace: String
    /// Other namespaces, where only controllers, nodes and people act.
    public var otherNamespaces: Int
    /// When the log starts.
    public var start: Date
    /// How long it spans.
    public var duration: TimeInterval
    /// Writes by the CI credential outside any deploy (the findings to find).
    public var rogueWrites: Int
    /// Writes by a person (`alice`) in the namespace.
    public var humanWrites: Int

    /// The CI credential.
    public var credential: String { "system:serviceaccount:\(namespace):ci" }

    /// A log of `events` events over a week from 2026-11-02T00:00:00Z.
    public init(events: Int, namespace: String = "shop", otherNamespaces: Int = 50, rogueWrites: Int = 3, humanWrites: Int = 40) {
        self.events = events
        self.namespace = namespace
        self.otherNamespaces = otherNamespaces
        self.start = Date(timeIntervalSince1970: 1_793_577_600)
        self.duration = 7 * 86_400
        self.rogueWrites = rogueWrites
        self.humanWrites = humanWrites
    }

    /// How many deploys the log holds: one an hour, at most one per 500 events.
    public var deploys: Int { max(1, min(Int(duration / 3600), events / 500)) }
    /// The requests each deploy makes and its record lists or owns: three applies, the Secret read,
    /// the history ConfigMap and the Event.
    public static let requestsPerDeploy = 6

    /// The deploy records, chained as `warrant deploy` writes them (the first starts the chain).
    public var records: [DeployRecord] {
        var records: [DeployRecord] = []
        for index in 0..<deploys {
            let started = deployStart(index)
            let identity = CIIdentity(
                system: .gitlab, actor: "dev\(index % 7)", actorSource: "GITLAB_USER_LOGIN",
                commit: String(format: "%040x", index * 7919 + 1), pipelineURL: "https://gitlab.example/\(namespace)/-/jobs/\(1000 + index)",
                pipelineID: String(500 + index), project: "team/\(namespace)")
            let applied = [("apps", "Deployment", "web"), ("", "Service", "web"), ("", "ConfigMap", "settings")].map {
                RecordedObject(reference: ObjectReference(group: $0.0, kind: $0.1, namespace: namespace, name: $0.2), action: .configured, digest: nil)
            }
            records.append(
                DeployRecord(
                    identity: identity, credential: credential, cluster: "https://k8s.example:6443", namespace: namespace, applied: applied,
                    pruned: [], diff: DiffSummary(objectsChanged: 3, linesAdded: 6, linesRemoved: 6), result: .succeeded, message: "3 applied",
                    started: started, finished: started.addingTimeInterval(20), durations: ["apply": 19_000], previous: records.last?.digest))
        }
        return records
    }

    /// The namespace's objects for a test server: the namespace, the credential's ServiceAccount,
    /// Role and RoleBinding, its token Secret, and the history ConfigMap holding ``records``.
    public func clusterObjects() throws -> [KubeObject] {
        let yaml = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: \(namespace)}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: ci, namespace: \(namespace)}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: ci, namespace: \(namespace)}
            rules:
            - {apiGroups: [""], resources: [configmaps, services], verbs: [create, get, list, patch]}
            - {apiGroups: [apps], resources: [deployments], verbs: [create, get, list, patch]}
            - {apiGroups: [""], resources: [secrets], verbs: [get, patch, create]}
            - {apiGroups: [""], resources: [events], verbs: [create]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: ci, namespace: \(namespace)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ci}
            subjects: [{kind: ServiceAccount, name: ci, namespace: \(namespace)}]
            """
        var objects = try ManifestLoader().load(bytes: Array(yaml.utf8), file: "synthetic.yaml")
        var history: [KubeObject] = []
        let store = HistoryStore(namespace: namespace)
        for record in records { history = try store.append(record, to: history) }
        objects += history
        return objects
    }

    private func deployStart(_ index: Int) -> Date {
        start.addingTimeInterval(duration * Double(index) / Double(deploys) + 600)
    }

    /// Writes the log, one chunk of lines (each ending in a newline) at a time, in time order.
    public func write(_ chunk: (String) throws -> Void) rethrows {
        // The requests that matter, placed at their times; everything else fills the gaps.
        var special: [(time: Double, line: (Int) -> String)] = []
        let base = start.timeIntervalSince1970
        for (index, record) in records.enumerated() {
            let t = deployStart(index).timeIntervalSince1970
            let eventName = "warrant-deploy.\(record.id.lowercased())"
            special.append(
                (
                    t + 2,
                    {
                        self.line(
                            $0, time: t + 2, verb: "get", user: self.credential, resource: "secrets", namespace: self.namespace, name: "web-secret", code: 200,
                            agent: "warrant/0.1.0", legacySecret: "ci-token")
                    }
                ))
            special.append(
                (
                    t + 3,
                    {
                        self.line(
                            $0, time: t + 3, verb: "patch", user: self.credential, resource: "configmaps", namespace: self.namespace, name: "settings",
                            code: 200, agent: "warrant/0.1.0", legacySecret: "ci-token", query: "?fieldManager=warrant\\u0026force=false")
                    }
                ))
            special.append(
                (
                    t + 3.5,
                    {
                        self.line(
                            $0, time: t + 3.5, verb: "patch", user: self.credential, resource: "services", namespace: self.namespace, name: "web", code: 200,
                            agent: "warrant/0.1.0", legacySecret: "ci-token", query: "?fieldManager=warrant\\u0026force=false")
                    }
                ))
            special.append(
                (
                    t + 4,
                    {
                        self.line(
                            $0, time: t + 4, verb: "patch", user: self.credential, resource: "deployments", group: "apps", namespace: self.namespace,
                            name: "web", code: 200, agent: "warrant/0.1.0", legacySecret: "ci-token", query: "?fieldManager=warrant\\u0026force=false")
                    }
                ))
            special.append(
                (
                    t + 20.2,
                    {
                        self.line(
                            $0, time: t + 20.2, verb: "patch", user: self.credential, resource: "configmaps", namespace: self.namespace,
                            name: "warrant-history", code: 200, agent: "warrant/0.1.0", legacySecret: "ci-token", query: "?fieldManager=warrant")
                    }
                ))
            special.append(
                (
                    t + 20.3,
                    {
                        self.line(
                            $0, time: t + 20.3, verb: "create", user: self.credential, resource: "events", namespace: self.namespace, name: eventName,
                            code: 201, agent: "warrant/0.1.0", legacySecret: "ci-token")
                    }
                ))
        }
        for index in 0..<rogueWrites {
            let t = base + duration * (Double(index) + 0.5) / Double(max(1, rogueWrites)) + 1800
            special.append(
                (
                    t,
                    {
                        self.line(
                            $0, time: t, verb: "patch", user: self.credential, resource: "deployments", group: "apps", namespace: self.namespace, name: "web",
                            code: 200, agent: "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07", legacySecret: "ci-token",
                            query: "?fieldManager=kubectl-annotate")
                    }
                ))
        }
        for index in 0..<humanWrites {
            let t = base + duration * (Double(index) + 0.25) / Double(max(1, humanWrites)) + 900
            special.append(
                (
                    t,
                    {
                        self.line(
                            $0, time: t, verb: "patch", user: "alice", resource: "configmaps", namespace: self.namespace, name: "settings", code: 200,
                            agent: "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07", query: "?fieldManager=kubectl-edit")
                    }
                ))
        }
        special.sort { $0.time < $1.time }
        let backgroundCount = max(0, events - special.count)
        let step = duration / Double(max(1, backgroundCount))
        var random = SplitMix64(seed: 0x5EED_A0D1)
        var buffer = ""
        buffer.reserveCapacity(1 << 20)
        var nextSpecial = 0
        var written = 0
        for index in 0..<backgroundCount {
            let t = base + Double(index) * step
            while nextSpecial < special.count && special[nextSpecial].time <= t {
                buffer += special[nextSpecial].line(written)
                nextSpecial += 1
                written += 1
            }
            buffer += background(written, time: t, random: &random)
            written += 1
            if buffer.utf8.count > 1 << 20 {
                try chunk(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        while nextSpecial < special.count {
            buffer += special[nextSpecial].line(written)
            nextSpecial += 1
            written += 1
        }
        if !buffer.isEmpty { try chunk(buffer) }
    }

    /// One event of the cluster's everyday traffic.
    private func background(_ index: Int, time: Double, random: inout SplitMix64) -> String {
        let roll = random.next() % 100
        let node = "node-\(random.next() % 40)"
        let other = "ns-\(String(format: "%02d", Int(random.next() % UInt64(max(1, otherNamespaces)))))"
        let pod = "app-\(random.next() % 30)-\(String(random.next() % 0xFFFFF, radix: 16))"
        switch roll {
        case 0..<25:
            return line(
                index, time: time, verb: "update", user: "system:node:\(node)", groups: ["system:nodes", "system:authenticated"], resource: "leases",
                group: "coordination.k8s.io", namespace: "kube-node-lease", name: node, code: 200, agent: "kubelet/v1.36.2 (linux/amd64) kubernetes/98b3519",
                reason: "")
        case 25..<35:
            return line(
                index, time: time, verb: "patch", user: "system:node:\(node)", groups: ["system:nodes", "system:authenticated"], resource: "pods",
                namespace: other, name: pod, subresource: "status", code: 200, agent: "kubelet/v1.36.2 (linux/amd64) kubernetes/98b3519", reason: "")
        case 35..<50:
            let controller = ["replicaset-controller", "deployment-controller", "endpointslice-controller", "job-controller", "namespace-controller"][
                Int(random.next() % 5)]
            let resource = ["pods", "replicasets", "endpointslices", "jobs", "configmaps"][Int(random.next() % 5)]
            return line(
                index, time: time, verb: random.next() % 3 == 0 ? "list" : "get", user: "system:serviceaccount:kube-system:\(controller)",
                groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"], resource: resource, namespace: other,
                name: pod, code: 200, agent: "kube-controller-manager/v1.36.2 (linux/amd64) kubernetes/98b3519/\(controller)",
                reason:
                    "RBAC: allowed by ClusterRoleBinding \"system:controller:\(controller)\" of ClusterRole \"system:controller:\(controller)\" to ServiceAccount \"\(controller)/kube-system\""
            )
        case 50..<60:
            return line(
                index, time: time, verb: "create", user: "system:serviceaccount:kube-system:replicaset-controller",
                groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"], resource: "events",
                namespace: random.next() % 20 == 0 ? namespace : other, name: "\(pod).\(String(random.next(), radix: 16))", code: 201,
                agent: "kube-controller-manager/v1.36.2 (linux/amd64) kubernetes/98b3519/replicaset-controller",
                reason:
                    "RBAC: allowed by ClusterRoleBinding \"system:controller:replicaset-controller\" of ClusterRole \"system:controller:replicaset-controller\" to ServiceAccount \"replicaset-controller/kube-system\""
            )
        case 60..<72:
            let person = ["bob", "carol", "dave", "erin"][Int(random.next() % 4)]
            return line(
                index, time: time, verb: random.next() % 2 == 0 ? "list" : "get", user: person, groups: ["developers", "system:authenticated"],
                resource: ["pods", "deployments", "services", "configmaps"][Int(random.next() % 4)], namespace: other, name: random.next() % 2 == 0 ? pod : "",
                code: 200, agent: "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07",
                reason: "RBAC: allowed by RoleBinding \"\(person)-view/\(other)\" of ClusterRole \"view\" to User \"\(person)\"", query: "?limit=500")
        case 72..<78:
            return nonResource(index, time: time, path: ["/healthz", "/readyz", "/livez", "/metrics"][Int(random.next() % 4)])
        case 78..<84:
            return line(
                index, time: time, verb: "update", user: "system:kube-controller-manager", groups: ["system:authenticated"], resource: "leases",
                group: "coordination.k8s.io", namespace: "kube-system", name: "kube-controller-manager", code: 200,
                agent: "kube-controller-manager/v1.36.2 (linux/amd64) kubernetes/98b3519/leader-election",
                reason:
                    "RBAC: allowed by ClusterRoleBinding \"system:kube-controller-manager\" of ClusterRole \"system:kube-controller-manager\" to User \"system:kube-controller-manager\""
            )
        case 84..<88:
            let person = ["bob", "carol"][Int(random.next() % 2)]
            return line(
                index, time: time, verb: ["patch", "delete", "create"][Int(random.next() % 3)], user: person, groups: ["developers", "system:authenticated"],
                resource: "configmaps", namespace: other, name: "cm-\(random.next() % 50)", code: 200,
                agent: "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07",
                reason: "RBAC: allowed by RoleBinding \"\(person)-edit/\(other)\" of ClusterRole \"edit\" to User \"\(person)\"",
                query: "?fieldManager=kubectl-client-side-apply\\u0026fieldValidation=Strict")
        case 88..<92:
            return line(
                index, time: time, verb: "get", user: "system:serviceaccount:\(other):app",
                groups: ["system:serviceaccounts", "system:serviceaccounts:\(other)", "system:authenticated"], resource: "secrets", namespace: other,
                name: "app-credentials", code: random.next() % 10 == 0 ? 403 : 200, agent: "app/1.0", reason: "")
        case 92..<96:
            return line(
                index, time: time, verb: "watch", user: "system:serviceaccount:kube-system:endpointslice-controller",
                groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"], resource: "endpointslices",
                group: "discovery.k8s.io", namespace: "", name: "", code: 200,
                agent: "kube-controller-manager/v1.36.2 (linux/amd64) kubernetes/98b3519/shared-informers",
                reason:
                    "RBAC: allowed by ClusterRoleBinding \"system:controller:endpointslice-controller\" of ClusterRole \"system:controller:endpointslice-controller\" to ServiceAccount \"endpointslice-controller/kube-system\"",
                query:
                    "?allowWatchBookmarks=true\\u0026resourceVersion=\(random.next() % 1_000_000)\\u0026timeout=8m47s\\u0026timeoutSeconds=527\\u0026watch=true",
                stage: "ResponseStarted")
        default:
            return line(
                index, time: time, verb: "get", user: "system:serviceaccount:kube-system:generic-garbage-collector",
                groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"], resource: "pods", namespace: namespace,
                name: pod, code: 404, agent: "kube-controller-manager/v1.36.2 (linux/amd64) kubernetes/98b3519/generic-garbage-collector",
                reason:
                    "RBAC: allowed by ClusterRoleBinding \"system:controller:generic-garbage-collector\" of ClusterRole \"system:controller:generic-garbage-collector\" to ServiceAccount \"generic-garbage-collector/kube-system\""
            )
        }
    }

    private func line(
        _ index: Int, time: Double, verb: String, user: String, groups: [String]? = nil, resource: String, group: String = "", namespace: String,
        name: String, subresource: String = "", code: Int, agent: String, legacySecret: String? = nil, reason: String? = nil, query: String = "",
        stage: String = "ResponseComplete"
    ) -> String {
        var path = group.isEmpty ? "/api/v1" : "/apis/\(group)/v1"
        if !namespace.isEmpty { path += "/namespaces/\(namespace)" }
        path += "/\(resource)"
        if !name.isEmpty && verb != "create" && verb != "list" { path += "/\(name)" }
        if !subresource.isEmpty { path += "/\(subresource)" }
        let groupsJSON =
            (groups
            ?? (user.hasPrefix("system:serviceaccount:")
                ? ["system:serviceaccounts", "system:serviceaccounts:\(self.namespace)", "system:authenticated"] : ["system:authenticated"]))
            .map { "\"\($0)\"" }.joined(separator: ",")
        var ref = "\"resource\":\"\(resource)\""
        if !namespace.isEmpty { ref += ",\"namespace\":\"\(namespace)\"" }
        if !name.isEmpty && verb != "list" && verb != "watch" { ref += ",\"name\":\"\(name)\"" }
        if !group.isEmpty { ref += ",\"apiGroup\":\"\(group)\"" }
        ref += ",\"apiVersion\":\"v1\""
        if !subresource.isEmpty { ref += ",\"subresource\":\"\(subresource)\"" }
        var status = "{\"metadata\":{},\"code\":\(code)}"
        if code >= 400 {
            status =
                "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"\(resource) \\\"\(name)\\\" is forbidden or not found\",\"reason\":\"\(code == 404 ? "NotFound" : "Forbidden")\",\"details\":{\"name\":\"\(name)\",\"kind\":\"\(resource)\"},\"code\":\(code)}"
        }
        var annotations = ""
        if let legacySecret {
            annotations += "\"authentication.k8s.io/legacy-token\":\"\(user)\",\"authentication.k8s.io/legacy-token-manual-secret\":\"\(legacySecret)\","
        }
        let why =
            reason
            ?? (user.hasPrefix("system:serviceaccount:\(self.namespace):")
                ? "RBAC: allowed by RoleBinding \"ci/\(self.namespace)\" of Role \"ci\" to ServiceAccount \"ci/\(self.namespace)\""
                : "RBAC: allowed by RoleBinding \"\(user)-admin/\(namespace)\" of ClusterRole \"admin\" to User \"\(user)\"")
        let escaped = why.replacingOccurrences(of: "\"", with: "\\\"")
        annotations +=
            "\"authorization.k8s.io/decision\":\"\(code == 403 ? "forbid" : "allow")\",\"authorization.k8s.io/reason\":\"\(code == 403 ? "" : escaped)\""
        let received = Self.stamp(time)
        let completed = Self.stamp(time + 0.0013)
        return
            "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"\(Self.uuid(index))\",\"stage\":\"\(stage)\",\"requestURI\":\"\(path)\(query)\",\"verb\":\"\(verb)\",\"user\":{\"username\":\"\(user)\",\"uid\":\"\(Self.uuid(user.utf8.count * 7919))\",\"groups\":[\(groupsJSON)]},\"sourceIPs\":[\"10.0.\(index % 200).\(index % 250)\"],\"userAgent\":\"\(agent)\",\"objectRef\":{\(ref)},\"responseStatus\":\(status),\"requestReceivedTimestamp\":\"\(received)\",\"stageTimestamp\":\"\(completed)\",\"annotations\":{\(annotations)}}\n"
    }

    private func nonResource(_ index: Int, time: Double, path: String) -> String {
        "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"\(Self.uuid(index))\",\"stage\":\"ResponseComplete\",\"requestURI\":\"\(path)\",\"verb\":\"get\",\"user\":{\"username\":\"system:serviceaccount:monitoring:prometheus\",\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:monitoring\",\"system:authenticated\"]},\"sourceIPs\":[\"10.0.3.7\"],\"userAgent\":\"Prometheus/2.53.0\",\"responseStatus\":{\"metadata\":{},\"code\":200},\"requestReceivedTimestamp\":\"\(Self.stamp(time))\",\"stageTimestamp\":\"\(Self.stamp(time + 0.0004))\",\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"RBAC: allowed by ClusterRoleBinding \\\"prometheus\\\" of ClusterRole \\\"prometheus\\\" to ServiceAccount \\\"prometheus/monitoring\\\"\"}}\n"
    }

    private static func stamp(_ time: Double) -> String {
        MicroTime(microseconds: Int64((time * 1_000_000).rounded())).description
    }

    private static func uuid(_ index: Int) -> String {
        let value = UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        let hex = String(value, radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        return
            "\(padded.prefix(8))-\(padded.dropFirst(8).prefix(4))-4\(padded.dropFirst(12).prefix(3))-8\(String(format: "%03x", index % 4096))-\(String(format: "%012x", index))"
    }
}
