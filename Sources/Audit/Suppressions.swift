import Foundation
public import KubeModel

/// Findings the user has accepted, each with a reason: from an ignore file or from an annotation
/// on the Role, ClusterRole or binding itself.
///
/// Annotation: `warrant.dev/ignore: "W104,W106"` (IDs or names, or `all`) and optionally
/// `warrant.dev/ignore-reason: "..."`. Ignore file (`--ignore-file`, YAML or JSON):
///
/// ```yaml
/// ignore:
/// - check: W104                 # ID or name, required
///   role: ClusterRole "ingress-nginx"   # optional, as printed in findings (or just the name)
///   binding: ClusterRoleBinding "ingress-nginx"  # optional
///   namespace: ingress-nginx    # optional
///   reason: the controller serves TLS certificates from Secrets   # required
/// ```
public struct Suppressions: Sendable {
    /// One ignore-file entry.
    public struct Rule: Sendable, Hashable {
        /// The check ID or name.
        public var check: String
        /// Matches the finding's role (full `Kind "ns/name"` or the bare name), any when `nil`.
        public var role: String?
        /// Matches the finding's binding, any when `nil`.
        public var binding: String?
        /// Matches the finding's namespace, any when `nil`.
        public var namespace: String?
        /// Why it is accepted.
        public var reason: String
    }

    /// The ignore-file rules.
    public var rules: [Rule]

    /// No suppressions.
    public init(rules: [Rule] = []) {
        self.rules = rules
    }

    /// The annotation holding suppressed check IDs.
    public static let annotation = "warrant.dev/ignore"
    /// The annotation holding the reason.
    public static let reasonAnnotation = "warrant.dev/ignore-reason"

    /// Parses an ignore file.
    public static func load(bytes: [UInt8], file: String) throws(ManifestError) -> Suppressions {
        var rules: [Rule] = []
        for document in try ManifestLoader().documents(bytes: bytes, file: file) {
            let value = document.value
            let location = SourceLocation(file: file, line: document.line)
            let listKey = value.arrayValue != nil ? "" : "ignore"
            guard let entries = value["ignore"]?.arrayValue ?? value.arrayValue else {
                throw ManifestError(
                    .invalidResourceMap, at: location, "an ignore file holds a list under 'ignore:'",
                    hint: "see 'warrant audit --help' for the format")
            }
            for (index, entry) in entries.enumerated() {
                let location = SourceLocation(file: file, line: document.line(ofElement: index, in: listKey))
                func field(_ key: String) -> String? { entry[key]?.stringValue }
                guard let check = field("check"), RiskCatalog.lookup(check) != nil else {
                    throw ManifestError(
                        .invalidResourceMap, at: location, "ignore entry \(index + 1) has no known 'check'",
                        hint: "name a check by ID (W104) or name (secrets-read); 'warrant audit --list-checks' lists them")
                }
                guard let reason = field("reason"), !reason.isEmpty else {
                    throw ManifestError(
                        .invalidResourceMap, at: location, "ignore entry \(index + 1) (\(check)) has no 'reason'",
                        hint: "every suppression needs a reason an auditor can read")
                }
                rules.append(Rule(check: check, role: field("role"), binding: field("binding"), namespace: field("namespace"), reason: reason))
            }
        }
        return Suppressions(rules: rules)
    }

    /// The reason `finding` is suppressed by an ignore-file rule, or `nil`.
    func reason(for finding: Finding) -> String? {
        let check = finding.check
        for rule in rules where rule.check == check.id || rule.check == check.name {
            if let role = rule.role, !Self.matches(role, finding.role) { continue }
            if let binding = rule.binding, !Self.matches(binding, finding.binding) { continue }
            if let namespace = rule.namespace, namespace != finding.namespace { continue }
            return "ignore file: \(rule.reason)"
        }
        return nil
    }

    private static func matches(_ pattern: String, _ value: String?) -> Bool {
        guard let value else { return false }
        return value == pattern || value.hasSuffix("\"\(pattern)\"") || value.hasSuffix("/\(pattern)\"")
    }

    /// The reason annotations on an object suppress `checkID`, or `nil`.
    static func reason(annotations: [String: String], checkID: String) -> String? {
        guard let list = annotations[annotation] else { return nil }
        let check = RiskCatalog.check(checkID)
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.contains(where: { $0 == "all" || $0 == check.id || $0 == check.name }) else { return nil }
        return "annotation \(annotation): " + (annotations[reasonAnnotation] ?? "no reason given")
    }
}
