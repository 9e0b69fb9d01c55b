import ArgumentParser
import Delivery
import Evidence
import Foundation
import KubeAPI
import KubeModel
import Reports

/// `-o` values of `warrant evidence`.
enum EvidenceFormat: String, ExpressibleByArgument, CaseIterable {
    case markdown
    case html
    case json
}

/// `warrant evidence`: who changed what, from the API server's audit log joined with the deploy records.
struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence",
        abstract: "Prove who changed what in a namespace: the API server's audit log joined with the deploy records.",
        discussion: """
            Reads the Kubernetes API audit log (JSON lines of audit.k8s.io/v1 Events, as \
            kube-apiserver writes with --audit-log-path; any level from Metadata up; rotated and \
            gzip-compressed files are merged by time), the namespace's deploy records \
            (warrant-history) and any --record-file (CI artifacts), and attributes every write \
            (create, update, patch, delete, deletecollection) and every Secret read in the period:
              - to a deploy record, when the record's credential made it through Warrant (its user agent) during the deploy's run \
            (± --clock-tolerance) on an object the record applied or pruned (or the deploy's own \
            history ConfigMap, Event and ApplySet parent): the CI actor (or the agent's commit \
            signers), commit and pipeline;
              - to the person, when a person's own credential made it;
              - to the control plane (system: users, kube-system ServiceAccounts) or to \
            --automation users;
              - otherwise UNATTRIBUTED: a deploy credential used outside any recorded deploy, any \
            other ServiceAccount, an anonymous request, or a deploy record that names no person.
            It also verifies each namespace's record chain and cross-checks it with the CI \
            artifacts, and reviews each credential that deployed: its Role now against what \
            'warrant scope --for warrant' derives for its last deploy's manifests, and whether it \
            uses a long-lived token Secret or TokenRequest tokens.

            Reading the cluster needs: get/list ConfigMaps, Roles and RoleBindings in the \
            namespace, list of Secrets' metadata (never their data) for the token review, and \
            ClusterRoles/ClusterRoleBindings when allowed (else cluster-wide grants are not checked).

            EXAMPLES
              warrant evidence -n shop --since 2026-11-01 --until 2026-12-01 \\
                  --audit-log /var/log/kubernetes/audit/audit*.log* -o html > evidence.html
              warrant evidence -n shop --audit-log audit.log --record-file records/*.jsonl -o json

            EXIT CODES
              0  every write and Secret read is attributed and every record chain verifies
              1  something is unattributed, or a record chain does not verify (or disagrees with
                 the CI artifacts)
              2  invalid input: an audit log or record file Warrant cannot read (file:line), a bad date
              3  the cluster could not be reached
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .shortAndLong, help: "The namespace to review (default: the kubeconfig's).")
    var namespace: String?

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Review every namespace whose history the credential can read.")
    var allNamespaces = false

    @Option(help: ArgumentHelp("The start of the period, RFC 3339 or a day (YYYY-MM-DD, UTC midnight).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("The end of the period (exclusive), RFC 3339 or a day.", valueName: "time"))
    var until: String?

    @Option(
        name: .customLong("audit-log"), parsing: .upToNextOption,
        help: ArgumentHelp("The API server's audit log files (plain or gzip; rotated files in any order).", valueName: "file"))
    var auditLogs: [String] = []

    @Option(
        name: .customLong("record-file"), parsing: .upToNextOption,
        help: ArgumentHelp("Deploy record files kept as CI artifacts (warrant deploy --record-file).", valueName: "file"))
    var recordFiles: [String] = []

    @Option(name: .shortAndLong, help: "Output format: markdown, html or json.")
    var output: EvidenceFormat = .markdown

    @Option(help: ArgumentHelp("A user whose requests are accepted automation (an operator); a trailing * matches a prefix. Repeatable.", valueName: "user"))
    var automation: [String] = []

    @Option(help: ArgumentHelp("The ApplySet parent ConfigMap of the deploys (warrant deploy --applyset). Repeatable.", valueName: "name"))
    var applyset: [String] = []

    @Option(
        name: .customLong("clock-tolerance"),
        help: ArgumentHelp("Seconds of clock difference allowed between the deploy's machine and the API server.", valueName: "seconds"))
    var clockTolerance: Double = 5

    func run() async throws {
        let context = CommandContext.current
        let filter = try period()
        guard !auditLogs.isEmpty else {
            throw CommandError(
                .missingInput, "no audit log given",
                hint: "pass the API server's audit log with --audit-log FILE… (kube-apiserver --audit-log-path; see 'warrant evidence --help')")
        }
        if allNamespaces && namespace != nil {
            throw CommandError(.invalidOption, "-n and -A exclude each other")
        }
        guard clockTolerance >= 0 && clockTolerance <= 3600 else {
            throw CommandError(.invalidOption, "--clock-tolerance must be between 0 and 3600 seconds")
        }
        let artifacts = try readRecordFiles()
        let rules = AttributionRules(
            clockTolerance: clockTolerance, automation: automation, applySetNames: applyset.isEmpty ? ["warrant-applyset"] : applyset)
        let report = try await connection.withClient(namespace: namespace, context: context) { client, cluster in
            let reader = EvidenceClusterReader(client: client, rules: rules)
            let kinds = await reader.kinds()
            var namespaces: [String]?
            var notes: [String] = []
            if allNamespaces {
                namespaces = try await reader.namespaceNames()
                if namespaces == nil { notes.append("Namespaces could not be listed; those found in the audit log are reviewed.") }
            } else {
                namespaces = [namespace ?? cluster.namespace]
            }
            var listed: ClusterSnapshot?
            if let namespaces {
                listed = try await reader.snapshot(namespaces: namespaces, dropUnreadable: allNamespaces)
            }
            let included = listed.map { Set($0.namespaces.map(\.namespace)) }
            var scopedFilter = filter
            scopedFilter.namespaces = included
            var (entries, logs) = try readAuditLogs(filter: scopedFilter)
            var snapshot: ClusterSnapshot
            if let listed {
                snapshot = listed
            } else {
                let seen = Set(entries.compactMap { $0.event.objectRef?.namespace }).union(artifacts.map(\.namespace))
                snapshot = try await reader.snapshot(namespaces: seen.sorted(), dropUnreadable: true)
            }
            snapshot.notes += notes
            let reviewed = Set(snapshot.namespaces.map(\.namespace))
            scopedFilter.namespaces = allNamespaces ? nil : reviewed
            let builder = EvidenceBuilder(filter: scopedFilter, rules: rules, kinds: kinds)
            // In place: a period's events are the largest thing the command holds.
            entries.removeAll { !reviewed.contains($0.event.objectRef?.namespace ?? "") }
            return builder.build(entries: consume entries, logs: logs, snapshot: snapshot, artifacts: artifacts, generated: MicroTime(Date()))
        }
        switch output {
        case .markdown: context.standardOutput(EvidenceMarkdown.render(report))
        case .html: context.standardOutput(EvidenceHTML.render(report))
        case .json: EvidenceJSON.write(report, to: context.standardOutput)
        }
        let summary = report.summary
        context.standardError(
            "evidence: \(summary.changes) change(s), \(summary.unattributed) unattributed request(s), \(summary.deploys) deploy(s), "
                + "\(summary.chainsBroken) broken record chain(s) in \(report.namespaces.count) namespace(s)\n")
        if !report.passes { throw CommandExit(.failure) }
    }

    private func period() throws(CommandError) -> AuditEventFilter {
        func parse(_ text: String?, _ option: String) throws(CommandError) -> MicroTime? {
            guard let text else { return nil }
            guard let time = MicroTime(day: text) else {
                throw CommandError(
                    .invalidOption, "\(option) '\(text)' is not a date", hint: "use RFC 3339 (2026-11-01T08:00:00Z) or a day (2026-11-01)")
            }
            return time
        }
        let since = try parse(since, "--since")
        let until = try parse(until, "--until")
        if let since, let until, until <= since {
            throw CommandError(.invalidOption, "--until (\(until.wholeSeconds)) is not after --since (\(since.wholeSeconds))")
        }
        return AuditEventFilter(namespaces: nil, since: since, until: until)
    }

    private func readRecordFiles() throws(CommandError) -> [DeployRecord] {
        var records: [DeployRecord] = []
        for file in recordFiles {
            do {
                let bytes = try ManifestLoader.readFile(file)
                records += try HistoryStore.records(jsonLines: String(decoding: bytes, as: UTF8.self), file: file)
            } catch {
                throw CommandError(.invalidInput, wrapping: error)
            }
        }
        return records
    }

    /// Reads every audit log, streamed; the files are read one after the other and merged by time.
    private func readAuditLogs(filter: AuditEventFilter) throws(CommandError) -> ([EvidenceReport.Entry], [AuditLogFileSummary]) {
        let reader = AuditLogReader(filter: filter)
        var collector = AuditLogCollector()
        var logs: [AuditLogFileSummary] = []
        for file in auditLogs {
            do {
                logs.append(try reader.read(path: file) { event throws(AuditLogError) in collector.add(event) })
            } catch {
                throw CommandError(.invalidInput, wrapping: error)
            }
        }
        return (collector.takeSortedEntries(), logs)
    }
}
