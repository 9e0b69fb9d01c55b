import KubeModel

/// A ClusterRole's `aggregationRule`: its rules are the union of the rules of every other
/// ClusterRole selected by any of the selectors, and whatever `rules` it declares itself are replaced.
public struct AggregationRule: Sendable, Hashable {
    /// The selectors; a ClusterRole matching any of them contributes its rules.
    public var clusterRoleSelectors: [LabelSelector]

    /// Creates an aggregation rule.
    public init(clusterRoleSelectors: [LabelSelector]) {
        self.clusterRoleSelectors = clusterRoleSelectors
    }

    /// Whether a ClusterRole with `labels` contributes.
    public func selects(_ labels: [String: String]) -> Bool {
        clusterRoleSelectors.contains { $0.matches(labels) }
    }

    /// Reads `aggregationRule`.
    init(_ object: JSONObject, reader: FieldReader) throws(ManifestError) {
        var selectors: [LabelSelector] = []
        let entries = try reader.list(object["clusterRoleSelectors"], "aggregationRule.clusterRoleSelectors")
        for (index, entry) in entries.enumerated() {
            selectors.append(try LabelSelector(entry, field: "aggregationRule.clusterRoleSelectors[\(index)]", reader: reader))
        }
        clusterRoleSelectors = selectors
    }
}
