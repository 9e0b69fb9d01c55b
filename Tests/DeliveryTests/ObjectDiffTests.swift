import KubeModel
import Testing

@testable import Delivery

@Suite("Object diff")
struct ObjectDiffTests {
    let live = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: team-a
          uid: 1234
          resourceVersion: "99"
          creationTimestamp: "2025-01-01T00:00:00Z"
          managedFields: [{manager: warrant}]
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: "{}"
        data:
          a: "1"
          b: "2"
          c: "3"
          d: "4"
          e: "5"
          f: "6"
          g: "7"
          h: "8"
          i: "9"
        """

    @Test("server-set fields are stripped, so an equal object has no diff")
    func equal() throws {
        let liveObject = try object(live)
        let desired = ObjectDiff.strip(liveObject)
        #expect(desired.content[path: ["metadata", "uid"]] == nil)
        #expect(desired.content[path: ["metadata", "annotations"]] == nil)
        #expect(ObjectDiff.unifiedDiff(live: liveObject, desired: desired) == nil)
        #expect(ObjectDiff.summary(live: liveObject, desired: desired) == DiffSummary())
        #expect(ObjectDiff.isUnchanged(live: liveObject, desired: desired))
    }

    @Test("a change gives a unified diff with 3 lines of context")
    func change() throws {
        let liveObject = try object(live)
        var desired = ObjectDiff.strip(liveObject)
        desired.content.setValue("changed", at: ["data", "e"])
        desired.content.setValue(nil, at: ["data", "i"])
        let diff = try #require(ObjectDiff.unifiedDiff(live: liveObject, desired: desired))
        #expect(
            diff == """
                --- live/ConfigMap/team-a/settings
                +++ desired/ConfigMap/team-a/settings
                @@ -8,8 +8,7 @@
                   b: "2"
                   c: "3"
                   d: "4"
                -  e: "5"
                +  e: changed
                   f: "6"
                   g: "7"
                   h: "8"
                -  i: "9"

                """)
        #expect(ObjectDiff.summary(live: liveObject, desired: desired) == DiffSummary(objectsChanged: 1, linesAdded: 1, linesRemoved: 2, fieldsChanged: 2))
        #expect(!ObjectDiff.isUnchanged(live: liveObject, desired: desired))
    }

    @Test("distant changes make separate hunks; a new object is all additions")
    func hunks() throws {
        let old = (1...20).map { "line \($0)" }
        var new = old
        new[1] = "changed 2"
        new[17] = "changed 18"
        let text = try #require(UnifiedDiff.text(old: old, new: new, oldName: "a", newName: "b", context: 3))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("@@") } == ["@@ -1,5 +1,5 @@", "@@ -15,6 +15,6 @@"])
        let created = try #require(ObjectDiff.unifiedDiff(live: nil, desired: make("v1", "ConfigMap", "new")))
        #expect(created.hasPrefix("--- live/ConfigMap/team-a/new\n+++ desired/ConfigMap/team-a/new\n@@ -0,0 +1,5 @@\n+apiVersion: v1\n"))
        #expect(UnifiedDiff.text(old: ["a"], new: ["a", "b"], oldName: "a", newName: "b", context: 3) == "--- a\n+++ b\n@@ -1 +1,2 @@\n a\n+b\n")
    }

    /// kubectl `pkg/cmd/diff` `Masker`: keys stay, values never show; a changed value is marked.
    @Test("a Secret's values are masked as kubectl diff masks them")
    func secretValuesAreMasked() throws {
        func secret(_ data: String) throws -> KubeObject {
            KubeObject(try JSONValue.parseJSON(Array(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":\#(data)}"#.utf8), source: "s"))
        }
        let live = try secret(#"{"user":"YWRtaW4=","password":"b2xkLXB3","gone":"eA=="}"#)
        let desired = try secret(#"{"user":"YWRtaW4=","password":"bmV3LXB3","token":"c2VjcmV0LXRva2Vu"}"#)
        let diff = try #require(ObjectDiff.unifiedDiff(live: live, desired: desired))
        for value in ["YWRtaW4=", "b2xkLXB3", "bmV3LXB3", "eA==", "c2VjcmV0LXRva2Vu"] { #expect(!diff.contains(value), "\(diff)") }
        #expect(diff.contains("-  password: \"*** (before)\"") && diff.contains("+  password: \"*** (after)\""), "\(diff)")
        #expect(diff.contains("+  token: \"***\"") && diff.contains("-  gone: \"***\""), "\(diff)")
        #expect(!diff.contains("-  user:") && !diff.contains("+  user:"), "an unchanged key is masked the same on both sides: context only: \(diff)")
        let created = try #require(ObjectDiff.unifiedDiff(live: nil, desired: desired))
        #expect(!created.contains("YWRtaW4=") && created.contains("password:"))
        // Each value counts as one masked line, whatever it holds; the fields: password changed,
        // token added, gone removed.
        #expect(ObjectDiff.summary(live: live, desired: desired) == DiffSummary(objectsChanged: 1, linesAdded: 2, linesRemoved: 2, fieldsChanged: 3))
        let configMap = make("v1", "ConfigMap", "plain")
        #expect(SecretMask.masked(live: nil, desired: configMap).desired == configMap)
    }

    @Test(
        "unchanged compares only the fields desired sets",
        arguments: [
            (#"{"spec":{"replicas":2}}"#, #"{"spec":{"replicas":2,"revisionHistoryLimit":10}}"#, true),
            (#"{"spec":{"replicas":2}}"#, #"{"spec":{"replicas":3}}"#, false),
            (#"{"spec":{"replicas":2}}"#, #"{"spec":{"replicas":2.0}}"#, true),
            (#"{"c":[{"name":"a"}]}"#, #"{"c":[{"name":"a","imagePullPolicy":"Always"}]}"#, true),
            (#"{"c":[{"name":"a"}]}"#, #"{"c":[{"name":"a"},{"name":"b"}]}"#, false),
            (#"{"a":null}"#, #"{"b":1}"#, true),
            (#"{"a":null}"#, #"{"a":1}"#, false),
            (#"{"a":{"b":1}}"#, #"{"a":"x"}"#, false),
            (#"{"a":"x"}"#, #"{}"#, false),
        ])
    func unchanged(desired: String, live: String, expected: Bool) throws {
        let desiredValue = try JSONValue.parseJSON(Array(desired.utf8), source: "desired")
        let liveValue = try JSONValue.parseJSON(Array(live.utf8), source: "live")
        #expect(ObjectDiff.isUnchanged(live: KubeObject(liveValue), desired: KubeObject(desiredValue)) == expected)
    }
}

@Suite("History rendering")
struct HistoryRendererTests {
    @Test("table, JSON and Markdown show who, what, when, commit and result")
    func render() throws {
        let records = sampleChain(2)
        let table = HistoryRenderer.render(records, format: .table)
        #expect(table.hasPrefix("WHEN  "))
        #expect(table.contains("user1") && table.contains("0123abcd") && table.contains("succeeded") && table.contains("1 applied"))
        let markdown = HistoryRenderer.render(records, format: .markdown)
        #expect(markdown.hasPrefix("| WHEN | WHO |"))
        #expect(markdown.split(separator: "\n").count == 4)
        let json = HistoryRenderer.render(records, format: .json)
        let parsed = try JSONValue.parseJSON(Array(json.utf8), source: "json")
        #expect(try parsed.arrayValue?.map { try DeployRecord(json: $0) } == records)
        var anonymous = records[0]
        anonymous.identity = CIIdentity()
        #expect(HistoryRenderer.rows([anonymous]).first?[1] == "unknown (not recorded)")
    }
}
