import KubeModel
import Testing

@testable import Delivery

@Suite("ApplySet")
struct ApplySetTests {
    let set = ApplySet(namespace: "team-a", version: "1.2.3")

    // Vectors: kubectl's own test (k8s.io/kubectl pkg/cmd/apply/apply_test.go, a Secret parent
    // `my-set` in `test`) and values computed with `openssl dgst -sha256 -binary | base64 | tr '/+' '_-'`.
    @Test(
        "ID is applyset-base64url(sha256(name.namespace.kind.group))-v1",
        arguments: [
            ("my-set", "test", "Secret", "", "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1"),
            ("warrant-applyset", "team-a", "ConfigMap", "", "applyset-lgpbS5ke7nyzHKoGFKzIJtHRneGe2minqh8vEtJH3jI-v1"),
            ("parent", "ns", "Widget", "example.com", "applyset-H_B9EpkatVUvBXwTiLFEmRjun64agVFWV5rGL1O6p4s-v1"),
        ])
    func id(name: String, namespace: String, kind: String, group: String, expected: String) {
        #expect(ApplySet.id(name: name, namespace: namespace, kind: kind, group: group) == expected)
    }

    @Test("the default set is the ConfigMap warrant-applyset")
    func defaultSet() {
        #expect(set.name == "warrant-applyset")
        #expect(set.id == "applyset-lgpbS5ke7nyzHKoGFKzIJtHRneGe2minqh8vEtJH3jI-v1")
        #expect(set.tooling == "warrant/1.2.3")
    }

    @Test(
        "base64url without padding for every remainder",
        arguments: [
            ([UInt8](), ""), ([0xfb], "-w"), ([0xfb, 0xff], "-_8"), ([0xfb, 0xff, 0xbf], "-_-_"), (Array("Man".utf8), "TWFu"),
        ])
    func base64URL(bytes: [UInt8], expected: String) {
        #expect(CanonicalJSON.base64URLWithoutPadding(bytes) == expected)
    }

    @Test("parent carries the ID label, tooling, sorted Kind.group list and members")
    func parent() throws {
        let members = [
            make("apps/v1", "Deployment", "web"), make("v1", "Service", "web"), make("v1", "Secret", "creds"),
            make("cert-manager.io/v1", "Certificate", "tls"), make("v1", "ConfigMap", "settings"),
        ]
        let parent = set.parent(members: members)
        #expect(parent.kind == "ConfigMap" && parent.name == "warrant-applyset" && parent.namespace == "team-a")
        #expect(parent.labels == [ApplySet.idLabel: set.id])
        #expect(parent.annotations[ApplySet.toolingAnnotation] == "warrant/1.2.3")
        // Byte order, as Go's sort.Strings: upper case before lower case.
        #expect(parent.annotations[ApplySet.groupKindsAnnotation] == "Certificate.cert-manager.io,ConfigMap,Deployment.apps,Secret,Service")
        #expect(
            parent.annotations[ApplySet.membersAnnotation]
                == "Certificate.cert-manager.io/tls,ConfigMap/settings,Deployment.apps/web,Secret/creds,Service/web")
        #expect(ApplySet.recordedMembers(in: parent).count == 5)
        #expect(ApplySet.recordedGroupKinds(in: parent).contains(GroupKind(group: "apps", kind: "Deployment")))
    }

    @Test("superset mode keeps the previous parent's members and kinds")
    func superset() {
        let previous = set.parent(members: [make("v1", "Secret", "old"), make("batch/v1", "Job", "migrate")])
        let parent = set.parent(members: [make("v1", "Service", "web")], previous: previous)
        #expect(parent.annotations[ApplySet.groupKindsAnnotation] == "Job.batch,Secret,Service")
        #expect(parent.annotations[ApplySet.membersAnnotation] == "Job.batch/migrate,Secret/old,Service/web")
        let latest = set.parent(members: [make("v1", "Service", "web")])
        #expect(latest.annotations[ApplySet.groupKindsAnnotation] == "Service")
    }

    @Test("labelling sets part-of and refuses another set's label")
    func labelling() throws {
        let labeled = try set.labeled([make("v1", "ConfigMap", "a", labels: ["app": "x"])])
        #expect(labeled.first?.labels == ["app": "x", ApplySet.partOfLabel: set.id])
        #expect(try set.labeled(labeled) == labeled)
        #expect(throws: ApplySetError.self) {
            try set.labeled([make("v1", "ConfigMap", "a", labels: [ApplySet.partOfLabel: "applyset-other-v1"])])
        }
    }

    @Test("prune candidates are this set's members that were not applied")
    func pruneCandidates() {
        let member = [ApplySet.partOfLabel: set.id]
        var kept = make("v1", "ConfigMap", "kept", labels: member)
        kept.setMetadata("annotations", .object(JSONObject([(ApplySet.onRemoveAnnotation, JSONValue.string("keep"))])))
        var detached = make("v1", "ConfigMap", "detached", labels: member)
        detached.setMetadata("annotations", .object(JSONObject([(ApplySet.deletionAnnotation, JSONValue.string("detach"))])))
        let live = [
            make("apps/v1", "Deployment", "web", labels: member),  // applied (other version below)
            make("apps/v1", "Deployment", "old", labels: member),  // candidate
            make("v1", "Service", "unlabelled"),  // not a member
            make("v1", "Service", "other-set", labels: [ApplySet.partOfLabel: "applyset-other-v1"]),
            make("v1", "Service", "elsewhere", namespace: "team-b", labels: member),  // outside the namespace
            make("v1", "PersistentVolumeClaim", "data", labels: member),  // PVCs are kept by default
            kept, detached,
        ]
        let applied = [make("apps/v1beta2", "Deployment", "web")]
        #expect(set.pruneCandidates(live: live, applied: applied).map(\.name) == ["old"])
        var withPVCs = set
        withPVCs.prunePVCs = true
        #expect(withPVCs.pruneCandidates(live: live, applied: applied).map(\.name) == ["old", "data"])
    }

    @Test("Secrets are pruned by the names recorded in the parent")
    func recordedSecrets() {
        let parent = set.parent(members: [make("v1", "Secret", "a"), make("v1", "Secret", "b"), make("v1", "ConfigMap", "c")])
        let candidates = set.recordedPruneCandidates(parent: parent, applied: [make("v1", "Secret", "a")])
        #expect(candidates == [ObjectReference(group: "", kind: "Secret", namespace: "team-a", name: "b")])
        #expect(set.recordedPruneCandidates(parent: nil, applied: []).isEmpty)
        let foreign = ApplySet(name: "other", namespace: "team-a", version: "1").parent(members: [make("v1", "Secret", "z")])
        #expect(set.recordedPruneCandidates(parent: foreign, applied: []).isEmpty)
    }

    @Test(
        "--max-prune limits",
        arguments: [
            ("5", 100, 5, false), ("5", 100, 6, true), ("0", 10, 1, true), ("0%", 10, 0, false), ("20%", 10, 2, false),
            ("20%", 10, 3, true), ("10%", 3, 1, false), ("100%", 4, 4, false), (" 3 ", 1, 3, false),
        ])
    func maxPrune(text: String, previous: Int, candidates: Int, exceeded: Bool) throws {
        let limit = try MaxPrune(parsing: text)
        #expect(ApplySet.exceedsMaxPrune(candidates: candidates, previousMembers: previous, limit: limit) == exceeded)
    }

    @Test("the default --max-prune is 25 % and at least 1", arguments: [(0, 1), (1, 1), (4, 1), (7, 1), (8, 2), (40, 10)])
    func defaultMaxPrune(previous: Int, limit: Int) {
        #expect(MaxPrune.default.limit(previousMembers: previous) == limit)
    }

    @Test("malformed --max-prune values", arguments: ["", "-1", "x", "101%", "5 %x", "%"])
    func malformedMaxPrune(text: String) {
        #expect(throws: MaxPruneError.self) { try MaxPrune(parsing: text) }
    }
}
