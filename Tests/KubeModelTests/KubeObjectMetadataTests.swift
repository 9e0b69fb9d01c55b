import KubeModel
import Testing

/// `KubeObject.setMetadata` changes `metadata` in place (issue 18: placing every object of a
/// large input in a namespace must not copy it): the result, key order included, is what setting
/// the member on a copy gives, and a copy taken before is left as it was.
@Suite("KubeObject metadata")
struct KubeObjectMetadataTests {
    /// The keys of `metadata`, in order.
    private func metadataKeys(_ object: KubeObject) -> [String] {
        object.content["metadata"]?.objectValue?.keys ?? []
    }

    @Test("adds at the end, replaces in place, removes; the rest of the object keeps its order")
    func setsReplacesAndRemoves() throws {
        var object = try #require(
            try ManifestLoader().load(
                bytes: Array("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {app: a}\ndata: {k: v}\n".utf8), file: "a.yaml"
            ).first)
        object.namespace = "team-a"
        #expect(metadataKeys(object) == ["name", "labels", "namespace"])
        #expect(object.namespace == "team-a")
        object.setMetadata("name", "b")
        #expect(metadataKeys(object) == ["name", "labels", "namespace"])
        #expect(object.name == "b")
        object.setMetadata("labels", nil)
        #expect(metadataKeys(object) == ["name", "namespace"])
        object.setMetadata("absent", nil)
        #expect(metadataKeys(object) == ["name", "namespace"])
        #expect(object.content.objectValue?.keys == ["apiVersion", "kind", "metadata", "data"])
        #expect(object.content["data"] == ["k": "v"])
    }

    @Test("a copy taken before is unchanged")
    func copiesAreIndependent() {
        var object = KubeObject(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]])
        let before = object
        object.setMetadata("namespace", "team-a")
        object.setMetadata("name", "b")
        #expect(before.content == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]])
        #expect(object.content == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "b", "namespace": "team-a"]])
    }

    @Test("metadata is created when missing or not a mapping; an object that is not a mapping is left alone")
    func createsMetadata() {
        var missing = KubeObject(["apiVersion": "v1", "kind": "ConfigMap"])
        missing.setMetadata("name", "a")
        #expect(missing.content.objectValue?.keys == ["apiVersion", "kind", "metadata"])
        #expect(missing.content["metadata"] == ["name": "a"])

        var removedFromNothing = KubeObject(["kind": "ConfigMap"])
        removedFromNothing.setMetadata("labels", nil)
        #expect(removedFromNothing.content == ["kind": "ConfigMap", "metadata": [:]])

        var notAMapping = KubeObject(["kind": "ConfigMap", "metadata": "x", "data": [:]])
        notAMapping.setMetadata("name", "a")
        #expect(notAMapping.content.objectValue?.keys == ["kind", "metadata", "data"])
        #expect(notAMapping.content["metadata"] == ["name": "a"])

        var list = KubeObject(["a", "b"])
        list.setMetadata("name", "a")
        #expect(list.content == ["a", "b"])
    }
}
