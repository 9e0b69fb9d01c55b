// Writes a synthetic API audit log for timing `warrant evidence` (issue 16: a million events,
// about a week of a busy cluster), with the deploy records and cluster objects that go with it:
//   swift run -c release --package-path Benchmarks generate-audit-log OUTPUT_FOLDER [EVENTS]
// writes audit.log (JSON lines), records.jsonl (the CI artifacts) and cluster.yaml (the namespace,
// the credential and its history ConfigMap, for kube-test-server --seed).
import Delivery
import Foundation
import KubeModel
import WarrantTesting

let arguments = CommandLine.arguments
let folder = URL(fileURLWithPath: arguments.count > 1 ? arguments[1] : ".")
let events = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
let synthetic = SyntheticAuditLog(events: events)
let logURL = folder.appendingPathComponent("audit.log")
FileManager.default.createFile(atPath: logURL.path, contents: nil)
let handle = try FileHandle(forWritingTo: logURL)
var bytes = 0
try synthetic.write { chunk in
    let data = Data(chunk.utf8)
    bytes += data.count
    try handle.write(contentsOf: data)
}
try handle.close()
try Data(HistoryStore.jsonLines(synthetic.records).utf8).write(to: folder.appendingPathComponent("records.jsonl"))
let cluster = YAMLWriter.write(documents: try synthetic.clusterObjects().map(\.content))
try Data(cluster.utf8).write(to: folder.appendingPathComponent("cluster.yaml"))
print(
    "wrote audit.log (\(events) events, \(bytes) bytes), records.jsonl (\(synthetic.records.count) deploys) and cluster.yaml to \(folder.path); "
        + "namespace \(synthetic.namespace), \(synthetic.rogueWrites) writes by \(synthetic.credential) outside any deploy")
