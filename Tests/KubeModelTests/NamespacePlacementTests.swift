import KubeModel
import Testing

/// The one placement step and the one namespace check every command that deploys into (or
/// scopes) a namespace shares.
@Suite("Namespace placement and check")
struct NamespacePlacementTests {
    private func objects(_ yaml: String) throws -> [KubeObject] {
        try ManifestLoader().load(bytes: Array(yaml.utf8), file: "app.yaml")
    }

    private let input = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: unset}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: empty, namespace: ""}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: elsewhere, namespace: other}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: reader}
        ---
        apiVersion: example.com/v1
        kind: Gadget
        metadata: {name: unknown}
        """

    @Test("namespaced objects without a namespace (none or empty, as kubectl's SetNamespace) go into -n; nothing else moves")
    func placement() throws {
        var placed = try objects(input)
        NamespacePlacement.place(&placed, in: "shop", kinds: .builtin)
        #expect(placed.map(\.namespace) == ["shop", "shop", "other", nil, nil])
        let one = try objects(input)[1]
        #expect(NamespacePlacement.placed(one, in: "shop", kinds: .builtin).namespace == "shop")
        #expect(NamespacePlacement.isUnplaced(one, kinds: .builtin))
        #expect(!NamespacePlacement.isUnplaced(placed[1], kinds: .builtin))
    }

    @Test("the check refuses another namespace and unknown kinds, and passes cluster-scoped kinds to the caller")
    func check() throws {
        var placed = try objects(input)
        NamespacePlacement.place(&placed, in: "shop", kinds: .builtin)
        #expect(try NamespaceCheck.kind(of: placed[0], in: "shop", kinds: .builtin, command: "deploy").resource == "configmaps")
        let mismatch = try #require(throws: ManifestError.self) {
            try NamespaceCheck.kind(of: placed[2], in: "shop", kinds: .builtin, command: "deploy")
        }
        #expect(mismatch.code == .namespaceMismatch)
        #expect(mismatch.location == placed[2].source)
        #expect(mismatch.message == "ConfigMap other/elsewhere is in namespace other, not shop")
        #expect(mismatch.hint?.contains("deploy it with -n other") == true)
        let clusterRole = try NamespaceCheck.kind(of: placed[3], in: "shop", kinds: .builtin, command: "scope")
        #expect(!clusterRole.namespaced)
        #expect(NamespaceCheck.clusterScoped(placed[3]).code == .clusterScoped)
        let unknown = try #require(throws: ManifestError.self) {
            try NamespaceCheck.kind(of: placed[4], in: "shop", kinds: .builtin, command: "scope")
        }
        #expect(unknown.code == .unknownKind)
        #expect(unknown.hint?.contains("--resource-map") == true)
    }
}
