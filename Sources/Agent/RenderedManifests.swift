public import KubeModel

/// The objects a commit asks for, as the apply engine takes them.
public struct RenderedManifests: Sendable {
    /// The commit they come from.
    public var commit: CommitID
    /// The folder in the repository (`deploy/production`, `.` for the root).
    public var path: String
    /// Whether the folder was rendered as a kustomization.
    public var kustomized: Bool
    /// The objects, in file order; each one's source names the file relative to the repository.
    public var objects: [KubeObject]
    /// The built-in kinds plus those of the CustomResourceDefinitions among the objects.
    public var kinds: KindTable

    /// Creates a value.
    public init(commit: CommitID, path: String, kustomized: Bool, objects: [KubeObject], kinds: KindTable) {
        self.commit = commit
        self.path = path
        self.kustomized = kustomized
        self.objects = objects
        self.kinds = kinds
    }
}
