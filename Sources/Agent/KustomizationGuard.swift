import Foundation
import KubeModel

/// Checks that a kustomization in a checkout reads only files of that checkout.
///
/// `kubectl kustomize` fetches remote bases (`github.com/org/repo//path?ref=v1`) and remote files
/// (`https://…/deploy.yaml`), and falls back to the network for any entry that is not a local
/// path. The agent applies only what a verified commit holds, so every entry that names a file
/// or a base must be a relative path to something that exists inside the checkout; Helm chart
/// inflation (which downloads charts) is refused as well. Kustomizations reached through local
/// bases and components are checked the same way.
struct KustomizationGuard {
    /// The checkout's folder.
    let root: String

    /// The names kustomize looks for, in its order.
    static let fileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

    /// The kustomization file in `directory`, or `nil`.
    static func kustomizationFile(in directory: String) -> String? {
        fileNames.map { directory + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Fields whose entries are kustomizations or files (strings, or objects with `path`).
    private static let pathLists = [
        "resources", "bases", "components", "crds", "configurations", "generators", "transformers", "validators",
        "patchesStrategicMerge",
    ]
    /// Fields whose entries are objects with a `path`.
    private static let pathObjects = ["patches", "patchesJson6902", "replacements"]
    /// Fields that download, and are refused.
    private static let refused = ["helmCharts", "helmGlobals", "helmChartInflationGenerator"]

    /// Checks the kustomization in `directory` and those it reaches.
    ///
    /// - Throws: every problem found, each naming the kustomization file (relative to the
    ///   repository), the line of the entry and the fix.
    func check(directory: String) throws(ManifestErrors) {
        var visited: Set<String> = []
        var errors: [ManifestError] = []
        check(directory: standardized(directory), visited: &visited, errors: &errors)
        if !errors.isEmpty { throw ManifestErrors(errors) }
    }

    private func check(directory: String, visited: inout Set<String>, errors: inout [ManifestError]) {
        guard visited.insert(directory).inserted, let file = Self.kustomizationFile(in: directory) else { return }
        let name = relative(file)
        let documents: [LoadedDocument]
        do {
            documents = try ManifestLoader().documents(bytes: try ManifestLoader.readFile(file), file: name)
        } catch {
            errors.append(error)
            return
        }
        for document in documents {
            guard let object = document.value.objectValue else { continue }
            for key in Self.refused where object.contains(key) {
                errors.append(
                    ManifestError(
                        .renderFailed, at: SourceLocation(file: name, line: document.line),
                        "'\(key)' downloads Helm charts, which no signature covers; the agent does not render it",
                        hint: "render the chart into the repository (helm template) and commit the output"))
            }
            for key in Self.pathLists {
                for (index, entry) in (object[key]?.arrayValue ?? []).enumerated() {
                    let path = entry.stringValue ?? entry["path"]?.stringValue
                    guard let path else { continue }
                    // patchesStrategicMerge entries may be inline YAML rather than paths.
                    if key == "patchesStrategicMerge", path.contains("\n") || path.contains(":") && !path.contains("://") { continue }
                    inspect(
                        path, field: key, from: directory, location: SourceLocation(file: name, line: document.line(ofElement: index, in: key)),
                        followsBases: ["resources", "bases", "components"].contains(key), visited: &visited, errors: &errors)
                }
            }
            for key in Self.pathObjects {
                for (index, entry) in (object[key]?.arrayValue ?? []).enumerated() {
                    guard let path = entry["path"]?.stringValue else { continue }
                    inspect(
                        path, field: key, from: directory, location: SourceLocation(file: name, line: document.line(ofElement: index, in: key)),
                        followsBases: false, visited: &visited, errors: &errors)
                }
            }
            for key in ["configMapGenerator", "secretGenerator"] {
                for (index, entry) in (object[key]?.arrayValue ?? []).enumerated() {
                    var paths: [String] = []
                    for field in ["files", "envs"] {
                        for item in entry[field]?.arrayValue ?? [] {
                            guard var text = item.stringValue else { continue }
                            // `key=path` names the key in the ConfigMap.
                            if let equals = text.firstIndex(of: "=") { text = String(text[text.index(after: equals)...]) }
                            paths.append(text)
                        }
                    }
                    if let env = entry["env"]?.stringValue { paths.append(env) }
                    for path in paths {
                        inspect(
                            path, field: key, from: directory, location: SourceLocation(file: name, line: document.line(ofElement: index, in: key)),
                            followsBases: false, visited: &visited, errors: &errors)
                    }
                }
            }
            if let openAPI = object["openapi"]?["path"]?.stringValue {
                inspect(
                    openAPI, field: "openapi", from: directory, location: SourceLocation(file: name, line: document.line), followsBases: false,
                    visited: &visited, errors: &errors)
            }
        }
    }

    private func inspect(
        _ path: String, field: String, from directory: String, location: SourceLocation, followsBases: Bool, visited: inout Set<String>,
        errors: inout [ManifestError]
    ) {
        if path.contains("://") || path.hasPrefix("git@") || path.contains("?ref=") || path.hasPrefix("/") {
            errors.append(
                ManifestError(
                    .renderFailed, at: location, "\(field) entry '\(path)' is not a file of the repository; remote bases and absolute paths are not rendered",
                    hint: "vendor the base into the repository, so that the signed commit holds everything the agent applies"))
            return
        }
        let target = standardized(directory + "/" + path)
        guard target == root || target.hasPrefix(root + "/") else {
            errors.append(
                ManifestError(
                    .renderFailed, at: location, "\(field) entry '\(path)' points outside the repository",
                    hint: "keep every base and file inside the repository"))
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
            errors.append(
                ManifestError(
                    .renderFailed, at: location,
                    "\(field) entry '\(path)' is not in the commit (kustomize would try to download it); remote bases are not rendered",
                    hint: "commit the file or base, or remove the entry"))
            return
        }
        if followsBases, isDirectory.boolValue {
            check(directory: target, visited: &visited, errors: &errors)
        }
    }

    private func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// `path` relative to the checkout, for messages.
    func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }
}
