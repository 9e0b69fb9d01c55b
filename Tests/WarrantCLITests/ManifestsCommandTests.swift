import ArgumentParser
import Foundation
import KubeModel
import Testing
import WarrantCLI
import WarrantCLITestSupport
import WarrantTestSupport

@Suite struct ManifestsCommandTests {
    let guestbook = TestData.examples.appendingPathComponent("guestbook").path

    @Test func listsTheExampleAsATable() async throws {
        let run = await runWarrant(["manifests", "-f", guestbook])
        #expect(run.status == 0)
        #expect(run.standardError.isEmpty)
        let lines = run.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("GROUP") == true)
        #expect(lines.count == 7)
        let deployment = try #require(lines.first { $0.contains("Deployment") })
        #expect(deployment.contains("apps"))
        #expect(deployment.contains("deployments"))
        #expect(deployment.contains("guestbook/frontend"))
        #expect(deployment.contains("Namespaced"))
        #expect(deployment.contains("deployment.yaml:2"))
    }

    @Test func jsonOutputFollowsTheDocumentedSchema() async throws {
        let run = await runWarrant(["manifests", "-f", guestbook, "-o", "json"])
        #expect(run.status == 0)
        let entries = try ManifestLoader().documents(bytes: Array(run.standardOutput.utf8), file: "out.json")
        let list = try #require(entries.first?.value.arrayValue)
        #expect(list.count == 6)
        let ingress = try #require(list.first { $0["kind"] == "Ingress" })
        #expect(ingress["group"] == "networking.k8s.io")
        #expect(ingress["version"] == "v1")
        #expect(ingress["resource"] == "ingresses")
        #expect(ingress["namespace"] == "guestbook")
        #expect(ingress["scope"] == "Namespaced")
        #expect(ingress["source"]?.stringValue?.hasSuffix("service.yaml:16") == true)
    }

    @Test func yamlOutputParsesToTheSameEntriesAsJSON() async throws {
        let json = await runWarrant(["manifests", "-f", guestbook, "-o", "json"])
        let yaml = await runWarrant(["manifests", "-f", guestbook, "-o", "yaml"])
        #expect(yaml.status == 0)
        let fromJSON = try ManifestLoader().documents(bytes: Array(json.standardOutput.utf8), file: "a.json")
        let fromYAML = try ManifestLoader().documents(bytes: Array(yaml.standardOutput.utf8), file: "a.yaml")
        #expect(fromJSON.map(\.value) == fromYAML.map(\.value))
        #expect(fromYAML.first?.line(ofElement: 1) == 10)
    }

    @Test func readsStandardInput() async throws {
        let run = await runWarrant(
            ["manifests", "-f", "-"], standardInput: "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n")
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("Namespace"))
        #expect(run.standardOutput.contains("Cluster"))
        #expect(run.standardOutput.contains("<stdin>:1"))
    }

    @Test func badInputExitsTwoWithFileLineAndNothingOnStandardOutput() async throws {
        try await withTemporaryDirectory { folder in
            let good = try writeFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n", named: "good.yaml", in: folder)
            let bad = try writeFile("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    on: true\n", named: "bad.yaml", in: folder)
            let run = await runWarrant(["manifests", "-f", good, "-f", bad])
            #expect(run.status == 2)
            #expect(run.standardOutput.isEmpty)
            #expect(run.standardError.contains("\(bad):6: label 'on' must be a string, found a boolean"))
            #expect(run.standardError.contains("hint: quote the value"))
        }
    }

    @Test(arguments: [
        (["manifests"], "-f"),
        (["manifests", "-f", "x.yaml", "-o", "xml"], "xml"),
        (["manifests", "-f", "-", "-f", "-"], "once"),
        (["no-such-command"], "no-such-command"),
    ])
    func usageErrorsExitTwo(arguments: [String], fragment: String) async {
        let run = await runWarrant(arguments)
        #expect(run.status == 2)
        #expect(run.standardOutput.isEmpty)
        #expect(run.standardError.contains(fragment))
    }

    @Test func unknownKindsAndRemovedAPIsAreWarnedAboutByName() async throws {
        let input = """
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata: {name: web, namespace: team}
            ---
            apiVersion: extensions/v1beta1
            kind: Ingress
            metadata: {name: old, namespace: team}
            """
        let run = await runWarrant(["manifests", "-f", "-"], standardInput: input)
        #expect(run.status == 0)
        #expect(run.standardError.contains("unknown kind ServiceMonitor.monitoring.coreos.com (1 object, <stdin>:1)"))
        #expect(run.standardError.contains("--resource-map"))
        #expect(run.standardError.contains("<stdin>:5: extensions/v1beta1 Ingress is not served since Kubernetes 1.22; use apiVersion networking.k8s.io/v1"))
        #expect(run.standardOutput.contains("Unknown"))
    }

    @Test func resourceMapDeclaresCustomResources() async throws {
        try await withTemporaryDirectory { folder in
            let map = try writeFile(
                "kinds:\n- {group: monitoring.coreos.com, kind: ServiceMonitor, resource: servicemonitors}\n", named: "map.yaml", in: folder)
            let run = await runWarrant(
                ["manifests", "-f", "-", "--resource-map", map, "-o", "json"],
                standardInput: "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: web}\n")
            #expect(run.status == 0)
            #expect(run.standardError.isEmpty)
            #expect(run.standardOutput.contains("\"resource\": \"servicemonitors\""))
        }
    }

    @Test func customResourceDefinitionsInTheInputMapTheirKinds() async throws {
        let input = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec: {group: example.com, scope: Cluster, names: {kind: Widget, plural: widgets}, versions: [{name: v1, served: true, storage: true}]}
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            """
        let run = await runWarrant(["manifests", "-f", "-"], standardInput: input)
        #expect(run.status == 0)
        let widget = try #require(run.standardOutput.split(separator: "\n").first { $0.contains("Widget ") })
        #expect(widget.contains("widgets"))
        #expect(widget.contains("Cluster"))
    }

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["PATH"].map { path in
                path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/kubectl") }
            } ?? false, "kubectl is not installed"))
    func rendersKustomizationsWithKubectl() async throws {
        let run = await runWarrant(["manifests", "-k", TestData.examples.appendingPathComponent("kustomize").path])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("guestbook-staging/redis-leader"))
        #expect(run.standardOutput.contains("(kustomize):"))
    }

    @Test func kustomizeWithoutKubectlSaysSoClearly() async throws {
        let run = await runWarrant(
            ["manifests", "-k", TestData.examples.appendingPathComponent("kustomize").path], environment: ["PATH": "/nonexistent"])
        #expect(run.status == 2)
        #expect(run.standardError.contains("-k needs kubectl"))
        #expect(run.standardOutput.isEmpty)
    }

    @Test func helpTeachesTheInputFormsAndExitCodes() async {
        let run = await runWarrant(["manifests", "--help"])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("--resource-map"))
        #expect(run.standardOutput.contains("EXAMPLES"))
        let root = await runWarrant(["--help"])
        #expect(root.standardOutput.contains("EXIT CODES"))
    }

    /// Every command's help: a line ends in a backslash only in a shell example (a command or its
    /// options continued), never in prose (a `\\` written where a line continuation was meant).
    @Test func helpTextsContinueLinesOnlyInShellExamples() async {
        var paths: [[String]] = []
        func walk(_ command: any ParsableCommand.Type, _ path: [String]) {
            paths.append(path)
            for subcommand in command.configuration.subcommands {
                walk(subcommand, path + [subcommand.configuration.commandName ?? subcommand._commandName])
            }
        }
        walk(Warrant.self, [])
        #expect(paths.count >= 15)
        for path in paths {
            let run = await runWarrant(path + ["--help"])
            #expect(run.status == 0, "\(path)")
            for line in run.standardOutput.split(separator: "\n") where line.hasSuffix("\\") {
                // A numbered step ("2. warrant credentials kubeconfig … \\") is an example too.
                let text = line.trimmingCharacters(in: .whitespaces).replacing(#/^[0-9]+\. /#, with: "")
                #expect(text.hasPrefix("warrant ") || text.hasPrefix("-"), "warrant \(path.joined(separator: " ")) --help: '\(line)'")
            }
        }
    }

    @Test func theRealExecutableExitsWithDocumentedCodes() throws {
        let executable = try #require(warrantExecutable(), "the warrant executable is built with the tests")
        func run(_ arguments: [String]) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let version = try run(["--version"])
        #expect(version.0 == 0)
        #expect(version.1.hasPrefix("0."))
        #expect(try run(["manifests", "-f", guestbook]).0 == 0)
        let missing = try run(["manifests", "-f", "/nonexistent.yaml"])
        #expect(missing.0 == 2)
        #expect(missing.1.isEmpty)
    }
}
