/// One HTTP request as the server's API layer sees it, independent of NIO.
struct APIRequest: Sendable {
    var method: String
    /// The request URI as sent, query included (the audit log's `requestURI`).
    var uri: String
    /// The path without the query, percent-decoded.
    var path: String
    /// The raw query string without `?`.
    var rawQuery: String
    /// Query parameters, percent-decoded; a repeated parameter keeps its first value.
    var query: [String: String]
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    init(method: String, uri: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.uri = uri
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = Self.percentDecode(String(parts[0]), plusAsSpace: false)
        rawQuery = parts.count > 1 ? String(parts[1]) : ""
        var query: [String: String] = [:]
        for pair in rawQuery.split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.percentDecode(String(keyValue[0]), plusAsSpace: true)
            let value = keyValue.count > 1 ? Self.percentDecode(String(keyValue[1]), plusAsSpace: true) : ""
            if query[key] == nil { query[key] = value }
        }
        self.query = query
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    /// The media type of the body, without parameters, lower-cased.
    var contentType: String {
        let value = headers["content-type"] ?? ""
        return String(value.split(separator: ";").first ?? "").trimmingSpaces().lowercased()
    }

    /// Whether `dryRun=All` was asked for.
    var isDryRun: Bool { query["dryRun"] == "All" }

    static func percentDecode(_ text: String, plusAsSpace: Bool) -> String {
        guard text.contains("%") || (plusAsSpace && text.contains("+")) else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") && plusAsSpace {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
