import KubeModel
import Testing

/// Image references as the kubelet parses them (distribution/reference `reference.go`): the tag
/// follows the last colon of the last path component; a colon earlier is a registry port.
@Suite struct ImagePinningTests {
    @Test(arguments: [
        ("nginx", ImagePinning.untagged), ("nginx:latest", .latest), ("nginx:1.27", .tag("1.27")), ("nginx:", .emptyTag),
        ("registry:5000/web", .untagged), ("registry:5000/web:1.0", .tag("1.0")), ("registry:5000/web:", .emptyTag),
        ("web@sha256:0123", .digest), ("web:1.0@sha256:0123", .digest), ("ghcr.io/org/web:v2", .tag("v2")),
        ("localhost/web:latest", .latest),
    ])
    func pinning(image: String, expected: ImagePinning) {
        #expect(ImagePinning(image: image) == expected)
        #expect(ImagePinning(image: image).isPinned == [ImagePinning.digest, .tag("1.27"), .tag("1.0"), .tag("v2")].contains(expected))
    }

    @Test(
        arguments: [
            ("Pod", "v1", ["spec"]), ("Deployment", "apps/v1", ["spec", "template", "spec"]), ("Job", "batch/v1", ["spec", "template", "spec"]),
            ("CronJob", "batch/v1", ["spec", "jobTemplate", "spec", "template", "spec"]),
            ("ReplicationController", "v1", ["spec", "template", "spec"]), ("Service", "v1", nil), ("Deployment", "example.com/v1", nil),
        ] as [(String, String, [String]?)])
    func podSpecPath(kind: String, apiVersion: String, path: [String]?) {
        let object = KubeObject(["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": ["name": "x"]])
        #expect(object.podSpecPath == path)
    }
}
