import Foundation

/// Writes files that hold credentials: mode 0600 from the first byte, complete or not at all.
enum SecureFile {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): cannot write the file: \(reason)" }
    }

    /// Makes sure `path` can be written before anything else happens: creates its folder (and the
    /// folders above, with `folderMode`) when missing, refuses a path that is a folder, and
    /// creates and removes a file next to it to find a folder that cannot be written to.
    static func prepare(_ path: String, folderMode: Int = 0o700) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw Failure(path: path, reason: "it is a folder; give a file name")
        }
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Failure(path: path, reason: "\(folder.path) is not a folder") }
        } else {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: folderMode])
            } catch {
                throw Failure(path: path, reason: "cannot create the folder \(folder.path): \(error.localizedDescription)")
            }
        }
        let probe = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).probe")
        guard FileManager.default.createFile(atPath: probe.path, contents: Data(), attributes: [.posixPermissions: 0o600]) else {
            throw Failure(path: path, reason: "the folder \(folder.path) cannot be written to")
        }
        try? FileManager.default.removeItem(at: probe)
    }

    /// Writes `text` to `path` through a temporary file in the same folder (created 0600), then
    /// renames it into place, so that no reader ever sees a partial file or wider permissions.
    static func write(_ text: String, to path: String, mode: Int = 0o600) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(path: path, reason: "the folder \(folder.path) does not exist")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw Failure(path: path, reason: "permission denied or disk full")
        }
        do {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary.path)
            // rename(2) replaces an existing file atomically.
            guard rename(temporary.path, path) == 0 else {
                throw Failure(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw Failure(path: path, reason: error.localizedDescription)
        }
    }
}
