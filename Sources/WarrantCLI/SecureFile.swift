import Foundation

/// Writes files that hold credentials: mode 0600 from the first byte, complete or not at all.
enum SecureFile {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): cannot write the file: \(reason)" }
    }

    /// Writes `text` to `path` through a temporary file in the same folder (created 0600), then
    /// renames it into place, so that no reader ever sees a partial file or wider permissions.
    static func write(_ text: String, to path: String, mode: Int = 0o600) throws {
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
