import ArgumentParser
import Foundation
import KubeModel
import RBAC
import ScopePlanning

/// `warrant credentials kubeconfig`: a kubeconfig for a pipeline, written 0600, never printed to a terminal.
struct KubeconfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubeconfig",
        abstract: "Write a kubeconfig for a CI credential (one cluster, user and context; mode 0600).",
        discussion: """
            Builds a kubeconfig from the API server URL, the cluster's CA certificate (PEM) and a \
            token file, with the namespace set in the context. With -o it is written with mode 0600; \
            without -o it goes to standard output only when that is not a terminal (pipe it into \
            your secret store): the token is never shown on screen.

            --ci gitlab|github explains how to keep it as a protected CI secret and prints a deploy job.

            EXAMPLES
              warrant credentials kubeconfig --server https://k8s.example.com:6443 \\
                --certificate-authority ca.crt --token-file token -n shop -o ci.kubeconfig --ci gitlab
              warrant credentials kubeconfig ... | base64 -w0 | gh secret set WARRANT_KUBECONFIG --env production
            """
    )

    @Option(help: "The API server URL (https://...).")
    var server: String

    @Option(name: .customLong("certificate-authority"), help: ArgumentHelp("The cluster's CA certificate, PEM.", valueName: "file"))
    var certificateAuthority: String

    @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding the ServiceAccount token.", valueName: "file"))
    var tokenFile: String

    @Option(name: .shortAndLong, help: "The namespace of the context.")
    var namespace: String

    @Option(help: "The name of the cluster, user and context.")
    var name: String = "warrant-ci"

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the kubeconfig here (mode 0600).", valueName: "file"))
    var output: String?

    @Option(help: "Explain how to store it in gitlab or github, with a deploy job.")
    var ci: CISystem?

    @Option(name: .customLong("for"), help: "With --ci: the deploy method the credential was scoped for: warrant, kubectl, kubectl-ssa or helm.")
    var method: DeployMethodOption = .warrant

    @Flag(inversion: .prefixedNo, help: "With --ci: the credential was scoped for pruning (credentials create's default).")
    var prune = true

    @Flag(inversion: .prefixedNo, help: "With --ci: the credential was scoped for waiting (credentials create's default).")
    var wait = true

    @Option(name: .customLong("helm-storage"), help: "With --ci --for helm: secret or configmap.")
    var helmStorage: HelmStorageOption = .secret

    func validate() throws {
        try ArgumentChecks.namespace(namespace)
    }

    func run() async throws {
        let context = CommandContext.current
        guard let url = URL(string: server), url.scheme == "https", url.host != nil else {
            throw CommandError(.invalidOption, "--server must be an https:// URL of the API server, not '\(URLUserInfo.stripped(server))'")
        }
        // Files that cannot be read are manifest errors (exit 2), named with their path.
        let ca = try ManifestLoader.readFile(certificateAuthority)
        let tokenBytes = try ManifestLoader.readFile(tokenFile)
        let pem = String(decoding: ca, as: UTF8.self)
        guard pem.contains("-----BEGIN CERTIFICATE-----"), pem.contains("-----END CERTIFICATE-----") else {
            throw CommandError(
                .invalidInput, at: certificateAuthority,
                "not a PEM certificate (expected -----BEGIN CERTIFICATE-----); extract it with: kubectl get secret NAME -o jsonpath='{.data.ca\\.crt}' | base64 -d"
            )
        }
        let token = String(decoding: tokenBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw CommandError(
                .invalidInput, at: tokenFile, "expected one token (no spaces or line breaks inside); a token from a Secret must be base64-decoded first")
        }
        let text = YAMLWriter.write(Self.document(name: name, server: server, certificateAuthority: ca, token: token, namespace: namespace))
        let job = DeployJob(
            method: method.method, options: DeployOptions(prune: prune, wait: wait, helmStorage: helmStorage.storage), namespace: namespace)
        let instructions = ci.map { Self.instructions(for: $0, namespace: namespace, file: output ?? "ci.kubeconfig", job: job) } ?? ""
        if let output {
            try SecureFile.write(text, to: output)
            context.standardOutput("wrote \(output) (mode 0600): cluster \(URLUserInfo.stripped(server)), namespace \(namespace)\n" + instructions)
        } else {
            guard !context.outputIsTerminal else {
                throw CommandError(
                    .invalidOption, "refusing to print a kubeconfig holding a token to the terminal: write it with -o FILE, or pipe it into your secret store")
            }
            context.standardOutput(text)
            context.standardError(instructions)
        }
    }

    /// A kubeconfig with one cluster, user and context, all named `name`.
    static func document(name: String, server: String, certificateAuthority: [UInt8]?, token: String, namespace: String) -> JSONValue {
        var cluster = JSONObject()
        cluster["server"] = .string(server)
        if let certificateAuthority { cluster["certificate-authority-data"] = .string(Data(certificateAuthority).base64EncodedString()) }
        return [
            "apiVersion": "v1", "kind": "Config",
            "clusters": [["name": .string(name), "cluster": .object(cluster)]],
            "users": [["name": .string(name), "user": ["token": .string(token)]]],
            "contexts": [["name": .string(name), "context": ["cluster": .string(name), "user": .string(name), "namespace": .string(namespace)]]],
            "current-context": .string(name),
        ]
    }

    /// How to store the kubeconfig in `ci`, and a deploy job that runs `job` (the command the
    /// credential was scoped for, with exactly its options). A `warrant` job runs in Warrant's
    /// image (``ContainerImage``) as its user 65532: on GitLab as the job's image (its entrypoint
    /// cleared, the kubeconfig in the image's /tmp), on GitHub with `docker run` as the runner's
    /// user, the workspace and the kubeconfig mounted.
    static func instructions(for ci: CISystem, namespace: String, file: String, job: DeployJob) -> String {
        let image = ContainerImage.reference
        let inImage = job.method == .warrant
        let gitlabKubeconfig = inImage ? "/tmp/warrant.kubeconfig" : "$CI_BUILDS_DIR/warrant.kubeconfig"
        // The lines are interpolated into the job below: indented as its script and steps are.
        let gitlabImage = inImage ? "\n    image:\n      name: \(image)\n      entrypoint: [\"\"]" : ""
        let gitlabScript = job.commands.map { "      - \($0)" }.joined(separator: "\n")
        let gitlabArtifacts =
            job.artifacts.isEmpty ? "" : "\n    artifacts:\n      when: always\n      paths: [\(job.artifacts.joined(separator: ", "))]"
        let githubRun: String
        if inImage {
            let docker =
                [
                    "docker run --rm --user \"$(id -u):$(id -g)\" -v \"$PWD:/work\" -w /work",
                    "-v \"$RUNNER_TEMP/warrant.kubeconfig:/kubeconfig:ro\" -e KUBECONFIG=/kubeconfig",
                    image,
                ] + job.commands.map { $0.hasPrefix("warrant ") ? String($0.dropFirst("warrant ".count)) : $0 }
            githubRun = "run: >-\n" + docker.map { "            \($0)" }.joined(separator: "\n")
        } else {
            githubRun =
                job.commands.count == 1 ? "run: \(job.commands[0])" : "run: |\n" + job.commands.map { "            \($0)" }.joined(separator: "\n")
        }
        let githubEnvironment = inImage ? "" : "\n          env:\n            KUBECONFIG: ${{ runner.temp }}/warrant.kubeconfig"
        switch ci {
        case .gitlab:
            return """

                Store it in GitLab (Settings > CI/CD > Variables > Add variable):
                  Key: WARRANT_KUBECONFIG_B64    Value: the output of 'base64 -w0 \(file)'
                  Visibility: Masked and hidden  Flags: Protect variable (protected branches and tags only)
                  Environment scope: production
                  (File-type variables cannot be masked, so the kubeconfig is stored base64-encoded.)
                Then delete the local copy: shred -u \(file)

                A deploy job for .gitlab-ci.yml:

                  deploy:\(gitlabImage)
                    stage: deploy
                    environment:
                      name: production
                    rules:
                      - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
                    script:
                      - umask 077
                      - printf '%s' "$WARRANT_KUBECONFIG_B64" | base64 -d > "\(gitlabKubeconfig)"
                      - export KUBECONFIG="\(gitlabKubeconfig)"
                \(gitlabScript)
                    after_script:
                      - rm -f "\(gitlabKubeconfig)"\(gitlabArtifacts)

                """
        case .github:
            return """

                Store it in GitHub as an environment secret with required reviewers:
                  Settings > Environments > production: add required reviewers and limit it to protected branches,
                  then add the secret WARRANT_KUBECONFIG with the value of 'base64 -w0 \(file)'
                  (or: base64 -w0 \(file) | gh secret set WARRANT_KUBECONFIG --env production)
                Then delete the local copy: shred -u \(file)

                A deploy job for .github/workflows/deploy.yml:

                  jobs:
                    deploy:
                      runs-on: ubuntu-latest
                      environment: production
                      steps:
                        - uses: actions/checkout@v4
                        - name: Write the kubeconfig (mode 0600)
                          env:
                            KUBECONFIG_B64: ${{ secrets.WARRANT_KUBECONFIG }}
                          run: |
                            umask 077
                            printf '%s' "$KUBECONFIG_B64" | base64 -d > "$RUNNER_TEMP/warrant.kubeconfig"
                        - name: Deploy\(githubEnvironment)
                          \(githubRun)

                """
        }
    }
}
