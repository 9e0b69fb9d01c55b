import Foundation

/// The address of the repository the agent pulls from, checked to carry no credentials.
///
/// Accepted forms: `https://host[:port]/path`, `ssh://[user@]host[:port]/path`, the scp form
/// `[user@]host:path`, and `file:///path` (tests, or a repository on a mounted volume). Plain
/// `http://` and `git://` are refused: they carry neither authentication of the server nor
/// confidentiality. A user name and password (or a token) in the address are refused, so that
/// they can never reach a log line or an error message: credentials come from files.
public struct GitRepositoryURL: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How Git reaches the repository.
    public enum Transport: String, Sendable, Hashable, Codable {
        /// HTTPS, with an optional token or user name and password.
        case https
        /// SSH, with a deploy key and a known_hosts file.
        case ssh
        /// A local path.
        case file
    }

    /// How Git reaches the repository.
    public let transport: Transport
    /// The host name or address; `nil` for `file://`.
    public let host: String?
    /// The port, when the address names one.
    public let port: Int?
    /// The SSH user (`git` in `git@example.com:team/app.git`); never set for HTTPS.
    public let user: String?
    /// The address as handed to `git`; it holds no secret.
    public let address: String

    /// Checks an address.
    ///
    /// - Throws: ``GitRepositoryURL/Problem`` with a message that never repeats a credential.
    public init(parsing text: String) throws(Problem) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw Problem("the repository address is empty") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == " " }) else {
            throw Problem("the repository address contains spaces or control characters")
        }
        guard !text.hasPrefix("-") else { throw Problem("the repository address must not start with '-'") }
        if let schemeEnd = text.range(of: "://") {
            let scheme = text[..<schemeEnd.lowerBound].lowercased()
            let rest = String(text[schemeEnd.upperBound...])
            switch scheme {
            case "https":
                let parts = try Self.authority(rest, scheme: scheme)
                if parts.user != nil {
                    throw Problem(
                        "the repository address carries credentials (https://\(Self.redacted)@\(parts.host)/…)",
                        hint: "remove them from the address and give them as files: --git-username and --git-password-file or --git-token-file")
                }
                transport = .https
                host = parts.host
                port = parts.port
                user = nil
                address = text
            case "ssh":
                let parts = try Self.authority(rest, scheme: scheme)
                transport = .ssh
                host = parts.host
                port = parts.port
                user = parts.user
                address = text
            case "file":
                guard rest.hasPrefix("/"), rest.count > 1 else {
                    throw Problem("a file:// address needs an absolute path (file:///srv/git/app.git)")
                }
                transport = .file
                host = nil
                port = nil
                user = nil
                address = text
            case "http", "git":
                throw Problem(
                    "\(scheme):// is not accepted: it neither authenticates the server nor encrypts the connection",
                    hint: "use https:// or ssh://")
            default:
                throw Problem("the repository address scheme '\(scheme)' is not supported", hint: "use https://, ssh://, user@host:path or file://")
            }
        } else if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/") {
            // The scp form, as git reads it: a colon before the first slash.
            let login = String(text[..<colon])
            let path = String(text[text.index(after: colon)...])
            var hostPart = login
            var userPart: String?
            if let at = login.lastIndex(of: "@") {
                userPart = String(login[..<at])
                hostPart = String(login[login.index(after: at)...])
            }
            if let userPart, userPart.isEmpty || userPart.contains(":") {
                throw Problem("the SSH user in the repository address is not valid")
            }
            guard Self.isHost(hostPart) else { throw Problem("'\(hostPart)' is not a host name") }
            guard !path.isEmpty, !path.hasPrefix("-") else { throw Problem("the repository address has no path after ':'") }
            transport = .ssh
            host = hostPart
            port = nil
            user = userPart
            address = text
        } else {
            throw Problem(
                "'\(text)' is not a repository address the agent accepts",
                hint: "use https://host/path, ssh://user@host/path, user@host:path or file:///path")
        }
    }

    /// The address: it never holds a credential.
    public var description: String { address }

    /// Decodes an address and checks it again.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try GitRepositoryURL(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes the address as a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(address)
    }

    /// `host` or `host:port`, as Git names the host to a credential helper.
    var credentialHost: String {
        guard let host else { return "" }
        return port.map { "\(host):\($0)" } ?? host
    }

    private static let redacted = "***"

    /// Splits `[user[:password]@]host[:port]/path` of a URL after its `scheme://`.
    private static func authority(_ rest: String, scheme: String) throws(Problem) -> (user: String?, host: String, port: Int?) {
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = String(rest[..<slash])
        let path = rest[slash...]
        var user: String?
        if let at = authority.lastIndex(of: "@") {
            let login = authority[..<at]
            if login.contains(":") {
                throw Problem(
                    "the repository address carries a password (\(scheme)://\(redacted)@…)",
                    hint: "remove it from the address and give credentials as files (--git-password-file, --ssh-key-file)")
            }
            user = String(login)
            authority = String(authority[authority.index(after: at)...])
        }
        var port: Int?
        var host = authority
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Problem("the IPv6 address in the repository address is not closed") }
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()), (1...65535).contains(value) else { throw Problem("the port in the repository address is not valid") }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else {
                throw Problem("the port in the repository address is not valid")
            }
            port = value
            host = String(authority[..<colon])
        }
        guard isHost(host) else { throw Problem("'\(host)' is not a host name") }
        guard path.count > 1 else { throw Problem("the repository address has no path (\(scheme)://\(host)/team/app.git)") }
        guard !path.contains("?"), !path.contains("#") else { throw Problem("the repository address must not have a query or fragment") }
        return (user, host, port)
    }

    /// A DNS name, an IPv4 address or a bracketed IPv6 address; never starting with '-'.
    private static func isHost(_ host: String) -> Bool {
        guard !host.isEmpty, !host.hasPrefix("-") else { return false }
        if host.hasPrefix("[") {
            return host.hasSuffix("]") && host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return host.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "." || $0 == "-" || $0 == "_" }
    }

    /// Why an address was refused, and what to write instead. The message never repeats a credential.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong.
        public var message: String
        /// What to do about it.
        public var hint: String?

        init(_ message: String, hint: String? = nil) {
            self.message = message
            self.hint = hint
        }

        /// The message.
        public var description: String { message }
    }
}
