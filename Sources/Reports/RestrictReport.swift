public import KubeModel
public import Restrict

/// The report of `warrant restrict`: every change and why, what cannot be confined, the
/// administrator's prerequisites and, for Flux, the risk analysis it still needs. Text for a
/// terminal, Markdown for a review, JSON for tools.
public enum RestrictReport {
    /// The sections in the order they are printed: title and the changes they hold.
    private static let sections: [(RestrictChange.Category, String)] = [
        (.unservedAPI, "Left out: API versions Kubernetes no longer serves"),
        (.needsAdministrator, "Needs a cluster administrator"),
        (.cannotConfine, "Cannot be confined"),
        (.replaced, "Replaced"),
        (.added, "Added"),
        (.changed, "Changed"),
        (.cut, "Permissions cut (not held by a namespace administrator)"),
        (.acceptedRisk, "Accepted risks (kept, recorded as audit suppressions)"),
        (.warning, "Warnings"),
    ]

    private static func heading(_ result: RestrictResult) -> String {
        var text = "warrant restrict: \(profileName(result.profile)) profile, tool namespace \(result.options.toolNamespace), "
        text += "target namespaces \(result.options.targetNamespaces.joined(separator: ", "))"
        if let install = result.installNamespace {
            text += " (the input was written for namespace \(install)"
            if let reason = result.installNamespaceReason { text += ": \(reason)" }
            text += ")"
        }
        return text
    }

    private static func profileName(_ profile: ToolProfile) -> String {
        switch profile {
        case .argocd: return "Argo CD"
        case .flux: return "Flux"
        case .generic: return "generic"
        }
    }

    /// The report as plain text.
    public static func text(_ result: RestrictResult, administratorFile: String? = nil) -> String {
        var out = heading(result) + "\n"
        out += "\(result.objects.count) object(s) in the confined install, \(result.administratorObjects.count) for a cluster administrator"
        out += administratorFile.map { " (written to \($0))" } ?? ""
        out += ".\n"
        if !result.attention.isEmpty {
            out += "\nREAD FIRST (FOR THE CLUSTER ADMINISTRATOR)\n"
            for line in result.attention { out += "  ! \(line)\n" }
        }
        if !result.riskAnalysis.isEmpty {
            out += "\nNEEDS AN ADMINISTRATOR'S RISK ANALYSIS\n"
            for line in result.riskAnalysis { out += "  - \(line)\n" }
        }
        out += "\nADMINISTRATOR'S PREREQUISITES\n"
        for (index, step) in result.prerequisites.enumerated() { out += "  \(index + 1). \(step)\n" }
        for (category, title) in sections {
            let entries = result.changes.filter { $0.category == category }
            guard !entries.isEmpty else { continue }
            out += "\n\(title.uppercased()) (\(entries.count))\n"
            for entry in entries {
                out += "  \(entry.object): \(entry.summary)\n"
                if !entry.reason.isEmpty { out += "      why: \(entry.reason)\n" }
                if let source = entry.source { out += "      at \(source)\n" }
            }
        }
        return out
    }

    /// The report as Markdown.
    public static func markdown(_ result: RestrictResult, administratorFile: String? = nil) -> String {
        var out = "# Namespace-confined install\n\n\(heading(result)).\n\n"
        out += "- Objects in the confined install: \(result.objects.count)\n"
        out += "- Objects for a cluster administrator: \(result.administratorObjects.count)"
        out += administratorFile.map { " (`\($0)`)" } ?? ""
        out += "\n\n"
        if !result.attention.isEmpty {
            out += "## Read first (for the cluster administrator)\n\n"
            for line in result.attention { out += "- \(AuditMarkdown.cell(line))\n" }
            out += "\n"
        }
        if !result.riskAnalysis.isEmpty {
            out += "## Needs an administrator's risk analysis\n\n"
            for line in result.riskAnalysis { out += "- \(line)\n" }
            out += "\n"
        }
        out += "## Administrator's prerequisites\n\n"
        for (index, step) in result.prerequisites.enumerated() { out += "\(index + 1). \(step)\n" }
        out += "\n"
        for (category, title) in sections {
            let entries = result.changes.filter { $0.category == category }
            guard !entries.isEmpty else { continue }
            out += "## \(title)\n\n| Object | What | Why | Where |\n| --- | --- | --- | --- |\n"
            for entry in entries {
                out +=
                    "| \(AuditMarkdown.cell(entry.object)) | \(AuditMarkdown.cell(entry.summary)) | \(AuditMarkdown.cell(entry.reason)) | \(AuditMarkdown.cell(entry.source?.description ?? "")) |\n"
            }
            out += "\n"
        }
        return out
    }

    /// The report as a JSON value: `profile`, `toolName`, `toolNamespace`, `targetNamespaces`,
    /// `installNamespace`, `installNamespaceReason`, `objectCount`, `administratorObjects`
    /// (apiVersion, kind, name, namespace), `attention`, `prerequisites`, `riskAnalysis` and
    /// `changes` (category, object, summary, reason, source).
    public static func json(_ result: RestrictResult) -> JSONValue {
        var root = JSONObject()
        root["profile"] = .string(result.profile.rawValue)
        root["toolName"] = .string(result.toolName)
        root["toolNamespace"] = .string(result.options.toolNamespace)
        root["targetNamespaces"] = .array(result.options.targetNamespaces.map(JSONValue.string))
        root["installNamespace"] = result.installNamespace.map(JSONValue.string) ?? .null
        root["installNamespaceReason"] = result.installNamespaceReason.map(JSONValue.string) ?? .null
        root["objectCount"] = .integer(Int64(result.objects.count))
        root["administratorObjects"] = .array(
            result.administratorObjects.map { object in
                var entry = JSONObject()
                entry["apiVersion"] = .string(object.apiVersion)
                entry["kind"] = .string(object.kind)
                entry["name"] = .string(object.name)
                if let namespace = object.namespace { entry["namespace"] = .string(namespace) }
                return .object(entry)
            })
        root["attention"] = .array(result.attention.map(JSONValue.string))
        root["prerequisites"] = .array(result.prerequisites.map(JSONValue.string))
        root["riskAnalysis"] = .array(result.riskAnalysis.map(JSONValue.string))
        root["changes"] = .array(
            result.changes.map { change in
                var entry = JSONObject()
                entry["category"] = .string(change.category.rawValue)
                entry["object"] = .string(change.object)
                entry["summary"] = .string(change.summary)
                entry["reason"] = .string(change.reason)
                if let source = change.source { entry["source"] = .string(source.description) }
                return .object(entry)
            })
        return .object(root)
    }
}
