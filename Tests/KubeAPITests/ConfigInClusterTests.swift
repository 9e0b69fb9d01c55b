import Foundation
import KubeAPI
import Testing
import WarrantTestSupport

@Suite("in-cluster configuration")
struct ConfigInClusterTests {
    private let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    @Test("reads the service variables and the mounted service account")
    func mounted() async throws {
        try await withTemporaryDirectory { folder in
            try writeFile("sa-token\n", named: "token", in: folder)
            try writeFile(fakeCAPEM, named: "ca.crt", in: folder)
            try writeFile("team-a\n", named: "namespace", in: folder)
            #expect(InClusterConfig.isAvailable(environment: environment, serviceAccountFolder: folder.path))
            let connection = try InClusterConfig.connection(environment: environment, serviceAccountFolder: folder.path)
            #expect(connection.server == "https://10.96.0.1:443")
            #expect(connection.certificateAuthorityPEM == Array(fakeCAPEM.utf8))
            #expect(connection.namespace == "team-a")
            #expect(connection.origin == "in-cluster")
            #expect(connection.contextName == nil)
            #expect(connection.warnings.isEmpty)
            guard case .tokenFile(let path) = connection.credentials else {
                Issue.record("expected a token file")
                return
            }
            #expect(path == folder.path + "/token")
            #expect(try await CredentialSource(connection: connection).current() == .bearer("sa-token"))

            var withPodNamespace = environment
            withPodNamespace["POD_NAMESPACE"] = "from-env"
            #expect(try InClusterConfig.connection(environment: withPodNamespace, serviceAccountFolder: folder.path).namespace == "from-env")
        }
    }

    @Test("an IPv6 host is bracketed; without ca.crt or namespace file: system roots with a warning, namespace default")
    func ipv6AndDefaults() async throws {
        try await withTemporaryDirectory { folder in
            try writeFile("sa-token", named: "token", in: folder)
            let connection = try InClusterConfig.connection(
                environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"], serviceAccountFolder: folder.path + "/")
            #expect(connection.server == "https://[fd00::1]:6443")
            #expect(connection.namespace == "default")
            #expect(connection.certificateAuthorityPEM == nil)
            #expect(connection.warnings.count == 1)
        }
    }

    @Test("outside a pod, or without a token, it is unavailable and says why")
    func unavailable() async throws {
        try await withTemporaryDirectory { folder in
            #expect(!InClusterConfig.isAvailable(environment: [:], serviceAccountFolder: folder.path))
            #expect(!InClusterConfig.isAvailable(environment: environment, serviceAccountFolder: folder.path))
            let outside = kubeConfigError { _ = try InClusterConfig.connection(environment: [:], serviceAccountFolder: folder.path) }
            #expect(outside?.code == .notInCluster)
            #expect(outside?.message.contains("KUBERNETES_SERVICE_HOST") == true)
            let noToken = kubeConfigError { _ = try InClusterConfig.connection(environment: environment, serviceAccountFolder: folder.path) }
            #expect(noToken?.code == .fileNotFound)
            try writeFile("", named: "token", in: folder)
            let emptyToken = kubeConfigError { _ = try InClusterConfig.connection(environment: environment, serviceAccountFolder: folder.path) }
            #expect(emptyToken?.code == .emptyToken)
        }
    }

    @Test("the token is re-read after rotation")
    func rotation() async throws {
        try await withTemporaryDirectory { folder in
            try writeFile("old-token", named: "token", in: folder)
            let connection = try InClusterConfig.connection(environment: environment, serviceAccountFolder: folder.path)
            let source = CredentialSource(connection.credentials)
            #expect(try await source.current() == .bearer("old-token"))
            try writeFile("rotated-token-value", named: "token", in: folder)
            #expect(try await source.current() == .bearer("rotated-token-value"))
        }
    }
}
