/// A ``PolicyRule`` prepared for fast matching: wildcards found once, subresource entries split
/// once, so that checking a request compares short strings and allocates nothing.
package struct CompiledRule: Sendable {
    /// One entry of `resources`.
    enum ResourcePattern: Sendable {
        /// `pods`: the resource without a subresource.
        case resource(String)
        /// `pods/exec`: that subresource of that resource.
        case subresource(resource: String, subresource: String)
        /// `*/scale`: that subresource of any resource.
        case anySubresource(String)
    }

    /// One entry of `nonResourceURLs`.
    enum URLPattern: Sendable {
        /// The path itself.
        case exact(String)
        /// Every path starting with this (the entry without its trailing `*`s).
        case prefix(String)
    }

    let anyVerb: Bool
    let verbs: [String]
    let anyGroup: Bool
    let apiGroups: [String]
    let anyResource: Bool
    let resources: [ResourcePattern]
    package let resourceNames: [String]
    let anyURL: Bool
    let urls: [URLPattern]

    package init(_ rule: PolicyRule) {
        anyVerb = rule.verbs.contains("*")
        verbs = rule.verbs
        anyGroup = rule.apiGroups.contains("*")
        apiGroups = rule.apiGroups
        anyResource = rule.resources.contains("*")
        resources = rule.resources.map { entry in
            guard let slash = entry.utf8.firstIndex(of: UInt8(ascii: "/")) else { return .resource(entry) }
            let resource = String(entry[..<slash])
            let subresource = String(entry[entry.index(after: slash)...])
            return resource == "*" ? .anySubresource(subresource) : .subresource(resource: resource, subresource: subresource)
        }
        resourceNames = rule.resourceNames
        anyURL = rule.nonResourceURLs.contains("*")
        urls = rule.nonResourceURLs.map { entry in
            guard entry.utf8.last == UInt8(ascii: "*") else { return .exact(entry) }
            var trimmed = Substring(entry)
            while trimmed.utf8.last == UInt8(ascii: "*") { trimmed = trimmed.dropLast() }
            return .prefix(String(trimmed))
        }
    }

    /// `RuleAllows` from kube-apiserver's RBAC authorizer.
    @inline(__always)
    package func allows(_ request: AccessRequest) -> Bool {
        guard verbMatches(request.verb) else { return false }
        if request.isResourceRequest {
            return groupMatches(request.apiGroup)
                && resourceMatches(request.resource, request.subresource)
                && nameMatches(request.name)
        }
        return urlMatches(request.path)
    }

    @inline(__always)
    package func verbMatches(_ verb: String) -> Bool {
        anyVerb || verbs.contains(verb)
    }

    @inline(__always)
    package func groupMatches(_ group: String) -> Bool {
        anyGroup || apiGroups.contains(group)
    }

    /// `resource` never contains `/` (``AccessRequest`` splits it), so comparing the parts is the
    /// same as comparing the entry with `resource/subresource`.
    package func resourceMatches(_ resource: String, _ subresource: String) -> Bool {
        if anyResource { return true }
        for pattern in resources {
            switch pattern {
            case .resource(let name):
                if subresource.isEmpty && name == resource { return true }
            case .subresource(let name, let sub):
                if !subresource.isEmpty && sub == subresource && name == resource { return true }
            case .anySubresource(let sub):
                if !subresource.isEmpty && sub == subresource { return true }
            }
        }
        return false
    }

    @inline(__always)
    package func nameMatches(_ name: String) -> Bool {
        resourceNames.isEmpty || resourceNames.contains(name)
    }

    func urlMatches(_ path: String) -> Bool {
        if anyURL { return true }
        for pattern in urls {
            switch pattern {
            case .exact(let url):
                if url == path { return true }
            case .prefix(let prefix):
                if path.utf8.starts(with: prefix.utf8) { return true }
            }
        }
        return false
    }
}
