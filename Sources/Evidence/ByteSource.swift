import Foundation

/// Where an audit log's bytes come from: a file, a gzip stream over another source, or memory in
/// tests. Read in chunks, so that a log of any size is streamed; a chunk may be read on another
/// thread than the one that made the source (one thread at a time).
public protocol ByteSource: SendableMetatype {
    /// Reads up to `buffer.count` bytes into `buffer` and returns how many; 0 only at the end.
    ///
    /// - Throws: ``AuditLogError`` when the bytes cannot be read.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(AuditLogError) -> Int
}

/// Bytes held in memory.
public struct MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    /// A source over `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A source over the UTF-8 of `text`.
    public init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(AuditLogError) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// A file, read with `read(2)` in the caller's chunks.
public final class FileByteSource: ByteSource {
    /// The path, for errors.
    public let path: String
    private let descriptor: Int32

    /// Opens `path` for reading.
    ///
    /// - Throws: ``AuditLogError`` when it cannot be opened (missing, a folder, no permission).
    public init(path: String) throws(AuditLogError) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw AuditLogError(file: path, message: "is a folder, not an audit log file", hint: "name the log files, e.g. --audit-log '\(path)/audit*.log*'")
        }
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw AuditLogError(file: path, message: "cannot be opened: \(reason)", hint: "check the path and that you may read it")
        }
    }

    deinit { close(descriptor) }

    /// The first `count` bytes of the file, without moving the read position (for sniffing gzip).
    public func prefix(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
        return got > 0 ? Array(bytes.prefix(got)) : []
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(AuditLogError) -> Int {
        while true {
            let got = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if got >= 0 { return got }
            if errno == EINTR { continue }
            throw AuditLogError(file: path, message: "cannot be read: \(String(cString: strerror(errno)))", hint: nil)
        }
    }
}
