import ArgumentParser
import Delivery
import KubeAPI
import KubeModel
import RBAC

/// `-o` values of `warrant history`.
enum HistoryFormatOption: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case markdown
    case html

    var format: HistoryRenderer.Format { HistoryRenderer.Format(rawValue: rawValue) ?? .table }
}

/// `warrant history`: the deploy records of a namespace, and whether their chain is intact.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List who deployed what, when and from which commit; --verify checks the record chain.",
        discussion: """
            Reads the records 'warrant deploy' keeps in the ConfigMap warrant-history of the \
            namespace (JSON lines; each record holds the SHA-256 of the previous one), or a \
            JSON-lines file written with 'warrant deploy --record-file' (--record-file here).

            Storage: one ConfigMap, kept under 900 KiB (ConfigMaps are limited to 1 MiB). When it \
            is full the oldest records are dropped and the ConfigMap keeps the digest of the last \
            dropped one as the chain's anchor, so the chain still verifies; keep the \
            --record-file of every deploy as a CI artifact for the complete history.

            --verify recomputes every record's digest and follows the chain: a record changed \
            after the fact, a record missing from the middle, or records out of order are \
            reported, and the exit code is 1. A record file may begin anywhere in the chain \
            (one file per pipeline): its first record's predecessor is taken as given.

            Fields are shown as recorded, with control characters and escape sequences written \
            visibly (\\n, \\u{1B}) and long values cut in the table, Markdown and HTML; -o json \
            shows every value exactly as stored.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .shortAndLong, help: "The namespace whose history to read.")
    var namespace: String?

    @Option(name: .customLong("record-file"), help: ArgumentHelp("Read a JSON-lines record file instead of the cluster.", valueName: "file"))
    var recordFile: String?

    @Flag(help: "Check the chain: every digest, no gap, no reordering (exit 1 on any problem).")
    var verify = false

    @Option(name: .shortAndLong, help: "Output format: table, json, markdown or html.")
    var output: HistoryFormatOption = .table

    func validate() throws {
        try ArgumentChecks.namespace(namespace)
    }

    func run() async throws {
        let context = CommandContext.current
        let records: [DeployRecord]
        var anchor: String?
        if let recordFile {
            do {
                let bytes = try ManifestLoader.readFile(recordFile)
                records = try HistoryStore.records(jsonLines: String(decoding: bytes, as: UTF8.self), file: recordFile)
                // A record file is a CI artifact that may begin anywhere in the namespace's chain
                // (a new file per pipeline): its first record's predecessor is its anchor.
                anchor = records.first?.previous
            } catch {
                throw CommandError(.invalidInput, wrapping: error)
            }
        } else {
            let (loaded, loadedAnchor) = try await connection.withClient(namespace: namespace, context: context) { client, cluster in
                let namespace = self.namespace ?? cluster.namespace
                let store = HistoryStore(namespace: namespace)
                var configMaps: [KubeObject] = []
                for name in store.configMapNames {
                    if let configMap = try await client.get(GroupKind(group: "", kind: "ConfigMap"), namespace: namespace, name: name) {
                        configMaps.append(configMap)
                    }
                }
                do {
                    return (try store.records(from: configMaps), store.anchor(in: configMaps))
                } catch {
                    // The cluster's history, not the user's input: exit 1.
                    throw CommandError(.failed, wrapping: error)
                }
            }
            records = loaded
            anchor = loadedAnchor
        }
        context.standardOutput(HistoryRenderer.render(records, format: output.format))
        guard verify else { return }
        let problems = RecordChain.verify(records, anchor: anchor)
        if problems.isEmpty {
            if recordFile != nil, let anchor {
                context.standardError(
                    "note: the file begins after record \(anchor.prefix(12)) (not in the file); the history ConfigMap holds the earlier ones\n")
            }
            context.standardError("verified: \(records.count) record(s), every digest matches and the chain has no gap\n")
            return
        }
        // A record id is whatever the history holds: escaped like every other field.
        throw CommandError(.failed, "the record chain is broken:", details: problems.map { DisplayText.escaped("\($0)", limit: nil) })
    }
}
