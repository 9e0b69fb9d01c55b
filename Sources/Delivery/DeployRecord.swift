public import Foundation
public import KubeModel

/// The tamper-evident record of one `warrant deploy`: who deployed what, when, from which commit,
/// with what result.
///
/// Records form a hash chain: ``previous`` is the ``digest`` of the record before, and ``digest``
/// is the lowercase hex SHA-256 of the record's canonical JSON (keys sorted, compact, see
/// ``CanonicalJSON``) without the `digest` member. Changing, removing or reordering a record breaks
/// the chain, which ``RecordChain/verify(_:anchor:)`` reports.
///
/// Members a newer Warrant adds are kept in ``additionalFields`` when a record is read, so that its
/// digest still verifies.
public struct DeployRecord: Sendable, Hashable {
    /// The version of the record format, written as `version`.
    public static let formatVersion: Int64 = 1

    /// `<started, compact UTC>-<8 hex digits of the content's hash>`, e.g. `20250102T030405Z-1a2b3c4d`.
    public var id: String
    /// Who deployed, from which pipeline and commit.
    public var identity: CIIdentity
    /// The Kubernetes user the deploy authenticated as, e.g. `system:serviceaccount:team:deployer`.
    public var credential: String
    /// The API server's URL.
    public var cluster: String
    /// The namespace deployed to.
    public var namespace: String
    /// The objects applied, with their digests.
    public var applied: [RecordedObject]
    /// The objects pruned.
    public var pruned: [RecordedObject]
    /// How much changed.
    public var diff: DiffSummary
    /// How the deploy ended.
    public var result: DeployResult
    /// A short explanation of the result (the error, for a failure).
    public var message: String
    /// When the deploy started, RFC 3339 in UTC.
    public var started: String
    /// When it finished, RFC 3339 in UTC.
    public var finished: String
    /// Milliseconds spent, by phase (`total`, and e.g. `apply`, `prune`, `wait`).
    public var durations: [String: Int64]
    /// The digest of the record before this one; `nil` for the first record.
    public var previous: String?
    /// The digest of this record, as sealed.
    public var digest: String
    /// Members of a record written by a newer Warrant, kept so that its digest still verifies.
    public var additionalFields: JSONObject

    /// Creates a sealed record (``id`` and ``digest`` computed).
    ///
    /// - Parameters:
    ///   - previous: the digest of the newest earlier record (``HistoryStore/latestDigest(in:)``), `nil` for the first.
    ///   - durations: milliseconds by phase; `total` is added from `started` and `finished` when absent.
    public init(
        identity: CIIdentity, credential: String, cluster: String, namespace: String, applied: [RecordedObject],
        pruned: [RecordedObject], diff: DiffSummary, result: DeployResult, message: String, started: Date, finished: Date,
        durations: [String: Int64] = [:], previous: String?
    ) {
        self.id = ""
        self.identity = identity
        self.credential = credential
        self.cluster = cluster
        self.namespace = namespace
        self.applied = applied
        self.pruned = pruned
        self.diff = diff
        self.result = result
        self.message = message
        self.started = Self.timestamp(started)
        self.finished = Self.timestamp(finished)
        var durations = durations
        if durations["total"] == nil {
            durations["total"] = Int64((finished.timeIntervalSince(started) * 1000).rounded())
        }
        self.durations = durations
        self.previous = previous
        self.digest = ""
        self.additionalFields = JSONObject()
        seal()
    }

    /// Recomputes ``id`` (when empty) and ``digest`` from the content.
    public mutating func seal() {
        if id.isEmpty {
            var body = json
            body["id"] = nil
            body["digest"] = nil
            let compact = started.filter { $0 != "-" && $0 != ":" }
            id = "\(compact)-\(CanonicalJSON.digest(body).prefix(8))"
        }
        digest = computedDigest
    }

    /// The digest the content has now: SHA-256 of the canonical JSON without `digest`.
    public var computedDigest: String {
        var body = json
        body["digest"] = nil
        return CanonicalJSON.digest(body)
    }

    /// Whether ``digest`` matches the content.
    public var isIntact: Bool { digest == computedDigest }

    /// The record's members as a JSON value.
    public var json: JSONValue {
        var object = additionalFields
        object["version"] = .integer(Self.formatVersion)
        object["id"] = .string(id)
        var actor = JSONObject([("name", .string(identity.actor)), ("source", .string(identity.actorSource))])
        if let claimed = identity.claimedActor { actor["claimed"] = .string(claimed) }
        if let email = identity.email { actor["email"] = .string(email) }
        object["actor"] = .object(actor)
        object["ci"] = .string(identity.system.rawValue)
        object["credential"] = .string(credential)
        object["cluster"] = .string(cluster)
        object["namespace"] = .string(namespace)
        object["commit"] = identity.commit.map(JSONValue.string)
        object["pipelineURL"] = identity.pipelineURL.map(JSONValue.string)
        object["pipelineID"] = identity.pipelineID.map(JSONValue.string)
        object["project"] = identity.project.map(JSONValue.string)
        object["environment"] = identity.environment.map(JSONValue.string)
        object["applied"] = .array(applied.map(\.json))
        object["pruned"] = .array(pruned.map(\.json))
        var diffMembers = JSONObject([
            ("objectsChanged", .integer(Int64(diff.objectsChanged))), ("linesAdded", .integer(Int64(diff.linesAdded))),
            ("linesRemoved", .integer(Int64(diff.linesRemoved))),
        ])
        // Absent in records written before fields were counted, so that their digests still verify.
        if let fields = diff.fieldsChanged { diffMembers["fieldsChanged"] = .integer(Int64(fields)) }
        object["diff"] = .object(diffMembers)
        object["result"] = .string(result.rawValue)
        object["message"] = .string(message)
        object["started"] = .string(started)
        object["finished"] = .string(finished)
        object["durations"] = .object(JSONObject(durations.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.integer($0.value)) }))
        object["previous"] = previous.map(JSONValue.string)
        object["digest"] = .string(digest)
        return .object(object)
    }

    /// The record as one line of canonical JSON (no trailing newline), for JSON-lines storage.
    public var jsonLine: String { CanonicalJSON.text(json) }

    static let knownFields: Set<String> = [
        "version", "id", "actor", "ci", "credential", "cluster", "namespace", "commit", "pipelineURL", "pipelineID", "project",
        "environment", "applied", "pruned", "diff", "result", "message", "started", "finished", "durations", "previous", "digest",
    ]

    /// Reads a record from its JSON value, keeping ``digest`` as written (so tampering shows).
    ///
    /// - Throws: ``RecordError`` for a missing or mistyped member.
    public init(json: JSONValue) throws(RecordError) {
        guard let object = json.objectValue else {
            throw RecordError(field: "record", message: "is \(json.typeDescription), not a mapping")
        }
        let reader = RecordReader(value: json, field: "")
        let actor = RecordReader(value: try reader.object("actor") ?? .object(JSONObject()), field: "actor")
        guard let result = DeployResult(rawValue: try reader.string("result")) else {
            throw RecordError(field: "result", message: "is not one of succeeded, failed, dry-run, interrupted")
        }
        let diff = RecordReader(value: try reader.object("diff") ?? .object(JSONObject()), field: "diff")
        var durations: [String: Int64] = [:]
        if let value = try reader.object("durations"), let members = value.objectValue {
            let durationReader = RecordReader(value: value, field: "durations")
            for key in members.keys { durations[key] = try durationReader.integer(key) }
        }
        var applied: [RecordedObject] = []
        for (index, entry) in try reader.array("applied").enumerated() {
            applied.append(try RecordedObject(json: entry, field: "applied[\(index)]"))
        }
        var pruned: [RecordedObject] = []
        for (index, entry) in try reader.array("pruned").enumerated() {
            pruned.append(try RecordedObject(json: entry, field: "pruned[\(index)]"))
        }
        id = try reader.string("id")
        identity = CIIdentity(
            system: CIIdentity.System(rawValue: try reader.optionalString("ci") ?? "none") ?? .none,
            actor: try actor.optionalString("name") ?? CIIdentity.unknownActor,
            actorSource: try actor.optionalString("source") ?? CIIdentity.unknownActor,
            claimedActor: try actor.optionalString("claimed"), email: try actor.optionalString("email"),
            commit: try reader.optionalString("commit"), pipelineURL: try reader.optionalString("pipelineURL"),
            pipelineID: try reader.optionalString("pipelineID"), project: try reader.optionalString("project"),
            environment: try reader.optionalString("environment"))
        credential = try reader.optionalString("credential") ?? ""
        cluster = try reader.optionalString("cluster") ?? ""
        namespace = try reader.string("namespace")
        self.applied = applied
        self.pruned = pruned
        self.diff = DiffSummary(
            objectsChanged: Int(try diff.integer("objectsChanged")), linesAdded: Int(try diff.integer("linesAdded")),
            linesRemoved: Int(try diff.integer("linesRemoved")),
            fieldsChanged: diff.value["fieldsChanged"] == nil ? nil : Int(try diff.integer("fieldsChanged")))
        self.result = result
        message = try reader.optionalString("message") ?? ""
        started = try reader.string("started")
        finished = try reader.optionalString("finished") ?? ""
        self.durations = durations
        previous = try reader.optionalString("previous")
        digest = try reader.string("digest")
        additionalFields = JSONObject(object.filter { !Self.knownFields.contains($0.key) }.map { ($0.key, $0.value) })
    }

    /// Reads a record from one line of JSON.
    ///
    /// - Parameter source: names the input in errors.
    /// - Throws: ``RecordError`` for malformed JSON or a malformed record.
    public init(jsonLine: String, source: SourceLocation) throws(RecordError) {
        let value: JSONValue
        do {
            value = try JSONValue.parseJSON(Array(jsonLine.utf8), source: source.file)
        } catch {
            throw RecordError(field: "record", message: "is not valid JSON (\(error.message))", source: source)
        }
        do {
            try self.init(json: value)
        } catch var error {
            error.source = source
            throw error
        }
    }

    /// `date` as RFC 3339 in UTC with whole seconds, e.g. `2025-01-02T03:04:05Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0) ?? .gmt))
    }
}
