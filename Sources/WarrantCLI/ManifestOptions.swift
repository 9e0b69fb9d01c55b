import ArgumentParser
import Foundation
import KubeModel
import RBAC

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
    /// Throws the manifests' errors (``ManifestErrors``, exit 2) on bad input;
    /// prints what was skipped (folder entries that are not regular files, files read twice) as warnings.
    ///
    /// Objects are handed over as they are read and only what `retention` keeps of each is held,
    /// so that a command that needs only some objects whole loads a large input in little memory.
    ///
    /// - Parameter skippingNonObjects: leave out YAML documents that are not Kubernetes objects
    ///   (a CI file, a chart's values) and list them in ``LoadedManifests/skipped``, instead of
    ///   refusing the input: for `audit`, which reads folders of whole repositories.
    func load(context: CommandContext, retaining retention: Retention = .everything, skippingNonObjects: Bool = false) throws -> LoadedManifests {
        if files.isEmpty && kustomizations.isEmpty {
            throw CommandError(.missingInput, "give the manifests with -f FILE|FOLDER|- or -k KUSTOMIZATION")
        }
        let loader = ManifestLoader()
        let standardInput = ByteStream(context.standardInput)
        var objects: [KubeObject] = []
        var (notices, skipped) = try loader.load(
            ManifestInput.from(arguments: files, standardInput: standardInput), skippingNonObjects: skippingNonObjects
        ) { object in
            objects.append(retention.retain(object))
        }
        for directory in kustomizations {
            let rendered = try Kustomize.render(directory: directory, environment: context.environment)
            let (more, left) = try loader.load([.bytes(rendered, name: "\(directory) (kustomize)")], skippingNonObjects: skippingNonObjects) {
                object in objects.append(retention.retain(object))
            }
            notices += more
            skipped += left
        }
        for notice in notices { context.warn("\(notice)") }
        var table = try KindTable.builtin.adding(customResourceDefinitionsIn: objects)
        for path in resourceMaps {
            let bytes = try ManifestLoader.readFile(path)
            for kind in try ResourceMap.kinds(bytes: bytes, file: path, loader: loader) { table.add(kind) }
        }
        return LoadedManifests(objects: objects, kinds: table, skipped: skipped)
    }
}

/// What a command keeps of each object it loads.
///
/// Loading hands over objects one by one; a command that reads only some objects whole (the RBAC
/// objects, say) keeps just the identity of the rest: `apiVersion`, `kind` and `metadata`, which
/// every command reads (names, namespaces, labels, annotations, the kind's scope). Custom
/// resource definitions are always kept whole: they extend the kind table.
struct Retention: Sendable {
    /// `nil`: every object whole.
    private let keepsWhole: (@Sendable (KubeObject) -> Bool)?

    /// Every object whole (deploy, restrict).
    static let everything = Retention(keepsWhole: nil)

    /// Only identities, and whole the objects `keepsWhole` selects.
    static func identities(keepingWhole keepsWhole: @escaping @Sendable (KubeObject) -> Bool) -> Retention {
        Retention(keepsWhole: keepsWhole)
    }

    /// RBAC objects whole (what the RBAC commands and `scope` read), identities of the rest.
    static let rbac = Retention.identities(keepingWhole: { RBACAPI.isRBACObject($0) })

    /// `object`, or only its identity.
    func retain(_ object: KubeObject) -> KubeObject {
        guard let keepsWhole, !keepsWhole(object), !Self.isCustomResourceDefinition(object) else { return object }
        guard case .object(let content) = object.content else { return object }
        var identity = JSONObject()
        identity.reserveCapacity(3)
        for key in ["apiVersion", "kind", "metadata"] {
            if let value = content[key] { identity[key] = value }
        }
        return KubeObject(.object(identity), source: object.source)
    }

    private static func isCustomResourceDefinition(_ object: KubeObject) -> Bool {
        object.kind == "CustomResourceDefinition" && object.isInGroup("apiextensions.k8s.io")
    }
}

/// Manifests as loaded, with the table that maps their kinds.
struct LoadedManifests {
    var objects: [KubeObject]
    var kinds: KindTable
    /// The documents left out because they are not Kubernetes objects (only when asked for).
    var skipped: [SkippedDocument] = []

    /// The objects, moved out, with namespaced objects that name no namespace placed in
    /// `namespace` (``NamespacePlacement``): changed in place, so that a large input is never held twice.
    mutating func takeObjects(placingIn namespace: String) -> [KubeObject] {
        var taken = objects
        objects = []
        NamespacePlacement.place(&taken, in: namespace, kinds: kinds)
        return taken
    }

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
                "unknown kind \(groupKind) (\(members.count) object\(members.count == 1 ? "" : "s"), \(places)): include its CustomResourceDefinition with -f or declare it with --resource-map"
            )
        }
    }
}
