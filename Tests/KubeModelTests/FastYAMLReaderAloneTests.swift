import Foundation
import Testing
import WarrantTestSupport
import WarrantTesting

@testable import KubeModel

/// The fast reader on its own, without the fallback to the full parser: the loader's results
/// cannot show that it reads anything at all, because Yams reads whatever it gives up on. These
/// tests call it directly, so a reader that refused everything would fail here.
@Suite struct FastYAMLReaderAloneTests {
    /// Inputs inside the subset the reader documents; each must be read by it, not handed on.
    static let subset: [String] = [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: 'y'}}\ndata: {a: \"1\", b: '2', c: 3}\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  script: |\n    echo a\n\n    echo b\n  folded: >\n    one\n    two\n  strip: |-\n    x\n",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n",
        "# comment\n---\napiVersion: v1 # trailing\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    args: [--port, \"8080\", -v]\n    ports: []\n    resources: {}\n",
    ]

    /// Constructs the reader documents as outside its subset: it must give up on each (and the
    /// loader then reads them with Yams).
    static let outside: [String] = [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &l {a: b}\n  annotations: *l\n",  // anchor, alias
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !!str 123\n",  // tag
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  long: this is\n    continued\n",  // multi-line plain scalar
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n  k: w\n",  // duplicate key
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tab\n",  // tab indentation
    ]

    @Test("the subset is read by the fast reader itself, as the full parser reads it", arguments: subset.indices)
    func readsItsSubset(index: Int) throws {
        let bytes = Array(Self.subset[index].utf8)
        let fast = try FastYAMLReader.documents(bytes, maximumDepth: 100)
        let full = try ManifestLoader(usesFastReader: false).documents(bytes: bytes, file: "subset.yaml")
        #expect(!fast.isEmpty)
        #expect(fast.map(\.value) == full.map(\.value))
        #expect(fast.map(\.line) == full.map(\.line))
    }

    @Test("outside the subset it gives up instead of guessing", arguments: outside.indices)
    func givesUpOutside(index: Int) {
        #expect(throws: FastYAMLReader.Unsupported.self) { try FastYAMLReader.documents(Array(Self.outside[index].utf8), maximumDepth: 100) }
    }

    /// The generated manifests the loader benchmarks time are all inside the subset: were the
    /// reader to give up on them, the benchmarks would silently time the full parser instead.
    @Test func readsTheGeneratedManifests() throws {
        let bytes = Array(SyntheticManifests.yaml(objects: 600).utf8)
        let fast = try FastYAMLReader.documents(bytes, maximumDepth: 100)
        let full = try ManifestLoader(usesFastReader: false).documents(bytes: bytes, file: "synthetic.yaml")
        #expect(fast.count == 600)
        #expect(fast.map(\.value) == full.map(\.value))
        #expect(fast.map(\.line) == full.map(\.line))
    }

    /// Corpus files with constructs outside the subset; the full parser reads them. A change to
    /// the reader that reads them too should update this list.
    static let corpusFallbacks: Set<String> = ["argocd-install.yaml", "argocd-namespace-install.yaml", "flux2-gotk-components.yaml"]

    @Test(
        "the shared corpus is read by the fast reader itself, but for the files known to need the full parser",
        .enabled(if: TestData.sharedManifests != nil, "../shared/testdata/manifests is absent"))
    func readsTheCorpus() throws {
        let folder = try #require(TestData.sharedManifests)
        var read: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".yaml") {
            let bytes = try ManifestLoader.readFile(folder.appendingPathComponent(name).path)
            guard let documents = try? FastYAMLReader.documents(bytes, maximumDepth: 100) else {
                #expect(Self.corpusFallbacks.contains(name), "\(name) fell back to the full parser (\(firstRefusedLine(bytes)))")
                continue
            }
            #expect(!Self.corpusFallbacks.contains(name), "\(name) is now read by the fast reader: update corpusFallbacks")
            let full = try ManifestLoader(usesFastReader: false).documents(bytes: bytes, file: name)
            #expect(documents.map(\.value) == full.map(\.value), "\(name)")
            read.append(name)
        }
        #expect(read.count >= 4, "\(read)")
    }

    /// The first line of the first document the reader refuses, for messages.
    private func firstRefusedLine(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        var line = 1
        for document in text.split(separator: "\n---\n", omittingEmptySubsequences: false) {
            if (try? FastYAMLReader.documents(Array(document.utf8), maximumDepth: 100)) == nil { return "the document at line \(line)" }
            line += document.count(where: { $0 == "\n" }) + 1
        }
        return "no single document refused"
    }
}
