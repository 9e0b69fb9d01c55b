/// The container image of this version of Warrant: the agent's Deployment and the CI jobs
/// `credentials --ci` prints run it.
///
/// `Scripts/build-image.sh` builds it (see the Containerfile) and tags it `repository:version`;
/// it reads ``repository`` from this file. The tag names this version, but only a digest pins
/// what runs: a binary cannot know the digest of the image it is in, so the default is a tag and
/// `warrant agent install` says so where it prints it.
enum ContainerImage {
    /// Where the image is published. A platform that admits images only from its own registry
    /// copies it there (`skopeo copy`) and names that copy with `--image`.
    static let repository = "ghcr.io/warrant-dev/warrant"

    /// The image of this version, by tag: `repository:version`.
    static var reference: String { "\(repository):\(Warrant.version)" }
}
