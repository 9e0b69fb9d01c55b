import Foundation
public import Testing

/// The container image's OCI archive, which `Scripts/build-image.sh` writes, for the tests that
/// unpack it and run its programs.
///
/// Building the image takes the static release build (10-20+ minutes on two cores), so neither
/// the tests nor CI build it: the tests use `WARRANT_IMAGE_ARCHIVE`, or
/// `.build/image/warrant.oci.tar` where the script writes by default, and are skipped with
/// ``unavailableReason`` (which names the command to run) when there is none.
public enum ContainerImageArchive {
    /// Where the script writes the archive by default.
    public static let defaultPath = TestData.packageRoot.appendingPathComponent(".build/image/warrant.oci.tar").path

    /// The archive to test: `WARRANT_IMAGE_ARCHIVE`, or ``defaultPath``.
    public static var path: String {
        let given = ProcessInfo.processInfo.environment["WARRANT_IMAGE_ARCHIVE"] ?? ""
        return given.isEmpty ? defaultPath : given
    }

    /// Why the image cannot be tested here, or `nil` when it can.
    public static let unavailableReason: String? = {
        let build =
            "build it with 'Scripts/build-image.sh' (needs buildah; 10-20+ minutes for the static release build), or name one with WARRANT_IMAGE_ARCHIVE"
        #if os(Linux)
        guard getuid() == 0 else { return "needs root to unpack the image with its owners and run it with chroot" }
        #else
        return "runs on Linux only (chroot into a Linux root file system)"
        #endif
        guard FileManager.default.fileExists(atPath: path) else {
            let buildah = executable("buildah") == nil ? " ('buildah' is not installed here: apt-get install buildah)" : ""
            return "no image archive at \(path); \(build)\(buildah)"
        }
        for (tool, package) in [("umoci", "umoci"), ("tar", "tar"), ("chroot", "coreutils"), ("unshare", "util-linux"), ("mknod", "coreutils")]
        where executable(tool) == nil {
            return "needs '\(tool)' to unpack and run the image (apt-get install \(package))"
        }
        return nil
    }()

    /// The path of `name` on `PATH` (or the usual folders), or `nil`.
    public static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where an image archive exists and can be unpacked and run (root, umoci,
    /// chroot, unshare); elsewhere it is skipped with ``ContainerImageArchive/unavailableReason`` printed.
    public static var containerImage: Self {
        .enabled(
            if: ContainerImageArchive.unavailableReason == nil, Comment(rawValue: ContainerImageArchive.unavailableReason ?? "the image archive is available"))
    }
}
