import Delivery
import Evidence
import Foundation
import KubeModel
import Testing
import WarrantTestSupport
import WarrantTesting

/// The benchmark's generated week: every line is valid JSON, and the pipeline finds exactly what
/// was planted in it.
@Suite(.ownThread) struct SyntheticAuditLogTests {
    @Test func theGeneratedLogIsAttributedAsPlanted() throws {
        let synthetic = SyntheticAuditLog(events: 20_000)
        var text = ""
        synthetic.write { text += $0 }
        let lines = text.split(separator: "\n")
        #expect(lines.count == 20_000)
        for line in lines.prefix(2_000) {
            let event = try JSONValue.parseJSON(Array(line.utf8), source: "synthetic")
            #expect(event["kind"]?.stringValue == "Event")
        }

        let filter = AuditEventFilter(namespaces: [synthetic.namespace])
        var source = MemoryByteSource(text)
        var collector = AuditLogCollector()
        let summary = try AuditLogReader(filter: filter).read(&source, name: "synthetic.log") { collector.add($0) }
        #expect(summary.events == 20_000)
        let objects = try synthetic.clusterObjects()
        let snapshot = ClusterSnapshot(namespaces: [
            NamespaceSnapshot(
                namespace: synthetic.namespace, historyConfigMaps: objects.filter { $0.kind == "ConfigMap" },
                rbacObjects: objects.filter { $0.groupKind.group == "rbac.authorization.k8s.io" })
        ])
        let report = EvidenceBuilder(filter: filter).build(
            events: collector.sorted(), logs: [summary], snapshot: snapshot, artifacts: [], generated: MicroTime(Date()))
        let counts = report.summary
        #expect(counts.unattributed == synthetic.rogueWrites)
        #expect(report.deploys.count == synthetic.deploys)
        #expect(report.deploys.allSatisfy { $0.requests == SyntheticAuditLog.requestsPerDeploy && $0.verified })
        #expect(counts.people.first { $0.name == "alice" }?.changes == synthetic.humanWrites)
        #expect(report.chains.first?.verified == true)
        #expect(!report.passes)
        let credential = try #require(report.credentials.first)
        #expect(credential.tokenKind == .secret && credential.tokenSecrets.first?.name == "ci-token")
    }
}
