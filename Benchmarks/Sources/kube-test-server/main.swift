// Runs the project's Kubernetes API test server until interrupted, for measuring the `warrant`
// executable (and peers such as kubectl) against it. Writes a kubeconfig (admin token) to the
// path given as the first argument and prints the server's URL. `--seed FILE` stores the objects
// of FILE first (YAML or JSON, as a superuser).
import Foundation
import KubeModel
import KubeTestServer

let arguments = CommandLine.arguments
guard arguments.count == 2 || (arguments.count == 4 && arguments[2] == "--seed") else {
    FileHandle.standardError.write(Data("usage: kube-test-server KUBECONFIG-TO-WRITE [--seed OBJECTS.yaml]\n".utf8))
    exit(2)
}
var configuration = KubeTestServer.Configuration()
configuration.auditLog = .none
let server = try await KubeTestServer.start(configuration)
try server.seed(try ManifestLoader().load(bytes: Array("apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n".utf8), file: "seed"))
if arguments.count == 4 { try server.seed(try ManifestLoader().load([.path(arguments[3])])) }
let kubeconfig = server.kubeconfig(namespace: "bench")
try kubeconfig.write(toFile: arguments[1], atomically: true, encoding: .utf8)
FileHandle.standardOutput.write(Data((server.url + "\n").utf8))
while true { try await Task.sleep(for: .seconds(3600)) }
