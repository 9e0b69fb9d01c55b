import CZlib

/// The decompressed bytes of a gzip stream (RFC 1952) read from another source, as rotated audit
/// logs are kept (kube-apiserver's `--audit-log-compress`, logrotate's `compress`).
///
/// Streams several members one after the other (`cat a.gz b.gz`), as `gzip -d` does. A stream
/// that ends inside a member is an error (a file copied while it was written), as are corrupt
/// data and bytes after the last member that do not start another one.
public final class GzipByteSource<Inner: ByteSource>: ByteSource {
    private var inner: Inner
    private let name: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var memberEnded = false
    private var finished = false
    private var compressedBytes = 0

    /// Decompresses `inner`; `name` names the file in errors.
    ///
    /// - Throws: ``AuditLogError`` when zlib cannot be set up.
    public init(_ inner: Inner, name: String) throws(AuditLogError) {
        self.inner = inner
        self.name = name
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        guard warrant_inflate_init_gzip(stream) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            throw AuditLogError(file: name, message: "cannot set up gzip decompression", hint: nil)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Whether `bytes` start like gzip (`1f 8b`).
    public static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(AuditLogError) -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(clamping: buffer.count)
        let capacity = Int(stream.pointee.avail_out)
        while Int(stream.pointee.avail_out) == capacity {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let count = try inner.read(into: input)
                if count == 0 {
                    inputEnded = true
                } else {
                    compressedBytes += count
                    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = UInt32(count)
                }
            }
            if stream.pointee.avail_in == 0 && inputEnded {
                if memberEnded || compressedBytes == 0 {
                    finished = true
                    break
                }
                throw AuditLogError(
                    file: name, message: "the gzip data ends early (the file is truncated)",
                    hint: "copy the file again once the API server has finished rotating it")
            }
            if memberEnded {
                // Another member follows: it must start with the gzip magic.
                guard stream.pointee.avail_in < 2 || (stream.pointee.next_in[0] == 0x1F && stream.pointee.next_in[1] == 0x8B) else {
                    throw AuditLogError(
                        file: name, message: "holds bytes after the end of its gzip data",
                        hint: "the file is damaged; decompress it with gzip -d to see what it holds")
                }
                inflateReset(stream)
                memberEnded = false
            }
            let result = inflate(stream, Z_NO_FLUSH)
            switch result {
            case Z_STREAM_END:
                memberEnded = true
            case Z_OK, Z_BUF_ERROR:
                continue
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(result)"
                throw AuditLogError(file: name, message: "is not valid gzip data (\(detail))", hint: "the file is damaged; check it with gzip -t")
            }
        }
        return capacity - Int(stream.pointee.avail_out)
    }
}
