/// Removes user information (`user:password@`) from URLs before Warrant prints or records them.
///
/// A kubeconfig's `server`, a CI job URL or a repository URL may carry a user name and password
/// or token in the authority (`https://deploy:s3cret@git.example.com/team/app.git`); client-go and
/// Git send them as credentials. Warrant still connects with the URL as given, but every URL it
/// shows in an error, a record, a record file or an Event goes through ``stripped(_:)`` or
/// ``redacted(in:)``.
public enum URLUserInfo {
    /// `url` without the user information of its authority: `https://u:p@host:6443/x` becomes
    /// `https://host:6443/x`. Text that is not a `scheme://` URL is returned unchanged.
    public static func stripped(_ url: String) -> String {
        redacted(in: url)
    }

    /// `text` with the user information removed from every `scheme://user@host` URL in it (error
    /// messages quote URLs among other words).
    public static func redacted(in text: String) -> String {
        guard text.contains("@"), text.contains("://") else { return text }
        var bytes = Array(text.utf8)
        var index = 0
        while index + 2 < bytes.count {
            guard bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/"),
                hasScheme(before: index, in: bytes)
            else {
                index += 1
                continue
            }
            let start = index + 3
            var end = start
            var lastAt: Int?
            // The authority ends at the path, query or fragment, or where the URL ends in text.
            while end < bytes.count, !authorityEnds(bytes[end]) {
                if bytes[end] == UInt8(ascii: "@") { lastAt = end }
                end += 1
            }
            if let lastAt {
                bytes.removeSubrange(start...lastAt)
                index = start
            } else {
                index = end
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `text` holds a URL with user information.
    public static func hasUserInfo(_ text: String) -> Bool {
        redacted(in: text) != text
    }

    private static func authorityEnds(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"),
            UInt8(ascii: "\r"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "`"),
            UInt8(ascii: ")"), UInt8(ascii: "("), UInt8(ascii: ","), UInt8(ascii: ";"):
            return true
        default:
            return false
        }
    }

    /// RFC 3986 `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` right before `://`.
    private static func hasScheme(before colon: Int, in bytes: [UInt8]) -> Bool {
        var position = colon
        while position > 0 {
            let byte = bytes[position - 1]
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            let isOther =
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".")
            guard isLetter || isOther else { break }
            position -= 1
        }
        guard position < colon else { return false }
        return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[position] | 0x20)
    }
}
