import Foundation

/// Loads Kubernetes objects from files, folders and standard input.
///
/// Accepts multi-document YAML and JSON (one value or a stream of them), flattens `kind: List` and
/// `*List` documents, skips empty and comment-only documents (Helm's `# Source:` lines included),
/// and checks the fields every object needs. Every object remembers the file and line it came from;
/// every error names them. Errors in several files are all reported, and nothing is returned when
/// there is any: a command never acts on half its input.
public struct ManifestLoader: Sendable {
    /// Bounds against hostile input.
    public var limits: ManifestLimits
    /// At most this many errors are collected before loading stops.
    public var maximumErrors: Int
    /// Whether to try the fast YAML reader before the full parser (on by default; off only to
    /// check in tests and fuzzing that both read the same).
    public var usesFastReader: Bool

    /// Creates a loader.
    public init(limits: ManifestLimits = .default, maximumErrors: Int = 20, usesFastReader: Bool = true) {
        self.limits = limits
        self.maximumErrors = maximumErrors
        self.usesFastReader = usesFastReader
    }

    /// Loads every input, in order.
    public func load(_ inputs: [ManifestInput]) throws(ManifestErrors) -> [KubeObject] {
        var objects: [KubeObject] = []
        var errors: [ManifestError] = []
        for input in inputs {
            switch input {
            case .standardInput(let bytes):
                load(bytes, file: "<stdin>", into: &objects, errors: &errors)
            case .bytes(let bytes, let name):
                load(bytes, file: name, into: &objects, errors: &errors)
            case .path(let path):
                do {
                    for file in try Self.files(at: path) {
                        guard errors.count < maximumErrors else { break }
                        do {
                            load(try Self.read(file, limit: limits.maximumFileSize), file: file, into: &objects, errors: &errors)
                        } catch {
                            errors.append(error)
                        }
                    }
                } catch {
                    errors.append(error)
                }
            }
            if errors.count >= maximumErrors { break }
        }
        if !errors.isEmpty { throw ManifestErrors(Array(errors.prefix(maximumErrors))) }
        return objects
    }

    /// Loads the objects in one file's bytes. `file` names it in locations and errors.
    public func load(bytes: [UInt8], file: String) throws(ManifestErrors) -> [KubeObject] {
        var objects: [KubeObject] = []
        var errors: [ManifestError] = []
        load(bytes, file: file, into: &objects, errors: &errors)
        if !errors.isEmpty { throw ManifestErrors(errors) }
        return objects
    }

    /// Parses documents without checking that they are Kubernetes objects: for auxiliary files
    /// (resource maps, access checks, ignore files) that share the loader's formats, limits and locations.
    public func documents(bytes: [UInt8], file: String) throws(ManifestError) -> [LoadedDocument] {
        let bytes = try Self.text(bytes, file: file)
        if let fast = fastDocuments(bytes, file: file) {
            return fast.map { LoadedDocument(value: $0.value, line: $0.line, listLines: $0.listLines) }
        }
        var documents: [LoadedDocument] = []
        do {
            try parse(bytes, file: file) { documents.append(LoadedDocument(value: $0.value, line: $0.line, listLines: $0.listLines)) }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(.syntax, at: SourceLocation(file: file, line: 0), "\(error)")
        }
        return documents
    }

    private func load(_ input: [UInt8], file: String, into objects: inout [KubeObject], errors: inout [ManifestError]) {
        let bytes: [UInt8]
        do {
            bytes = try Self.text(input, file: file)
        } catch {
            errors.append(error)
            return
        }
        // The fast reader handles almost every manifest; any error is reported by the full parser,
        // which knows the line of every field.
        if var fastObjects = fastObjects(bytes, file: file) {
            objects.append(moving: &fastObjects)
            return
        }
        do {
            try parse(bytes, file: file) { document in
                let validator = ObjectValidator(file: file, document: document)
                validator.flatten(document.value, line: document.line, path: [], into: &objects, errors: &errors)
                if errors.count >= maximumErrors { throw StopLoading() }
            }
        } catch let error as ManifestError {
            errors.append(error)
        } catch {
            // StopLoading: enough errors collected.
        }
    }

    private struct StopLoading: Error {}

    /// The file's bytes without a UTF-8 byte order mark, checked once to be UTF-8, for both readers.
    private static func text(_ input: [UInt8], file: String) throws(ManifestError) -> [UInt8] {
        var bytes = input
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let offset = UTF8Validation.firstInvalidByte(in: bytes) {
            let line = bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw ManifestError(
                .notUTF8, at: SourceLocation(file: file, line: line),
                "the file is not valid UTF-8 (byte 0x\(String(bytes[offset], radix: 16)) at offset \(offset))",
                hint: "save the file as UTF-8; Kubernetes manifests must be UTF-8 text")
        }
        return bytes
    }

    /// Parses UTF-8 `bytes` (see ``text(_:file:)``) with the full JSON or YAML parser.
    private func parse(_ bytes: [UInt8], file: String, _ body: (ParsedDocument) throws -> Void) throws {
        if Self.isJSON(bytes, file: file) {
            try JSONReader(file: file, limits: limits).read(bytes, body)
        } else {
            try YAMLReader(file: file, limits: limits).read(String(decoding: bytes, as: UTF8.self), body)
        }
    }

    /// The documents of UTF-8 `bytes` as the fast YAML reader reads them, empty ones included, or
    /// `nil` when the file needs the full parser (JSON, or YAML beyond the fast reader's subset).
    private func fastReaderDocuments(_ bytes: [UInt8], file: String) -> [FastYAMLReader.Document]? {
        guard usesFastReader, !Self.isJSON(bytes, file: file), bytes.count <= limits.maximumFileSize else { return nil }
        return try? FastYAMLReader.documents(bytes, maximumDepth: limits.maximumDepth)
    }

    /// The documents of UTF-8 `bytes` as the fast YAML reader reads them, or `nil` when the file
    /// needs the full parser.
    private func fastDocuments(_ bytes: [UInt8], file: String) -> [ParsedDocument]? {
        fastReaderDocuments(bytes, file: file)?.compactMap { document in
            document.value.isNull ? nil : ParsedDocument(value: document.value, line: document.line, listLines: document.listLines) { _ in nil }
        }
    }

    /// The objects of UTF-8 `bytes` as the fast YAML reader reads them, or `nil` when the file needs
    /// the full parser or has an error (which the full parser then reports, with its line).
    /// Large files are checked in parts on every core, and the objects kept in document order.
    private func fastObjects(_ bytes: [UInt8], file: String) -> [KubeObject]? {
        guard let documents = fastReaderDocuments(bytes, file: file) else { return nil }
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

    /// The manifest files at `path`: the file itself, or a folder's `.yaml`, `.yml` and `.json`
    /// files, recursively, sorted, skipping hidden entries and symbolic-link loops.
    static func files(at path: String) throws(ManifestError) -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ManifestError(
                .fileNotFound, at: SourceLocation(file: path, line: 0), "no such file or folder",
                hint: "check the path given to -f (relative paths start at the current folder)")
        }
        guard isDirectory.boolValue else { return [path] }
        var files: [String] = []
        var visited: Set<String> = []
        func walk(_ folder: String) {
            let real = (try? manager.destinationOfSymbolicLink(atPath: folder)) ?? folder
            guard visited.insert(URL(fileURLWithPath: real).standardizedFileURL.path).inserted else { return }
            guard let entries = try? manager.contentsOfDirectory(atPath: folder) else { return }
            for entry in entries.sorted() where !entry.hasPrefix(".") {
                let child = folder.hasSuffix("/") ? folder + entry : folder + "/" + entry
                var childIsDirectory: ObjCBool = false
                guard manager.fileExists(atPath: child, isDirectory: &childIsDirectory) else { continue }
                if childIsDirectory.boolValue {
                    walk(child)
                } else {
                    let lower = entry.lowercased()
                    if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json") { files.append(child) }
                }
            }
        }
        walk(path)
        return files
    }

    static func read(_ file: String, limit: Int) throws(ManifestError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw ManifestError(
                .unreadable, at: SourceLocation(file: file, line: 0), "cannot open the file",
                hint: "check that the file is readable by the current user")
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            if data.count > limit {
                throw ManifestError(
                    .tooLarge, at: SourceLocation(file: file, line: 0),
                    "the file is larger than \(limit >> 20) MiB", hint: "split it into smaller files")
            }
            return [UInt8](data)
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(
                .unreadable, at: SourceLocation(file: file, line: 0), "cannot read the file: \(error.localizedDescription)")
        }
    }
}

extension ManifestLoader {
    /// Reads a whole file (at most 256 MiB), with errors that name it: for auxiliary inputs.
    public static func readFile(_ path: String) throws(ManifestError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ManifestError(
                .fileNotFound, at: SourceLocation(file: path, line: 0), "no such file",
                hint: "check the path (relative paths start at the current folder)")
        }
        return try read(path, limit: ManifestLimits.default.maximumFileSize)
    }
}
