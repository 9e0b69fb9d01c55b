// Writes the synthetic inputs the benchmarks use, for timing the warrant executable itself:
//   swift run -c release generate-synthetic OUTPUT_FOLDER
import Foundation
import KubeModel
import RBAC
import WarrantTesting

let folder = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "."
let manifests = SyntheticManifests.yaml(objects: 10_000)
try Data(manifests.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("manifests-10k.yaml"))
let rbac = YAMLWriter.write(documents: SyntheticRBAC.objects(scale: 1).map(\.content))
try Data(rbac.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("rbac-20k.yaml"))
var checks = "checks:\n"
for request in SyntheticRBAC.requests(count: 100_000, scale: 1) {
    var entry: JSONValue = ["as": .string(request.user.name), "verb": .string(request.verb), "expect": "allow"]
    let groups = request.user.groups.filter { !$0.hasPrefix("system:") }
    if !groups.isEmpty { entry["groups"] = .array(groups.map(JSONValue.string)) }
    if request.isResourceRequest {
        entry["resource"] = .string(request.resource)
        entry["group"] = .string(request.apiGroup)
        if !request.subresource.isEmpty { entry["subresource"] = .string(request.subresource) }
        if !request.name.isEmpty { entry["name"] = .string(request.name) }
        if !request.namespace.isEmpty { entry["namespace"] = .string(request.namespace) }
    } else {
        entry["nonResourceURL"] = .string(request.path)
    }
    checks += "- " + JSONWriter.write(entry, indent: 0) + "\n"
}
try Data(checks.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("checks-100k.yaml"))
print(
    "wrote manifests-10k.yaml (\(manifests.utf8.count) bytes), rbac-20k.yaml (\(rbac.utf8.count) bytes), checks-100k.yaml (\(checks.utf8.count) bytes) to \(folder)"
)
