import Evidence
import Foundation
import Testing
import WarrantTestSupport

/// Reads `text` as an audit log and returns the kept events.
func readLog(
    _ text: String, namespaces: Set<String>? = ["probe1"], since: MicroTime? = nil, until: MicroTime? = nil, name: String = "audit.log"
) throws(AuditLogError) -> (events: [AuditEvent], summary: AuditLogFileSummary) {
    var source = MemoryByteSource(text)
    var events: [AuditEvent] = []
    let summary = try AuditLogReader(filter: AuditEventFilter(namespaces: namespaces, since: since, until: until)).read(&source, name: name) {
        events.append($0)
    }
    return (events, summary)
}

@Suite(.ownThread) struct AuditLogReaderTests {
    @Test func readsWhatKubeApiserverWrote() throws {
        let (events, summary) = try readLog(RealAuditLines.createByAdmin + "\n" + RealAuditLines.legacyTokenPatch + "\n")
        #expect(summary.events == 2 && summary.kept == 2)
        let create = try #require(events.first)
        #expect(create.auditID == "3629f3cd-787a-4193-aa89-25fd0a0aa0c7")
        #expect(create.stage == .responseComplete && create.level == "Metadata")
        #expect(create.verb == "create" && create.user == "admin" && create.code == 201)
        // `&` is written as \u0026 by Go's JSON encoder.
        #expect(create.requestURI == "/api/v1/namespaces/probe1/configmaps?fieldManager=kubectl-create&fieldValidation=Strict")
        #expect(create.objectRef == AuditEvent.ObjectRef(resource: "configmaps", apiVersion: "v1", namespace: "probe1", name: "c2"))
        #expect(create.received == MicroTime(rfc3339: "2026-12-06T07:11:57.087803Z"))
        #expect(create.stageTime == MicroTime(rfc3339: "2026-12-06T07:11:57.089861Z"))
        #expect(create.userAgent.hasPrefix("kubectl/v1.32.4") && create.sourceIP == "127.0.0.1" && create.decision == "allow")
        #expect(create.credentialID == nil && create.impersonatedUser == nil)
        // kube-apiserver's legacy-token annotations name the token Secret.
        #expect(events[1].credentialID == "secret:ci-token")
        #expect(events[1].user == "system:serviceaccount:probe1:ci")
    }

    @Test func readsTokenRequestCredentialsImpersonationAndDryRuns() throws {
        let text = [RealAuditLines.boundTokenPatch, RealAuditLines.impersonatedPatch, RealAuditLines.dryRunPatch, RealAuditLines.forbiddenDelete]
            .joined(separator: "\n")
        let (events, _) = try readLog(text)
        #expect(events.count == 4)
        #expect(events[0].credentialID?.hasPrefix("JTI=") == true)
        #expect(events[1].user == "admin" && events[1].impersonatedUser == "system:serviceaccount:probe1:ci")
        #expect(events[2].isDryRun && !events[0].isDryRun)
        #expect(events[3].code == 403 && events[3].decision == "forbid" && !events[3].succeeded)
    }

    @Test func keepsWritesAndSecretReadsOfTheNamespacesOnly() throws {
        let text = [
            RealAuditLines.createByAdmin, RealAuditLines.legacyTokenGet, RealAuditLines.unauthenticatedList, RealAuditLines.clusterWideSecretWatch,
            RealAuditLines.tokenRequestCreate, RealAuditLines.generateNameCreate,
        ].joined(separator: "\n")
        let (events, summary) = try readLog(text)
        #expect(summary.events == 6)
        // The get of a ConfigMap and the list are reads of other things; the cluster-wide watch has no namespace.
        #expect(
            events.map(\.auditID) == [
                "3629f3cd-787a-4193-aa89-25fd0a0aa0c7", "ed6eb9e8-63a5-4aad-a92f-2a7874f7c77f", "fdd42398-b597-4a45-bbf2-f69f80c21fb7",
            ])
        #expect(events[1].objectRef?.subresource == "token")
        #expect(events[2].objectRef?.name == "")
        #expect(try readLog(text, namespaces: ["other"]).events.isEmpty)
        // Every namespace (-A) still leaves out what has none.
        #expect(try readLog(text, namespaces: nil).events.count == 3)
    }

    @Test func keepsSecretReadsOfAnyone() throws {
        let line = RealAuditLines.legacyTokenGet.replacingOccurrences(of: #""resource":"configmaps""#, with: #""resource":"secrets""#)
        let (events, _) = try readLog(line)
        #expect(events.count == 1 && events[0].isSecretRead)
    }

    @Test(arguments: [
        ("2026-12-06T07:11:57Z", "2026-12-06T07:11:58Z", 1) as (String?, String?, Int),
        ("2026-12-06T07:11:57.087803Z", nil, 1),
        ("2026-12-06T07:11:57.087804Z", nil, 0),
        (nil, "2026-12-06T07:11:57.087803Z", 0),
        ("2026-12-06", "2026-12-07", 1),
    ])
    func filtersByPeriod(since: String?, until: String?, kept: Int) throws {
        let (events, summary) = try readLog(
            RealAuditLines.createByAdmin, since: since.flatMap { MicroTime(day: $0) }, until: until.flatMap { MicroTime(day: $0) })
        #expect(events.count == kept)
        #expect(summary.events == 1)
    }

    @Test func blankLinesCRLFAndAFinalLineWithoutNewlineAreRead() throws {
        let text = "\n" + RealAuditLines.createByAdmin + "\r\n\r\n   \n" + RealAuditLines.legacyTokenPatch
        let (events, summary) = try readLog(text)
        #expect(events.count == 2 && !summary.incompleteLastLine)
    }

    @Test func aCutOffLastLineIsSkippedAndNoted() throws {
        let text = RealAuditLines.createByAdmin + "\n" + RealAuditLines.legacyTokenPatch.prefix(300)
        let (events, summary) = try readLog(text)
        #expect(events.count == 1 && summary.incompleteLastLine)
    }

    @Test(arguments: [
        ("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\"", 2, "is not a JSON audit event"),
        ("not json at all", 2, "is not a JSON audit event: expected '{'"),
        (
            #"{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","auditID":"x","stage":"ResponseComplete","verb":"get","requestReceivedTimestamp":"2026-12-06T07:11:57Z"}"#,
            2, "is audit.k8s.io/v1beta1 Event, not an audit.k8s.io/v1 Event"
        ),
        (#"{"kind":"Pod","apiVersion":"v1"}"#, 2, "is v1 Pod, not an audit.k8s.io/v1 Event"),
        (#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","requestReceivedTimestamp":"yesterday"}"#, 2, "has no valid requestReceivedTimestamp"),
        (
            #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"Later","auditID":"a","verb":"delete","objectRef":{"resource":"pods","namespace":"probe1","name":"p"},"requestReceivedTimestamp":"2026-12-06T07:11:57Z"}"#,
            2, "has stage 'Later'"
        ),
        (#"{"kind":"Event","apiVersion":"audit.k8s.io/v1"} trailing"#, 2, "text after the end of the JSON object"),
    ])
    func badLinesNameTheFileLineAndFix(line: String, number: Int, message: String) throws {
        let text = RealAuditLines.createByAdmin + "\n" + line + "\n" + RealAuditLines.createByAdmin + "\n"
        let error = try #require(throws: AuditLogError.self) { try readLog(text, name: "/logs/audit.log") }
        #expect(error.file == "/logs/audit.log" && error.line == number)
        #expect(error.description.contains(message), "\(error)")
        #expect(error.hint != nil || error.description.contains("stage"))
    }

    @Test(arguments: [3_000, 11_000])
    func aBadLineFarIntoALargeLogIsNamedByItsNumber(bad: Int) throws {
        // 12,000 lines (about 10 MiB): two chunks, each parsed in pieces on every core.
        var lines = (1...12_000).map { RealAuditLines.createByAdmin.replacingOccurrences(of: "3629f3cd-787a-4193-aa89-25fd0a0aa0c7", with: "id-\($0)") }
        lines[bad - 1] = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",oops}"
        let error = try #require(throws: AuditLogError.self) { try readLog(lines.joined(separator: "\n")) }
        #expect(error.line == bad && error.column == 48, "\(error)")
        lines[bad - 1] = lines[0].replacingOccurrences(of: "\"id-1\"", with: "\"id-x\"")
        let (events, summary) = try readLog(lines.joined(separator: "\n"))
        #expect(summary.events == 12_000 && events.count == 12_000)
        #expect(events.prefix(3).map(\.auditID) == ["id-1", "id-2", "id-3"] && events.last?.auditID == "id-12000")
    }

    /// The next chunk is read on another thread while a chunk is parsed: a source that hands
    /// over its bytes a few at a time, and one that fails part-way, give what reading it whole
    /// gives — every event in order, and the failure after the events before it.
    @Test func readsTheSameHoweverTheSourceHandsOverItsBytes() throws {
        let lines = (1...25_000).map { RealAuditLines.createByAdmin.replacingOccurrences(of: "3629f3cd-787a-4193-aa89-25fd0a0aa0c7", with: "id-\($0)") }
        let text = lines.joined(separator: "\n") + "\n"
        let whole = try readLog(text)
        #expect(whole.events.count == 25_000 && whole.summary.events == 25_000)
        let reader = AuditLogReader(filter: AuditEventFilter(namespaces: ["probe1"]))
        var trickle = TrickleSource(bytes: Array(text.utf8), step: 7_919)
        var events: [AuditEvent] = []
        let summary = try reader.read(&trickle, name: "audit.log") { events.append($0) }
        #expect(events == whole.events && summary == whole.summary)
        #expect(trickle.reads > text.utf8.count / 7_919)

        var failing = TrickleSource(bytes: Array(text.utf8), step: 1 << 20, failAfter: 12 << 20)
        var before = 0
        let error = try #require(throws: AuditLogError.self) { _ = try reader.read(&failing, name: "audit.log") { _ in before += 1 } }
        #expect(error.message.contains("cannot be read"))
        // The first chunk (8 MiB) was handed over before the failure in the second surfaced.
        #expect(before > 0 && before < 25_000)
    }

    @Test func requestLevelBodiesAreSkippedEvenWhenTheyLookLikeMembers() throws {
        // A Request-level event: requestObject holds strings with braces, quotes and a nested
        // "namespace" member that must not be taken for the objectRef's.
        let line = #"""
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"r1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/probe1/configmaps","verb":"create","user":{"username":"alice","groups":["developers","system:authenticated"],"extra":{"other":["x"]}},"sourceIPs":["10.0.0.1","127.0.0.1"],"objectRef":{"resource":"configmaps","namespace":"probe1","name":"cm","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"ConfigMap","metadata":{"name":"cm","namespace":"elsewhere"},"data":{"a":"}{][\"\\","objectRef":"{\"namespace\":\"x\"}","n":[1,2.5e3,-0.1,true,false,null]}},"requestReceivedTimestamp":"2026-12-06T07:11:57.000001Z","stageTimestamp":"2026-12-06T07:11:57.000002Z","annotations":{"x":"y"}}
            """#
        let (events, _) = try readLog(line)
        let event = try #require(events.first)
        #expect(event.user == "alice" && event.objectRef?.namespace == "probe1" && event.objectRef?.name == "cm")
        #expect(event.sourceIP == "10.0.0.1" && event.level == "Request" && event.credentialID == nil)
    }

    @Test func unicodeEscapesAreDecoded() throws {
        let line = RealAuditLines.createByAdmin.replacingOccurrences(of: #""username":"admin""#, with: #""username":"\u00e5sa \ud83d\ude00 \"q\" \\ \/""#)
        let (events, _) = try readLog(line)
        #expect(events.first?.user == "åsa 😀 \"q\" \\ /")
    }

    @Test func aLineLongerThanTheBufferIsRead() throws {
        // 9 MiB of request object: the reader's buffer grows past its 4 MiB chunk.
        let big = String(repeating: "x", count: 9 << 20)
        let line = RealAuditLines.createByAdmin.replacingOccurrences(
            of: #","annotations":"#, with: #","requestObject":{"data":""# + big + #""},"annotations":"#)
        let (events, _) = try readLog(RealAuditLines.legacyTokenPatch + "\n" + line + "\n" + RealAuditLines.createByAdmin)
        #expect(events.count == 3)
    }

    @Test func aMissingFileOrAFolderIsAClearError() async throws {
        try await withTemporaryDirectory { folder in
            let reader = AuditLogReader(filter: AuditEventFilter(namespaces: nil))
            let missing = try #require(throws: AuditLogError.self) { _ = try reader.read(path: folder.path + "/nope.log") { _ in } }
            #expect(missing.description.contains("nope.log: cannot be opened"))
            let directory = try #require(throws: AuditLogError.self) { _ = try reader.read(path: folder.path) { _ in } }
            #expect(directory.description.contains("is a folder"))
        }
    }
}

@Suite(.ownThread) struct AuditLogCollectorTests {
    @Test func keepsOneEventPerRequestTheMostComplete() {
        var collector = AuditLogCollector()
        let time = MicroTime(microseconds: 1_000_000)
        let ref = AuditEvent.ObjectRef(resource: "pods", namespace: "a", name: "p", subresource: "exec")
        collector.add(AuditEvent(auditID: "1", stage: .responseStarted, verb: "create", user: "u", objectRef: ref, code: 101, received: time))
        collector.add(AuditEvent(auditID: "2", verb: "create", user: "u", objectRef: ref, code: 201, received: time.adding(seconds: -1)))
        collector.add(AuditEvent(auditID: "1", stage: .responseComplete, verb: "create", user: "u", objectRef: ref, code: 200, received: time))
        collector.add(AuditEvent(auditID: "1", stage: .requestReceived, verb: "create", user: "u", objectRef: ref, code: 0, received: time))
        let sorted = collector.sorted()
        #expect(sorted.map(\.auditID) == ["2", "1"])
        #expect(sorted[1].stage == .responseComplete && sorted[1].code == 200)
        #expect(collector.duplicates == 2)
    }

    /// Enough requests to span several of the collector's chunks, each logged at two stages, the
    /// later stage arriving long after (as from a rotated file read last), newest first.
    @Test func keepsTheMostCompleteEventAcrossManyRequestsAndHandsThemOverInOrder() {
        var collector = AuditLogCollector()
        let ref = AuditEvent.ObjectRef(resource: "configmaps", namespace: "a", name: "c")
        let count = 40_000
        for number in stride(from: count - 1, through: 0, by: -1) {
            collector.add(
                AuditEvent(
                    auditID: "id-\(number)", stage: .requestReceived, verb: "patch", user: "u", objectRef: ref, code: 0,
                    received: MicroTime(microseconds: Int64(number))))
        }
        for number in 0..<count where number % 3 == 0 {
            collector.add(
                AuditEvent(
                    auditID: "id-\(number)", stage: .responseComplete, verb: "patch", user: "u", objectRef: ref, code: 200,
                    received: MicroTime(microseconds: Int64(number))))
        }
        #expect(collector.count == count && collector.duplicates == (count + 2) / 3)
        let copy = collector.sorted()
        var second = collector
        let entries = second.takeSortedEntries()
        #expect(entries.map(\.event) == copy && second.count == 0, "as entries, in the same order")
        let taken = collector.takeSorted()
        #expect(taken == copy && collector.count == 0)
        #expect(taken.map(\.auditID) == (0..<count).map { "id-\($0)" })
        #expect(taken.allSatisfy { ($0.code == 200) == (Int($0.auditID.dropFirst(3))! % 3 == 0) })
        #expect(taken.allSatisfy { ($0.stage == .responseComplete) == ($0.code == 200) })
    }
}

@Suite struct MicroTimeTests {
    @Test(arguments: [
        ("2026-12-06T07:11:57.087803Z", 1_796_541_117_087_803 as Int64),
        ("2026-12-06T07:11:57Z", 1_796_541_117_000_000),
        ("2026-12-06T07:11:57.1Z", 1_796_541_117_100_000),
        ("2026-12-06T07:11:57.123456789Z", 1_796_541_117_123_456),
        ("2026-12-06T09:11:57+02:00", 1_796_541_117_000_000),
        ("2026-12-06t07:11:57z", 1_796_541_117_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("2000-02-29T00:00:00Z", 951_782_400_000_000),
    ])
    func parses(text: String, microseconds: Int64) {
        #expect(MicroTime(rfc3339: text)?.microseconds == microseconds)
    }

    @Test(arguments: [
        "", "2026-12-06", "2026-13-06T07:11:57Z", "2026-12-06T07:11:57", "2026-12-06T07:11:57.Z", "2026-12-06T25:00:00Z", "2026-12-06T07:11:57+0200",
    ])
    func rejects(text: String) {
        #expect(MicroTime(rfc3339: text) == nil)
    }

    @Test func formatsAsTheAPIServerDoes() throws {
        let time = try #require(MicroTime(rfc3339: "2026-12-06T07:11:57.087803Z"))
        #expect(time.description == "2026-12-06T07:11:57.087803Z")
        #expect(time.wholeSeconds == "2026-12-06T07:11:57Z")
        #expect(MicroTime(day: "2026-12-06")?.wholeSeconds == "2026-12-06T00:00:00Z")
        #expect(MicroTime(microseconds: -1).description == "1969-12-31T23:59:59.999999Z")
        // Every day of four centuries round-trips.
        for days in stride(from: -200_000, to: 200_000, by: 997) {
            let time = MicroTime(microseconds: Int64(days) * 86_400_000_000 + 12_345)
            #expect(MicroTime(rfc3339: time.description) == time)
        }
    }
}

/// A source that hands over at most `step` bytes per read, and fails once `failAfter` bytes were read.
private struct TrickleSource: ByteSource {
    let bytes: [UInt8]
    let step: Int
    var failAfter = Int.max
    var offset = 0
    var reads = 0

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(AuditLogError) -> Int {
        reads += 1
        guard offset < failAfter else { throw AuditLogError(file: "audit.log", message: "cannot be read: input/output error", hint: nil) }
        let count = min(buffer.count, step, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        offset += count
        return count
    }
}
