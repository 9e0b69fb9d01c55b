import KubeModel

/// libFuzzer entry point: any bytes, as YAML and as JSON, must load or fail with a
/// ``ManifestErrors`` naming the file, never crash; the fast YAML reader must agree with the full
/// parser (same objects, lines and errors); reading the input in small pieces, or from a stream
/// that hands out a few bytes at a time, must give the same result as reading it whole; whatever
/// loads has names Kubernetes accepts and only finite numbers, and survives a YAML and a JSON round
/// trip unchanged; an input over the limit is refused as too large.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestLoader(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let limits = ManifestLimits(maximumFileSize: 1 << 20)
    let loader = ManifestLoader(limits: limits)
    let fullParser = ManifestLoader(limits: limits, usesFastReader: false)
    let fast = Result { () throws(ManifestErrors) in try loader.load(bytes: bytes, file: "fuzz.yaml") }
    let full = Result { () throws(ManifestErrors) in try fullParser.load(bytes: bytes, file: "fuzz.yaml") }
    expectSame(fast, full, "the fast reader and the full parser", bytes)

    // Pieces: a size from the input's first byte, so that the fuzzer explores cuts everywhere.
    let pieceSize = 1 + Int(bytes.first ?? 0) % 97
    let pieces = Result { () throws(ManifestErrors) in
        try ManifestLoader(limits: limits, pieceSize: pieceSize).load(bytes: bytes, file: "fuzz.yaml")
    }
    expectSame(fast, pieces, "whole and in pieces of \(pieceSize) bytes", bytes, syntaxWording: true)
    let stream = ByteStream(dribbling: bytes, step: 1 + Int(bytes.last ?? 0) % 13)
    let streamed = Result { () throws(ManifestErrors) in
        try ManifestLoader(limits: limits, pieceSize: pieceSize).load([.stream(stream, name: "fuzz.yaml")])
    }
    expectSame(fast, streamed, "whole and streamed", bytes, syntaxWording: true)

    if case .success(let objects) = fast {
        for object in objects {
            if let namespace = object.namespace, !namespace.isEmpty, let problem = ObjectNames.namespaceProblem(namespace) {
                fatalError("loaded a namespace Kubernetes refuses (\(problem)): \(namespace)")
            }
            if let problem = ObjectNames.problem(with: object.name, rule: ObjectNames.rule(for: object.groupKind)) {
                fatalError("loaded a name Kubernetes refuses (\(problem)): \(object.name)")
            }
            if !allNumbersFinite(object.content) { fatalError("loaded a number JSON cannot carry") }
        }
    }
    // Over the limit: refused as too large before anything is parsed, whatever the content.
    if !bytes.isEmpty {
        do {
            _ = try ManifestLoader(limits: ManifestLimits(maximumFileSize: bytes.count - 1)).load(bytes: bytes, file: "fuzz.yaml")
            fatalError("an input over the limit was loaded")
        } catch {
            if error.errors.map(\.code) != [.tooLarge] { fatalError("an input over the limit: \(error)") }
        }
    }
    for file in ["fuzz.yaml", "fuzz.json"] {
        do {
            let objects = try loader.load(bytes: bytes, file: file)
            let yaml = YAMLWriter.write(documents: objects.map(\.content))
            let again = try loader.load(bytes: Array(yaml.utf8), file: "again.yaml")
            if again.map(\.content) != objects.map(\.content) {
                fatalError("YAML round trip changed the objects:\n\(yaml)")
            }
            let json = objects.map { JSONWriter.write($0.content, indent: 0) }.joined(separator: "\n")
            let fromJSON = try loader.load(bytes: Array(json.utf8), file: "again.json")
            if fromJSON.map(\.content) != objects.map(\.content) {
                fatalError("JSON round trip changed the objects:\n\(json)")
            }
        } catch {
            for failure in error.errors where failure.location.file.isEmpty {
                fatalError("an error without a file: \(failure)")
            }
        }
    }
    return 0
}

/// Both results the same: the same objects at the same lines, or the same errors. With
/// `syntaxWording`, syntax errors need only the same line: where a `---` line ends an unclosed
/// quoted scalar or flow collection, libyaml words the error after what follows the cut
/// ("unexpected document indicator" in one piece, "unexpected end of stream" in pieces).
func expectSame(
    _ a: Result<[KubeObject], ManifestErrors>, _ b: Result<[KubeObject], ManifestErrors>, _ what: String, _ bytes: [UInt8],
    syntaxWording: Bool = false
) {
    switch (a, b) {
    case (.success(let x), .success(let y)):
        if x.map(\.content) != y.map(\.content) || x.map(\.source) != y.map(\.source) {
            fatalError("\(what) disagree on:\n\(String(decoding: bytes, as: UTF8.self))")
        }
    case (.failure(let x), .failure(let y)):
        func key(_ error: ManifestError) -> String {
            syntaxWording && error.code == .syntax ? "\(error.code) \(error.location)" : error.description
        }
        if x.errors.map(key) != y.errors.map(key) { fatalError("\(what): different errors: \(x) / \(y)") }
    default:
        fatalError("\(what): one failed, the other did not: \(a) / \(b)")
    }
}

/// Whether every number in `value` is finite.
func allNumbersFinite(_ value: JSONValue) -> Bool {
    switch value {
    case .double(let double): return double.isFinite
    case .array(let elements): return elements.allSatisfy(allNumbersFinite)
    case .object(let object): return object.allSatisfy { allNumbersFinite($0.value) }
    default: return true
    }
}

extension ByteStream {
    /// A stream that hands out `bytes` at most `step` bytes at a time, like a slow pipe.
    convenience init(dribbling bytes: [UInt8], step: Int) {
        let position = Position()
        self.init { count in
            position.take(from: bytes, upTo: min(count, step))
        }
    }
}

/// A read position shared by a stream's reads (libFuzzer runs one input at a time).
final class Position: @unchecked Sendable {
    private var offset = 0

    func take(from bytes: [UInt8], upTo count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// SwiftPM links executables with `main` aliased to `<module>_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt

@_cdecl("FuzzManifestLoader_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { start, size in fuzzManifestLoader(start, size) }
}
