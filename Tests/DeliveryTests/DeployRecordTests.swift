import Foundation
import KubeModel
import Testing

@testable import Delivery

/// A record with fixed content, following `previous`.
func sampleRecord(previous: String?, offset: TimeInterval = 0, result: DeployResult = .succeeded, actor: String = "alice") -> DeployRecord {
    let identity = CIIdentity.from(environment: [
        "GITLAB_CI": "true", "GITLAB_USER_LOGIN": actor, "CI_COMMIT_SHA": "0123abcd", "CI_JOB_URL": "https://gitlab.example/j/1",
        "CI_PROJECT_PATH": "team/app", "CI_ENVIRONMENT_NAME": "production",
    ])
    return DeployRecord(
        identity: identity, credential: "system:serviceaccount:team-a:deployer", cluster: "https://k8s.example:6443",
        namespace: "team-a", applied: [RecordedObject(make("apps/v1", "Deployment", "web"), action: .configured)], pruned: [],
        diff: DiffSummary(objectsChanged: 1, linesAdded: 2, linesRemoved: 1), result: result, message: "",
        started: fixedDate.addingTimeInterval(offset), finished: fixedDate.addingTimeInterval(offset + 12.5),
        durations: ["apply": 2000], previous: previous)
}

/// `count` chained records.
func sampleChain(_ count: Int, after anchor: String? = nil) -> [DeployRecord] {
    var records: [DeployRecord] = []
    for index in 0..<count {
        records.append(sampleRecord(previous: records.last?.digest ?? anchor, offset: TimeInterval(index * 60), actor: "user\(index)"))
    }
    return records
}

@Suite("Deployment records")
struct DeployRecordTests {
    @Test("canonical JSON sorts keys at every level and is compact")
    func canonical() {
        let value: JSONValue = ["b": [2, ["d": 4, "c": 3]], "a": 1]
        #expect(CanonicalJSON.text(value) == #"{"a":1,"b":[2,{"c":3,"d":4}]}"#)
        #expect(CanonicalJSON.digest(value) == "88c3cdf568e74603bc9ea42ed03f42ad6dcf46dbfbb56089d8a163f6b84a0c52")
        let reordered: JSONValue = ["a": 1, "b": [2, ["c": 3, "d": 4]]]
        #expect(CanonicalJSON.digest(reordered) == CanonicalJSON.digest(value))
    }

    @Test("canonical JSON is the same whether parts of the value are already in order or not")
    func canonicalOfPartlySortedValues() {
        let inOrder: JSONValue = ["a": [["b": 1, "c": [2, ["d": 3, "e": 4]]], ["f": 5]], "g": ["h": 6]]
        let partly: JSONValue = ["g": ["h": 6], "a": [["b": 1, "c": [2, ["e": 4, "d": 3]]], ["f": 5]]]
        let text = #"{"a":[{"b":1,"c":[2,{"d":3,"e":4}]},{"f":5}],"g":{"h":6}}"#
        #expect(CanonicalJSON.text(inOrder) == text)
        #expect(CanonicalJSON.text(partly) == text)
        #expect(CanonicalJSON.sorted(partly) == inOrder)
        // A record's entries are built in order; the record's text is the same as before.
        let entry = RecordedObject(reference: ObjectReference(group: "apps", kind: "Deployment", namespace: "shop", name: "web"), action: .created, digest: "d")
        #expect(CanonicalJSON.text(entry.json) == #"{"action":"created","digest":"d","group":"apps","kind":"Deployment","name":"web","namespace":"shop"}"#)
    }

    @Test("a sealed record has an ID, times, durations and a digest that verifies")
    func sealed() {
        let record = sampleRecord(previous: nil)
        #expect(record.id.hasPrefix("20250102T030405Z-") && record.id.count == "20250102T030405Z-".count + 8)
        #expect(record.started == "2025-01-02T03:04:05Z")
        #expect(record.finished == "2025-01-02T03:04:17Z")
        #expect(record.durations == ["apply": 2000, "total": 12500])
        #expect(record.digest.count == 64 && record.isIntact)
        #expect(record.applied.first?.digest == CanonicalJSON.digest(make("apps/v1", "Deployment", "web").content))
    }

    @Test("a record round-trips through its JSON line, digest unchanged")
    func roundTrip() throws {
        let record = sampleRecord(previous: String(repeating: "a", count: 64), result: .failed)
        let read = try DeployRecord(jsonLine: record.jsonLine, source: SourceLocation(file: "r", line: 1))
        #expect(read == record)
        #expect(read.isIntact)
        #expect(!record.jsonLine.contains("\n"))
    }

    @Test("members from a newer format are kept, so the digest still verifies")
    func unknownMembers() throws {
        var json = sampleRecord(previous: nil).json
        json["signature"] = "future"
        json["digest"] = nil
        json["digest"] = .string(CanonicalJSON.digest(json))
        let read = try DeployRecord(json: json)
        #expect(read.isIntact)
        #expect(read.additionalFields["signature"] == "future")
    }

    @Test(
        "malformed records name the field and line",
        arguments: [
            (#"{"id":"x"}"#, "result"), (#"not json"#, "not valid JSON"), (#"{"id":"x","result":"won","namespace":"a"}"#, "result"),
            (#"{"id":"x","result":"failed","namespace":"a","started":"t","digest":"d","applied":[{"kind":"A"}]}"#, "applied[0]"),
        ])
    func malformed(line: String, mention: String) {
        do {
            _ = try DeployRecord(jsonLine: line, source: SourceLocation(file: "history.jsonl", line: 7))
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.description.contains("history.jsonl:7"))
            #expect(error.description.contains(mention), "\(error)")
        }
    }

    @Test("an intact chain has no problems, also after an anchor")
    func intactChain() {
        #expect(RecordChain.verify(sampleChain(5)).isEmpty)
        let chain = sampleChain(4)
        #expect(RecordChain.verify(Array(chain.dropFirst()), anchor: chain[0].digest).isEmpty)
        #expect(RecordChain.verify([]).isEmpty)
    }

    @Test("an altered record is reported, and only it")
    func altered() {
        var chain = sampleChain(4)
        chain[2].identity.actor = "mallory"
        let problems = RecordChain.verify(chain)
        #expect(problems.map(\.kind) == [.altered])
        #expect(problems.first?.index == 2)
    }

    @Test("an altered and resealed record breaks the link after it")
    func resealed() {
        var chain = sampleChain(4)
        chain[1].identity.actor = "mallory"
        chain[1].seal()
        let problems = RecordChain.verify(chain)
        #expect(problems.map(\.kind) == [.gap])
        #expect(problems.first?.index == 2)
    }

    @Test("a removed record is a gap")
    func gap() {
        var chain = sampleChain(5)
        chain.remove(at: 2)
        #expect(RecordChain.verify(chain).map(\.kind) == [.gap])
        #expect(RecordChain.verify(Array(sampleChain(3).dropFirst())).map(\.kind) == [.gap])
    }

    @Test("swapped records are reordered")
    func reordered() {
        var chain = sampleChain(5)
        chain.swapAt(1, 2)
        let problems = RecordChain.verify(chain)
        #expect(problems.map(\.kind) == [.reordered, .reordered, .reordered])
        #expect(problems.map(\.index) == [1, 2, 3])
    }

    @Test("a second start is a gap")
    func restart() {
        let chain = sampleChain(2) + [sampleRecord(previous: nil, offset: 999)]
        #expect(RecordChain.verify(chain).map(\.kind) == [.gap])
    }
}

@Suite("CI identity")
struct CIIdentityTests {
    @Test(
        "the actor comes from CI variables, then --actor",
        arguments: [
            (["GITLAB_USER_LOGIN": "alice", "GITHUB_ACTOR": "bob"], nil, "alice", "GITLAB_USER_LOGIN", nil),
            (["GITHUB_TRIGGERING_ACTOR": "carol", "GITHUB_ACTOR": "bob"], nil, "carol", "GITHUB_TRIGGERING_ACTOR", nil),
            (["GITHUB_TRIGGERING_ACTOR": "", "GITHUB_ACTOR": "bob"], nil, "bob", "GITHUB_ACTOR", nil),
            (["GITHUB_ACTOR": "bob"], "bob", "bob", "GITHUB_ACTOR", nil),
            (["GITHUB_ACTOR": "bob"], "mallory", "bob", "GITHUB_ACTOR", "mallory"),
            ([:], "dave", "dave", "--actor", nil),
            ([:], " ", "unknown", "unknown", nil),
            ([:], nil, "unknown", "unknown", nil),
        ] as [([String: String], String?, String, String, String?)])
    func actor(environment: [String: String], option: String?, name: String, source: String, claimed: String?) {
        let identity = CIIdentity.from(environment: environment, actor: option)
        #expect(identity.actor == name)
        #expect(identity.actorSource == source)
        #expect(identity.claimedActor == claimed)
        #expect(identity.isActorKnown == (source != "unknown"))
    }

    @Test("GitLab variables")
    func gitlab() {
        let identity = CIIdentity.from(environment: [
            "GITLAB_CI": "true", "GITLAB_USER_LOGIN": "alice", "GITLAB_USER_EMAIL": "alice@example.com", "CI_COMMIT_SHA": "abc",
            "CI_PIPELINE_ID": "42", "CI_JOB_URL": "https://gitlab.example/team/app/-/jobs/7", "CI_PROJECT_PATH": "team/app",
            "CI_ENVIRONMENT_NAME": "production",
        ])
        #expect(
            identity
                == CIIdentity(
                    system: .gitlab, actor: "alice", actorSource: "GITLAB_USER_LOGIN", email: "alice@example.com", commit: "abc",
                    pipelineURL: "https://gitlab.example/team/app/-/jobs/7", pipelineID: "42", project: "team/app",
                    environment: "production"))
    }

    @Test("GitHub variables build the run URL")
    func github() {
        let identity = CIIdentity.from(environment: [
            "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "bob", "GITHUB_SHA": "def", "GITHUB_RUN_ID": "99",
            "GITHUB_REPOSITORY": "org/app", "GITHUB_SERVER_URL": "https://github.example",
        ])
        #expect(identity.system == .github)
        #expect(identity.commit == "def")
        #expect(identity.project == "org/app")
        #expect(identity.pipelineURL == "https://github.example/org/app/actions/runs/99")
        #expect(CIIdentity.from(environment: [:]).system == CIIdentity.System.none)
    }
}
