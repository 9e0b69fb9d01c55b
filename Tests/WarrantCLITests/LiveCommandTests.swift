import Foundation
import KubeModel
import KubeTestServer
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

/// The live forms of `can`, `audit` and `credentials create` against the project's API test
/// server over real TLS on loopback.
@Suite(.timeLimit(.minutes(2))) struct LiveCommandTests {
    @Test func canAsksTheServerForYourselfAndForOthers() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(namespaceAdmin("alice", in: "shop")))
            server.addUser(token: "alice-token-123", name: "alice")
            try await withTemporaryDirectory { folder in
                let kubeconfig = try writeKubeconfig(server: server, token: "alice-token-123", in: folder)
                let yes = await runWarrant(["can", "create", "deployments", "-n", "shop", "--kubeconfig", kubeconfig])
                #expect(yes.status == 0, "\(yes.standardError)")
                #expect(yes.standardOutput == "yes\n")
                let no = await runWarrant(["can", "create", "deployments", "-n", "other", "--kubeconfig", kubeconfig, "--why"])
                #expect(no.status == 1)
                #expect(no.standardOutput == "no\n")
                let list = await runWarrant(["can", "--list", "-n", "shop", "--kubeconfig", kubeconfig])
                #expect(list.status == 0)
                #expect(list.standardOutput.contains("deployments"))
                // --as is a SubjectAccessReview, which alice may not create in a cluster: exit 1 with the 403.
                let other = await runWarrant(["can", "get", "pods", "-n", "shop", "--as", "bob", "--kubeconfig", kubeconfig])
                #expect(other.status == 1)
                #expect(other.standardError.contains("subjectaccessreviews"))
                let admin = try writeKubeconfig(server: server, token: KubeTestServer.adminToken, in: folder, named: "admin")
                let asAlice = await runWarrant(["can", "get", "pods", "-n", "shop", "--as", "alice", "--kubeconfig", admin])
                #expect(asAlice.status == 0)
                #expect(asAlice.standardOutput == "yes\n")
            }
        }
    }

    @Test func checkFilesRunAsSubjectAccessReviews() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(namespaceAdmin("alice", in: "shop")))
            try await withTemporaryDirectory { folder in
                let admin = try writeKubeconfig(server: server, token: KubeTestServer.adminToken, in: folder, named: "admin")
                let checks = try writeFile(
                    """
                    - {as: alice, verb: create, resource: deployments, group: apps, namespace: shop, expect: allow}
                    - {as: alice, verb: get, resource: secrets, namespace: other, expect: allow}
                    """, named: "checks.yaml", in: folder)
                let run = await runWarrant(["can", "--check", checks, "--kubeconfig", admin])
                #expect(run.status == 1)
                #expect(run.standardOutput.contains("1 passed, 1 failed"))
                #expect(run.standardOutput.contains("checks.yaml:2"))
                #expect(run.standardOutput.contains("the server says denied"))
            }
        }
    }

    @Test func auditReadsRBACFromTheClusterAndSaysWhatItCouldNotRead() async throws {
        try await withKubeTestServer { server in
            try server.seed(
                try objects(
                    namespaceAdmin("alice", in: "shop") + """

                        ---
                        apiVersion: rbac.authorization.k8s.io/v1
                        kind: ClusterRole
                        metadata: {name: everything}
                        rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
                        ---
                        apiVersion: rbac.authorization.k8s.io/v1
                        kind: ClusterRoleBinding
                        metadata: {name: everything}
                        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
                        subjects: [{kind: ServiceAccount, name: deployer, namespace: shop}]
                        """))
            server.addUser(token: "alice-token-123", name: "alice")
            try await withTemporaryDirectory { folder in
                let admin = try writeKubeconfig(server: server, token: KubeTestServer.adminToken, in: folder, named: "admin")
                let full = await runWarrant(["audit", "--cluster", "--kubeconfig", admin, "-o", "json", "--fail-on", "critical"])
                #expect(full.status == 1)
                #expect(full.standardOutput.contains("\"W100\""))
                #expect(full.standardOutput.contains("ClusterRoleBinding \\\"everything\\\""))
                // A namespace administrator cannot list cluster-scoped RBAC: the audit says so and covers the namespace.
                let limited = try writeKubeconfig(server: server, token: "alice-token-123", in: folder)
                let partial = await runWarrant(["audit", "--cluster", "-n", "shop", "--kubeconfig", limited, "--fail-on", "none"])
                #expect(partial.status == 0, "\(partial.standardError)")
                #expect(partial.standardError.contains("the audit is incomplete"))
                #expect(partial.standardError.contains("ClusterRoles"))
                #expect(partial.standardOutput.contains("RoleBinding \"shop/alice-admin\""))
            }
        }
    }

    @Test(arguments: ["secret", "request"])
    func credentialsCreateApplyCreatesVerifiesAndWritesAPrivateKubeconfig(tokenKind: String) async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(namespaceAdmin("alice", in: "guestbook") + "\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n"))
            server.addUser(token: "alice-token-123", name: "alice")
            try await withTemporaryDirectory { folder in
                let kubeconfig = try writeKubeconfig(server: server, token: "alice-token-123", namespace: "guestbook", in: folder)
                let out = folder.appendingPathComponent("ci.kubeconfig").path
                let guestbook = TestData.examples.appendingPathComponent("guestbook").path
                let run = await runWarrant([
                    "credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--apply", "--token", tokenKind,
                    "--kubeconfig", kubeconfig, "--kubeconfig-out", out,
                ])
                #expect(run.status == 0, "\(run.standardError)")
                #expect(run.standardError.contains("verified as guestbook/ci"))
                #expect(server.object(group: "", kind: "ServiceAccount", namespace: "guestbook", name: "ci") != nil)
                #expect(server.object(group: "rbac.authorization.k8s.io", kind: "Role", namespace: "guestbook", name: "ci") != nil)
                let attributes = try FileManager.default.attributesOfItem(atPath: out)
                #expect((attributes[.posixPermissions] as? Int) == 0o600)
                // The written kubeconfig works, and only in its namespace.
                let deploy = await runWarrant(["can", "patch", "deployments", "-n", "guestbook", "--kubeconfig", out])
                #expect(deploy.standardOutput == "yes\n")
                let elsewhere = await runWarrant(["can", "patch", "deployments", "-n", "default", "--kubeconfig", out])
                #expect(elsewhere.standardOutput == "no\n")
                // The token itself never reaches the terminal.
                let text = try String(contentsOfFile: out, encoding: .utf8)
                let token = try #require(text.split(separator: "\n").first { $0.contains("token:") }?.split(separator: ":").last)
                    .trimmingCharacters(in: .whitespaces)
                #expect(!run.standardOutput.contains(token) && !run.standardError.contains(token))
            }
        }
    }

    /// The operator's kubeconfig names the server with `user:password@` (issue 19): the
    /// pipeline's kubeconfig and everything printed carry the server without it (the pipeline
    /// authenticates with its own token).
    @Test func credentialsCreateApplyKeepsTheOperatorsURLUserInformationOut() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(namespaceAdmin("alice", in: "guestbook")))
            server.addUser(token: "alice-token-123", name: "alice")
            try await withTemporaryDirectory { folder in
                let plain = try writeKubeconfig(server: server, token: "alice-token-123", namespace: "guestbook", in: folder)
                let kubeconfig = try writeFile(
                    try String(contentsOfFile: plain, encoding: .utf8).replacingOccurrences(
                        of: "server: https://", with: "server: https://operator:planted-pass@"),
                    named: "planted.kubeconfig", in: folder)
                let out = folder.appendingPathComponent("ci.kubeconfig").path
                let run = await runWarrant([
                    "credentials", "create", "--name", "ci", "-n", "guestbook", "-f", TestData.examples.appendingPathComponent("guestbook").path,
                    "--apply", "--kubeconfig", kubeconfig, "--kubeconfig-out", out,
                ])
                #expect(run.status == 0, "\(run.standardError)")
                #expect(run.standardError.contains("cluster \(server.url), namespace guestbook"), "\(run.standardError)")
                let written = try String(contentsOfFile: out, encoding: .utf8)
                #expect(written.contains("server: \(server.url)"))
                for text in [run.standardOutput, run.standardError, written] {
                    #expect(!text.contains("planted-pass") && !text.contains("operator:"), "\(text)")
                }
                // The pipeline's kubeconfig works without it.
                let can = await runWarrant(["can", "patch", "deployments", "-n", "guestbook", "--kubeconfig", out])
                #expect(can.standardOutput == "yes\n", "\(can.standardError)")
            }
        }
    }

    @Test func credentialsCreateApplyRefusesWhatYouDoNotHoldAndChangesNothing() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(TestData.namespace("guestbook", user: "bob", clusterRole: "edit")))
            server.addUser(token: "bob-token-456", name: "bob")
            try await withTemporaryDirectory { folder in
                let kubeconfig = try writeKubeconfig(server: server, token: "bob-token-456", in: folder)
                let guestbook = TestData.examples.appendingPathComponent("guestbook").path
                let run = await runWarrant([
                    "credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--apply", "--kubeconfig", kubeconfig,
                    "--kubeconfig-out", folder.appendingPathComponent("ci.kubeconfig").path,
                ])
                #expect(run.status == 1)
                #expect(run.standardError.contains("you lack"))
                #expect(run.standardError.contains("nothing was changed"))
                #expect(server.object(group: "", kind: "ServiceAccount", namespace: "guestbook", name: "ci") == nil)
                #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("ci.kubeconfig").path))
            }
        }
    }

    @Test func aWrongCertificateAuthorityNamesTheServerAndTheCA() async throws {
        let server = try await KubeTestServer.start()
        let other = try await KubeTestServer.start()
        defer {
            Task {
                try? await server.shutdown()
                try? await other.shutdown()
            }
        }
        try await withTemporaryDirectory { folder in
            let kubeconfig = try writeKubeconfig(server: server, token: KubeTestServer.adminToken, caPEM: other.caCertificatePEM, in: folder)
            let run = await runWarrant(["can", "get", "pods", "--kubeconfig", kubeconfig])
            #expect(run.status == 3)
            #expect(run.standardError.contains("TLS verification of \(server.url) failed"))
            #expect(run.standardError.contains("certificate authority from"))
            #expect(run.standardOutput.isEmpty)
        }
    }

    /// Tokens, client keys and exec-plugin output never appear in anything a command prints, even
    /// at the most verbose log level.
    @Test func secretsNeverReachOutputOrLogs() async throws {
        try await withKubeTestServer { server in
            try server.seed(try objects(namespaceAdmin("alice", in: "shop")))
            let token = "tok-\(UUID().uuidString)"
            server.addUser(token: token, name: "alice")
            let execToken = "exec-\(UUID().uuidString)"
            server.addUser(token: execToken, name: "alice")
            let certificate = try server.issueClientCertificate(user: "alice", groups: [])
            try await withTemporaryDirectory { folder in
                let script = try writeFile(
                    """
                    #!/bin/sh
                    printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"\(execToken)"}}'
                    """, named: "plugin.sh", in: folder)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
                let configs = [
                    try writeKubeconfig(server: server, token: token, in: folder, named: "token"),
                    try writeKubeconfig(server: server, clientCertificate: certificate, in: folder, named: "cert"),
                    try writeKubeconfig(server: server, exec: (script, []), in: folder, named: "exec"),
                ]
                let keyBody = certificate.privateKeyPEM.split(separator: "\n").dropFirst().first.map(String.init) ?? "unused"
                for kubeconfig in configs {
                    for arguments in [
                        ["can", "get", "pods", "-n", "shop"], ["can", "--list", "-n", "shop"], ["audit", "--cluster", "-n", "shop", "--fail-on", "none"],
                        ["can", "get", "pods", "-n", "shop", "--as", "bob"],
                    ] {
                        let run = await runWarrant(arguments + ["--kubeconfig", kubeconfig, "--log-level", "trace"])
                        let printed = run.standardOutput + run.standardError
                        #expect(printed.contains("TRACE") || printed.contains("DEBUG"), "\(arguments): no logs")
                        for secret in [token, execToken, keyBody] {
                            #expect(!printed.contains(secret), "\(arguments) with \(kubeconfig) printed a secret")
                        }
                    }
                }
            }
        }
    }
}
