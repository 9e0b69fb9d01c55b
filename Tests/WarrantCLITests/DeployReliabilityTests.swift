import Foundation
import KubeModel
import KubeTestServer
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// 200 ConfigMaps and their manifest folder.
func writeManyObjects(_ count: Int, in folder: URL, version: String = "1") throws -> String {
    let manifests = folder.appendingPathComponent("many-\(version)")
    try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
    let text = (0..<count).map { "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\($0)}\ndata: {version: \"\(version)\"}\n" }
        .joined(separator: "---\n")
    _ = try writeFile(text, named: "objects.yaml", in: manifests)
    return manifests.path
}

@Suite(.timeLimit(.minutes(3))) struct DeployReliabilityTests {
    /// 10 % of requests fail (429, 500, latency, dropped connections): the deploy completes or
    /// fails with a summary, the record chain never breaks, and a re-run converges.
    @Test func faultsOnTenPercentOfRequestsNeverBreakTheChainAndARerunConverges() async throws {
        try await withTemporaryDirectory { folder in
            let manifests = try writeManyObjects(200, in: folder)
            try await withDeployFixture(in: folder, flags: [], hook: nil) { server, ci in
                // The credential for 200 ConfigMaps is the same as guestbook's ConfigMap rights and more; allow it.
                server.inject(Fault.status(429, retryAfter: 0).rate(0.03))
                server.inject(Fault.status(500).rate(0.03))
                server.inject(Fault.latency(.milliseconds(20)).rate(0.02))
                server.inject(Fault.dropConnection.rate(0.02))
                var statuses: [Int32] = []
                for _ in 0..<3 {
                    let run = await runWarrant(["deploy", "-f", manifests, "-n", "guestbook", "--kubeconfig", ci, "--allow-broad-credential"])
                    statuses.append(run.status)
                    if run.status != 0 { #expect(run.standardError.contains("error:"), "a failed deploy says why") }
                }
                server.clearFaults()
                let final = await runWarrant(["deploy", "-f", manifests, "-n", "guestbook", "--kubeconfig", ci, "--allow-broad-credential"])
                #expect(final.status == 0, "\(final.standardError)")
                #expect(server.objects(group: "", kind: "ConfigMap", namespace: "guestbook").filter { $0.name.hasPrefix("c") }.count == 200)
                let history = await runWarrant(["history", "-n", "guestbook", "--kubeconfig", ci, "--verify", "-o", "json"])
                #expect(history.status == 0, "\(history.standardError)")
                #expect(server.requests.contains { $0.statusCode == 429 || $0.statusCode == 500 })
            }
        }
    }

    @Test func dryRunChangesNothingAndDiffShowsTheChange() async throws {
        try await withTemporaryDirectory { folder in
            let first = try writeManyObjects(3, in: folder, version: "1")
            let second = try writeManyObjects(3, in: folder, version: "2")
            try await withDeployFixture(in: folder, flags: [], hook: nil) { server, ci in
                #expect(await runWarrant(["deploy", "-f", first, "-n", "guestbook", "--kubeconfig", ci, "--allow-broad-credential"]).status == 0)
                let dry = await runWarrant(["deploy", "-f", second, "-n", "guestbook", "--kubeconfig", ci, "--allow-broad-credential", "--dry-run", "--diff"])
                #expect(dry.status == 0, "\(dry.standardError)")
                #expect(dry.standardOutput.contains("-  version: \"1\""))
                #expect(dry.standardOutput.contains("+  version: \"2\""))
                #expect(dry.standardError.contains("would apply"))
                #expect(server.object(group: "", kind: "ConfigMap", namespace: "guestbook", name: "c0")?.content[path: ["data", "version"]] == "1")
                #expect(dry.standardOutput.contains("--- live/ConfigMap/guestbook/c0\n+++ desired/ConfigMap/guestbook/c0\n"))
                let history = await runWarrant(["history", "-n", "guestbook", "--kubeconfig", ci])
                let row = try #require(history.standardOutput.split(separator: "\n").first { $0.contains("dry-run") })
                // CHANGES counts the changed fields (one value in each of three objects), not diff lines.
                #expect(row.contains("3 would apply") && row.contains("3 fields"), "\(history.standardOutput)")
                let json = await runWarrant(["history", "-n", "guestbook", "--kubeconfig", ci, "-o", "json"])
                #expect(json.standardOutput.contains("\"message\": \"3 would apply, 0 unchanged, 0 would prune\""), "\(json.standardOutput)")
            }
        }
    }

    /// SIGINT stops a deploy cleanly and the record says it was interrupted.
    @Test(.enabled(if: warrantExecutable() != nil, "the warrant executable is not built"))
    func interruptIsRecorded() async throws {
        try await withTemporaryDirectory { folder in
            let stuck: @Sendable (inout KubeObject, ChangeEvent) -> Void = { _, _ in }  // Deployments never become ready
            try await withDeployFixture(in: folder, flags: ["--wait"], hook: stuck) { server, ci in
                guard let executable = warrantExecutable() else { return }
                let arguments = ["deploy", "-f", guestbookPath, "-n", "guestbook", "--kubeconfig", ci, "--wait", "--timeout", "60s"]
                let result = try await runProcess(executable, arguments) { process in
                    // Interrupt once it is waiting for the rollout.
                    let deadline = ContinuousClock.now + .seconds(30)
                    while server.object(group: "apps", kind: "Deployment", namespace: "guestbook", name: "frontend") == nil, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    try await Task.sleep(for: .milliseconds(700))
                    process.interrupt()
                }
                #expect(result.status == 1)
                #expect(result.error.contains("interrupted"))
                let history = await runWarrant(["history", "-n", "guestbook", "--kubeconfig", ci, "-o", "json", "--verify"])
                #expect(history.standardOutput.contains("\"interrupted\""))
                #expect(history.status == 0)
            }
        }
    }
}
