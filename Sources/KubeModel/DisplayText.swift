/// Text from outside (a CI variable, `--actor`, a commit message, a field of a record or an
/// object read from the cluster) made safe to show to a person.
///
/// Such text is stored as given, because it is evidence; only its renderings are escaped, so that
/// a newline cannot forge a row of a table, an escape sequence cannot reach a terminal, and
/// Markdown or HTML in a name cannot turn into a link or markup:
/// - ``escaped(_:limit:)`` writes control characters (C0, DEL, C1), Unicode line and paragraph
///   separators and format characters (bidirectional overrides, zero-width characters) as
///   `\n`, `\t`, `\r` or `\u{XXXX}`, doubles backslashes so that the result is unambiguous, and
///   cuts the text to `limit` characters with `…`;
/// - ``markdown(_:limit:)`` also escapes what Markdown would read (CommonMark backslash escapes
///   and `|`, which ends a table cell);
/// - ``html(_:limit:)`` also writes `&`, `<`, `>`, `"` and `'` as entities.
public enum DisplayText {
    /// The length renderings cut a single field to unless told otherwise.
    public static let defaultLimit = 200

    /// `text` with every character a terminal or a line-based format would act on written
    /// visibly, cut to `limit` characters (`nil`: no limit) with a trailing `…`.
    public static func escaped(_ text: String, limit: Int? = defaultLimit) -> String {
        var result = ""
        var count = 0
        for character in text {
            if let limit, count >= limit {
                result += "…"
                break
            }
            count += 1
            guard character.unicodeScalars.contains(where: needsEscape) || character == "\\" else {
                result.append(character)
                continue
            }
            for scalar in character.unicodeScalars {
                switch scalar {
                case "\\": result += "\\\\"
                case "\n": result += "\\n"
                case "\r": result += "\\r"
                case "\t": result += "\\t"
                default:
                    if needsEscape(scalar) {
                        result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                    } else {
                        result.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        return result
    }

    /// ``escaped(_:limit:)`` for a Markdown table cell: every ASCII punctuation character that
    /// Markdown gives a meaning (emphasis, code, links, images, HTML, headings, the cell's `|`)
    /// is backslash-escaped (CommonMark 0.31 §2.4).
    public static func markdown(_ text: String, limit: Int? = defaultLimit) -> String {
        var result = ""
        for character in escaped(text, limit: limit) {
            if markdownSpecial.contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// ``escaped(_:limit:)`` for HTML text or a quoted attribute value.
    public static func html(_ text: String, limit: Int? = defaultLimit) -> String {
        htmlEntities(escaped(text, limit: limit))
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` written as entities, and nothing else changed: for
    /// text already made safe otherwise.
    public static func htmlEntities(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Whether `text` holds a character ``escaped(_:limit:)`` would rewrite (a backslash aside).
    public static func needsEscaping(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: needsEscape)
    }

    private static let markdownSpecial: Set<Character> = ["`", "*", "_", "[", "]", "<", ">", "|", "!", "#", "~", "&", "(", ")", "{", "}"]

    /// C0 controls, DEL, C1 controls, line and paragraph separators, and format characters
    /// (bidirectional embeddings, overrides and isolates, zero-width characters, the byte order mark).
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: return true
        default: return scalar.properties.generalCategory == .format
        }
    }
}
