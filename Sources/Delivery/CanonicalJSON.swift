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
    ///
    /// The parts already in order are shared, not copied: a record's list of objects, built in
    /// order, is not held twice while its text is written (issue 18).
    static func sorted(_ value: JSONValue) -> JSONValue {
        resorted(value) ?? value
    }

    /// `value` with the keys of every object sorted, or `nil` when they already are.
    private static func resorted(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .array(let elements):
            var result: [JSONValue]?
            for (index, element) in elements.enumerated() {
                if let changed = resorted(element) {
                    if result == nil {
                        result = Array(elements[..<index])
                        result?.reserveCapacity(elements.count)
                    }
                    result?.append(changed)
                } else {
                    result?.append(element)
                }
            }
            return result.map(JSONValue.array)
        case .object(let object):
            var inOrder = true
            var previous: String?
            var replaced: [(index: Int, value: JSONValue)] = []
            for (index, member) in object.enumerated() {
                if let previous, !previous.utf8.lexicographicallyPrecedes(member.key.utf8) { inOrder = false }
                previous = member.key
                if let changed = resorted(member.value) { replaced.append((index, changed)) }
            }
            if inOrder && replaced.isEmpty { return nil }
            var members = object.map { (key: $0.key, value: $0.value) }
            for change in replaced { members[change.index].value = change.value }
            if !inOrder { members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            return .object(JSONObject(members.map { ($0.key, $0.value) }))
        default:
            return nil
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
