import Agent
import DeployEngine
import Foundation
import KubeAPI
import KubeModel
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

@testable import WarrantCLI

/// Issue 17, point 2: commands throw their errors as values and ``WarrantMain`` renders each one
/// once, as `error: …` on standard error with the documented exit status.
@Suite(.timeLimit(.minutes(3))) struct CommandErrorTests {
    /// An error value, the text it renders to and the status it means.
    struct RenderCase: Sendable, CustomTestStringConvertible {
        var name: String
        var error: any Error
        var text: String
        var status: WarrantCLI.ExitStatus
        var testDescription: String { name }
    }

    static let apiForbidden = KubeAPIError(code: 403, reason: "Forbidden", message: "no", request: "GET /api/v1/namespaces/shop/configmaps")
    static let apiRefused = KubeAPIError.transport(.unreachable, message: "cannot reach https://x:6443: refused", request: "GET /api")
    static let apiTLS = KubeAPIError.transport(.tls, message: "TLS verification of https://x:6443 failed", request: "TLS https://x:6443")
    static let apiUnauthorized = KubeAPIError(code: 401, reason: "Unauthorized", message: "Unauthorized", request: "GET /api")
    static let manifest = ManifestError(.syntax, at: SourceLocation(file: "app.yaml", line: 3), "mapping values are not allowed here", hint: "quote the value")

    static let renderCases: [RenderCase] = [
        .init(
            name: "a command's error: location, message, details and hint",
            error: CommandError(.invalidOption, at: "--image", "'x' is not pinned", details: ["a", "b"], hint: "pin it"),
            text: "error: --image: 'x' is not pinned\n  - a\n  - b\n  hint: pin it\n", status: .invalidInput),
        .init(
            name: "a check that failed", error: CommandError(.failed, "the record chain is broken:", details: ["gap"]),
            text: "error: the record chain is broken:\n  - gap\n", status: .failure),
        .init(name: "the cluster unreachable", error: CommandError(.unreachable, "no"), text: "error: no\n", status: .unreachable),
        .init(
            name: "a manifest error", error: manifest, text: "error: app.yaml:3: mapping values are not allowed here\n  hint: quote the value\n",
            status: .invalidInput),
        .init(
            name: "manifest errors, one line each",
            error: ManifestErrors([manifest, ManifestError(.unknownKind, at: SourceLocation(file: "b.yaml", line: 1), "unknown")]),
            text: "error: app.yaml:3: mapping values are not allowed here\n  hint: quote the value\nerror: b.yaml:1: unknown\n", status: .invalidInput),
        .init(
            name: "a deploy's invalid manifests: one error per detail",
            error: DeployError(.invalidManifests, "invalid:", details: ["a.yaml:1: one", "a.yaml:9: two"]),
            text: "error: a.yaml:1: one\nerror: a.yaml:9: two\n", status: .invalidInput),
        .init(
            name: "a deploy's invalid manifests without details", error: DeployError(.invalidManifests, "no objects"), text: "error: no objects\n",
            status: .invalidInput),
        .init(
            name: "a deploy that failed", error: DeployError(.pruneLimit, "too many to prune:", details: ["ConfigMap a"], hint: "raise --max-prune"),
            text: "error: too many to prune:\n  - ConfigMap a\n  raise --max-prune\n", status: .failure),
        .init(
            name: "a deploy that could not reach the cluster", error: DeployError(.api, "\(apiRefused)", underlying: apiRefused),
            text: "error: \(apiRefused)\n",
            status: .unreachable),
        .init(
            name: "a deploy the API server refused (403)", error: DeployError(.api, "\(apiForbidden)", underlying: apiForbidden),
            text: "error: \(apiForbidden)\n",
            status: .failure),
        .init(
            name: "a credential error", error: CredentialError(.missingRights, "you lack:", details: ["get pods"]), text: "error: you lack:\n  - get pods\n",
            status: .failure),
        .init(
            name: "a credential error from an unreachable cluster", error: CredentialError(.api, "\(apiTLS)", underlying: apiTLS), text: "error: \(apiTLS)\n",
            status: .unreachable),
        .init(name: "an API answer (403)", error: apiForbidden, text: "error: \(apiForbidden)\n", status: .failure),
        .init(name: "an API transport failure", error: apiRefused, text: "error: \(apiRefused)\n", status: .unreachable),
        .init(name: "a TLS failure", error: apiTLS, text: "error: \(apiTLS)\n", status: .unreachable),
        .init(name: "refused credentials (401)", error: apiUnauthorized, text: "error: \(apiUnauthorized)\n", status: .unreachable),
        .init(
            name: "a kubeconfig error", error: KubeConfigError(.unknownContext, file: "kc", "no context 'x'", hint: "list them"),
            text: "error: kc: no context 'x'\n  hint: list them\n", status: .invalidInput),
        .init(
            name: "agent settings, one line each",
            error: AgentConfigurationErrors([
                AgentConfigurationError(.repo, at: .flag("--repo"), "not a URL"), AgentConfigurationError(.branch, at: nil, "missing"),
            ]), text: "error: --repo: not a URL\nerror: --branch: missing\n", status: .invalidInput),
        .init(
            name: "a file that cannot be written", error: SecureFile.Failure(path: "out/k", reason: "out is not a folder"),
            text: "error: out/k: cannot write the file: out is not a folder\n", status: .invalidInput),
    ]

    @Test("every error type renders as error lines with its exit status", arguments: renderCases)
    func rendering(_ testCase: RenderCase) throws {
        let errors = try #require(CommandErrors(testCase.error))
        #expect(errors.description == testCase.text)
        #expect(errors.status == testCase.status)
    }

    @Test("errors of ArgumentParser and others no command throws on purpose are left to ArgumentParser")
    func otherErrorsAreNotRendered() {
        struct Other: Error {}
        #expect(CommandErrors(Other()) == nil)
        #expect(CommandErrors(CancellationError()) == nil)
    }

    @Test("at most the limit of manifest errors is shown, the rest counted in a last line")
    func limitedManifestErrors() {
        let all = ManifestErrors((1...5).map { ManifestError(.unknownKind, at: SourceLocation(file: "a.yaml", line: $0), "unknown kind") })
        let errors = CommandErrors(manifests: all, limit: 3)
        #expect(errors.description == "error: a.yaml:1: unknown kind\nerror: a.yaml:2: unknown kind\nerror: a.yaml:3: unknown kind\nerror: … and 2 more\n")
        #expect(errors.status == .invalidInput)
    }

    /// A command run that must end on an error: its status, a text standard error holds, and how
    /// many `error:` lines it printed (each error once).
    struct CommandCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var status: Int32
        var message: String
        var errorLines: Int = 1
        var environment: [String: String] = [:]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let guestbook = TestData.examples.appendingPathComponent("guestbook").path

    /// `{dir}` stands for a fresh folder holding `cm.yaml` (a ConfigMap), `file` (a regular
    /// file), `two.yaml` (ConfigMaps in namespaces a and b), `widgets.yaml` (25 objects of an
    /// unknown kind), `ca.crt` (not PEM), `token` (two words), `bad-kubeconfig` and `unreachable`
    /// (a kubeconfig for a server that refuses connections).
    static let commandCases: [CommandCase] = [
        .init(arguments: ["manifests"], status: 2, message: "error: give the manifests with -f FILE|FOLDER|- or -k KUSTOMIZATION\n"),
        .init(
            arguments: ["restrict", "-f", guestbook, "-n", "argocd", "--target-namespaces", "shop", "--default-requests", "cpu"], status: 2,
            message: "error: --default-requests 'cpu': expected NAME=QUANTITY pairs separated by commas, e.g. cpu=100m,memory=128Mi\n"),
        .init(
            arguments: ["restrict", "-f", guestbook, "-n", "argocd", "--target-namespaces", "shop", "--crds-from", "{dir}/cm.yaml"], status: 2,
            message: "error: --crds-from {dir}/cm.yaml holds no CustomResourceDefinition\n"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "-o", "{dir}/file"], status: 2,
            message: "error: {dir}/file/ci.yaml: cannot write the file: {dir}/file is not a folder\n"),
        .init(
            arguments: ["credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--apply", "--kubeconfig-out", "{dir}/file/k"], status: 2,
            message: "error: {dir}/file/k: cannot write the file: {dir}/file is not a folder; nothing was changed in the cluster\n"),
        .init(
            arguments: ["scope", "-f", guestbook, "-n", "guestbook", "--compare", "{dir}/cm.yaml"], status: 2,
            message: "error: {dir}/cm.yaml: no Role or ClusterRole to compare\n"),
        .init(
            arguments: ["scope", "-f", "{dir}/two.yaml"], status: 2,
            message: "error: give the namespace to deploy to with -n NAMESPACE (the manifests name a, b)\n"),
        .init(arguments: ["scope", "-f", "{dir}/widgets.yaml", "-n", "shop"], status: 2, message: "error: … and 5 more\n", errorLines: 21),
        .init(
            arguments: [
                "credentials", "kubeconfig", "--server", "http://x", "--certificate-authority", "{dir}/ca.crt", "--token-file", "{dir}/token", "-n", "shop",
            ],
            status: 2, message: "error: --server must be an https:// URL of the API server, not 'http://x'\n"),
        .init(
            arguments: [
                "credentials", "kubeconfig", "--server", "https://x", "--certificate-authority", "{dir}/ca.crt", "--token-file", "{dir}/token", "-n", "shop",
            ],
            status: 2, message: "error: {dir}/ca.crt: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)"),
        .init(
            arguments: [
                "credentials", "kubeconfig", "--server", "https://x", "--certificate-authority", "{dir}/none", "--token-file", "{dir}/token", "-n", "shop",
            ],
            status: 2, message: "error: {dir}/none: "),
        .init(arguments: ["evidence"], status: 2, message: "error: no audit log given\n  hint: pass the API server's audit log with --audit-log FILE…"),
        .init(arguments: ["evidence", "--audit-log", "{dir}/none", "-A", "-n", "a"], status: 2, message: "error: -n and -A exclude each other\n"),
        .init(
            arguments: ["evidence", "--audit-log", "{dir}/none", "--clock-tolerance", "5000"], status: 2,
            message: "error: --clock-tolerance must be between 0 and 3600 seconds\n"),
        .init(
            arguments: ["evidence", "--audit-log", "{dir}/none", "--since", "yesterday"], status: 2,
            message: "error: --since 'yesterday' is not a date\n  hint: use RFC 3339 (2026-11-01T08:00:00Z) or a day (2026-11-01)\n"),
        .init(
            arguments: ["evidence", "--audit-log", "{dir}/none", "--since", "2026-11-02", "--until", "2026-11-01"], status: 2, message: "is not after --since"),
        .init(arguments: ["evidence", "--audit-log", "{dir}/none", "--record-file", "{dir}/none.jsonl"], status: 2, message: "error: {dir}/none.jsonl: "),
        .init(arguments: ["history", "--record-file", "{dir}/none.jsonl"], status: 2, message: "error: {dir}/none.jsonl: "),
        .init(arguments: ["agent", "probe", "--work-dir", "{dir}"], status: 1, message: "error: {dir}/heartbeat: no pass completed yet\n"),
        .init(
            arguments: [
                "agent", "install", "-n", "shop", "--repo", "https://example.com/x.git", "--branch", "main", "--allowed-signers", "{dir}/file", "--image",
                "warrant:1",
            ], status: 2,
            message: "error: --image: 'warrant:1' is not pinned by digest\n  hint: give the image by digest, e.g. --image "),
        .init(arguments: ["audit", "-f", guestbook, "--ignore-file", "{dir}/none"], status: 2, message: "error: {dir}/none: "),
        .init(arguments: ["can", "--check", "{dir}/none", "-f", guestbook], status: 2, message: "error: {dir}/none: "),
        .init(
            arguments: ["history", "-n", "shop"], status: 2,
            message:
                "error: no kubeconfig found (looked at {dir}/.kube/config) and not running in a pod\n  hint: give one with --kubeconfig FILE or KUBECONFIG\n",
            environment: ["HOME": "{dir}"]),
        .init(arguments: ["history", "-n", "shop", "--kubeconfig", "{dir}/bad-kubeconfig"], status: 2, message: "error: {dir}/bad-kubeconfig"),
        .init(
            arguments: ["history", "-n", "shop", "--kubeconfig", "{dir}/unreachable", "--request-timeout", "5s"], status: 3,
            message: "https://127.0.0.1:1"),
    ]

    @Test("each command's error is printed once, with its status", arguments: commandCases)
    func commandErrors(_ testCase: CommandCase) async throws {
        try await withTemporaryDirectory { folder in
            let dir = folder.path
            func write(_ name: String, _ text: String) throws { try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8) }
            try write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
            try write("file", "a regular file\n")
            try write(
                "two.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: b}\n")
            try write("widgets.yaml", (1...25).map { "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w\($0)}\n" }.joined(separator: "---\n"))
            try write("ca.crt", "not a certificate\n")
            try write("token", "two words\n")
            try write("bad-kubeconfig", "apiVersion: v1\nkind: Config\nclusters: 5\n")
            try write(
                "unreachable",
                """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
                users: [{name: u, user: {token: abc}}]
                contexts: [{name: x, context: {cluster: c, user: u, namespace: shop}}]
                current-context: x

                """)
            let arguments = testCase.arguments.map { $0.replacingOccurrences(of: "{dir}", with: dir) }
            let environment = testCase.environment.mapValues { $0.replacingOccurrences(of: "{dir}", with: dir) }
            let run = await runWarrant(arguments, environment: environment.isEmpty ? ["HOME": dir] : environment)
            let message = testCase.message.replacingOccurrences(of: "{dir}", with: dir)
            #expect(run.status == testCase.status, "\(run.standardError)")
            #expect(run.standardError.contains(message), "\(run.standardError)")
            #expect(run.standardError.components(separatedBy: "error: ").count - 1 == testCase.errorLines, "\(run.standardError)")
        }
    }
}
