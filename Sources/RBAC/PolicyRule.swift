public import KubeModel

/// One rule of a Role or ClusterRole: the verbs it allows on some resources of some API groups
/// (optionally only on some object names), or on some non-resource URLs.
///
/// Rules only add permissions; nothing in RBAC denies. The fields are kept exactly as written:
/// `*` is the wildcard in ``verbs``, ``apiGroups``, ``resources`` and ``nonResourceURLs``, a
/// resource may name a subresource (`pods/exec`, or `*/scale` for that subresource of every
/// resource), and a trailing `*` in a non-resource URL matches every URL with that prefix.
/// See ``allows(_:)`` for the exact matching rules.
public struct PolicyRule: Sendable, Hashable, CustomStringConvertible {
    /// The verbs allowed (`get`, `list`, `create`, `escalate`, ... or `*`).
    public var verbs: [String]
    /// The API groups of the resources (`""` is the core group, `*` every group).
    public var apiGroups: [String]
    /// The resources (`pods`, `pods/log`, `*/scale`, `*`).
    public var resources: [String]
    /// When not empty, the only object names the rule applies to.
    public var resourceNames: [String]
    /// Non-resource URLs (`/healthz`, `/apis/*`, `*`); only meaningful in ClusterRoles.
    public var nonResourceURLs: [String]

    /// Creates a rule.
    ///
    /// - Parameters:
    ///   - verbs: the verbs allowed.
    ///   - apiGroups: the API groups; `[""]` for the core group.
    ///   - resources: the resources, subresources as `resource/subresource`.
    ///   - resourceNames: the object names the rule is limited to; empty for all.
    ///   - nonResourceURLs: the non-resource URLs.
    public init(
        verbs: [String],
        apiGroups: [String] = [],
        resources: [String] = [],
        resourceNames: [String] = [],
        nonResourceURLs: [String] = []
    ) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    /// Whether this rule alone allows `request`, exactly as kube-apiserver's `RuleAllows` decides.
    ///
    /// A resource request is allowed when the verb matches (`*` or equal), the API group matches
    /// (`*` or equal), the resource matches and the name matches. A resource entry matches when it
    /// is `*`, when it equals `resource` (for a request without subresource) or
    /// `resource/subresource`, or when it is `*/subresource` for the request's subresource; `pods`
    /// does not match `pods/exec`, and `pods/*` is no wildcard. An empty ``resourceNames`` matches
    /// every name; otherwise the request's name must be listed, so a request without a name
    /// (`create`, `list`, `watch`, `deletecollection`) is never allowed by a rule with names.
    /// A non-resource request is allowed when the verb matches and a URL entry is `*`, equals the
    /// path, or ends in `*` and is a prefix of the path (`/apis/*` does not match `/apis`).
    /// Resource rules never allow non-resource requests and the other way round.
    public func allows(_ request: AccessRequest) -> Bool {
        CompiledRule(self).allows(request)
    }

    /// Whether this rule names any resource (as opposed to only non-resource URLs).
    public var isResourceRule: Bool { !resources.isEmpty }

    /// Whether the rule uses a wildcard: `*` as a verb, API group or resource, or `*/subresource`.
    public var hasWildcard: Bool {
        verbs.contains("*") || apiGroups.contains("*") || resources.contains { $0 == "*" || $0.hasPrefix("*/") }
    }

    /// The rule in the compact form kube-apiserver uses in escalation errors:
    /// `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}`.
    public var description: String {
        var parts: [String] = []
        func add(_ label: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            parts.append("\(label):[\(values.map(Self.quoted).joined(separator: " "))]")
        }
        add("APIGroups", apiGroups)
        add("Resources", resources)
        add("NonResourceURLs", nonResourceURLs)
        add("ResourceNames", resourceNames)
        add("Verbs", verbs)
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// The rule as it appears in a manifest, with empty fields left out.
    public var jsonValue: JSONValue {
        var object = JSONObject()
        func add(_ key: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            object[key] = .array(values.map(JSONValue.string))
        }
        add("apiGroups", apiGroups)
        add("resources", resources)
        add("resourceNames", resourceNames)
        add("nonResourceURLs", nonResourceURLs)
        add("verbs", verbs)
        return .object(object)
    }

    /// Reads one entry of a role's `rules`.
    init(_ value: JSONValue, field: @autoclosure () -> String, reader: FieldReader) throws(ManifestError) {
        guard value.objectValue != nil else {
            throw reader.wrongType(
                field(), expected: "a mapping", found: value, hint: "each rule is a mapping with verbs, apiGroups and resources")
        }
        verbs = try reader.strings(value["verbs"], "\(field()).verbs")
        apiGroups = try reader.strings(value["apiGroups"], "\(field()).apiGroups")
        resources = try reader.strings(value["resources"], "\(field()).resources")
        resourceNames = try reader.strings(value["resourceNames"], "\(field()).resourceNames")
        nonResourceURLs = try reader.strings(value["nonResourceURLs"], "\(field()).nonResourceURLs")
    }

    private static func quoted(_ value: String) -> String {
        var result = "\""
        for character in value {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            default: result.append(character)
            }
        }
        return result + "\""
    }
}
