import Foundation
import KubeModel
import Testing
import WarrantTestSupport
import WarrantTesting

/// The "Object counts" table of `../shared/testdata/manifests/SOURCES.md`: file → (objects, kind → count).
private func documentedCounts() throws -> [String: (Int, [String: Int])] {
    let folder = try #require(TestData.sharedManifests)
    let text = try String(contentsOf: folder.appendingPathComponent("SOURCES.md"), encoding: .utf8)
    let section = try #require(text.components(separatedBy: "## Object counts").last)
    var result: [String: (Int, [String: Int])] = [:]
    for line in section.split(separator: "\n") where line.hasPrefix("| ") && line.contains(".yaml") {
        let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        guard cells.count >= 3, let total = Int(cells[1]) else { continue }
        var kinds: [String: Int] = [:]
        for entry in cells[2].split(separator: ",") {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: " ")
            if parts.count == 2, let count = Int(parts[1]) { kinds[String(parts[0])] = count }
        }
        result[cells[0]] = (total, kinds)
    }
    return result
}

@Test(
    "every shared upstream manifest loads with the documented object counts", .ownThread,
    .enabled(if: TestData.sharedManifests != nil, "../shared/testdata/manifests is absent (a fresh clone of the repository alone)"))
func sharedManifestsLoadWithDocumentedCounts() throws {
    let counts = try documentedCounts()
    #expect(counts.count == 7)
    for (file, (total, kinds)) in counts {
        let objects = try ManifestLoader().load([.path(TestData.sharedManifest(file))])
        #expect(objects.count == total, "\(file)")
        var actual: [String: Int] = [:]
        for object in objects { actual[object.kind, default: 0] += 1 }
        #expect(actual == kinds, "\(file)")
        for object in objects {
            #expect(KindTable.builtin.kind(object.groupKind) != nil || object.kind == "Application", "\(file): \(object.kind)")
            #expect((object.source?.line ?? 0) > 0)
        }
    }
}

@Test(
    "whole corpus folder loads, and survives a YAML round trip", .ownThread,
    .enabled(if: TestData.sharedManifests != nil, "../shared/testdata/manifests is absent"))
func sharedManifestsRoundTrip() throws {
    let objects = try ManifestLoader().load([.path(try #require(TestData.sharedManifests).path)])
    #expect(objects.count == 3 + 4 + 59 + 50 + 31 + 19 + 35)
    let yaml = YAMLWriter.write(documents: objects.map(\.content))
    let reloaded = try ManifestLoader().load(bytes: Array(yaml.utf8), file: "roundtrip.yaml")
    #expect(reloaded.map(\.content) == objects.map(\.content))
    let json = objects.map { JSONWriter.write($0.content) }.joined(separator: "\n")
    let fromJSON = try ManifestLoader().load(bytes: Array(json.utf8), file: "roundtrip.json")
    #expect(fromJSON.map(\.content) == objects.map(\.content))
}

@Test func syntheticManifestsLoadWithTheExpectedMix() throws {
    let text = SyntheticManifests.yaml(objects: 600)
    let objects = try ManifestLoader().load(bytes: Array(text.utf8), file: "synthetic.yaml")
    #expect(objects.count == 600)
    var kinds: [String: Int] = [:]
    for object in objects { kinds[object.kind, default: 0] += 1 }
    #expect(kinds == ["Deployment": 100, "Service": 100, "ConfigMap": 100, "ServiceAccount": 100, "Role": 100, "RoleBinding": 100])
    #expect(Set(objects.compactMap(\.namespace)).count == 20)
    #expect(SyntheticManifests.yaml(objects: 600) == text)
}
