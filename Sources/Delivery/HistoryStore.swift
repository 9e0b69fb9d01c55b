import Foundation
public import KubeModel
import RBAC
public import ScopePlanning

/// Where `warrant deploy` keeps its records in the namespace: ConfigMaps whose `records.jsonl`
/// holds one record per line (``DeployRecord/jsonLine``), oldest first.
///
/// The newest records live in the ConfigMap named ``name`` (`warrant-history`). A ConfigMap is
/// limited to 1 MiB in all, so the records of one ConfigMap are kept under ``sizeLimit``
/// (900 KiB by default). When the next record does not fit, the records rotate: the head's
/// records move, unchanged, to `warrant-history-1`, those of `-1` to `-2` and so on up to
/// ``archives``; the records of the last archive are dropped, and the head keeps the digest of
/// the newest dropped record as its anchor (``anchorAnnotation``) and the count of dropped
/// records (``droppedAnnotation``). The chain therefore stays verifiable across rotation:
/// the oldest kept record's `previous` is the anchor (``RecordChain/verify(_:anchor:)``).
///
/// Records are moved as the lines they were written as, never re-encoded, so rotation cannot
/// change a digest.
///
/// A ConfigMap whose records do not fit ``sizeLimit`` as text (one record of a deploy of many
/// thousand objects can) holds them gzip-compressed in `binaryData` under ``compressedDataKey``
/// instead, when that fits: the same lines, so the digests and the chain are those of the text.
/// Histories written before keep their text and are read as they are; a ConfigMap holding both
/// keys is read compressed lines first. A record that does not fit even compressed is refused
/// before the deploy changes anything (``recordSize(applying:)``).
///
/// ``archives`` is 0 by default: the Role that `warrant scope` derives for `warrant deploy`
/// (`RequestPlanner`) grants access to the one ConfigMap `warrant-history` by name, so by
/// default old records are dropped (anchor kept) rather than moved. Keep a complete copy with
/// `--record-file` (JSON lines, ``jsonLines(_:)``) as a CI artifact, or raise ``archives``
/// together with the Role.
public struct HistoryStore: Sendable, Hashable {
    /// The data key holding the records.
    public static let dataKey = "records.jsonl"
    /// The `binaryData` key holding the records gzip-compressed, when they do not fit as text.
    public static let compressedDataKey = "records.jsonl.gz"
    /// The most bytes the compressed records of one ConfigMap may expand to when read.
    public static let expandedLimit = 64 * 1024 * 1024
    /// The head's annotation holding the digest of the newest dropped record.
    public static let anchorAnnotation = "warrant.dev/history-anchor"
    /// The head's annotation counting the records dropped so far.
    public static let droppedAnnotation = "warrant.dev/history-dropped"
    /// The label on every history ConfigMap.
    public static let managedByLabel = "app.kubernetes.io/managed-by"

    /// The head ConfigMap's name.
    public var name: String
    /// The namespace.
    public var namespace: String
    /// The largest size in bytes of the records in one ConfigMap.
    public var sizeLimit: Int
    /// How many archive ConfigMaps (`<name>-1` …) keep rotated records before they are dropped.
    public var archives: Int

    /// Creates the store of a namespace.
    ///
    /// - Parameters:
    ///   - name: the head ConfigMap's name, `DeployOptions`' `historyName` (`warrant-history`) by default.
    ///   - namespace: the namespace.
    ///   - sizeLimit: bytes of records per ConfigMap, 900 KiB by default (the API server stores at most 1 MiB per object).
    ///   - archives: archive ConfigMaps to rotate into before dropping, 0 by default (see the type's discussion).
    public init(name: String = DeployOptions().historyName, namespace: String, sizeLimit: Int = 900 * 1024, archives: Int = 0) {
        self.name = name
        self.namespace = namespace
        self.sizeLimit = sizeLimit
        self.archives = max(0, archives)
    }

    /// The names of the head and the archives, newest first: what the Role must grant.
    public var configMapNames: [String] { [name] + (0..<archives).map { "\(name)-\($0 + 1)" } }

    /// The ConfigMaps to server-side apply to add `record` to the history in `configMaps` (the live
    /// history ConfigMaps; other objects are ignored): the head only, or, when it rotates, the
    /// head and every archive.
    ///
    /// - Throws: ``HistoryError`` when the record alone is larger than ``sizeLimit`` even
    ///   compressed, when the history's records cannot be read, or when rotation drops a record
    ///   whose digest cannot be read (the anchor would be wrong).
    public func append(_ record: DeployRecord, to configMaps: [KubeObject]) throws(HistoryError) -> [KubeObject] {
        let line = record.jsonLine
        if line.utf8.count + 1 > sizeLimit {
            let compressed = Gzip.compress((line + "\n").utf8)
            guard compressed.count <= sizeLimit else {
                throw HistoryError(
                    .recordTooLarge, recordID: record.id,
                    "deployment record \(record.id) is \(line.utf8.count + 1) bytes, \(compressed.count) compressed, more than the \(sizeLimit) a history ConfigMap holds",
                    hint: Self.tooLargeHint)
            }
        }
        let head = configMap(named: name, in: configMaps)
        var anchor = head?.annotations[Self.anchorAnnotation]
        var dropped = Int(head?.annotations[Self.droppedAnnotation] ?? "") ?? 0
        let headLines: [String]
        do {
            headLines = try head.map(storedLines) ?? []
        } catch {
            throw HistoryError(.recordsUnreadable, recordID: record.id, "\(error.field) \(error.message)", source: error.source, hint: error.hint)
        }
        let headSize = headLines.reduce(0) { $0 + $1.utf8.count + 1 }
        if headSize + line.utf8.count + 1 <= sizeLimit {
            return [makeConfigMap(name, lines: headLines + [line], anchor: anchor, dropped: dropped)]
        }
        // Rotate: head → -1 → -2 … → -archives → dropped.
        var segments: [[String]] = [headLines]
        for index in 0..<archives {
            do {
                segments.append(try configMap(named: "\(name)-\(index + 1)", in: configMaps).map(storedLines) ?? [])
            } catch {
                throw HistoryError(.recordsUnreadable, recordID: record.id, "\(error.field) \(error.message)", source: error.source, hint: error.hint)
            }
        }
        let droppedLines = segments.removeLast()
        if let newest = droppedLines.last {
            // The kept records chain to the newest dropped one: without its digest the anchor
            // would silently stay an older one, and the chain would look broken (or be re-linked).
            guard let digest = Self.digest(ofLine: newest) else {
                let configMapName = archives == 0 ? name : "\(name)-\(archives)"
                throw HistoryError(
                    .droppedRecordUnreadable, recordID: record.id,
                    "the history is full and its oldest records are dropped, but the newest of them is not a deploy record with a digest, "
                        + "so the records kept cannot be anchored to it",
                    source: SourceLocation(file: "ConfigMap \(namespace)/\(configMapName)", line: droppedLines.count),
                    hint: "the line was damaged or edited; 'warrant history -n \(namespace) --verify' shows it: restore that line, then deploy again")
            }
            anchor = digest
            dropped += droppedLines.count
        }
        var result = [makeConfigMap(name, lines: [line], anchor: anchor, dropped: dropped)]
        for (index, lines) in segments.enumerated() {
            result.append(makeConfigMap("\(name)-\(index + 1)", lines: lines, anchor: nil, dropped: nil))
        }
        return result
    }

    /// `live` (the history ConfigMap as read) carrying the records, anchor and dropped count of
    /// `built` (its replacement from ``append(_:to:)``): the object to update (`PUT`) as a
    /// compare-and-swap. Everything else of `live` is kept, its `resourceVersion` included, so
    /// that the update fails with a conflict when the history changed since it was read.
    public func replacing(_ live: KubeObject, with built: KubeObject) -> KubeObject {
        var result = live
        result.content["data"] = built.content["data"]
        result.content["binaryData"] = built.content["binaryData"]
        var annotations = live.content[path: ["metadata", "annotations"]]?.objectValue ?? JSONObject()
        for key in [Self.anchorAnnotation, Self.droppedAnnotation] { annotations[key] = built.annotations[key].map(JSONValue.string) }
        result.setMetadata("annotations", annotations.isEmpty ? nil : .object(annotations))
        var labels = live.content[path: ["metadata", "labels"]]?.objectValue ?? JSONObject()
        labels[Self.managedByLabel] = .string("warrant")
        result.setMetadata("labels", .object(labels))
        return result
    }

    /// The history ConfigMap as a new deploy creates it, before any record: only its labels.
    /// Server-side applied, it creates the ConfigMap (authorized as `create` with its name) or
    /// changes nothing of one a concurrent deploy just created; the records are then written by
    /// compare-and-swap updates.
    public var emptyHead: KubeObject {
        let labels: JSONObject = JSONObject([(Self.managedByLabel, JSONValue.string("warrant"))])
        return KubeObject(
            .object(
                JSONObject([
                    ("apiVersion", JSONValue.string("v1")), ("kind", .string("ConfigMap")),
                    ("metadata", .object(JSONObject([("name", .string(name)), ("namespace", .string(namespace)), ("labels", .object(labels))]))),
                ])))
    }

    /// The record lines of the history, oldest first, exactly as stored (what a record file
    /// holds, one per line).
    /// A ConfigMap whose compressed records cannot be read adds none (``records(from:)`` says why).
    public func recordLines(in configMaps: [KubeObject]) -> [String] {
        historyConfigMaps(in: configMaps).flatMap { (try? storedLines($0)) ?? [] }
    }

    /// The stored record with `id`, or `nil` when the history has none: whether an append whose
    /// answer was lost did land.
    public func record(id: String, in configMaps: [KubeObject]) -> DeployRecord? {
        let marker = "\"id\":\"\(id)\""
        for line in recordLines(in: configMaps).reversed() where line.contains(marker) {
            if let record = try? DeployRecord(jsonLine: line, source: SourceLocation(file: name, line: 0)), record.id == id { return record }
        }
        return nil
    }

    /// The records in the history ConfigMaps, oldest first (the archives from the highest number
    /// down, then the head).
    ///
    /// - Throws: ``RecordError`` for a line that is not a record, with the ConfigMap and line,
    ///   and for compressed records that cannot be read.
    public func records(from configMaps: [KubeObject]) throws(RecordError) -> [DeployRecord] {
        var records: [DeployRecord] = []
        for configMap in historyConfigMaps(in: configMaps) {
            for (offset, line) in try storedLines(configMap).enumerated() {
                let source = SourceLocation(file: "ConfigMap \(namespace)/\(configMap.name)", line: offset + 1)
                records.append(try DeployRecord(jsonLine: line, source: source))
            }
        }
        return records
    }

    /// The anchor of the history: the digest of the newest dropped record, `nil` when none was dropped.
    public func anchor(in configMaps: [KubeObject]) -> String? {
        configMap(named: name, in: configMaps)?.annotations[Self.anchorAnnotation]
    }

    /// The digest of the newest record, the `previous` of the next one: `nil` for an empty history
    /// (or the anchor, when every kept record was dropped).
    ///
    /// - Throws: ``RecordError`` naming the ConfigMap, line and record ID when the newest line is
    ///   not a record with a digest: chaining past it would silently link the next record to an
    ///   older one.
    public func latestDigest(in configMaps: [KubeObject]) throws(RecordError) -> String? {
        for configMap in historyConfigMaps(in: configMaps).reversed() {
            let lines = try storedLines(configMap)
            guard let line = lines.last else { continue }
            if let digest = Self.digest(ofLine: line) { return digest }
            let id = (try? JSONValue.parseJSON(Array(line.utf8), source: "record"))?["id"]?.stringValue
            throw RecordError(
                field: id.map { "record \($0): digest" } ?? "line",
                message: id == nil ? "is not a deploy record (not JSON)" : "is missing or not a string",
                source: SourceLocation(file: "ConfigMap \(namespace)/\(configMap.name)", line: lines.count),
                hint: "the newest record was damaged or edited, and the next record cannot be chained to it; "
                    + "'warrant history -n \(namespace) --verify' shows it: restore that line, then deploy again")
        }
        return anchor(in: configMaps)
    }

    /// Records as JSON lines (one canonical record per line, each ending in a newline), the
    /// format of `--record-file`.
    public static func jsonLines(_ records: [DeployRecord]) -> String {
        records.map { $0.jsonLine + "\n" }.joined()
    }

    /// The records in JSON-lines text; blank lines are skipped.
    ///
    /// - Parameter file: names the input in errors.
    /// - Throws: ``RecordError`` for a line that is not a record, with its line number.
    public static func records(jsonLines text: String, file: String) throws(RecordError) -> [DeployRecord] {
        var records: [DeployRecord] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = String(line).trimmingWhitespace()
            guard !trimmed.isEmpty else { continue }
            records.append(try DeployRecord(jsonLine: trimmed, source: SourceLocation(file: file, line: offset + 1)))
        }
        return records
    }

    // MARK: - ConfigMaps

    private func configMap(named configMapName: String, in objects: [KubeObject]) -> KubeObject? {
        objects.first { $0.kind == "ConfigMap" && $0.groupKind.group.isEmpty && $0.name == configMapName }
    }

    /// The head and archive ConfigMaps present, oldest first (any `<name>-N`, even beyond ``archives``).
    private func historyConfigMaps(in objects: [KubeObject]) -> [KubeObject] {
        var archived: [(Int, KubeObject)] = []
        for object in objects where object.kind == "ConfigMap" && object.groupKind.group.isEmpty {
            let prefix = "\(name)-"
            guard object.name.hasPrefix(prefix), let number = Int(object.name.dropFirst(prefix.count)), number > 0 else { continue }
            archived.append((number, object))
        }
        var result = archived.sorted { $0.0 > $1.0 }.map(\.1)
        if let head = configMap(named: name, in: objects) { result.append(head) }
        return result
    }

    /// The record lines of one ConfigMap: the compressed ones, then the text ones.
    ///
    /// - Throws: ``RecordError`` when the compressed records are not base64 and gzip, or expand
    ///   beyond ``expandedLimit``.
    private func storedLines(_ configMap: KubeObject) throws(RecordError) -> [String] {
        var lines: [String] = []
        if let encoded = configMap.content[path: ["binaryData", Self.compressedDataKey]]?.stringValue {
            let field = "binaryData.\(Self.compressedDataKey)"
            let source = SourceLocation(file: "ConfigMap \(namespace)/\(configMap.name)", line: 0)
            let hint =
                "the history was damaged or edited; the records it held cannot be verified: compare with a --record-file copy"
            guard let compressed = Data(base64Encoded: encoded) else {
                throw RecordError(field: field, message: "is not base64", source: source, hint: hint)
            }
            let expanded: [UInt8]
            do {
                expanded = try Gzip.decompress(Array(compressed), limit: Self.expandedLimit)
            } catch {
                switch error {
                case .corrupt(let reason):
                    throw RecordError(field: field, message: "cannot be read: \(reason)", source: source, hint: hint)
                case .tooLarge(let limit):
                    throw RecordError(field: field, message: "expands to more than \(limit) bytes", source: source, hint: hint)
                }
            }
            lines += Self.lines(String(decoding: expanded, as: UTF8.self))
        }
        if let text = configMap.content[path: ["data", Self.dataKey]]?.stringValue { lines += Self.lines(text) }
        return lines
    }

    private static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.trimmingWhitespace().isEmpty }
    }

    /// The `digest` member of a record line, without reading the whole record.
    public static func digest(ofLine line: String) -> String? {
        guard let value = try? JSONValue.parseJSON(Array(line.utf8), source: "record") else { return nil }
        return value["digest"]?.stringValue
    }

    private func makeConfigMap(_ configMapName: String, lines: [String], anchor: String?, dropped: Int?) -> KubeObject {
        var annotations = JSONObject()
        if let anchor { annotations[Self.anchorAnnotation] = .string(anchor) }
        if let dropped, dropped > 0 { annotations[Self.droppedAnnotation] = .string(String(dropped)) }
        let labels: JSONObject = JSONObject([(Self.managedByLabel, JSONValue.string("warrant"))])
        var metadata = JSONObject([
            ("name", JSONValue.string(configMapName)), ("namespace", .string(namespace)), ("labels", .object(labels)),
        ])
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        let text = lines.map { $0 + "\n" }.joined()
        // As text when it fits, else compressed (append refuses a record that fits neither).
        let records: (String, JSONValue) =
            text.utf8.count <= sizeLimit
            ? ("data", .object(JSONObject([(Self.dataKey, .string(text))])))
            : ("binaryData", .object(JSONObject([(Self.compressedDataKey, .string(Data(Gzip.compress(text.utf8)).base64EncodedString()))])))
        return KubeObject(
            .object(
                JSONObject([
                    ("apiVersion", JSONValue.string("v1")), ("kind", .string("ConfigMap")), ("metadata", .object(metadata)), records,
                ])))
    }
}

/// A deployment record that cannot be added to the history ConfigMaps.
public struct HistoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; stable, for tests and machine-readable output.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case recordTooLarge = "record-too-large"
            case droppedRecordUnreadable = "dropped-record-unreadable"
            case recordsUnreadable = "records-unreadable"
        }

        fileprivate let value: Value

        /// The record alone is larger than a history ConfigMap holds.
        public static let recordTooLarge = Code(value: .recordTooLarge)
        /// Rotation drops a record whose digest cannot be read, so the anchor of the kept
        /// records cannot be set.
        public static let droppedRecordUnreadable = Code(value: .droppedRecordUnreadable)
        /// The history's compressed records cannot be read (damaged or edited).
        public static let recordsUnreadable = Code(value: .recordsUnreadable)

        /// The stable name of the code (`record-too-large`).
        public var description: String { value.rawValue }
    }

    /// What kind of problem this is.
    public var code: Code
    /// The ID of the record being added.
    public var recordID: String
    /// What went wrong.
    public var message: String
    /// Where: the ConfigMap and line at fault, when there is one.
    public var source: SourceLocation?
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ code: Code, recordID: String, _ message: String, source: SourceLocation? = nil, hint: String? = nil) {
        self.code = code
        self.recordID = recordID
        self.message = message
        self.source = source
        self.hint = hint
    }

    /// `source: message`, then the hint on an indented line.
    public var description: String {
        (source.map { "\($0): " } ?? "") + message + (hint.map { "\n  hint: \($0)" } ?? "")
    }
}
