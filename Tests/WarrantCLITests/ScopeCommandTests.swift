import Foundation
import KubeModel
import RBAC
import Testing
import WarrantCLITestSupport
import WarrantTestSupport

@Suite struct ScopeCommandTests {
    let guestbook = TestData.examples.appendingPathComponent("guestbook").path

    @Test func printsOnlyARoleForTheExample() async throws {
        let run = await runWarrant(["scope", "-f", guestbook])
        #expect(run.status == 0)
        #expect(run.standardError.isEmpty)
        let objects = try ManifestLoader().load(bytes: Array(run.standardOutput.utf8), file: "role.yaml")
        #expect(objects.count == 1)
        let role = try RBACRole(try #require(objects.first))
        #expect(role.kind == .role)
        #expect(role.namespace == "guestbook")
        #expect(role.rules.contains { $0.resources == ["deployments"] && $0.verbs == ["create", "get", "list", "patch"] })
        let json = await runWarrant(["scope", "-f", guestbook, "-o", "json", "--name", "ci"])
        #expect(json.standardOutput.hasPrefix("{"))
        #expect(json.standardOutput.contains("\"name\": \"ci\""))
    }

    @Test func explainGoesToStandardError() async {
        let run = await runWarrant(["scope", "-f", guestbook, "--explain", "--prune", "--wait"])
        #expect(run.status == 0)
        #expect(run.standardError.contains("rule 1:"))
        #expect(run.standardError.contains("Deployment guestbook/frontend"))
        #expect(run.standardError.contains("deployment.yaml:2"))
        #expect(!run.standardOutput.contains("rule 1:"))
    }

    @Test("--explain names five objects per kind and counts the rest; the Role is the same for one object of a kind as for many")
    func explainCountsObjectsBeyondFive() async throws {
        func configMaps(_ count: Int) -> String {
            (0..<count).map { "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-\($0)}\n" }.joined(separator: "---\n")
        }
        let many = await runWarrant(["scope", "-f", "-", "-n", "shop", "--explain"], standardInput: configMaps(12))
        #expect(many.status == 0, "\(many.standardError)")
        let patchLine = try #require(
            many.standardError.components(separatedBy: "\n").drop { !$0.contains("- patch configmaps") }.dropFirst().first)
        #expect(patchLine.components(separatedBy: "ConfigMap shop/cm-").count - 1 == 5, "\(patchLine)")
        #expect(patchLine.hasSuffix(" and 7 more"), "\(patchLine)")
        let one = await runWarrant(["scope", "-f", "-", "-n", "shop"], standardInput: configMaps(1))
        let manyRole = await runWarrant(["scope", "-f", "-", "-n", "shop"], standardInput: configMaps(12))
        #expect(one.status == 0 && manyRole.status == 0)
        #expect(manyRole.standardOutput == one.standardOutput)
    }

    @Test func clusterScopedObjectsExitOneWithTheListAndStillPrintTheRole() async {
        let input = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
        let run = await runWarrant(["scope", "-f", "-", "-n", "shop"], standardInput: input)
        #expect(run.status == 1)
        #expect(run.standardError.contains("needs a cluster administrator"))
        #expect(run.standardError.contains("Namespace shop (<stdin>:1)"))
        #expect(run.standardOutput.contains("kind: Role"))
    }

    @Test func otherNamespaceUnknownKindAndMissingNamespaceExitTwo() async {
        let other = await runWarrant(
            ["scope", "-f", "-", "-n", "shop"], standardInput: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: prod}\n")
        #expect(other.status == 2)
        #expect(other.standardOutput.isEmpty)
        #expect(other.standardError.contains("<stdin>:1: ConfigMap prod/a is in namespace prod, not shop"))
        let unknown = await runWarrant(["scope", "-f", "-", "-n", "shop"], standardInput: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: a}\n")
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("unknown kind Widget.example.com"))
        let none = await runWarrant(["scope", "-f", "-"], standardInput: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
        #expect(none.status == 2)
        #expect(none.standardError.contains("-n NAMESPACE"))
    }

    @Test func compareFindsOverPrivilegedAndMissingRules() async throws {
        try await withTemporaryDirectory { folder in
            let derived = await runWarrant(["scope", "-f", guestbook])
            let exact = try writeFile(derived.standardOutput, named: "exact.yaml", in: folder)
            let same = await runWarrant(["scope", "-f", guestbook, "--compare", exact])
            #expect(same.status == 0)
            #expect(same.standardOutput.contains("exactly what is needed"))
            let broad = try writeFile(
                """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: ci, namespace: guestbook}
                rules:
                - {apiGroups: ['', apps, networking.k8s.io], resources: [configmaps, services, serviceaccounts, deployments, ingresses, networkpolicies, events, secrets], verbs: [create, get, patch, list, delete]}
                - {apiGroups: [''], resources: [configmaps], resourceNames: [warrant-history], verbs: [update]}
                - {apiGroups: [coordination.k8s.io], resources: [leases], resourceNames: [warrant-applyset], verbs: [get, create, patch, update]}
                """, named: "broad.yaml", in: folder)
            let over = await runWarrant(["scope", "-f", guestbook, "--compare", broad])
            #expect(over.status == 1)
            #expect(over.standardOutput.contains("Over-privileged"))
            #expect(over.standardOutput.contains("secrets"))
            #expect(!over.standardOutput.contains("Missing"))
            let narrow = try writeFile(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ci, namespace: guestbook}\nrules: [{apiGroups: [apps], resources: [deployments], verbs: [create, get, patch]}]\n",
                named: "narrow.yaml", in: folder)
            let missing = await runWarrant(["scope", "-f", guestbook, "--compare", narrow])
            #expect(missing.status == 1)
            #expect(missing.standardOutput.contains("Missing (needed, not granted)"))
            #expect(missing.standardOutput.contains("ingresses"))
        }
    }

    @Test func credentialsBundleHasEveryObject() async throws {
        try await withTemporaryDirectory { folder in
            let run = await runWarrant(["credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "-o", folder.path])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardError.contains("kubectl apply -f"))
            let objects = try ManifestLoader().load([.path(folder.appendingPathComponent("ci.yaml").path)])
            #expect(objects.map(\.kind) == ["ServiceAccount", "Role", "RoleBinding", "Secret"])
            #expect(objects.allSatisfy { $0.namespace == "guestbook" })
            let secret = objects[3]
            #expect(secret.content["type"] == "kubernetes.io/service-account-token")
            #expect(secret.annotations["kubernetes.io/service-account.name"] == "ci")
            #expect(objects[0].content["automountServiceAccountToken"] == false)
            let binding = try RBACBinding(objects[2])
            #expect(binding.roleRef == .role("ci"))
            #expect(binding.subjects == [.serviceAccount("ci", namespace: "guestbook")])
            let scoped = await runWarrant(["scope", "-f", guestbook, "--name", "ci", "--prune", "--wait"])
            #expect(try RBACRole(objects[1]).rules == RBACRole(try ManifestLoader().load(bytes: Array(scoped.standardOutput.utf8), file: "s.yaml")[0]).rules)
        }
        let request = await runWarrant(["credentials", "create", "--name", "ci", "-n", "guestbook", "-f", guestbook, "--token", "request"])
        #expect(request.status == 0)
        #expect(!request.standardOutput.contains("kubernetes.io/service-account-token"))
        #expect(request.standardError.contains("kubectl create token ci -n guestbook --duration 1h"))
        let badName = await runWarrant(["credentials", "create", "--name", "CI_Bot", "-n", "guestbook", "-f", guestbook])
        #expect(badName.status == 2)
    }

    static let certificate = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTEST\n-----END CERTIFICATE-----\n"
    static let token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLWZvci10ZXN0.c2lnbmF0dXJl"

    @Test func kubeconfigIsWrittenPrivatelyAndTheTokenNeverPrinted() async throws {
        try await withTemporaryDirectory { folder in
            let ca = try writeFile(Self.certificate, named: "ca.crt", in: folder)
            let token = try writeFile(Self.token + "\n", named: "token", in: folder)
            let out = folder.appendingPathComponent("ci.kubeconfig").path
            let run = await runWarrant([
                "credentials", "kubeconfig", "--server", "https://k8s.example.com:6443", "--certificate-authority", ca, "--token-file", token,
                "-n", "shop", "-o", out, "--ci", "gitlab",
            ])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(!run.standardOutput.contains(Self.token) && !run.standardError.contains(Self.token))
            #expect(run.standardOutput.contains("Protect variable"))
            #expect(run.standardOutput.contains("environment:"))
            let attributes = try FileManager.default.attributesOfItem(atPath: out)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let config = try #require(try ManifestLoader().documents(bytes: ManifestLoader.readFile(out), file: out).first?.value)
            #expect(config[path: ["users"]]?.arrayValue?.first?[path: ["user", "token"]] == .string(Self.token))
            #expect(config[path: ["contexts"]]?.arrayValue?.first?[path: ["context", "namespace"]] == "shop")
            #expect(config["current-context"] == "warrant-ci")
            let data = try #require(config[path: ["clusters"]]?.arrayValue?.first?[path: ["cluster", "certificate-authority-data"]]?.stringValue)
            #expect(Data(base64Encoded: data).map { String(decoding: $0, as: UTF8.self) } == Self.certificate)
            let github = await runWarrant([
                "credentials", "kubeconfig", "--server", "https://k8s.example.com", "--certificate-authority", ca, "--token-file", token, "-n", "shop",
                "-o", out, "--ci", "github",
            ])
            #expect(github.standardOutput.contains("required reviewers"))
            #expect(github.standardOutput.contains("secrets.WARRANT_KUBECONFIG"))
            let terminal = await runWarrant(
                ["credentials", "kubeconfig", "--server", "https://k8s.example.com", "--certificate-authority", ca, "--token-file", token, "-n", "shop"],
                terminal: true)
            #expect(terminal.status == 2)
            #expect(!terminal.standardOutput.contains(Self.token) && !terminal.standardError.contains(Self.token))
            let piped = await runWarrant(
                ["credentials", "kubeconfig", "--server", "https://k8s.example.com", "--certificate-authority", ca, "--token-file", token, "-n", "shop"])
            #expect(piped.status == 0)
            #expect(piped.standardOutput.contains("kind: Config"))
        }
    }

    @Test(arguments: [
        (["--server", "http://k8s.example.com"], "https://"),
        (["--certificate-authority", "token"], "not a PEM certificate"),
        (["--token-file", "missing"], "no such file"),
    ])
    func kubeconfigRejectsBadInput(override: [String], fragment: String) async throws {
        try await withTemporaryDirectory { folder in
            try writeFile(Self.certificate, named: "ca.crt", in: folder)
            try writeFile(Self.token, named: "token", in: folder)
            var options = ["--server": "https://k8s.example.com", "--certificate-authority": "ca.crt", "--token-file": "token"]
            options[override[0]] = override[1]
            var arguments = ["credentials", "kubeconfig", "-n", "shop", "-o", folder.appendingPathComponent("out").path]
            for (key, value) in options {
                arguments += [key, key == "--server" ? value : folder.appendingPathComponent(value).path]
            }
            let run = await runWarrant(arguments)
            #expect(run.status == 2)
            #expect(run.standardError.contains(fragment), "\(run.standardError)")
            #expect(!run.standardError.contains(Self.token))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
        }
    }
}
