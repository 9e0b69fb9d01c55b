import CZlib

/// gzip (RFC 1952) for the history ConfigMap: a record too large to be stored as text is stored
/// compressed (``HistoryStore``).
///
/// ``Compressor`` takes its input in pieces, so that the size a record would take can be known
/// without building its text (``HistoryStore/recordSize(applying:)``).
package enum Gzip {
    /// Compresses input given in pieces; output is kept or only counted.
    package final class Compressor {
        private let stream: UnsafeMutablePointer<z_stream>
        private let buffer: UnsafeMutableBufferPointer<UInt8>
        private let keepsOutput: Bool
        private var finished = false
        /// The compressed bytes so far, when kept.
        package private(set) var output: [UInt8] = []
        /// How many compressed bytes were written so far.
        package private(set) var count = 0

        /// A compressor at zlib's default level; `keepsOutput: false` only counts the output.
        package init(keepsOutput: Bool = true) {
            self.keepsOutput = keepsOutput
            stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64 * 1024)
            // Only fails for want of memory or for invalid arguments, neither of which is a state
            // to go on from.
            precondition(warrant_deflate_init_gzip(stream, Z_DEFAULT_COMPRESSION) == Z_OK, "zlib: deflateInit2 failed")
        }

        deinit {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
            buffer.deallocate()
        }

        /// Compresses `bytes`.
        package func append(_ bytes: some Collection<UInt8>) {
            precondition(!finished, "Gzip.Compressor used after finish()")
            let handled: Void? = bytes.withContiguousStorageIfAvailable { run($0, flush: Z_NO_FLUSH) }
            if handled == nil { Array(bytes).withUnsafeBufferPointer { run($0, flush: Z_NO_FLUSH) } }
        }

        /// Compresses the UTF-8 of `text`.
        package func append(_ text: String) {
            var text = text
            text.withUTF8 { run($0, flush: Z_NO_FLUSH) }
        }

        /// Ends the stream (the gzip trailer); returns the output when kept.
        @discardableResult
        package func finish() -> [UInt8] {
            if !finished {
                run(UnsafeBufferPointer(start: nil, count: 0), flush: Z_FINISH)
                finished = true
            }
            return output
        }

        private func run(_ input: UnsafeBufferPointer<UInt8>, flush: Int32) {
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            repeat {
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = UInt32(buffer.count)
                let status = deflate(stream, flush)
                precondition(status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR, "zlib: deflate failed (\(status))")
                let written = buffer.count - Int(stream.pointee.avail_out)
                count += written
                if keepsOutput { output.append(contentsOf: buffer[0..<written]) }
                if flush == Z_FINISH && status == Z_STREAM_END { break }
            } while stream.pointee.avail_out == 0 || (flush == Z_FINISH)
        }
    }

    /// `bytes` compressed.
    package static func compress(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let compressor = Compressor()
        compressor.append(bytes)
        return compressor.finish()
    }

    /// Why gzip data could not be read.
    package enum DecompressionError: Error, Sendable, Hashable {
        /// Not gzip, damaged, or cut short.
        case corrupt(String)
        /// It expands to more than the limit.
        case tooLarge(limit: Int)
    }

    /// The bytes `compressed` expands to; at most `limit` of them.
    ///
    /// - Throws: ``DecompressionError`` for data that is not one complete gzip member, or that
    ///   expands beyond `limit` (a small ConfigMap must not be able to fill the memory).
    package static func decompress(_ compressed: [UInt8], limit: Int) throws(DecompressionError) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        guard warrant_inflate_init_gzip(stream) == Z_OK else { throw .corrupt("cannot set up gzip decompression") }
        defer { inflateEnd(stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var exceeded = false
        let status: Int32 = compressed.withUnsafeBufferPointer { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            while true {
                let (status, written) = chunk.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    let status = inflate(stream, Z_NO_FLUSH)
                    return (status, out.count - Int(stream.pointee.avail_out))
                }
                if output.count + written > limit {
                    exceeded = true
                    return status
                }
                output.append(contentsOf: chunk[0..<written])
                if status != Z_OK { return status }
                // No progress with all input used: the data ends inside the stream.
                if written == 0 && stream.pointee.avail_in == 0 { return Z_BUF_ERROR }
            }
        }
        if exceeded { throw .tooLarge(limit: limit) }
        switch status {
        case Z_STREAM_END:
            guard stream.pointee.avail_in == 0 else { throw .corrupt("bytes after the end of the gzip data") }
            return output
        case Z_BUF_ERROR:
            throw .corrupt("the gzip data ends early")
        default:
            throw .corrupt("not gzip data, or damaged (zlib status \(status))")
        }
    }
}
