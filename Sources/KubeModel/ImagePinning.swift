/// How a container image reference pins what runs, read as the kubelet reads it (the grammar of
/// `github.com/distribution/reference`, `reference.go`: `name[:tag][@digest]`, a tag being
/// `[\w][\w.-]{0,127}`, a registry port being part of the first path component).
///
/// Only what Warrant's safeguards need is told apart: a digest or a version tag pins the image;
/// no tag means `:latest`; an empty tag (`nginx:`) is no valid reference at all, which the kubelet
/// refuses (`InvalidImageName`), so it pins nothing either.
public enum ImagePinning: Sendable, Hashable {
    /// `name@sha256:…`: the content is fixed.
    case digest
    /// `name:1.2`: a tag other than `latest`.
    case tag(String)
    /// `name:latest`.
    case latest
    /// `name` without a tag: the runtime pulls `:latest`.
    case untagged
    /// `name:` with nothing after the colon: not a valid image reference.
    case emptyTag

    /// How `image` is pinned.
    public init(image: String) {
        if image.contains("@") {
            self = .digest
            return
        }
        // A colon before the last slash is a registry port (`registry:5000/web`), not a tag.
        let lastComponent = image.split(separator: "/").last ?? Substring(image)
        guard let colon = lastComponent.lastIndex(of: ":") else {
            self = .untagged
            return
        }
        let tag = lastComponent[lastComponent.index(after: colon)...]
        if tag.isEmpty {
            self = .emptyTag
        } else if tag == "latest" {
            self = .latest
        } else {
            self = .tag(String(tag))
        }
    }

    /// Why the reference does not pin the image, as words that follow the image's name
    /// (`web:latest` *is tagged :latest*), or `nil` when a digest or a version tag pins it: the
    /// one wording `deploy`'s safeguards and `restrict` share.
    public var problem: String? {
        switch self {
        case .digest, .tag: nil
        case .latest: "is tagged :latest"
        case .untagged: "has no tag (so :latest)"
        case .emptyTag: "has an empty tag (not a valid image reference: the kubelet refuses it as InvalidImageName)"
        }
    }

    /// Whether every pull of the image gets the version that was tested: a digest or a version tag.
    public var isPinned: Bool {
        switch self {
        case .digest, .tag: true
        case .latest, .untagged, .emptyTag: false
        }
    }
}
