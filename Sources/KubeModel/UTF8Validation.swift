/// Strict UTF-8 validation that says where the first bad byte is.
enum UTF8Validation {
    /// The offset of the first byte that is not part of a well-formed UTF-8 sequence (no overlong
    /// forms, no surrogates, nothing above U+10FFFF), or `nil` when all bytes are valid.
    static func firstInvalidByte(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                let byte = buffer[index]
                if byte < 0x80 {
                    index += 1
                    continue
                }
                let length: Int
                var lower: UInt8 = 0x80
                var upper: UInt8 = 0xBF
                switch byte {
                case 0xC2...0xDF: length = 2
                case 0xE0:
                    length = 3
                    lower = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED:
                    length = 3
                    upper = 0x9F
                case 0xF0:
                    length = 4
                    lower = 0x90
                case 0xF1...0xF3: length = 4
                case 0xF4:
                    length = 4
                    upper = 0x8F
                default: return index
                }
                guard index + length <= count else { return index }
                let second = buffer[index + 1]
                guard second >= lower && second <= upper else { return index }
                for offset in 2..<max(2, length) where buffer[index + offset] & 0xC0 != 0x80 {
                    return index
                }
                index += length
            }
            return nil
        }
    }

    /// The offset and code point of the first character YAML does not allow in a stream
    /// (`c-printable`, as libyaml's reader checks it: tab, line feed, carriage return, U+0020-U+007E,
    /// U+0085, U+00A0-U+D7FF, U+E000-U+FFFD and U+10000-U+10FFFF), or `nil`. `bytes` must be
    /// valid UTF-8 (``firstInvalidByte(in:)`` returned `nil`).
    static func firstNonPrintable(in bytes: [UInt8]) -> (offset: Int, scalar: UInt32)? {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                let byte = buffer[index]
                if byte < 0x80 {
                    if (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F { return (index, UInt32(byte)) }
                    index += 1
                } else if byte == 0xC2 {
                    // U+0080-U+00BF: the C1 controls U+0080-U+009F are not printable, except NEL.
                    let second = buffer[index + 1]
                    if second <= 0x9F && second != 0x85 { return (index, UInt32(second)) }
                    index += 2
                } else if byte == 0xEF, buffer[index + 1] == 0xBF, buffer[index + 2] >= 0xBE {
                    // U+FFFE and U+FFFF (EF BF BE, EF BF BF).
                    return (index, 0xFFC0 | UInt32(buffer[index + 2] & 0x3F))
                } else {
                    index += byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
                }
            }
            return nil
        }
    }
}
