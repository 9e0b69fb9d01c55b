import Crypto
public import KubeModel

/// The canonical JSON text of a value: object keys sorted by their UTF-8 bytes, at every level,
/// written compactly on one line.
///
/// Digests (of applied objects and of deployment records) are SHA-256 over this text, so that the
/// same value always has the same digest whatever the key order it was loaded or built with.
/// Array order is kept: it is meaningful in Kubernetes objects.
public enum CanonicalJSON {
    /// The canonical compact JSON text of `value`.
    public static func text(_ value: JSONValue) -> String {
        JSONWriter.write(sorted(value), indent: 0)
    }

    /// The lowercase hexadecimal SHA-256 of the canonical JSON text of `value`.
    public static func digest(_ value: JSONValue) -> String {
        sha256Hex(text(value))
    }

    /// `value` with the keys of every object sorted by their UTF-8 bytes.
    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map(sorted))
        case .object(let object):
            let members = object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return .object(JSONObject(members.map { ($0.key, sorted($0.value)) }))
        default:
            return value
        }
    }

    /// The lowercase hexadecimal SHA-256 of the UTF-8 bytes of `text`.
    static func sha256Hex(_ text: String) -> String {
        hex(sha256(text))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var result: [UInt8] = []
        for byte in bytes {
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Base64 with the URL-safe alphabet of RFC 4648 and no padding (Go's `base64.RawURLEncoding`).
    static func base64URLWithoutPadding(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(triple >> 18 & 0x3f)])
            output.append(alphabet[Int(triple >> 12 & 0x3f)])
            if remaining > 1 { output.append(alphabet[Int(triple >> 6 & 0x3f)]) }
            if remaining > 2 { output.append(alphabet[Int(triple & 0x3f)]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The SHA-256 of the UTF-8 bytes of `text`.
    static func sha256(_ text: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(text.utf8)))
    }
}
