import Foundation
import KubeModel

/// Loads objects from inline YAML, with `file` as their source.
func objects(_ yaml: String, file: String = "test.yaml") throws -> [KubeObject] {
    try ManifestLoader().load(bytes: Array(yaml.utf8), file: file)
}

/// Loads exactly one object from inline YAML.
func object(_ yaml: String, file: String = "test.yaml") throws -> KubeObject {
    let loaded = try objects(yaml, file: file)
    guard loaded.count == 1, let first = loaded.first else {
        throw FixtureError(message: "expected one object, found \(loaded.count)")
    }
    return first
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A minimal object of a kind.
func make(_ apiVersion: String, _ kind: String, _ name: String, namespace: String? = "team-a", labels: [String: String] = [:]) -> KubeObject {
    var metadata = JSONObject([("name", .string(name))])
    if let namespace { metadata["namespace"] = .string(namespace) }
    if !labels.isEmpty {
        metadata["labels"] = .object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
    }
    return KubeObject(.object(JSONObject([("apiVersion", .string(apiVersion)), ("kind", .string(kind)), ("metadata", .object(metadata))])))
}

/// A fixed instant, 2025-01-02T03:04:05Z.
let fixedDate = Date(timeIntervalSince1970: 1_735_787_045)
