import ArgumentParser
import Foundation
import KubeModel

/// The options every command that reads manifests shares: `-f`, `-k`, `--resource-map`.
struct ManifestOptions: ParsableArguments {
    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: ArgumentHelp(
            "A manifest file, a folder (read recursively: .yaml, .yml, .json) or - for standard input. Repeatable.",
            valueName: "path"))
    var files: [String] = []

    @Option(
        name: [.customShort("k"), .customLong("kustomize")],
        help: ArgumentHelp("A kustomization folder, rendered with 'kubectl kustomize'. Repeatable.", valueName: "dir"))
    var kustomizations: [String] = []

    @Option(
        name: .customLong("resource-map"),
        help: ArgumentHelp(
            "A YAML file declaring custom resources whose CRDs are not in the input: CRDs, or entries with group, kind, resource (plural), namespaced. Repeatable.",
            valueName: "file"))
    var resourceMaps: [String] = []

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("Standard input (-f -) can be read only once.")
        }
    }

    /// Loads the manifests and builds the kind table (built-ins, the input's CRDs, resource maps).
    /// Prints every error to standard error and throws ``CommandExit`` with status 2 on bad input.
    ///
    /// - Parameter skippingNonObjects: leave out YAML documents that are not Kubernetes objects
    ///   (a CI file, a chart's values) and list them in ``LoadedManifests/skipped``, instead of
    ///   refusing the input: for `audit`, which reads folders of whole repositories.
    func load(context: CommandContext, skippingNonObjects: Bool = false) throws -> LoadedManifests {
        if files.isEmpty && kustomizations.isEmpty {
            context.standardError("error: give the manifests with -f FILE|FOLDER|- or -k KUSTOMIZATION\n")
            throw CommandExit(.invalidInput)
        }
        let loader = ManifestLoader()
        do {
            var inputs = ManifestInput.from(arguments: files, readStandardInput: context.readStandardInput)
            for directory in kustomizations {
                let rendered = try Kustomize.render(directory: directory, environment: context.environment)
                inputs.append(.bytes(rendered, name: "\(directory) (kustomize)"))
            }
            var skipped: [SkippedDocument] = []
            let objects: [KubeObject]
            if skippingNonObjects {
                (objects, skipped) = try loader.loadSkippingNonObjects(inputs)
            } else {
                objects = try loader.load(inputs)
            }
            var table = try KindTable.builtin.adding(customResourceDefinitionsIn: objects)
            for path in resourceMaps {
                let bytes = try ManifestLoader.readFile(path)
                for kind in try ResourceMap.kinds(bytes: bytes, file: path, loader: loader) { table.add(kind) }
            }
            return LoadedManifests(objects: objects, kinds: table, skipped: skipped)
        } catch let error as ManifestErrors {
            throw report(error.errors, context: context)
        } catch let error as ManifestError {
            throw report([error], context: context)
        }
    }

    private func report(_ errors: [ManifestError], context: CommandContext) -> CommandExit {
        for error in errors { context.standardError("error: \(error)\n") }
        return CommandExit(.invalidInput)
    }
}

/// Manifests as loaded, with the table that maps their kinds.
struct LoadedManifests {
    var objects: [KubeObject]
    var kinds: KindTable
    /// The documents left out because they are not Kubernetes objects (only when asked for).
    var skipped: [SkippedDocument] = []

    /// The mapping of an object's kind, `nil` when unknown.
    func kind(of object: KubeObject) -> ResourceKind? {
        kinds.kind(object.groupKind)
    }

    /// Warns about objects whose kinds are unknown or whose API versions are no longer served.
    func warnAboutKinds(context: CommandContext) {
        var unknown: [GroupKind: [KubeObject]] = [:]
        for object in objects {
            if let removed = kinds.removedAPI(object.groupVersionKind) {
                let instead = removed.replacement.map { "use apiVersion \($0)" } ?? "the kind no longer exists"
                context.warn(
                    "\(object.source?.description ?? "-"): \(object.apiVersion) \(object.kind) is not served since Kubernetes \(removed.removedIn); \(instead)")
            } else if kind(of: object) == nil {
                unknown[object.groupKind, default: []].append(object)
            }
        }
        for (groupKind, members) in unknown.sorted(by: { $0.key < $1.key }) {
            let places = members.prefix(3).compactMap { $0.source?.description }.joined(separator: ", ")
            context.warn(
                "unknown kind \(groupKind) (\(members.count) object\(members.count == 1 ? "" : "s"), \(places)): include its CustomResourceDefinition with -f or declare it with --resource-map")
        }
    }
}
