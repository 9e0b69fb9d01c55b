import KubeModel
import RBAC

/// The container safeguards a restricted install gets: default requests and limits, flagged
/// images, and service addresses moved to the tool namespace.
extension RestrictRun {
    mutating func applyContainerPolicy(_ object: inout KubeObject) {
        let policy = ContainerPolicy(requests: options.defaultRequests, limits: options.defaultLimits)
        let (added, warnings) = policy.apply(to: &object)
        for entry in added {
            changes.append(
                RestrictChange(
                    .changed, object: object.displayName, entry,
                    reason: "the platform rejects containers without resource requests; the defaults are a starting point, size them for your load",
                    source: object.source))
        }
        for warning in warnings {
            changes.append(
                RestrictChange(
                    .warning, object: object.displayName, warning,
                    reason: "an unpinned image changes under you and the platform's policy rejects :latest", source: object.source))
        }
    }

    /// Service addresses naming the install's namespace (`x.flux-system.svc`) in container
    /// arguments and environment values, rewritten to the tool namespace.
    mutating func rewriteServiceAddresses(_ object: inout KubeObject) {
        guard let installNamespace, installNamespace != tool, let path = object.podSpecPath,
            var podSpec = object.content[path: path]
        else { return }
        let old = ".\(installNamespace).svc"
        let new = ".\(tool).svc"
        var rewritten = 0
        func rewrite(_ value: JSONValue) -> JSONValue {
            guard let string = value.stringValue, string.contains(old) else { return value }
            rewritten += 1
            return .string(string.replacingAll(old, with: new))
        }
        for list in ["initContainers", "containers"] {
            guard var containers = podSpec[list]?.arrayValue else { continue }
            for index in containers.indices {
                for field in ["args", "command"] {
                    if let values = containers[index][field]?.arrayValue { containers[index][field] = .array(values.map(rewrite)) }
                }
                if var env = containers[index]["env"]?.arrayValue {
                    for item in env.indices { if let value = env[item]["value"] { env[item]["value"] = rewrite(value) } }
                    containers[index]["env"] = .array(env)
                }
            }
            podSpec[list] = .array(containers)
        }
        guard rewritten > 0 else { return }
        object.content.setValue(podSpec, at: path)
        changes.append(
            RestrictChange(
                .changed, object: object.displayName, "\(rewritten) service address(es) *\(old) changed to *\(new)",
                reason: "the tool runs in \(tool)", source: object.source))
    }
}
