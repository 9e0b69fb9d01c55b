import Foundation
import KubeModel
import Testing
import WarrantTestSupport

private func load(_ text: String, file: String = "test.yaml") throws -> [KubeObject] {
    try ManifestLoader().load(bytes: Array(text.utf8), file: file)
}

private func loadError(_ text: String, file: String = "test.yaml") -> ManifestError? {
    do {
        _ = try ManifestLoader().load(bytes: Array(text.utf8), file: file)
        return nil
    } catch {
        return error.errors.first
    }
}

/// Valid input shapes: each case is (description, text, file name, expected `kind/name@line` list).
private let validCases: [(String, String, String, [String])] = [
    (
        "single document",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
        """, "a.yaml", ["ConfigMap/a@1"]
    ),
    (
        "multi-document with separators, empty and comment-only documents",
        """
        ---
        # just a comment
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a}
        ---
        ---

        apiVersion: v1
        kind: Secret
        metadata:
          name: b
        ...
        """, "a.yaml", ["ConfigMap/a@4", "Secret/b@10"]
    ),
    (
        "Helm output with # Source: comments",
        """
        ---
        # Source: chart/templates/sa.yaml
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: sa
        ---
        # Source: chart/templates/empty.yaml
        ---
        # Source: chart/templates/svc.yaml
        apiVersion: v1
        kind: Service
        metadata:
          name: svc
        """, "a.yaml", ["ServiceAccount/sa@3", "Service/svc@11"]
    ),
    (
        "kind: List flattened with item lines",
        """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata:
            name: one
        - apiVersion: v1
          kind: ConfigMap
          metadata:
            name: two
        """, "a.yaml", ["ConfigMap/one@4", "ConfigMap/two@8"]
    ),
    (
        "typed *List kind flattened",
        """
        apiVersion: v1
        kind: ConfigMapList
        items:
        - {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}
        """, "a.yaml", ["ConfigMap/x@4"]
    ),
    (
        "empty List gives nothing",
        """
        apiVersion: v1
        kind: List
        items: []
        """, "a.yaml", []
    ),
    (
        "JSON object",
        """
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "j"}}
        """, "a.json", ["ConfigMap/j@1"]
    ),
    (
        "JSON stream of objects",
        """
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j1"}}

        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j2"}}
        """, "a.json", ["ConfigMap/j1@1", "ConfigMap/j2@3"]
    ),
    (
        "JSON List",
        """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}
        ]}
        """, "a.json", ["ConfigMap/a@2", "ConfigMap/b@3"]
    ),
    (
        "JSON detected on standard input",
        """
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}}
        """, "<stdin>", ["ConfigMap/s@1"]
    ),
    (
        "UTF-8 byte order mark and CRLF line ends", "\u{FEFF}apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: bom\r\n",
        "a.yaml", ["ConfigMap/bom@1"]
    ),
    (
        "anchors, aliases and merge keys",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: m
          labels: &labels
            app: web
          annotations:
            <<: *labels
            extra: "1"
        """, "a.yaml", ["ConfigMap/m@1"]
    ),
]

@Test("loads valid input", arguments: validCases)
func loadsValidInput(_ testCase: (String, String, String, [String])) throws {
    let (_, text, file, expected) = testCase
    let objects = try load(text, file: file)
    #expect(objects.map { "\($0.kind)/\($0.name)@\($0.source?.line ?? -1)" } == expected)
    #expect(objects.allSatisfy { $0.source?.file == file })
}

/// Bad input: (description, text, file, expected error code, expected line, a word the message must contain).
private let invalidCases: [(String, String, String, ManifestError.Code, Int, String)] = [
    ("malformed YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n", "a.yaml", .syntax, 5, "YAML syntax error"),
    ("bad indentation", "apiVersion: v1\nkind: ConfigMap\n metadata: x\n", "a.yaml", .syntax, 3, "YAML syntax error"),
    ("tab indentation", "apiVersion: v1\nmetadata:\n\tname: x\n", "a.yaml", .syntax, 3, "tab"),
    ("duplicate key", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n", "a.yaml", .syntax, 2, "duplicate key"),
    ("undefined alias", "apiVersion: v1\nkind: *nope\n", "a.yaml", .syntax, 2, "undefined alias"),
    ("document is a list", "- a\n- b\n", "a.yaml", .notAnObject, 1, "found a list"),
    ("document is a scalar", "hello\n", "a.yaml", .notAnObject, 1, "found a string"),
    ("missing apiVersion", "kind: Deployment\nmetadata: {name: a}\n", "a.yaml", .missingField, 1, "apiVersion is missing"),
    ("missing kind", "apiVersion: v1\nmetadata: {name: a}\n", "a.yaml", .missingField, 1, "kind is missing"),
    ("apiVersion not a string", "apiVersion: 1\nkind: ConfigMap\nmetadata: {name: a}\n", "a.yaml", .wrongType, 1, "apiVersion must be a string"),
    ("kind not a string", "apiVersion: v1\nkind: [ConfigMap]\nmetadata: {name: a}\n", "a.yaml", .wrongType, 2, "kind must be a string"),
    ("missing metadata", "apiVersion: v1\nkind: ConfigMap\n", "a.yaml", .missingField, 1, "no metadata"),
    ("metadata not a mapping", "apiVersion: v1\nkind: ConfigMap\nmetadata: x\n", "a.yaml", .wrongType, 3, "metadata must be a mapping"),
    ("missing name", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: a\n", "a.yaml", .missingField, 4, "metadata.name"),
    ("generateName only", "apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: p-\n", "a.yaml", .missingField, 4, "metadata.name"),
    ("name is a number", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n", "a.yaml", .wrongType, 4, "metadata.name must be a string"),
    ("namespace is a list", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: [x]\n", "a.yaml", .wrongType, 5, "namespace must be a string"),
    (
        "label value is a boolean", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    enabled: yes\n", "a.yaml", .wrongType, 6,
        "label 'enabled' must be a string"
    ),
    (
        "annotation value is a number", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    port: 8080\n", "a.yaml", .wrongType, 6,
        "annotation 'port'"
    ),
    ("labels is a list", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: [a]\n", "a.yaml", .wrongType, 5, "labels must be a mapping"),
    ("List items not a list", "apiVersion: v1\nkind: List\nitems: 3\n", "a.yaml", .wrongType, 3, "items must be a list"),
    (
        "invalid item inside a List", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {}\n", "a.yaml", .missingField, 6,
        "metadata.name"
    ),
    ("JSON syntax error", "{\"apiVersion\": \"v1\",\n \"kind\": }\n", "a.json", .syntax, 2, "JSON syntax error"),
    ("JSON trailing comma", "{\"apiVersion\": \"v1\",}\n", "a.json", .syntax, 1, "quoted key"),
    ("JSON duplicate key", "{\"a\": 1,\n\"a\": 2}\n", "a.json", .syntax, 2, "duplicate key"),
    ("JSON unterminated string", "{\"apiVersion\": \"v1}\n", "a.json", .syntax, 1, "unterminated"),
    ("JSON string at end of file", "{\"apiVersion\": \"v1}", "a.json", .syntax, 1, "unterminated"),
    ("JSON missing name", "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n \"metadata\": {}}\n", "a.json", .missingField, 2, "metadata.name"),
]

@Test("rejects bad input with file, line and a fix", arguments: invalidCases)
func rejectsBadInput(_ testCase: (String, String, String, ManifestError.Code, Int, String)) throws {
    let (_, text, file, code, line, fragment) = testCase
    let error = try #require(loadError(text, file: file))
    #expect(error.code == code)
    #expect(error.location == SourceLocation(file: file, line: line))
    #expect(error.message.contains(fragment), "message was: \(error.message)")
    #expect(error.hint?.isEmpty == false)
    #expect(error.description.hasPrefix("\(file):\(line): "))
}

@Test func nonUTF8BytesAreReportedWithTheirLine() throws {
    var bytes = Array("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf".utf8)
    bytes += [0xE9]  // Latin-1 é
    bytes += Array("\n".utf8)
    #expect {
        _ = try ManifestLoader().load(bytes: bytes, file: "latin1.yaml")
    } throws: { error in
        let first = (error as? ManifestErrors)?.errors.first
        return first?.code == .notUTF8 && first?.location.line == 4 && first?.hint?.contains("UTF-8") == true
    }
}

@Test(arguments: [
    ([0xC0, 0xAF], 0),  // overlong '/'
    ([0x41, 0xED, 0xA0, 0x80], 1),  // UTF-16 surrogate
    ([0x41, 0x42, 0xF4, 0x90, 0x80, 0x80], 2),  // above U+10FFFF
    ([0xE2, 0x82], 0),  // truncated
    ([0x80], 0),  // lone continuation
])
func invalidUTF8SequencesAreFound(bytes: [UInt8], offset: Int) throws {
    #expect {
        _ = try ManifestLoader().load(bytes: bytes, file: "x.yaml")
    } throws: { error in
        (error as? ManifestErrors)?.errors.first?.message.contains("offset \(offset)") == true
    }
}

@Test func yamlAliasBombIsStopped() throws {
    var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    let names = "bcdefghi"
    var previous = "a"
    for name in names {
        text += "\(name): &\(name) [*\(previous),*\(previous),*\(previous),*\(previous),*\(previous),*\(previous),*\(previous),*\(previous),*\(previous)]\n"
        previous = String(name)
    }
    let start = ContinuousClock.now
    let error = try #require(loadError(text, file: "bomb.yaml"))
    #expect(error.code == .tooLarge)
    #expect(error.message.contains("alias"))
    #expect(ContinuousClock.now - start < .seconds(5))
}

@Test func moderateAliasUseIsAccepted() throws {
    let text = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
          labels: &l {app: a, tier: web}
          annotations: *l
        data: {x: "1"}
        """
    let object = try #require(try load(text).first)
    #expect(object.annotations == ["app": "a", "tier": "web"])
}

@Test(arguments: [
    ("flow", String(repeating: "[", count: 200) + String(repeating: "]", count: 200)),
    ("block", (0..<150).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x\n"),
    ("huge flow", String(repeating: "[", count: 50_000)),
    ("huge compact block", String(repeating: "- ", count: 30_000) + "x\n"),
])
func deepNestingIsRejected(name: String, text: String) throws {
    let error = try #require(loadError(text, file: "deep.yaml"))
    #expect(error.code == .tooDeep, "\(name): \(error)")
    #expect(error.location.line >= 1)
}

@Test func deepJSONIsRejected() throws {
    let text = String(repeating: "{\"a\":", count: 300) + "1" + String(repeating: "}", count: 300)
    let error = try #require(loadError(text, file: "deep.json"))
    #expect(error.code == .tooDeep)
}

@Test func nestingUpToTheLimitIsAccepted() throws {
    let inner = String(repeating: "[", count: 90) + String(repeating: "]", count: 90)
    let objects = try load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: \(inner)}\n")
    #expect(objects.count == 1)
}

@Test func kubernetesScalarTyping() throws {
    let text = """
        apiVersion: v1
        kind: X
        metadata: {name: a}
        values:
          yes1: yes
          on1: On
          n1: n
          tilde: ~
          empty:
          octal: 0755
          hex: 0x1F
          binary: 0b101
          underscore: 1_000
          float: 1.5
          exp: 1e3
          quotedInf: ".inf"
          quoted: "true"
          single: '8080'
          text: 1.2.3
          version: v1
          tagged: !!str 42
          date: 2024-01-01
        """
    let values = try #require(try load(text).first?.content["values"])
    #expect(values["yes1"] == .bool(true))
    #expect(values["on1"] == .bool(true))
    #expect(values["n1"] == .bool(false))
    #expect(values["tilde"] == .null)
    #expect(values["empty"] == .null)
    #expect(values["octal"] == .integer(493))
    #expect(values["hex"] == .integer(31))
    #expect(values["binary"] == .integer(5))
    #expect(values["underscore"] == .integer(1000))
    #expect(values["float"] == .double(1.5))
    #expect(values["exp"] == .double(1000))
    #expect(values["quotedInf"] == .string(".inf"))
    #expect(values["quoted"] == .string("true"))
    #expect(values["single"] == .string("8080"))
    #expect(values["text"] == .string("1.2.3"))
    #expect(values["version"] == .string("v1"))
    #expect(values["tagged"] == .string("42"))
    #expect(values["date"] == .string("2024-01-01"))
}

@Test func keyOrderIsPreserved() throws {
    let object = try #require(try load("kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\ndata: {z: '1', a: '2', m: '3'}\n").first)
    #expect(object.content.objectValue?.keys == ["kind", "apiVersion", "metadata", "data"])
    #expect(object.content["data"]?.objectValue?.keys == ["z", "a", "m"])
}

@Test func foldersAreReadRecursivelySortedAndFiltered() async throws {
    try await withTemporaryDirectory { folder in
        let object = { (name: String) in "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \(name)}\n" }
        try writeFile(object("b"), named: "b.yaml", in: folder)
        try writeFile(object("a"), named: "a.yml", in: folder)
        try writeFile("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}", named: "sub/c.json", in: folder)
        try writeFile("not yaml: [", named: "README.md", in: folder)
        try writeFile(object("hidden"), named: ".hidden/x.yaml", in: folder)
        try writeFile(object("dot"), named: ".dot.yaml", in: folder)
        let objects = try ManifestLoader().load([.path(folder.path)])
        #expect(objects.map(\.name) == ["a", "b", "c"])
        #expect(objects[2].source?.file == folder.path + "/sub/c.json")
    }
}

@Test func missingFileIsReported() throws {
    #expect {
        _ = try ManifestLoader().load([.path("/nonexistent/warrant/x.yaml")])
    } throws: { error in
        let first = (error as? ManifestErrors)?.errors.first
        return first?.code == .fileNotFound && first?.location.file == "/nonexistent/warrant/x.yaml"
    }
}

@Test func errorsFromSeveralFilesAreAllReportedAndNothingIsReturned() async throws {
    try await withTemporaryDirectory { folder in
        try writeFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n", named: "a.yaml", in: folder)
        try writeFile("kind: ConfigMap\nmetadata: {name: x}\n", named: "b.yaml", in: folder)
        try writeFile("a: [\n", named: "c.yaml", in: folder)
        #expect {
            _ = try ManifestLoader().load([.path(folder.path)])
        } throws: { error in
            let errors = (error as? ManifestErrors)?.errors ?? []
            return errors.count == 2 && errors[0].location.file.hasSuffix("b.yaml") && errors[1].location.file.hasSuffix("c.yaml")
        }
    }
}

@Test func standardInputIsNamedInLocations() throws {
    let objects = try ManifestLoader().load([.standardInput(Array("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n".utf8))])
    #expect(objects.first?.source == SourceLocation(file: "<stdin>", line: 1))
}
