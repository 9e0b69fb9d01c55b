import Benchmark
import Evidence
import Foundation
import WarrantTesting

/// 100,000 events of the synthetic busy cluster (issue 16 asks for a million in under 5 s; the
/// million is timed on the executable, see README.md), held in memory so that only reading,
/// filtering and attribution are measured.
let hundredThousandEvents: [UInt8] = {
    var text = ""
    SyntheticAuditLog(events: 100_000).write { text += $0 }
    return Array(text.utf8)
}()

func evidenceBenchmarks() {
    Benchmark(
        "evidence: read 100,000 audit events (\(hundredThousandEvents.count / 1_048_576) MiB), keep one namespace's",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var source = MemoryByteSource(hundredThousandEvents)
            var collector = AuditLogCollector()
            let summary = try AuditLogReader(filter: AuditEventFilter(namespaces: ["shop"])).read(&source, name: "synthetic") { collector.add($0) }
            precondition(summary.events == 100_000)
            blackHole(collector.sorted())
        }
    }

    let synthetic = SyntheticAuditLog(events: 100_000)
    Benchmark(
        "evidence: read and attribute 100,000 audit events, every namespace (-A)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var source = MemoryByteSource(hundredThousandEvents)
            var collector = AuditLogCollector()
            let filter = AuditEventFilter(namespaces: nil)
            let summary = try AuditLogReader(filter: filter).read(&source, name: "synthetic") { collector.add($0) }
            let attributor = Attributor(records: synthetic.records.map { RecordEntry(record: $0, verified: true) }, rules: AttributionRules())
            var findings = 0
            for event in collector.sorted() where attributor.attribute(event).isFinding { findings += 1 }
            precondition(summary.events == 100_000 && findings >= synthetic.rogueWrites)
            blackHole(findings)
        }
    }
}
