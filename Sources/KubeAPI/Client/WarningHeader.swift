/// One warning of a `Warning:` response header (RFC 7234 section 5.5, the form kube-apiserver
/// sends: `299 - "text"`), as apimachinery's `ParseWarningHeaders` reads it
/// (`staging/src/k8s.io/apimachinery/pkg/util/net/http.go`).
///
/// kube-apiserver sends one header per warning with code 299, agent `-` and the text quoted;
/// client-go hands warnings with code 299 to its warning handler, and kubectl prints them on
/// standard error as `Warning: TEXT`.
public struct WarningHeader: Sendable, Hashable {
    /// The warn-code (299 for Kubernetes' warnings).
    public var code: Int
    /// The warn-agent (`-` from kube-apiserver).
    public var agent: String
    /// The text, unquoted and unescaped.
    public var text: String

    /// Creates a warning.
    public init(code: Int, agent: String, text: String) {
        self.code = code
        self.agent = agent
        self.text = text
    }

    /// The warnings of one header value: comma-separated `code SP agent SP "text" [SP "date"]`.
    /// Parsing stops at the first malformed warning, keeping those before it (apimachinery
    /// returns them with an error).
    public static func parse(_ value: String) -> [WarningHeader] {
        var warnings: [WarningHeader] = []
        var rest = Substring(value)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard !rest.isEmpty else { return warnings }
            // warn-code: three digits.
            let code = rest.prefix(3)
            guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(code) else { return warnings }
            rest = rest.dropFirst(3)
            guard rest.first == " " else { return warnings }
            rest = rest.dropFirst()
            // warn-agent: a token up to the next space.
            let agent = rest.prefix { $0 != " " }
            guard !agent.isEmpty else { return warnings }
            rest = rest.dropFirst(agent.count)
            guard rest.first == " " else { return warnings }
            rest = rest.dropFirst()
            guard let text = quoted(&rest) else { return warnings }
            warnings.append(WarningHeader(code: number, agent: String(agent), text: text))
            // An optional warn-date, then a comma before the next warning.
            rest = rest.drop { $0 == " " }
            if rest.first == "\"" {
                guard quoted(&rest) != nil else { return warnings }
                rest = rest.drop { $0 == " " }
            }
            guard let next = rest.first else { return warnings }
            guard next == "," else { return warnings }
            rest = rest.dropFirst()
        }
    }

    /// A quoted-string at the start of `rest` (backslash escapes any character), consumed.
    private static func quoted(_ rest: inout Substring) -> String? {
        guard rest.first == "\"" else { return nil }
        var text = ""
        var index = rest.index(after: rest.startIndex)
        var escaped = false
        while index < rest.endIndex {
            let character = rest[index]
            if escaped {
                text.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                rest = rest[rest.index(after: index)...]
                return text
            } else {
                text.append(character)
            }
            index = rest.index(after: index)
        }
        return nil
    }
}
