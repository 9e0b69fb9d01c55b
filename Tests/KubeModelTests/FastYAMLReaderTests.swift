import Foundation
import KubeModel
import Testing
import WarrantTestSupport
import WarrantTesting

/// Loads `bytes` with and without the fast reader: the results, locations and errors must be the same.
private func expectSameAsFullParser(_ bytes: [UInt8], file: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    func outcome(_ loader: ManifestLoader) -> Result<[KubeObject], ManifestErrors> {
        Result { () throws(ManifestErrors) in try loader.load(bytes: bytes, file: file) }
    }
    let fast = outcome(ManifestLoader())
    let full = outcome(ManifestLoader(usesFastReader: false))
    switch (fast, full) {
    case (.success(let a), .success(let b)):
        #expect(a.map(\.content) == b.map(\.content), sourceLocation: sourceLocation)
        #expect(a.map(\.source) == b.map(\.source), sourceLocation: sourceLocation)
    case (.failure(let a), .failure(let b)):
        #expect(a.errors == b.errors, sourceLocation: sourceLocation)
    default:
        Issue.record("fast: \(fast), full: \(full)", sourceLocation: sourceLocation)
    }
    let fastDocuments = try? ManifestLoader().documents(bytes: bytes, file: file)
    let fullDocuments = try? ManifestLoader(usesFastReader: false).documents(bytes: bytes, file: file)
    #expect(fastDocuments?.map(\.value) == fullDocuments?.map(\.value), sourceLocation: sourceLocation)
    #expect(fastDocuments?.map(\.line) == fullDocuments?.map(\.line), sourceLocation: sourceLocation)
    #expect(fastDocuments?.map(\.listLines) == fullDocuments?.map(\.listLines), sourceLocation: sourceLocation)
}

/// Inputs at the edges of the fast reader's subset; each must read exactly as the full parser reads it.
private let edgeCases: [String] = [
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: 'y'}}\ndata: {a: \"1\", b: '2', c: 3}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  script: |\n    echo a\n\n    echo b\n  folded: >\n    one\n    two\n\n    three\n  strip: |-\n    x\n  keep: |+\n    y\n\n  more: |\n    a\n      indented\n    b\n",
    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n-\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    note: \"tab\\there \\u00e9 \\\"q\\\" \\\\ end\"\n    single: 'it''s'\n    url: http://example.com:8080/x#frag\n    hash: a#b\n",
    "# comment\n---\napiVersion: v1 # trailing\nkind: ConfigMap\nmetadata:\n  name: a   \n...\n---\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    args: [--port, \"8080\", -v]\n    env:\n    - name: A\n      value: yes\n    - {name: B, value: 'no'}\n    ports: []\n    resources: {}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n  k: w\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &l {a: b}\n  annotations: *l\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  long: this is\n    continued\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !!str 123\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    enabled: on\n",
    "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  noend: |\n    last line",
    "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  \"quoted key\": v\n  'single key': w\n  key with spaces: z\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: [a, [b, c], {d: e}, ]\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  empty:\n  nulls: ~\n  number: 0755\n  float: 1e3\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\nkind2:\n- a\n- - b\n",
    "kind: ConfigMap\nmetadata:\n  name: missing-api-version\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tab\n",
    // Found by the fuzzer: libyaml rejects control characters anywhere.
    "\n\u{0}",
    "...",
    "# \r\rRSD",
    // Errors must not depend on hash order (Yams reports duplicate keys from a dictionary).
    "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, a: 1, b: 2, [x]: 1, a: 2, b: 3, [x]: 2}\n",
    "{\n  \"metadam\",\n  {\"k\": 1},\n  \"metadam\",\n  {\"k\": 1}\n}\n",
    "{\n  \"meta\": 1,\n  \"data\": 2,\n  {\"k\": 1}: 3,\n  \"meta\": 4,\n  \"data\": 5,\n  {\"k\": 1}: 6\n}\n",
    "apiVersion: v1\rkind: ConfigMap\rmetadata: {name: cr}\r",
    "---\n...\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\u{1}b\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\u{85}b\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\u{FEFF}b\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\tb\ndata:\n  k:\tv\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a # note\twith tab\ndata:\n  script: |\n    a\tb\n",
]

@Test("the fast reader reads edge cases as the full parser does", arguments: edgeCases.indices)
func fastReaderEdgeCases(index: Int) {
    expectSameAsFullParser(Array(edgeCases[index].utf8), file: "edge.yaml")
}

@Test(.enabled(if: TestData.sharedManifests != nil, "../shared/testdata/manifests is absent"))
func fastReaderReadsTheCorpusAsTheFullParserDoes() throws {
    let folder = try #require(TestData.sharedManifests)
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".yaml") {
        expectSameAsFullParser(try ManifestLoader.readFile(folder.appendingPathComponent(name).path), file: name)
    }
}

@Test(.ownThread) func fastReaderReadsExamplesAndSyntheticManifestsAsTheFullParserDoes() throws {
    expectSameAsFullParser(Array(SyntheticManifests.yaml(objects: 300).utf8), file: "synthetic.yaml")
    for name in try FileManager.default.contentsOfDirectory(atPath: TestData.examples.appendingPathComponent("guestbook").path) {
        expectSameAsFullParser(try ManifestLoader.readFile(TestData.examples.appendingPathComponent("guestbook/\(name)").path), file: name)
    }
}

/// A file large enough to be cut into lines and read in parts (on two cores or more) reads as
/// its documents read one by one: the same objects, at the same lines.
@Test(.ownThread) func largeFileReadInPartsReadsAsItsDocumentsOneByOne() throws {
    let text = SyntheticManifests.yaml(objects: 6_000) + "---\n# a comment\n---\n\n" + edgeCases[2] + "---\n" + edgeCases[12]
    let whole = try ManifestLoader().load(bytes: Array(text.utf8), file: "large.yaml")
    var expected: [KubeObject] = []
    var document: [Substring] = []
    var firstLine = 1
    func flush() throws {
        let objects = try ManifestLoader().load(bytes: Array((document.joined(separator: "\n") + "\n").utf8), file: "large.yaml")
        expected += objects.map { KubeObject($0.content, source: $0.source.map { KubeModel.SourceLocation(file: $0.file, line: $0.line + firstLine - 1) }) }
    }
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if line == "---" {
            try flush()
            document = []
            firstLine = index + 2
        } else {
            document.append(line)
        }
    }
    try flush()
    #expect(whole.count == 6_002)
    #expect(whole.map(\.content) == expected.map(\.content))
    #expect(whole.map(\.source) == expected.map(\.source))
}
