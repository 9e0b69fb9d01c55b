import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny plain-HTTP server on loopback (port 0), for what the API test server does not do on
/// purpose: answer slowly, a byte at a time, or with exactly the headers a test gives.
///
/// Each connection is served on its own thread: the request head is read, then the answer's
/// status line and headers are written at once and the body at ``Answer/bytesPerSecond``.
/// Writing to a client that went away ends the connection quietly.
public final class LoopbackHTTPServer: Sendable {
    /// What the server answers to every request.
    public struct Answer: Sendable {
        /// The status code.
        public var status: Int
        /// Extra headers, in order (Content-Length is added).
        public var headers: [(String, String)]
        /// The body.
        public var body: [UInt8]
        /// When set, the body is sent one byte every `1/bytesPerSecond` seconds.
        public var bytesPerSecond: Int?

        /// Creates an answer.
        public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = Array("{}".utf8), bytesPerSecond: Int? = nil) {
            self.status = status
            self.headers = headers
            self.body = body
            self.bytesPerSecond = bytesPerSecond
        }
    }

    /// The port it listens on.
    public let port: Int
    private let listener: Int32
    private let stopped = Atomic<Bool>(false)
    private let seen = Mutex<[String]>([])

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// The request lines received so far (`GET /api HTTP/1.1`).
    public var requestLines: [String] { seen.withLock { $0 } }

    /// Starts listening; `answer` decides the answer to each request line.
    public init(answer: @escaping @Sendable (String) -> Answer) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let server = self
        Thread.detachNewThread { server.acceptLoop(answer) }
    }

    /// Stops accepting; connections in progress end at their next write. Only the first call
    /// closes the listening socket: a second `close` of the same number would close whatever
    /// descriptor the process opened under it since (another test's pipe or pidfd).
    public func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func acceptLoop(_ answer: @escaping @Sendable (String) -> Answer) {
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return
            }
            Thread.detachNewThread { [self] in serve(connection, answer) }
        }
    }

    private func serve(_ connection: Int32, _ answer: @Sendable (String) -> Answer) {
        defer { close(connection) }
        while !stopped.load(ordering: .sequentiallyConsistent) {
            guard let head = readHead(connection) else { return }
            let requestLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
            seen.withLock { $0.append(requestLine) }
            let reply = answer(requestLine)
            var text = "HTTP/1.1 \(reply.status) \(reply.status == 200 ? "OK" : "Status")\r\nContent-Type: application/json\r\n"
            for (name, value) in reply.headers { text += "\(name): \(value)\r\n" }
            text += "Content-Length: \(reply.body.count)\r\n\r\n"
            guard write(connection, Array(text.utf8)) else { return }
            if let rate = reply.bytesPerSecond {
                for byte in reply.body {
                    guard !stopped.load(ordering: .sequentiallyConsistent), write(connection, [byte]) else { return }
                    usleep(useconds_t(1_000_000 / max(1, rate)))
                }
            } else if !write(connection, reply.body) {
                return
            }
        }
    }

    /// Reads up to the blank line that ends a request head (a body, if any, is not expected).
    private func readHead(_ connection: Int32) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 65_536 {
            guard recv(connection, &byte, 1, 0) == 1 else { return nil }
            bytes.append(byte)
            if bytes.count >= 4, bytes.suffix(4) == [13, 10, 13, 10] {
                let head = String(decoding: bytes, as: UTF8.self)
                // Skip a request body (the tests send small ones).
                if let lengthLine = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                    let length = Int(lengthLine.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)), length > 0
                {
                    var body = [UInt8](repeating: 0, count: length)
                    var received = 0
                    while received < length {
                        let count = body.withUnsafeMutableBytes { recv(connection, $0.baseAddress! + received, length - received, 0) }
                        guard count > 0 else { return nil }
                        received += count
                    }
                }
                return head
            }
        }
        return nil
    }

    private func write(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let count = bytes.withUnsafeBytes { send(connection, $0.baseAddress! + sent, bytes.count - sent, flags) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }
}
