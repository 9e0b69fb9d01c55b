import Foundation

#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Musl)
import Musl
private let systemRead = Musl.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// A file's identity on its file system: a file reached twice (through a symbolic link, or given
/// twice) is read once, and a folder reached again (a symbolic-link loop) is not walked again.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64
}

extension ManifestLoader {
    /// The manifest files at `path`: the file itself (whatever it is: a pipe given as
    /// `-f /dev/fd/3` is read like a file), or a folder's regular `.yaml`, `.yml` and `.json`
    /// files, recursively, sorted, skipping hidden entries.
    ///
    /// A folder entry with a manifest extension that is not a regular file (a FIFO would block the
    /// read forever), a broken symbolic link, a file already read and a folder already walked are
    /// skipped and named in `notices`. A folder that cannot be read is an error: `deploy --prune`
    /// must never act on a set that silently lost files.
    static func files(at path: String, seen: inout Set<FileIdentity>, notices: inout [ManifestNotice]) throws(ManifestError) -> [String] {
        guard let status = Self.status(path) else {
            let reason = errno == ENOENT || errno == ENOTDIR ? "no such file or folder" : "cannot read it: \(String(cString: strerror(errno)))"
            throw ManifestError(
                errno == ENOENT || errno == ENOTDIR ? .fileNotFound : .unreadable, at: SourceLocation(file: path, line: 0), reason,
                hint: "check the path given to -f (relative paths start at the current folder)")
        }
        guard status.isDirectory else {
            if let identity = status.identity, !seen.insert(identity).inserted {
                notices.append(ManifestNotice(SourceLocation(file: path, line: 0), "skipped: this file was already read"))
                return []
            }
            return [path]
        }
        var files: [String] = []
        var walked = Set<FileIdentity>()
        try walk(path, identity: status.identity, walked: &walked, seen: &seen, files: &files, notices: &notices)
        return files
    }

    private static func walk(
        _ folder: String, identity: FileIdentity?, walked: inout Set<FileIdentity>, seen: inout Set<FileIdentity>, files: inout [String],
        notices: inout [ManifestNotice]
    ) throws(ManifestError) {
        if let identity, !walked.insert(identity).inserted {
            notices.append(ManifestNotice(SourceLocation(file: folder, line: 0), "skipped: this folder was already read (a symbolic-link loop?)"))
            return
        }
        for entry in try entries(of: folder) where !entry.hasPrefix(".") {
            let child = folder.hasSuffix("/") ? folder + entry : folder + "/" + entry
            let lower = entry.lowercased()
            let isManifest = lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json")
            guard let status = Self.status(child) else {
                if isManifest {
                    notices.append(
                        ManifestNotice(SourceLocation(file: child, line: 0), "skipped: \(String(cString: strerror(errno))) (a broken symbolic link?)"))
                }
                continue
            }
            if status.isDirectory {
                try walk(child, identity: status.identity, walked: &walked, seen: &seen, files: &files, notices: &notices)
                continue
            }
            guard isManifest else { continue }
            guard status.isRegular else {
                notices.append(ManifestNotice(SourceLocation(file: child, line: 0), "skipped: not a regular file (\(status.typeName))"))
                continue
            }
            if let identity = status.identity, !seen.insert(identity).inserted {
                notices.append(ManifestNotice(SourceLocation(file: child, line: 0), "skipped: the same file was already read"))
                continue
            }
            files.append(child)
        }
    }

    /// The names in `folder`, sorted; an error names the folder when it cannot be read.
    private static func entries(of folder: String) throws(ManifestError) -> [String] {
        guard let directory = opendir(folder) else {
            throw ManifestError(
                .unreadable, at: SourceLocation(file: folder, line: 0), "cannot read the folder: \(String(cString: strerror(errno)))",
                hint: "make the folder readable (and searchable) by the current user, or leave it out of -f")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 {
                    throw ManifestError(
                        .unreadable, at: SourceLocation(file: folder, line: 0), "cannot read the folder: \(String(cString: strerror(errno)))")
                }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// What `stat` says about a path (following symbolic links), or `nil` with `errno` set.
    private static func status(_ path: String) -> (isDirectory: Bool, isRegular: Bool, typeName: String, identity: FileIdentity?)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        let typeName: String
        switch type {
        case S_IFIFO: typeName = "a FIFO"
        case S_IFSOCK: typeName = "a socket"
        case S_IFCHR: typeName = "a character device"
        case S_IFBLK: typeName = "a block device"
        default: typeName = "not a file"
        }
        return (type == S_IFDIR, type == S_IFREG, typeName, FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }

    /// Reads a whole file (at most 256 MiB, counted as it is read), with errors that name it: for
    /// auxiliary inputs.
    public static func readFile(_ path: String) throws(ManifestError) -> [UInt8] {
        guard let status = Self.status(path), !status.isDirectory else {
            throw ManifestError(
                .fileNotFound, at: SourceLocation(file: path, line: 0), "no such file",
                hint: "check the path (relative paths start at the current folder)")
        }
        let limit = ManifestLimits.default.maximumFileSize
        let handle = try FileReader(path: path)
        var bytes: [UInt8] = []
        while true {
            let block = try handle.read(upTo: min(1 << 20, limit + 1 - bytes.count))
            if block.isEmpty { return bytes }
            bytes.append(contentsOf: block)
            if bytes.count > limit {
                throw ManifestError(
                    .tooLarge, at: SourceLocation(file: path, line: 0), "the file is larger than \(limit >> 20) MiB",
                    hint: "split it into smaller files")
            }
        }
    }
}

/// An open file read in blocks; closed when the last reference goes.
final class FileReader {
    private let descriptor: Int32
    private let path: String

    /// Opens `path` for reading.
    init(path: String) throws(ManifestError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ManifestError(
                .unreadable, at: SourceLocation(file: path, line: 0), "cannot open the file: \(String(cString: strerror(errno)))",
                hint: "check that the file is readable by the current user")
        }
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes; empty at the end of the file.
    func read(upTo count: Int) throws(ManifestError) -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + filled, count - filled)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw ManifestError(
                    .unreadable, at: SourceLocation(file: path, line: 0), "cannot read the file: \(String(cString: strerror(errno)))")
            }
            if result == 0 { break }
            filled += result
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}
