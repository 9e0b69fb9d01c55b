import Delivery
import Evidence
import Foundation
import KubeModel
import Testing

let ciUser = "system:serviceaccount:shop:ci"
/// kubectl's user agent as kube-apiserver logs it.
let kubectl = "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07"
/// 2026-11-10T10:00:00Z.
let deployStart = Date(timeIntervalSince1970: 1_794_304_800)

/// A sealed record of a deploy by `ci` in `shop` that ran from `start` for `seconds`.
func makeRecord(
    actor: String? = "alice.dev", start: Date = deployStart, seconds: Double = 20, credential: String = ciUser, namespace: String = "shop",
    applied: [(String, String, String)] = [("apps", "Deployment", "web"), ("", "Service", "web")], pruned: [(String, String, String)] = [],
    result: DeployResult = .succeeded, previous: String? = nil, durations: [String: Int64] = [:], extra: JSONObject = JSONObject()
) -> DeployRecord {
    let identity =
        actor.map {
            CIIdentity(
                system: .gitlab, actor: $0, actorSource: "GITLAB_USER_LOGIN", commit: "0123456789abcdef0123",
                pipelineURL: "https://gitlab.example/shop/-/jobs/7")
        }
        ?? CIIdentity()
    func objects(_ list: [(String, String, String)], _ action: RecordedObject.Action) -> [RecordedObject] {
        list.map { RecordedObject(reference: ObjectReference(group: $0.0, kind: $0.1, namespace: namespace, name: $0.2), action: action, digest: nil) }
    }
    var record = DeployRecord(
        identity: identity, credential: credential, cluster: "https://k8s.example:6443", namespace: namespace, applied: objects(applied, .configured),
        pruned: objects(pruned, .pruned), diff: DiffSummary(), result: result, message: "", started: start,
        finished: start.addingTimeInterval(seconds), durations: durations, previous: previous)
    if !extra.isEmpty {
        for (key, value) in extra { record.additionalFields[key] = value }
        record.seal()
    }
    return record
}

/// A write request of `user` at `offset` seconds after the deploy started.
func write(
    _ resource: String, _ name: String, verb: String = "patch", group: String = "", user: String = ciUser, at offset: Double, code: Int = 200,
    namespace: String = "shop", subresource: String = "", impersonating: String? = nil, uri: String = "", agent: String = "warrant/0.1.0"
) -> AuditEvent {
    AuditEvent(
        auditID: UUID().uuidString, verb: verb, requestURI: uri, user: user, impersonatedUser: impersonating, userAgent: agent,
        objectRef: AuditEvent.ObjectRef(resource: resource, apiGroup: group, namespace: namespace, name: name, subresource: subresource), code: code,
        received: MicroTime(deployStart).adding(seconds: offset))
}

@Suite struct AttributorTests {
    let record = makeRecord()
    var attributor: Attributor { Attributor(records: [RecordEntry(record: record, verified: true)], rules: AttributionRules()) }

    func kind(_ event: AuditEvent) -> String { attributor.attribute(event).kind }

    @Test func aDeployWriteNamesTheRecordsPersonCommitAndPipeline() throws {
        guard case .deploy(let deploy) = attributor.attribute(write("deployments", "web", group: "apps", at: 3)) else {
            Issue.record("not attributed to the deploy")
            return
        }
        #expect(deploy.recordID == record.id && deploy.person == "alice.dev" && deploy.personSource == "GITLAB_USER_LOGIN")
        #expect(deploy.commit == "0123456789abcdef0123" && deploy.pipeline == "https://gitlab.example/shop/-/jobs/7" && deploy.verified)
        #expect(attributor.attribute(write("deployments", "web", group: "apps", at: 3)).person == "alice.dev")
    }

    static let cases: [(String, AuditEvent, String)] = [
        ("an applied object in the run", write("services", "web", at: 19), "deploy"),
        ("a delete of an object the record did not prune", write("configmaps", "old", verb: "delete", at: 5), "unattributed"),
        ("the history ConfigMap just after the end", write("configmaps", "warrant-history", at: 20 + 1 + 5 + 50), "deploy"),
        ("the history ConfigMap's archive", write("configmaps", "warrant-history-2", at: 21), "deploy"),
        ("the history ConfigMap long after", write("configmaps", "warrant-history", at: 20 + 1 + 5 + 61), "unattributed"),
        ("the ApplySet parent", write("configmaps", "warrant-applyset", at: 10), "deploy"),
        ("an object the record does not list", write("configmaps", "rogue", at: 10), "unattributed"),
        ("a subresource of a listed object", write("deployments", "web", group: "apps", at: 10, subresource: "scale"), "unattributed"),
        ("a listed object just before the start, within tolerance", write("services", "web", at: -4.9), "deploy"),
        ("a listed object before the start", write("services", "web", at: -5.1), "unattributed"),
        ("a listed object within the tolerance after the end", write("services", "web", at: 20 + 1 + 4.9), "deploy"),
        ("a listed object after the end", write("services", "web", at: 20 + 1 + 5.1), "unattributed"),
        // Found on kube-apiserver: `kubectl patch` with the CI token 3 s after a deploy ended, on
        // an object the deploy applied, was taken for the deploy's own request.
        ("kubectl with the deploy credential on a listed object in the run", write("services", "web", at: 10, agent: kubectl), "unattributed"),
        ("kubectl with the deploy credential within the tolerance after the end", write("services", "web", at: 20 + 1 + 3, agent: kubectl), "unattributed"),
        ("no user agent, on a listed object in the run", write("services", "web", at: 10, agent: ""), "unattributed"),
        ("the API client's default user agent", write("services", "web", at: 10, agent: "warrant"), "deploy"),
        ("a client named like Warrant but not Warrant", write("services", "web", at: 10, agent: "warrant-helper/1.0"), "unattributed"),
        ("a failed write in the run", write("secrets", "x", verb: "create", at: 5, code: 403), "deploy"),
        ("a listed object in another namespace", write("services", "web", at: 5, namespace: "other"), "unattributed"),
        ("the same object by another ServiceAccount", write("services", "web", user: "system:serviceaccount:shop:other", at: 5), "unattributed"),
        ("the deploy credential impersonated by a person", write("services", "web", user: "admin", at: 5, impersonating: ciUser), "person"),
        ("a person", write("deployments", "web", group: "apps", user: "bob", at: 5), "person"),
        ("the controller manager", write("replicasets", "web-1", group: "apps", user: "system:kube-controller-manager", at: 5), "control-plane"),
        ("a kube-system ServiceAccount", write("pods", "web-1-a", user: "system:serviceaccount:kube-system:replicaset-controller", at: 5), "control-plane"),
        ("a node", write("pods", "web-1-a", user: "system:node:worker-1", at: 5, subresource: "status"), "control-plane"),
        ("anonymous", write("configmaps", "x", user: "system:anonymous", at: 5, code: 403), "unattributed"),
        ("refused before authentication", write("configmaps", "x", user: "", at: 5, code: 401), "unauthenticated"),
    ]

    @Test(arguments: cases)
    func attributes(what: String, event: AuditEvent, expected: String) {
        #expect(kind(event) == expected, "\(what): \(attributor.attribute(event))")
    }

    @Test func thePrunedObjectsAndTheEventBelongToTheDeploy() {
        let pruning = makeRecord(pruned: [("", "ConfigMap", "old")])
        let attributor = Attributor(records: [RecordEntry(record: pruning, verified: true)], rules: AttributionRules())
        #expect(attributor.attribute(write("configmaps", "old", verb: "delete", at: 5)).kind == "deploy")
        let event = write("events", "warrant-deploy.\(pruning.id.lowercased())", verb: "create", at: 22 + 30)
        #expect(attributor.attribute(event).kind == "deploy")
        #expect(attributor.attribute(write("events", "warrant-deploy.someone-else", verb: "create", at: 22)).kind == "unattributed")
    }

    @Test func theReasonSaysWhetherTheDeployCredentialWasUsedOutsideADeploy() {
        guard case .unattributed(let outside) = attributor.attribute(write("services", "web", at: 3600)) else {
            Issue.record("not unattributed")
            return
        }
        #expect(outside.contains("deploy credential \(ciUser) was used outside any recorded deploy"))
        guard case .unattributed(let during) = attributor.attribute(write("configmaps", "rogue", at: 10)) else {
            Issue.record("not unattributed")
            return
        }
        #expect(during.contains("does not list, while that deploy ran"))
        guard case .unattributed(let byKubectl) = attributor.attribute(write("services", "web", at: 10, agent: kubectl)) else {
            Issue.record("not unattributed")
            return
        }
        #expect(byKubectl.contains("was used by \(kubectl), not by Warrant, while deploy \(record.id) ran"))
        guard case .unattributed(let other) = attributor.attribute(write("configmaps", "x", user: "system:serviceaccount:shop:bot", at: 10)) else {
            Issue.record("not unattributed")
            return
        }
        #expect(other.contains("ServiceAccount shop/bot is no deploy record's credential"))
    }

    @Test func declaredAutomationIsNotAFinding() {
        let rules = AttributionRules(automation: ["system:serviceaccount:argocd:*", "system:serviceaccount:shop:bot"])
        let attributor = Attributor(records: [], rules: rules)
        #expect(
            attributor.attribute(write("configmaps", "x", user: "system:serviceaccount:argocd:argocd-application-controller", at: 1))
                == .automation("system:serviceaccount:argocd:argocd-application-controller"))
        #expect(attributor.attribute(write("configmaps", "x", user: "system:serviceaccount:shop:bot", at: 1)).kind == "automation")
        #expect(attributor.attribute(write("configmaps", "x", user: "system:serviceaccount:shop:bot2", at: 1)).kind == "unattributed")
    }

    @Test func aRecordThatNamesNoPersonIsAFinding() {
        let anonymous = makeRecord(actor: nil)
        let attribution = Attributor(records: [RecordEntry(record: anonymous, verified: true)], rules: AttributionRules())
            .attribute(write("services", "web", at: 2))
        #expect(attribution.kind == "deploy" && attribution.isFinding && attribution.person == nil)
    }

    @Test func theAgentsCommitSignersAreThePeople() {
        let signers: JSONValue = [["principal": "alice@example.com"], "bob@example.com", ["principal": "alice@example.com"]]
        let agent = makeRecord(actor: nil, extra: JSONObject([("signers", signers)]))
        let attribution = Attributor(records: [RecordEntry(record: agent, verified: true)], rules: AttributionRules())
            .attribute(write("services", "web", at: 2))
        guard case .deploy(let deploy) = attribution else {
            Issue.record("not a deploy")
            return
        }
        #expect(deploy.person == "alice@example.com, bob@example.com" && deploy.personSource == "commit signers" && !attribution.isFinding)
    }

    @Test func overlappingDeploysOfOneCredentialTakeTheLatestThatFits() {
        let first = makeRecord(applied: [("", "ConfigMap", "a")])
        let second = makeRecord(start: deployStart.addingTimeInterval(10), applied: [("", "ConfigMap", "b")])
        let attributor = Attributor(
            records: [RecordEntry(record: first, verified: true), RecordEntry(record: second, verified: true)], rules: AttributionRules())
        func record(_ event: AuditEvent) -> String? {
            if case .deploy(let deploy) = attributor.attribute(event) { return deploy.recordID }
            return nil
        }
        #expect(record(write("configmaps", "a", at: 15)) == first.id)
        #expect(record(write("configmaps", "b", at: 15)) == second.id)
        #expect(record(write("configmaps", "a", at: 29)) == nil)
    }

    @Test(arguments: [
        ("", Principal.unauthenticated), ("system:anonymous", .anonymous), ("alice", .person), ("oidc:alice@example.com", .person),
        ("system:serviceaccount:shop:ci", .serviceAccount(namespace: "shop", name: "ci")),
        ("system:serviceaccount:kube-system:deployment-controller", .controlPlane), ("system:kube-scheduler", .controlPlane),
        ("system:apiserver", .controlPlane), ("system:node:n1", .controlPlane),
    ])
    func classifiesUsers(user: String, principal: Principal) {
        #expect(Principal.of(user) == principal)
    }
}
