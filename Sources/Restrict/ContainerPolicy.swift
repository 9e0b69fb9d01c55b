import KubeModel

/// The platform's container safeguards: resource requests and limits on every container (policy
/// engines such as Gatekeeper reject containers without requests) and images pinned to a tag.
struct ContainerPolicy {
    var requests: [String: String]
    var limits: [String: String]

    /// Fills in missing requests and limits; returns what was added and the images to flag.
    func apply(to object: inout KubeObject) -> (added: [String], imageWarnings: [String]) {
        guard let path = object.podSpecPath, var podSpec = object.content[path: path] else { return ([], []) }
        var added: [String] = []
        var warnings: [String] = []
        for list in ["initContainers", "containers"] {
            guard var containers = podSpec[list]?.arrayValue else { continue }
            for index in containers.indices {
                let name = containers[index]["name"]?.stringValue ?? "#\(index)"
                if let image = containers[index]["image"]?.stringValue, let problem = ImagePinning(image: image).problem {
                    warnings.append("container \(name): image \(image) \(problem); pin a version (or a digest)")
                }
                var resources = containers[index]["resources"]?.objectValue ?? JSONObject()
                var requests = resources["requests"]?.objectValue ?? JSONObject()
                var limits = resources["limits"]?.objectValue ?? JSONObject()
                var changes: [String] = []
                for key in self.requests.keys.sorted() where requests[key] == nil {
                    guard let value = self.requests[key] else { continue }
                    // A request above an existing limit would be rejected: use the limit.
                    var request = JSONValue.string(value)
                    if let limit = limits[key], let text = Quantity.text(limit), Quantity.compare(text, value) == .orderedAscending { request = limit }
                    requests[key] = request
                    changes.append("requests.\(key)=\(Quantity.text(request) ?? value)")
                }
                for key in self.limits.keys.sorted() where limits[key] == nil {
                    guard let value = self.limits[key] else { continue }
                    // A limit below the request would be rejected: use the request.
                    var limit = JSONValue.string(value)
                    if let request = requests[key], let text = Quantity.text(request), Quantity.compare(text, value) == .orderedDescending { limit = request }
                    limits[key] = limit
                    changes.append("limits.\(key)=\(Quantity.text(limit) ?? value)")
                }
                guard !changes.isEmpty else { continue }
                resources["requests"] = .object(requests)
                resources["limits"] = .object(limits)
                containers[index]["resources"] = .object(resources)
                added.append("container \(name): \(changes.joined(separator: ", "))")
            }
            podSpec[list] = .array(containers)
        }
        if !added.isEmpty { object.content.setValue(podSpec, at: path) }
        return (added, warnings)
    }
}

/// Kubernetes resource quantities (`100m`, `128Mi`, `1Gi`, `2`), just enough to compare them.
enum Quantity {
    /// A quantity as written: YAML may have read `2` or `0.5` as a number.
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return String(number)
        default: return nil
        }
    }

    static func value(_ text: String) -> Double? {
        let suffixes: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
            ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("m", 1e-3),
        ]
        for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
    }

    /// Compares two quantities; `.orderedSame` when either does not parse.
    static func compare(_ lhs: String, _ rhs: String) -> ComparisonOrder {
        guard let left = value(lhs), let right = value(rhs) else { return .orderedSame }
        return left < right ? .orderedAscending : left > right ? .orderedDescending : .orderedSame
    }

    enum ComparisonOrder { case orderedAscending, orderedSame, orderedDescending }
}
