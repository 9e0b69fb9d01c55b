import Delivery
import Foundation

/// The `--record-file` of a deploy: the records as JSON lines, a copy of the history chain kept
/// as a CI artifact.
///
/// Written so that it never contradicts the history ConfigMap, whatever stops the deploy:
/// - a record is appended only once the history holds it, so the file is always the history's
///   chain or a prefix of it (a deploy killed between the two writes leaves the file one record
///   short, which still verifies);
/// - before its own record, a deploy appends the history's records that came after the file's
///   last one (such a missing record), so the file's chain has no gap;
/// - the new lines go out in one `write(2)` to a descriptor opened with `O_APPEND`, under an
///   exclusive `flock(2)` held from reading the last record to writing, so that concurrent
///   deploys writing the same file neither interleave nor duplicate lines;
/// - the file is created with mode 0600, an existing file is narrowed to 0600 (records name the
///   cluster, the credential and the people), and a symbolic link is refused.
enum RecordFile {
    /// Appends `line` (a record the history now holds) to the file at `path`, after the lines of
    /// `chain` (the history's record lines, oldest first, ending with `line`) that follow the
    /// file's last record.
    ///
    /// - Returns: how many lines were written.
    static func append(_ line: String, chain: [String], to path: String) throws(DeployError) -> Int {
        func failure(_ text: String) -> DeployError {
            DeployError(.recordNotWritten, "\(path): \(text)", summary: "the record file \(path) could not be written")
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            throw failure(code == ELOOP ? "is a symbolic link; give the file itself" : "cannot open the record file: \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw failure("cannot lock the record file: \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { throw failure("is not a regular file") }
        if status.st_mode & 0o077 != 0 { _ = fchmod(descriptor, 0o600) }
        let existing = readAll(descriptor, size: Int(status.st_size))
        var text = ""
        if let existing, !existing.isEmpty, existing.last != UInt8(ascii: "\n") {
            // A line cut short (a full disk): end it, so that the next record is a line of its own.
            text += "\n"
        }
        for missing in missingLines(before: line, chain: chain, fileText: existing.map { String(decoding: $0, as: UTF8.self) } ?? "") {
            text += missing + "\n"
        }
        text += line + "\n"
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("cannot append to the record file: \(String(cString: strerror(errno)))")
            }
            written += result
        }
        return text.split(separator: "\n").count
    }

    /// The lines of `chain` between the file's last record and `line`: none when the file ends
    /// with the record `line` follows, or when the file's last record is not in `chain` (another
    /// namespace's file, or records rotated out of the history).
    static func missingLines(before line: String, chain: [String], fileText: String) -> [String] {
        guard let last = fileText.split(separator: "\n").last(where: { !$0.allSatisfy(\.isWhitespace) }),
            let lastDigest = HistoryStore.digest(ofLine: String(last)),
            let position = chain.firstIndex(where: { HistoryStore.digest(ofLine: $0) == lastDigest })
        else { return [] }
        return Array(chain[(position + 1)...].prefix { $0 != line })
    }

    private static func readAll(_ descriptor: Int32, size: Int) -> [UInt8]? {
        guard size > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes[offset...].withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            offset += count
        }
        return Array(bytes[..<offset])
    }
}
