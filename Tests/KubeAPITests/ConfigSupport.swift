import Foundation
import KubeAPI
import Synchronization
import Testing
import WarrantTestSupport

/// A PEM-looking payload and its base64 form, for the -data fields.
let fakeCAPEM = "-----BEGIN CERTIFICATE-----\nY2EtZm9yLXRlc3Rz\n-----END CERTIFICATE-----\n"
let fakeCertificatePEM = "-----BEGIN CERTIFICATE-----\nY2xpZW50LWNlcnQ=\n-----END CERTIFICATE-----\n"
let fakeKeyPEM = "-----BEGIN PRIVATE KEY-----\nU0VDUkVULUtFWS1NQVRFUklBTA==\n-----END PRIVATE KEY-----\n"

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

/// A kubeconfig with one cluster, user and context (all named `name`), plus `userBody` lines
/// (indented by 4) under the user and `clusterBody` lines under the cluster.
func kubeconfig(
    name: String = "dev", server: String = "https://127.0.0.1:6443", clusterBody: [String] = [], userBody: [String] = [],
    namespace: String? = nil, currentContext: String? = "dev"
) -> String {
    var lines = ["apiVersion: v1", "kind: Config"]
    if let currentContext { lines.append("current-context: \(currentContext)") }
    lines += ["clusters:", "- name: \(name)", "  cluster:", "    server: \(server)"] + clusterBody.map { "    " + $0 }
    lines += ["users:", "- name: \(name)", "  user:"] + (userBody.isEmpty ? ["    {}"] : userBody.map { "    " + $0 })
    lines += ["contexts:", "- name: \(name)", "  context:", "    cluster: \(name)", "    user: \(name)"]
    if let namespace { lines.append("    namespace: \(namespace)") }
    return lines.joined(separator: "\n") + "\n"
}

/// Loads `text` as the only kubeconfig and resolves its current context.
func connection(
    _ text: String, in folder: URL, name: String = "config", context: String? = nil, namespace: String? = nil
)
    throws -> ClusterConnection
{
    let path = try writeFile(text, named: name, in: folder)
    return try KubeConfigLoader(environment: [:]).load(explicitPath: path).connection(context: context, namespace: namespace)
}

/// The error thrown by `body`, which must throw a ``KubeConfigError``.
func kubeConfigError(_ body: () throws -> Void) -> KubeConfigError? {
    do {
        try body()
        return nil
    } catch let error as KubeConfigError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// The error thrown by `body`, which must throw a ``KubeConfigError``.
func kubeConfigError(_ body: () async throws -> Void) async -> KubeConfigError? {
    do {
        try await body()
        return nil
    } catch let error as KubeConfigError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let date = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { date.withLock { $0 } }
    func advance(by seconds: TimeInterval) { date.withLock { $0 += seconds } }
    var function: @Sendable () -> Date { { self.now } }
}

/// Writes an executable shell script.
@discardableResult
func writeScript(_ body: String, named name: String, in folder: URL) throws -> String {
    let path = try writeFile("#!/bin/sh\n" + body + "\n", named: name, in: folder)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return path
}

/// RFC 3339 text for `date`.
func rfc3339(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
}
