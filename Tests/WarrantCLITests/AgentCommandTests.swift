import Foundation
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// `warrant agent run`: its configuration and its exits (the loop itself is tested in AgentTests).
@Suite
struct AgentCommandTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOXrBeknQK8Q+RsgHZDG8OwKeOpilAYpXKZnmBc0UFU9"

    @Test func aValidConfigurationWithoutAClusterExits2AndPrintsNoSecret() async throws {
        try await withTemporaryDirectory { folder in
            let signers = try writeFile("alice@example.com \(Self.key)\n", named: "allowed_signers", in: folder)
            let token = try writeFile("ghp_notprinted\n", named: "token", in: folder)
            let run = await runWarrant([
                "agent", "run", "--repo", "https://git.example.com/team/app.git", "--branch", "main", "-n", "shop", "--allowed-signers", signers,
                "--git-token-file", token, "--path", "deploy", "--kubeconfig", folder.appendingPathComponent("missing").path, "--once",
            ])
            #expect(run.status == 2)
            #expect(run.standardError.contains("starting"), "\(run.standardError)")
            #expect(run.standardError.contains("missing"), "names the kubeconfig it could not read")
            #expect(!run.standardError.contains("ghp_notprinted"))
        }
    }

    @Test func aConfigFileWithProblemsExits2NamingEveryLine() async throws {
        try await withTemporaryDirectory { folder in
            let config = try writeFile(
                """
                repo: https://token:ghp_leak@git.example.com/team/app.git
                branch: main
                namespace: shop
                allowed-signers: /nonexistent/allowed_signers
                """, named: "agent.yaml", in: folder)
            let run = await runWarrant(["agent", "run", "--config", config])
            #expect(run.status == 2)
            #expect(run.standardError.contains("\(config):1: repo: the repository address carries a password"))
            #expect(run.standardError.contains("\(config):4: allowed-signers: /nonexistent/allowed_signers: no such file"))
            #expect(!run.standardError.contains("ghp_leak"))
        }
    }

    @Test func helpListsTheSettings() async {
        let run = await runWarrant(["agent", "run", "--help"])
        #expect(run.status == 0)
        for flag in ["--repo", "--branch", "--allowed-signers", "--gpg-keyring", "--reconcile-interval", "--max-prune", "--ssh-known-hosts", "EXIT CODES"] {
            #expect(run.standardOutput.contains(flag), "\(flag)")
        }
    }
}
