import Foundation
import KubeModel
import RBAC

/// A list or watch's `labelSelector` and `fieldSelector`, parsed as
/// `k8s.io/apimachinery/pkg/labels/selector.go` and `pkg/fields/selector.go` read them.
struct ListFilter: Sendable {
    var labels: [LabelSelector.Requirement] = []
    /// Field path (`metadata.name`), expected value, and whether it must differ instead.
    var fields: [(path: [String], value: String, negated: Bool)] = []

    init() {}

    init(labelSelector: String?, fieldSelector: String?) throws(APIError) {
        if let labelSelector { labels = try Self.parseLabels(labelSelector) }
        if let fieldSelector { fields = try Self.parseFields(fieldSelector) }
    }

    func matches(_ object: KubeObject) -> Bool {
        let objectLabels = object.labels
        for requirement in labels where !requirement.matches(objectLabels) { return false }
        for field in fields {
            let actual: String
            switch object.content[path: field.path] {
            case .string(let string): actual = string
            case .integer(let integer): actual = String(integer)
            case .bool(let bool): actual = String(bool)
            default: actual = ""
            }
            if (actual == field.value) == field.negated { return false }
        }
        return true
    }

    static func parseFields(_ text: String) throws(APIError) -> [(path: [String], value: String, negated: Bool)] {
        var result: [(path: [String], value: String, negated: Bool)] = []
        for term in text.split(separator: ",") {
            let term = String(term)
            let negated: Bool
            let parts: [String]
            if let range = term.range(of: "!=") {
                negated = true
                parts = [String(term[..<range.lowerBound]), String(term[range.upperBound...])]
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                negated = false
                parts = [String(term[..<range.lowerBound]), String(term[range.upperBound...])]
            } else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(term)'")
            }
            result.append((parts[0].trimmingSpaces().split(separator: ".").map(String.init), parts[1].trimmingSpaces(), negated))
        }
        return result
    }

    static func parseLabels(_ text: String) throws(APIError) -> [LabelSelector.Requirement] {
        // Split on commas outside parentheses.
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == "," && depth == 0 {
                terms.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        terms.append(current)
        var requirements: [LabelSelector.Requirement] = []
        for raw in terms {
            let term = raw.trimmingSpaces()
            if term.isEmpty { continue }
            func invalid() -> APIError {
                APIError.badRequest("unable to parse requirement: found '\(term)', expected: identifier, '!', '=', '==', '!=', 'in' or 'notin'")
            }
            if term.hasPrefix("!") {
                requirements.append(.init(key: String(term.dropFirst()).trimmingSpaces(), operator: .doesNotExist))
            } else if let range = term.range(of: "!=") {
                requirements.append(
                    .init(
                        key: String(term[..<range.lowerBound]).trimmingSpaces(), operator: .notIn, values: [String(term[range.upperBound...]).trimmingSpaces()])
                )
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                requirements.append(
                    .init(key: String(term[..<range.lowerBound]).trimmingSpaces(), operator: .in, values: [String(term[range.upperBound...]).trimmingSpaces()]))
            } else if let open = term.firstIndex(of: "(") {
                guard term.hasSuffix(")") else { throw invalid() }
                let head = term[..<open].split(separator: " ").map(String.init)
                guard head.count == 2, head[1] == "in" || head[1] == "notin" else { throw invalid() }
                let values = term[term.index(after: open)..<term.index(before: term.endIndex)]
                    .split(separator: ",").map { $0.trimmingSpaces() }
                requirements.append(.init(key: head[0], operator: head[1] == "in" ? .in : .notIn, values: values))
            } else if !term.contains(" ") {
                requirements.append(.init(key: term, operator: .exists))
            } else {
                throw invalid()
            }
        }
        return requirements
    }
}
