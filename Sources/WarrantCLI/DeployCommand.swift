import ArgumentParser
import Delivery
import DeployEngine
import Foundation
import KubeAPI
import KubeModel

/// `warrant deploy`: the push-style deploy step for CI jobs.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy manifests into a namespace with a least-privilege credential, and record who deployed what.",
        discussion: """
            Steps, in order; nothing changes before the first three pass:
              1. validation: objects in another namespace, cluster-scoped objects, duplicates and
                 unknown kinds exit 2; platform safeguards (':latest' or untagged images,
                 containers without requests, workloads no NetworkPolicy selects, fewer than 2
                 replicas, LoadBalancer Services) are warnings, errors with --strict;
              2. pre-flight: the credential's rules in the namespace (SelfSubjectRulesReview)
                 must hold what 'warrant scope --for warrant' derives for these manifests and no
                 more: a credential with wildcards, cluster-wide rights or more than it needs is
                 refused (exit 1) unless --allow-broad-credential; what it lacks is listed;
              3. lock: a Lease named like the ApplySet parent (--applyset) is held until the
                 record is written, so that deploys of one set run one after the other; a deploy
                 waits for another one's Lease up to --lock-timeout (naming its holder), then
                 fails (exit 1) with nothing changed; a killed deploy's Lease expires 60 s after
                 its last renewal; --dry-run takes none;
              4. apply: server-side apply (field manager 'warrant') in stages — ServiceAccounts,
                 Secrets, ConfigMaps, RBAC, then workloads — concurrently within a stage; only a
                 real change is written: where the live object does not already hold the
                 manifest, a server-side dry run decides, so fields the server drops or defaults
                 (data: {}, targetPort: 0, stringData, ...) are no change ("no changes"); conflicts
                 with another field manager are listed field by field (exit 1) unless
                 --force-conflicts; when an object is refused, the rest of its stage is applied
                 and recorded;
              5. --prune: deletes members of the ApplySet (kubectl's KEP-3659 labels, parent
                 ConfigMap --applyset) that left the manifests, never anything outside the set,
                 never PersistentVolumeClaims unless --prune-pvcs, and stops when more than
                 --max-prune would go; the parent lists the old and new members before anything
                 is applied, so an interrupted deploy leaks no object;
              6. --wait: until every object is healthy (kstatus rules), failing fast on
                 ImagePullBackOff, CrashLoopBackOff, Unschedulable or a failed Job with the
                 pod's reason and last events; --timeout bounds it;
              7. the record: who (GITLAB_USER_LOGIN, GITHUB_TRIGGERING_ACTOR, GITHUB_ACTOR or
                 --actor), the credential, cluster, namespace, commit, pipeline, objects with
                 digests, result and the digest of the previous record, kept in the ConfigMap
                 warrant-history (see 'warrant history') by compare-and-swap, so concurrent
                 deploys never lose one; then appended to --record-file (mode 0600, after the
                 history holds it) and an Event. A failed, interrupted or dry-run deploy is
                 recorded too; a deploy that cannot record says so and exits 1. Secrets are
                 recorded by name, without a digest of their content; URLs without user:password.
                 A record too large for the ConfigMap as text (thousands of objects) is stored
                 gzip-compressed; a deploy whose record would not fit even so (about 20,000
                 objects) is refused before anything changes (exit 1).

            SIGINT or SIGTERM stops the deploy between requests and still writes the record
            (interrupted, exit 1); a second signal ends the process at once, leaving the history
            and the record file consistent.

            --dry-run sends everything with dryRun=All (nothing is stored; the record says what
            it would apply); --diff prints the unified diff of live and desired objects, a
            header per object (--- live/Deployment/shop/web), fields in the manifest's order.
            Secret values are never printed: in a diff each shows as ***, *** (before) or
            *** (after).

            EXIT CODES
              0  deployed (or nothing to change)
              1  refused by pre-flight, another deploy holds the lock, conflicts, prune limit,
                 failed rollout, timeout, interrupted, or the record was not written
              2  invalid manifests or options (checked before any request), or input with no objects
                 (unless --prune --allow-empty)
              3  the cluster could not be reached, or a request got no complete answer within
                 --request-timeout
            """
    )

    @OptionGroup var manifests: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(name: .shortAndLong, help: "The namespace to deploy to.")
    var namespace: String

    @Flag(help: "Delete objects of the ApplySet that left the manifests.")
    var prune = false

    @Flag(help: "Wait until every object is healthy.")
    var wait = false

    @Option(
        name: .customLong("timeout"), help: ArgumentHelp("With --wait: how long to wait, e.g. 5m, 90s (default 5m, at most 24h).", valueName: "duration"),
        transform: DurationArgument.option(in: .seconds(1) ... .seconds(86_400)))
    var timeoutLimit: DurationArgument?

    /// How long `--wait` waits.
    var waitLimit: Duration { timeoutLimit?.duration ?? .seconds(300) }

    @Flag(name: .customLong("dry-run"), help: "Send everything with dryRun=All: validated and authorized by the server, nothing stored.")
    var dryRun = false

    @Flag(help: "Print the unified diff of live and desired objects.")
    var diff = false

    @Flag(name: .customLong("force-conflicts"), help: "Take over fields other field managers own.")
    var forceConflicts = false

    @Option(
        name: .customLong("max-prune"),
        help: ArgumentHelp("With --prune: stop when more than N objects or P% (0-100%) of the set would be deleted (default 25%).", valueName: "N|P%"),
        transform: MaxPrune.option)
    var maxPruneLimit: MaxPrune?

    @Flag(name: .customLong("allow-empty"), help: "With --prune: deploy input that holds no objects, which prunes the whole set (within --max-prune).")
    var allowEmpty = false

    @Flag(name: .customLong("prune-pvcs"), help: "With --prune: also delete PersistentVolumeClaims (their data goes with them).")
    var prunePVCs = false

    @Option(help: "The ApplySet parent ConfigMap.")
    var applyset: String = "warrant-applyset"

    @Flag(help: "Turn platform-safeguard warnings into errors.")
    var strict = false

    @Option(help: "Who deploys, when the CI variables do not say (GITLAB_USER_LOGIN, GITHUB_TRIGGERING_ACTOR, GITHUB_ACTOR).")
    var actor: String?

    @Option(name: .customLong("record-file"), help: ArgumentHelp("Also append the record to this JSON-lines file (a CI artifact).", valueName: "file"))
    var recordFile: String?

    @Flag(name: .customLong("allow-broad-credential"), help: "Deploy even with a credential that holds more than the deploy needs.")
    var allowBroadCredential = false

    @Option(
        name: .customLong("lock-timeout"),
        help: ArgumentHelp(
            "How long to wait while another deploy of the same ApplySet runs (its Lease), e.g. 5m, 90s; 0 fails at once (default 5m, at most 24h).",
            valueName: "duration"),
        transform: DurationArgument.option(in: .seconds(1) ... .seconds(86_400), allowsZero: true))
    var lockTimeoutLimit: DurationArgument?

    /// How long to wait for another deploy's Lease.
    var lockLimit: Duration { lockTimeoutLimit?.duration ?? .seconds(300) }

    func validate() throws {
        try ArgumentChecks.namespace(namespace)
        try ArgumentChecks.name(applyset, flag: "--applyset", kind: "ConfigMap")
        try ArgumentChecks.needs(maxPruneLimit != nil && !prune, "--max-prune", "--prune")
        try ArgumentChecks.needs(prunePVCs && !prune, "--prune-pvcs", "--prune")
        try ArgumentChecks.needs(allowEmpty && !prune, "--allow-empty", "--prune")
        try ArgumentChecks.needs(timeoutLimit != nil && !wait, "--timeout", "--wait")
    }

    func run() async throws {
        let context = CommandContext.current
        var loaded = try manifests.load(context: context)
        let printer = DeployPrinter(context: context, namespace: namespace)
        // Invalid manifests are a DeployError (invalidManifests): each detail an error, exit 2.
        let prepared = try DeployManifests(
            objects: loaded.takeObjects(placingIn: namespace), kinds: loaded.kinds, namespace: namespace, strict: strict,
            allowingEmpty: prune && allowEmpty)
        for issue in prepared.warnings { context.warn("\(issue)") }
        let configuration = DeployConfiguration(
            namespace: namespace, toolVersion: Warrant.version, prune: prune, maxPrune: maxPruneLimit ?? .default, prunePVCs: prunePVCs,
            applySetName: applyset, wait: wait, waitTimeout: waitLimit, dryRun: dryRun, diff: diff, forceConflicts: forceConflicts,
            allowBroadCredential: allowBroadCredential, recordFile: recordFile, lockTimeout: lockLimit)
        let engine = DeployEngine(configuration: configuration, logger: connection.logger(label: "warrant.deploy", context: context))
        let identity = DeployIdentity(ci: CIIdentity.from(environment: context.environment, actor: actor))
        // Handed over: the deploy lets each object go once it is sent.
        let handoff = ManifestHandoff(consume prepared)
        try await connection.withClient(namespace: namespace, context: context) { client, _ in
            // SIGINT and SIGTERM cancel the deploy; the engine still writes the record.
            let result = await SignalCancellation.run(onFirst: { _ in
                context.standardError("interrupted: stopping and writing the record (signal again to abort at once)\n")
            }) {
                try await engine.deploy(handoff, identity: identity, client: client, reporter: printer.reporter)
            }
            let outcome = try result.get()
            // The record's problems come first, then why the deploy failed, with its status.
            let failure = outcome.failure.map(CommandErrors.init(deploy:))
            let errors = outcome.recordProblems.map { CommandError(.failed, wrapping: $0) } + (failure?.errors ?? [])
            if !errors.isEmpty { throw CommandErrors(errors, status: failure?.status ?? .failure) }
        }
    }
}
