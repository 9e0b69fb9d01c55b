/// Where the agent's HTTP endpoints listen: `[HOST]:PORT` (`:8080` is every address, port 8080;
/// `[::1]:9090` an IPv6 address in brackets).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The default, `:8080`.
    public static let `default` = ListenAddress(host: "0.0.0.0", port: 8080)

    /// The address to bind (`0.0.0.0` when the text named none).
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `[HOST]:PORT`; `nil` when it is not one.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.contains(" ") || host.contains("/") { return nil }
        self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    /// `HOST:PORT`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
