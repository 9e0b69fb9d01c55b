public import KubeModel

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`), as used by a ClusterRole's
/// `aggregationRule.clusterRoleSelectors`.
///
/// All conditions must hold; a selector without any condition matches every object, as
/// `metav1.LabelSelectorAsSelector` decides.
public struct LabelSelector: Sendable, Hashable {
    /// How a ``Requirement`` compares a label with its values.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// The label is set to one of the values.
        case `in` = "In"
        /// The label is not set, or set to none of the values.
        case notIn = "NotIn"
        /// The label is set, to anything.
        case exists = "Exists"
        /// The label is not set.
        case doesNotExist = "DoesNotExist"
    }

    /// One entry of `matchExpressions`.
    public struct Requirement: Sendable, Hashable {
        /// The label key.
        public var key: String
        /// The comparison.
        public var `operator`: Operator
        /// The values for `In` and `NotIn`.
        public var values: [String]

        /// Creates a requirement.
        public init(key: String, operator: Operator, values: [String] = []) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        /// Whether `labels` satisfy the requirement.
        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch `operator` {
            case .in: return value.map(values.contains) ?? false
            case .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }
    }

    /// Labels that must be set to exactly these values.
    public var matchLabels: [String: String]
    /// Further requirements.
    public var matchExpressions: [Requirement]

    /// Creates a selector.
    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Whether an object with `labels` is selected.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels where labels[key] != value { return false }
        for requirement in matchExpressions where !requirement.matches(labels) { return false }
        return true
    }

    /// The selector at `path` in `object` (a NetworkPolicy's `spec.podSelector`, say), `nil` when
    /// the object has none there.
    ///
    /// - Throws: ``ManifestError`` naming the object and the field when it is not a selector.
    public static func read(from object: KubeObject, at path: [String]) throws(ManifestError) -> LabelSelector? {
        guard let value = object.content[path: path], !value.isNull else { return nil }
        return try LabelSelector(value, field: path.joined(separator: "."), reader: FieldReader(object))
    }

    /// Reads a selector.
    init(_ value: JSONValue, field: String, reader: FieldReader) throws(ManifestError) {
        guard value.objectValue != nil else {
            throw reader.wrongType(
                field, expected: "a mapping", found: value,
                hint: "a selector is a mapping with matchLabels and/or matchExpressions")
        }
        matchLabels = try reader.stringMap(value["matchLabels"], "\(field).matchLabels")
        var requirements: [Requirement] = []
        for (index, entry) in try reader.list(value["matchExpressions"], "\(field).matchExpressions").enumerated() {
            let path = "\(field).matchExpressions[\(index)]"
            guard entry.objectValue != nil else {
                throw reader.wrongType(path, expected: "a mapping", found: entry, hint: "write key, operator and values")
            }
            let key = try reader.requiredString(entry["key"], "\(path).key", hint: "name the label key")
            let operatorName = try reader.requiredString(
                entry["operator"], "\(path).operator", hint: "use In, NotIn, Exists or DoesNotExist")
            guard let `operator` = Operator(rawValue: operatorName) else {
                throw ManifestError(
                    .wrongType, at: reader.location,
                    "\(reader.objectName): \(path).operator '\(operatorName)' is not a selector operator",
                    hint: "use In, NotIn, Exists or DoesNotExist")
            }
            let values = try reader.strings(entry["values"], "\(path).values")
            requirements.append(Requirement(key: key, operator: `operator`, values: values))
        }
        matchExpressions = requirements
    }
}
