import Agent
import Foundation
import KubeModel
import Testing
import WarrantTestSupport

/// The Git source over `file://` repositories: polling, fetching, checkouts and rendering.
@Suite(.timeLimit(.minutes(2)))
struct GitRepositorySourceTests {
    static let configMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          mode: fast
        """
    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: nginx:1.27
        """

    func source(_ fixture: GitFixture, logs: LogCapture, branch: String = "main") throws -> GitRepositorySource {
        GitRepositorySource(
            repository: try GitRepositoryURL(parsing: fixture.url), branch: branch, workingDirectory: fixture.root + "/agent", logger: logs.logger())
    }

    @Test func pollingFetchesOnlyWhenTheBranchMoved() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let first = try await fixture.commit("one", signer: nil)
            try await fixture.push()
            let logs = LogCapture()
            let source = try source(fixture, logs: logs)
            #expect(try await source.remoteTip() == first)
            #expect(try await source.update(from: nil) == .moved(first))
            #expect(try await source.update(from: first) == .unchanged(first))
            #expect(try await source.update(from: first) == .unchanged(first))
            let second = try await fixture.commit("two", signer: nil)
            try await fixture.push()
            #expect(try await source.update(from: first) == .moved(second))
            let runs = logs.all.filter { $0.contains("run git") }
            #expect(runs.filter { $0.contains("arguments=") && $0.contains(" fetch ") }.count == 2, "\(runs.joined(separator: "\n"))")
            #expect(runs.filter { $0.contains(" ls-remote ") }.count == 5)
        }
    }

    @Test func aMissingBranchAndAMissingRepositoryAreClearErrors() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            try await fixture.commit("one", signer: nil)
            try await fixture.push()
            let logs = LogCapture()
            await #expect {
                _ = try await source(fixture, logs: logs, branch: "release").remoteTip()
            } throws: { error in
                let error = try #require(error as? GitError)
                return error.code == .branchNotFound && error.description.contains("'release'") && !error.isRetryable
            }
            let missing = GitRepositorySource(
                repository: try GitRepositoryURL(parsing: "file://\(fixture.root)/nothing.git"), branch: "main", workingDirectory: fixture.root + "/agent2",
                logger: logs.logger())
            await #expect {
                _ = try await missing.remoteTip()
            } throws: { error in
                (error as? GitError)?.code == .repositoryNotFound
            }
        }
    }

    @Test func aCheckoutHoldsTheCommitsFilesAndManifestsNameThemRelativeToTheRepository() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let first = try await fixture.commit(
                "app", files: ["deploy/config.yaml": Self.configMap, "deploy/web/deployment.yaml": Self.deployment, "README.md": "hello"], signer: nil)
            try await fixture.push()
            let logs = LogCapture()
            let source = try source(fixture, logs: logs)
            let tip = try await source.fetch()
            #expect(tip == first)
            let checkout = try await source.checkout(tip)
            #expect(FileManager.default.fileExists(atPath: checkout.directory + "/README.md"))
            #expect(!FileManager.default.fileExists(atPath: checkout.directory + "/.git"))
            let rendered = try await source.manifests(in: checkout, path: "./deploy/")
            #expect(rendered.path == "deploy")
            #expect(!rendered.kustomized)
            #expect(rendered.objects.map(\.name) == ["settings", "web"])
            #expect(rendered.objects.map { $0.source?.description } == ["deploy/config.yaml:1", "deploy/web/deployment.yaml:1"])

            // The next commit deletes a file: the new checkout no longer has it.
            let second = try await fixture.commit("remove config", files: ["deploy/config.yaml": nil], signer: nil)
            try await fixture.push()
            #expect(try await source.fetch() == second)
            let next = try await source.manifests(in: try await source.checkout(second), path: "deploy")
            #expect(next.objects.map(\.name) == ["web"])
            // The first checkout is still there, unchanged (the last applied commit may be re-applied).
            #expect(try await source.manifests(in: try await source.checkout(first), path: "deploy").objects.count == 2)
        }
    }

    @Test func aCommitThatWasNotFetchedCannotBeCheckedOut() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            try await fixture.commit("one", signer: nil)
            try await fixture.push()
            let source = try source(fixture, logs: LogCapture())
            _ = try await source.fetch()
            let unknown = try #require(CommitID(String(repeating: "1", count: 40)))
            #expect(try await !source.contains(unknown))
            await #expect {
                _ = try await source.checkout(unknown)
            } throws: { error in
                (error as? GitError)?.code == .objectMissing
            }
            #expect(!FileManager.default.fileExists(atPath: fixture.root + "/agent/checkouts/" + unknown.hex))
        }
    }

    @Test func onlyTheMostRecentCheckoutsAreKept() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let logs = LogCapture()
            let source = try source(fixture, logs: logs)
            var commits: [CommitID] = []
            for number in 1...5 {
                commits.append(try await fixture.commit("\(number)", files: ["n.yaml": Self.configMap], signer: nil))
                try await fixture.push()
                _ = try await source.checkout(try await source.fetch())
            }
            let entries = try FileManager.default.contentsOfDirectory(atPath: fixture.root + "/agent/checkouts").filter { !$0.hasSuffix(".complete") }
            #expect(Set(entries) == Set(commits.suffix(3).map(\.hex)))
        }
    }

    @Test func aSymbolicLinkInTheRepositoryIsNeverFollowed() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let secret = fixture.root + "/secret.yaml"
            try Data("apiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\nstringData: {token: do-not-read}\n".utf8).write(to: URL(fileURLWithPath: secret))
            try FileManager.default.createDirectory(atPath: fixture.work + "/deploy", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: fixture.work + "/deploy/link.yaml", withDestinationPath: secret)
            try await fixture.commit("a link to a file outside", files: ["deploy/config.yaml": Self.configMap], signer: nil)
            try await fixture.push()
            let logs = LogCapture()
            let source = try source(fixture, logs: logs)
            let checkout = try await source.checkout(try await source.fetch())
            let attributes = try FileManager.default.attributesOfItem(atPath: checkout.directory + "/deploy/link.yaml")
            #expect(attributes[.type] as? FileAttributeType == .typeRegular)
            await #expect {
                _ = try await source.manifests(in: checkout, path: "deploy")
            } throws: { error in
                let text = "\(error)"
                return text.contains("deploy/link.yaml") && !text.contains("do-not-read")
            }
        }
    }

    @Test func aMissingPathIsAnErrorNamingTheCommit() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let tip = try await fixture.commit("app", files: ["deploy/config.yaml": Self.configMap], signer: nil)
            try await fixture.push()
            let logs = LogCapture()
            let source = try source(fixture, logs: logs)
            let checkout = try await source.checkout(try await source.fetch())
            await #expect {
                _ = try await source.manifests(in: checkout, path: "production")
            } throws: { error in
                let error = try #require(error as? ManifestErrors)
                return error.errors.first?.code == .fileNotFound && error.description.contains("production (commit \(tip.short))")
            }
        }
    }

    @Test(.enabled(if: ToolPaths.current.kubectl != nil, "kubectl is not installed"))
    func aKustomizationIsRenderedAndItsRemoteBasesAreRefused() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            let kustomization = """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namePrefix: prod-
                resources:
                - ../../base
                """
            try await fixture.commit(
                "kustomized",
                files: [
                    "base/kustomization.yaml": "resources:\n- config.yaml\n- deployment.yaml\n", "base/config.yaml": Self.configMap,
                    "base/deployment.yaml": Self.deployment, "overlays/prod/kustomization.yaml": kustomization,
                ], signer: nil)
            try await fixture.push()
            let logs = LogCapture()
            let source = try source(fixture, logs: logs)
            let checkout = try await source.checkout(try await source.fetch())
            let rendered = try await source.manifests(in: checkout, path: "overlays/prod")
            #expect(rendered.kustomized)
            #expect(Set(rendered.objects.map(\.name)) == ["prod-settings", "prod-web"])

            let remote = """
                resources:
                - ../../base
                - https://raw.githubusercontent.com/example/app/main/deploy.yaml
                - github.com/example/base?ref=v1
                - not-committed
                """
            let second = try await fixture.commit("remote bases", files: ["overlays/prod/kustomization.yaml": remote], signer: nil)
            try await fixture.push()
            #expect(try await source.fetch() == second)
            let refusedCheckout = try await source.checkout(second)
            await #expect {
                _ = try await source.manifests(in: refusedCheckout, path: "overlays/prod")
            } throws: { error in
                let errors = try #require(error as? ManifestErrors).errors
                let lines = errors.map(\.location.description)
                return errors.count == 3
                    && lines == ["overlays/prod/kustomization.yaml:3", "overlays/prod/kustomization.yaml:4", "overlays/prod/kustomization.yaml:5"]
            }
            let escaping = try await fixture.commit("escape", files: ["overlays/prod/kustomization.yaml": "resources:\n- ../../../../etc\n"], signer: nil)
            try await fixture.push()
            _ = try await source.fetch()
            let escapingCheckout = try await source.checkout(escaping)
            await #expect {
                _ = try await source.manifests(in: escapingCheckout, path: "overlays/prod")
            } throws: { error in
                "\(error)".contains("points outside the repository")
            }
            let helm = try await fixture.commit(
                "helm", files: ["overlays/prod/kustomization.yaml": "helmCharts:\n- name: app\n  repo: https://charts.example.com\n"], signer: nil)
            try await fixture.push()
            _ = try await source.fetch()
            let helmCheckout = try await source.checkout(helm)
            await #expect {
                _ = try await source.manifests(in: helmCheckout, path: "overlays/prod")
            } throws: { error in
                "\(error)".contains("helmCharts")
            }
        }
    }

    @Test func theLogsHoldCommandLinesAndNoEnvironmentValues() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try await GitFixture.make(in: folder)
            try await fixture.commit("one", signer: nil)
            try await fixture.push()
            let logs = LogCapture()
            _ = try await source(fixture, logs: logs).fetch()
            let line = try #require(logs.all.first { $0.contains("run git") && $0.contains(" fetch ") })
            #expect(line.contains("environment=GIT_ATTR_NOSYSTEM,GIT_CONFIG_GLOBAL,"))
            #expect(!line.contains("/dev/null,"))
            #expect(line.contains("protocol.allow=never") && line.contains("protocol.file.allow=always"))
        }
    }
}
