/// Loads Kubernetes objects from files, folders and standard input.
///
/// Accepts multi-document YAML and JSON (one value or a stream of them), flattens `kind: List` and
/// `*List` documents, skips empty and comment-only documents (Helm's `# Source:` lines included),
/// and checks the fields every object needs. Every object remembers the file and line it came from;
/// every error names them. Errors in several files are all reported, and nothing is returned when
/// there is any: a command never acts on half its input.
///
/// Inputs are read in pieces of whole documents (``ChunkedInput``) and each object is handed on as
/// soon as its piece is parsed, so that a command that keeps only what it needs of each object
/// loads any input in memory proportional to what it keeps; every input, standard input included,
/// is counted against ``ManifestLimits/maximumFileSize`` as it is read.
public struct ManifestLoader: Sendable {
    /// Bounds against hostile input.
    public var limits: ManifestLimits
    /// At most this many errors are collected before loading stops.
    public var maximumErrors: Int
    /// Whether to try the fast YAML reader before the full parser (on by default; off only to
    /// check in tests and fuzzing that both read the same).
    public var usesFastReader: Bool
    /// Inputs are parsed in pieces of about this many bytes (whole documents; tests and the fuzzer
    /// use small pieces to check that the result does not depend on them).
    public var pieceSize: Int

    /// The default ``pieceSize``: 4 MiB.
    public static let defaultPieceSize = ChunkedInput.defaultPieceSize

    /// Creates a loader.
    public init(
        limits: ManifestLimits = .default, maximumErrors: Int = 20, usesFastReader: Bool = true,
        pieceSize: Int = ManifestLoader.defaultPieceSize
    ) {
        self.limits = limits
        self.maximumErrors = maximumErrors
        self.usesFastReader = usesFastReader
        self.pieceSize = pieceSize
    }

    /// Loads every input, in order.
    public func load(_ inputs: [ManifestInput]) throws(ManifestErrors) -> [KubeObject] {
        var objects: [KubeObject] = []
        try load(inputs) { objects.append($0) }
        return objects
    }

    /// Loads every input, in order, handing each object to `consume` as soon as it is read.
    ///
    /// `consume` sees the objects of inputs with errors too; when this throws, the caller must
    /// discard what it kept.
    ///
    /// - Returns: what was skipped and why (folder entries that are not regular files, files reached twice).
    /// - Throws: ``ManifestErrors`` with every error found, up to ``maximumErrors``.
    @discardableResult
    public func load(_ inputs: [ManifestInput], each consume: (KubeObject) -> Void) throws(ManifestErrors) -> [ManifestNotice] {
        try load(inputs, skippingNonObjects: false, each: consume).notices
    }

    /// Loads every input as ``load(_:each:)`` does; with `skippingNonObjects`, a document that is
    /// not a Kubernetes object at all is left out and listed instead of failing the load (see
    /// ``loadSkippingNonObjects(_:)``).
    ///
    /// - Returns: what was skipped: folder entries and files reached twice, and the documents left out.
    public func load(
        _ inputs: [ManifestInput], skippingNonObjects: Bool, each consume: (KubeObject) -> Void
    ) throws(ManifestErrors) -> (notices: [ManifestNotice], skipped: [SkippedDocument]) {
        // The run, which holds `consume`, must not outlive this block: only its results leave it.
        let (errors, notices, skipped) = withoutActuallyEscaping(consume) { consume in
            loadAll(inputs, skippingNonObjects: skippingNonObjects, consume: consume)
        }
        if !errors.isEmpty { throw ManifestErrors(Array(errors.prefix(maximumErrors))) }
        return (notices, skipped)
    }

    private func loadAll(
        _ inputs: [ManifestInput], skippingNonObjects: Bool, consume: @escaping (KubeObject) -> Void
    ) -> ([ManifestError], [ManifestNotice], [SkippedDocument]) {
        var run = Run(loader: self, consume: consume, skipsNonObjects: skippingNonObjects)
        var seen = Set<FileIdentity>()
        for input in inputs {
            switch input {
            case .standardInput(let bytes):
                run.load(file: "<stdin>", read: Self.reader(over: bytes))
            case .bytes(let bytes, let name):
                run.load(file: name, read: Self.reader(over: bytes))
            case .stream(let stream, let name):
                run.load(file: name) { count throws(ManifestError) in stream.read(count) }
            case .path(let path):
                do {
                    for file in try Self.files(at: path, seen: &seen, notices: &run.notices) {
                        guard run.errors.count < maximumErrors else { break }
                        do {
                            let handle = try FileReader(path: file)
                            run.load(file: file) { count throws(ManifestError) in try handle.read(upTo: count) }
                        } catch {
                            run.errors.append(error)
                        }
                    }
                } catch {
                    run.errors.append(error)
                }
            }
            if run.errors.count >= maximumErrors { break }
        }
        return (run.errors, run.notices, run.skipped)
    }

    /// Loads the objects in one file's bytes. `file` names it in locations and errors.
    public func load(bytes: [UInt8], file: String) throws(ManifestErrors) -> [KubeObject] {
        try load([.bytes(bytes, name: file)])
    }

    /// Parses documents without checking that they are Kubernetes objects: for auxiliary files
    /// (resource maps, access checks, ignore files) that share the loader's formats, limits and locations.
    public func documents(bytes: [UInt8], file: String) throws(ManifestError) -> [LoadedDocument] {
        guard bytes.count <= limits.maximumFileSize else {
            throw ManifestError(
                .tooLarge, at: SourceLocation(file: file, line: 0), "the file is larger than \(limits.maximumFileSize >> 20) MiB",
                hint: "split it into smaller files")
        }
        var text = bytes
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        let isJSON = Self.isJSON(text, file: file)
        try Self.checkUTF8(text, file: file, lineOffset: 0, byteOffset: 0, isJSON: isJSON)
        if !isJSON, usesFastReader, let fast = try? FastYAMLReader.documents(text, maximumDepth: limits.maximumDepth) {
            return fast.compactMap { $0.value.isNull ? nil : LoadedDocument(value: $0.value, line: $0.line, listLines: $0.listLines) }
        }
        var documents: [LoadedDocument] = []
        do {
            try parse(text, file: file, isJSON: isJSON, lineOffset: 0) {
                documents.append(LoadedDocument(value: $0.value, line: $0.line, listLines: $0.listLines))
            }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(.syntax, at: SourceLocation(file: file, line: 0), "\(error)")
        }
        return documents
    }

    /// One call of ``load(_:each:)``: the errors and notices so far, and where objects go.
    private struct Run {
        let loader: ManifestLoader
        let consume: (KubeObject) -> Void
        /// Whether documents that are not Kubernetes objects are left out (and listed in ``skipped``).
        let skipsNonObjects: Bool
        var errors: [ManifestError] = []
        var notices: [ManifestNotice] = []
        var skipped: [SkippedDocument] = []

        /// Reads one input piece by piece; a syntax error, or enough errors, ends the parsing (as
        /// it would end the parser).
        ///
        /// An error of the whole input (it is not UTF-8, it holds characters YAML does not allow,
        /// it is too large, it cannot be read) is that input's only error, wherever it is found:
        /// the rest of the input is still read (up to the limit) and checked after parsing has
        /// stopped, so that the errors do not depend on where the input was cut into pieces.
        mutating func load(file: String, read: @escaping (Int) throws(ManifestError) -> [UInt8]) {
            var input = ChunkedInput(file: file, limit: loader.limits.maximumFileSize, pieceSize: loader.pieceSize, read: read)
            let firstError = errors.count
            var parsing = true
            do {
                while let chunk = try input.next() {
                    let isJSON = input.isJSON ?? false
                    try ManifestLoader.checkUTF8(chunk.bytes, file: file, lineOffset: chunk.lineOffset, byteOffset: chunk.byteOffset, isJSON: isJSON)
                    guard parsing else { continue }
                    if !loadPiece(chunk, file: file, isJSON: isJSON) || errors.count >= loader.maximumErrors { parsing = false }
                }
            } catch {
                errors.removeSubrange(firstError...)
                errors.append(error)
            }
        }

        /// Loads one piece of UTF-8; `false` when the rest of the input must not be parsed.
        private mutating func loadPiece(_ chunk: ChunkedInput.Chunk, file: String, isJSON: Bool) -> Bool {
            // The fast reader handles almost every manifest; any error is reported by the full
            // parser, which knows the line of every field.
            if !isJSON, let objects = loader.fastObjects(chunk.bytes, file: file, lineOffset: chunk.lineOffset, skippingNonObjects: skipsNonObjects) {
                for object in objects { consume(object) }
                return true
            }
            var stopped = false
            do {
                try loader.parse(chunk.bytes, file: file, isJSON: isJSON, lineOffset: chunk.lineOffset) { document in
                    if skipsNonObjects, !document.value.isNull, let reason = ManifestLoader.notAnObject(document.value) {
                        skipped.append(SkippedDocument(location: SourceLocation(file: file, line: document.line), reason: reason))
                        return
                    }
                    var objects: [KubeObject] = []
                    ObjectValidator(file: file, document: document).flatten(
                        document.value, line: document.line, path: [], into: &objects, errors: &errors)
                    for object in objects { consume(object) }
                    if errors.count >= loader.maximumErrors { throw StopLoading() }
                }
            } catch let error as ManifestError {
                errors.append(error)
                stopped = true
            } catch {
                // StopLoading: enough errors collected.
                stopped = true
            }
            return !stopped
        }
    }

    private struct StopLoading: Error {}

    /// Checks that a piece is UTF-8 and, for YAML, holds only characters YAML allows (libyaml's
    /// reader refuses the others wherever they are, before the parser reaches them); the error
    /// names the line and the offset in the whole input.
    static func checkUTF8(_ bytes: [UInt8], file: String, lineOffset: Int, byteOffset: Int, isJSON: Bool) throws(ManifestError) {
        func line(before offset: Int) -> Int {
            let before = Array(bytes[..<offset])
            return lineOffset + 1 + (isJSON ? LineBreaks.newlines(in: before) : LineBreaks.yamlBreaks(in: before))
        }
        // The first of the two problems, so that the error does not depend on where pieces end.
        let invalid = UTF8Validation.firstInvalidByte(in: bytes)
        if !isJSON, let (offset, scalar) = UTF8Validation.firstNonPrintable(in: invalid.map { Array(bytes[..<$0]) } ?? bytes) {
            let code = String(scalar, radix: 16, uppercase: true)
            let padded = String(repeating: "0", count: max(0, 4 - code.count)) + code
            throw ManifestError(
                .syntax, at: SourceLocation(file: file, line: line(before: offset)),
                "YAML syntax error: control characters are not allowed (U+\(padded) at offset \(byteOffset + offset))",
                hint: "remove it, or write it as an escape in a double-quoted string (\"\\u\(padded)\")")
        }
        if let offset = invalid {
            throw ManifestError(
                .notUTF8, at: SourceLocation(file: file, line: line(before: offset)),
                "the file is not valid UTF-8 (byte 0x\(String(bytes[offset], radix: 16)) at offset \(byteOffset + offset))",
                hint: "save the file as UTF-8; Kubernetes manifests must be UTF-8 text")
        }
    }

    /// Parses UTF-8 `bytes` with the full JSON or YAML parser; lines are counted from `lineOffset`.
    private func parse(_ bytes: [UInt8], file: String, isJSON: Bool, lineOffset: Int, _ body: (ParsedDocument) throws -> Void) throws {
        if isJSON {
            try JSONReader(file: file, limits: limits, lineOffset: lineOffset).read(bytes, body)
        } else {
            try YAMLReader(file: file, limits: limits, lineOffset: lineOffset).read(String(decoding: bytes, as: UTF8.self), body)
        }
    }

    /// The objects of UTF-8 YAML `bytes` as the fast reader reads them, or `nil` when the piece
    /// needs the full parser or has an error (which the full parser then reports, with its line).
    /// Large pieces are checked in parts on every core, and the objects kept in document order.
    /// With `skippingNonObjects`, a piece with a document that is not a Kubernetes object is left
    /// to the full parser too, which skips it.
    private func fastObjects(_ bytes: [UInt8], file: String, lineOffset: Int, skippingNonObjects: Bool) -> [KubeObject]? {
        guard usesFastReader, let documents = try? FastYAMLReader.documents(bytes, maximumDepth: limits.maximumDepth, lineOffset: lineOffset)
        else { return nil }
        if skippingNonObjects, documents.contains(where: { !$0.value.isNull && Self.notAnObject($0.value) != nil }) { return nil }
        var parts = ParallelChunks.map(documents.count, minimumLength: 512) { range -> [KubeObject]? in
            var objects: [KubeObject] = []
            var errors: [ManifestError] = []
            for (value, line, listLines) in documents[range] where !value.isNull {
                let document = ParsedDocument(value: value, line: line, listLines: listLines) { _ in nil }
                ObjectValidator(file: file, document: document).flatten(value, line: line, path: [], into: &objects, errors: &errors)
                if !errors.isEmpty { return nil }
            }
            return objects
        }
        var objects: [KubeObject] = []
        objects.reserveCapacity(parts.reduce(0) { $0 + ($1?.count ?? 0) })
        for index in parts.indices {
            guard parts[index] != nil else { return nil }
            objects.append(moving: &parts[index]!)
        }
        return objects
    }

    /// JSON when the file ends in `.json`, or when a file without a YAML extension starts with `{` or `[`.
    static func isJSON(_ bytes: [UInt8], file: String) -> Bool {
        let lower = file.lowercased()
        if lower.hasSuffix(".json") { return true }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return false }
        let first = bytes.first { ![UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    /// A reader over bytes in memory, for ``ChunkedInput``.
    private static func reader(over bytes: [UInt8]) -> (Int) throws(ManifestError) -> [UInt8] {
        var position = 0
        return { count throws(ManifestError) in
            let end = min(bytes.count, position + count)
            defer { position = end }
            return Array(bytes[position..<end])
        }
    }
}
