import Foundation
public import KubeModel

/// An OpenSSH `allowed_signers` file, read to check it before the agent starts (ssh-keygen(1),
/// "ALLOWED SIGNERS"): one entry per line, `principals [options] keytype base64-key [comment]`,
/// with the options `cert-authority`, `namespaces="…"`, `valid-after="…"` and
/// `valid-before="…"`. `ssh-keygen` reads the file itself when it verifies; this check only
/// turns a broken file into a clear error with its line instead of every commit being refused.
public struct AllowedSigners: Sendable, Hashable {
    /// One entry.
    public struct Entry: Sendable, Hashable {
        /// The principals (`alice@example.com`, or patterns such as `*@example.com`).
        public var principals: [String]
        /// The key type (`ssh-ed25519`).
        public var keyType: String
        /// The namespaces the key may sign in, when restricted.
        public var namespaces: [String]?
        /// `valid-after`, as written.
        public var validAfter: String?
        /// `valid-before`, as written.
        public var validBefore: String?
        /// Whether the key is a certificate authority.
        public var certificateAuthority: Bool
        /// The line.
        public var location: SourceLocation

        /// Whether the entry allows signing Git commits (its namespaces, if restricted, include `git`).
        public var allowsGit: Bool {
            guard let namespaces else { return true }
            return namespaces.contains { Self.matches(pattern: $0, SignaturePolicy.sshNamespace) }
        }

        /// OpenSSH's `match_pattern`: `*` and `?` wildcards.
        static func matches(pattern: String, _ text: String) -> Bool {
            let pattern = Array(pattern)
            let text = Array(text)
            func match(_ p: Int, _ t: Int) -> Bool {
                if p == pattern.count { return t == text.count }
                if pattern[p] == "*" { return (t...text.count).contains { match(p + 1, $0) } }
                guard t < text.count, pattern[p] == "?" || pattern[p] == text[t] else { return false }
                return match(p + 1, t + 1)
            }
            return match(0, 0)
        }
    }

    /// The entries, in file order.
    public var entries: [Entry]

    static let keyTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// Parses the file's text.
    ///
    /// - Throws: ``AgentConfigurationErrors`` with the line of every malformed entry, or when no
    ///   entry may sign Git commits.
    public init(text: String, file: String) throws(AgentConfigurationErrors) {
        var entries: [Entry] = []
        var errors: [AgentConfigurationError] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let location = SourceLocation(file: file, line: index + 1)
            func fail(_ message: String, hint: String? = nil) {
                errors.append(AgentConfigurationError(.allowedSigners, at: .file(location), message, hint: hint))
            }
            var words = Self.words(line)
            guard words.count >= 3 else {
                fail("an entry needs principals, a key type and a key", hint: "write: alice@example.com namespaces=\"git\" ssh-ed25519 AAAA…")
                continue
            }
            let principals = words.removeFirst().split(separator: ",").map(String.init)
            var options: [String] = []
            if !Self.isKeyType(words[0]) {
                options = Self.options(words.removeFirst())
            }
            guard words.count >= 2, Self.isKeyType(words[0]) else {
                fail("'\(words.first ?? "")' is not an SSH key type", hint: "the key is written as in a .pub file: ssh-ed25519 AAAA…")
                continue
            }
            let keyType = words[0]
            guard let blob = Data(base64Encoded: words[1]), blob.count > 4 else {
                fail("the \(keyType) key is not valid base64")
                continue
            }
            let nameLength = blob.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            guard blob.count >= 4 + nameLength, String(decoding: blob.dropFirst(4).prefix(nameLength), as: UTF8.self) == keyType else {
                fail("the key does not match its type \(keyType)")
                continue
            }
            var entry = Entry(
                principals: principals, keyType: keyType, namespaces: nil, validAfter: nil, validBefore: nil, certificateAuthority: false, location: location)
            var bad = false
            for option in options {
                let (name, value) = Self.split(option)
                switch name.lowercased() {
                case "cert-authority": entry.certificateAuthority = true
                case "namespaces": entry.namespaces = value?.split(separator: ",").map(String.init) ?? []
                case "valid-after", "valid-before":
                    guard let value, Self.isTimestamp(value) else {
                        fail(
                            "\(name) must be a time written YYYYMMDD[HHMM[SS]], optionally ending in Z for UTC", hint: "for example valid-before=\"20271231Z\"")
                        bad = true
                        continue
                    }
                    if name.lowercased() == "valid-after" { entry.validAfter = value } else { entry.validBefore = value }
                default:
                    fail("unknown option '\(name)'", hint: "the options are cert-authority, namespaces, valid-after and valid-before")
                    bad = true
                }
            }
            if !bad { entries.append(entry) }
        }
        if errors.isEmpty, !entries.contains(where: \.allowsGit) {
            errors.append(
                AgentConfigurationError(
                    .allowedSigners, at: .file(SourceLocation(file: file, line: 0)), "no entry may sign Git commits, so every commit would be refused",
                    hint: "add the signers' public keys, one per line: alice@example.com namespaces=\"git\" ssh-ed25519 AAAA…"))
        }
        if !errors.isEmpty { throw AgentConfigurationErrors(errors) }
        self.entries = entries
    }

    private static func isKeyType(_ word: String) -> Bool {
        keyTypes.contains(word)
            || (word.hasSuffix("-cert-v01@openssh.com") && keyTypes.contains(word.replacingOccurrences(of: "-cert-v01@openssh.com", with: "")))
    }

    /// Splits a line at spaces outside double quotes.
    private static func words(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() }
            if (character == " " || character == "\t") && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Splits options at commas outside double quotes.
    private static func options(_ text: String) -> [String] {
        var options: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == "," && !quoted {
                options.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        options.append(current)
        return options.filter { !$0.isEmpty }
    }

    /// `name="value"` into its name and unquoted value.
    private static func split(_ option: String) -> (String, String?) {
        guard let equals = option.firstIndex(of: "=") else { return (option, nil) }
        var value = String(option[option.index(after: equals)...])
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
        return (String(option[..<equals]), value)
    }

    /// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optionally followed by `Z`.
    private static func isTimestamp(_ text: String) -> Bool {
        let digits = text.hasSuffix("Z") ? text.dropLast() : Substring(text)
        return [8, 12, 14].contains(digits.count) && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }
}
