import KubeModel

/// libFuzzer entry point: any bytes, as YAML and as JSON, must load or fail with a
/// ``ManifestErrors`` naming the file, never crash; the fast YAML reader must agree with the full
/// parser (same objects, lines and errors); whatever loads must survive a YAML and a JSON round
/// trip unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestLoader(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let loader = ManifestLoader(limits: ManifestLimits(maximumFileSize: 1 << 20))
    let fullParser = ManifestLoader(limits: ManifestLimits(maximumFileSize: 1 << 20), usesFastReader: false)
    let fast = Result { () throws(ManifestErrors) in try loader.load(bytes: bytes, file: "fuzz.yaml") }
    let full = Result { () throws(ManifestErrors) in try fullParser.load(bytes: bytes, file: "fuzz.yaml") }
    switch (fast, full) {
    case (.success(let a), .success(let b)):
        if a.map(\.content) != b.map(\.content) || a.map(\.source) != b.map(\.source) {
            fatalError("the fast reader and the full parser disagree on:\n\(String(decoding: bytes, as: UTF8.self))")
        }
    case (.failure(let a), .failure(let b)):
        if a.errors != b.errors { fatalError("different errors: \(a) / \(b)") }
    default:
        fatalError("one reader failed, the other did not: \(fast) / \(full)")
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
