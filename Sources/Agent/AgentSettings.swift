import Foundation
public import KubeModel
import Yams

/// The raw settings of `warrant agent run`, each with where it came from, before validation.
///
/// Built from a `--config` YAML file (a flat mapping whose keys are the flag names without
/// dashes) and from command-line flags, which override the file. ``AgentConfiguration``
/// validates them and names the origin of every bad value.
public struct AgentSettings: Sendable {
    /// Where a value came from.
    public enum Origin: Sendable, Hashable, CustomStringConvertible {
        /// A command-line flag (`--repo`).
        case flag(String)
        /// A line of a configuration file.
        case file(SourceLocation)

        /// `--repo` or `agent.yaml:3`.
        public var description: String {
            switch self {
            case .flag(let flag): flag
            case .file(let location): location.description
            }
        }
    }

    /// One value, as text, with its origin.
    public struct Value: Sendable, Hashable {
        /// The value as written (`30s`, `true`, `20%`).
        public var text: String
        /// Where it was written.
        public var origin: Origin

        /// Creates a value.
        public init(text: String, origin: Origin) {
            self.text = text
            self.origin = origin
        }
    }

    /// The values given.
    public private(set) var values: [AgentSetting: Value] = [:]

    /// No settings.
    public init() {}

    /// The value of `setting`, if given.
    public subscript(setting: AgentSetting) -> Value? { values[setting] }

    /// Sets a value from a command-line flag.
    public mutating func set(_ setting: AgentSetting, _ text: String, flag: String? = nil) {
        values[setting] = Value(text: text, origin: .flag(flag ?? setting.flag))
    }

    /// These settings with every value of `other` taking precedence.
    public func overridden(by other: AgentSettings) -> AgentSettings {
        var merged = self
        merged.values.merge(other.values) { $1 }
        return merged
    }

    /// The largest configuration file read.
    static let maximumFileSize = 1 << 20

    /// Reads a configuration file.
    ///
    /// - Throws: ``AgentConfigurationErrors`` naming the file and line of every problem.
    public static func load(file path: String) throws(AgentConfigurationErrors) -> AgentSettings {
        let bytes: [UInt8]
        do {
            bytes = try ManifestLoader.readFile(path)
        } catch {
            throw AgentConfigurationErrors([AgentConfigurationError(nil, at: .file(error.location), error.message, hint: error.hint)])
        }
        return try parse(yaml: bytes, file: path)
    }

    /// Parses a configuration: a YAML mapping of setting names to single values.
    ///
    /// - Parameter file: names the configuration in errors.
    public static func parse(yaml bytes: [UInt8], file: String) throws(AgentConfigurationErrors) -> AgentSettings {
        func failure(_ line: Int, _ message: String, hint: String? = nil) -> AgentConfigurationErrors {
            AgentConfigurationErrors([AgentConfigurationError(nil, at: .file(SourceLocation(file: file, line: line)), message, hint: hint)])
        }
        guard bytes.count <= maximumFileSize else { throw failure(0, "the configuration is larger than 1 MiB") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw failure(0, "the configuration is not UTF-8 text") }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw failure(Self.line(of: error), "not valid YAML: \(Self.problem(of: error))")
        } catch {
            throw failure(0, "not valid YAML: \(error)")
        }
        guard let root else { throw failure(0, "the configuration is empty", hint: "write one setting per line: repo: https://…") }
        guard case .mapping(let mapping) = root else {
            throw failure(root.mark?.line ?? 1, "the configuration must be a mapping of setting names to values (repo: https://…)")
        }
        var settings = AgentSettings()
        var errors: [AgentConfigurationError] = []
        let names = AgentSetting.allCases.map(\.rawValue)
        for (keyNode, valueNode) in mapping {
            let line = keyNode.mark?.line ?? 0
            let location = SourceLocation(file: file, line: line)
            guard case .scalar(let key) = keyNode else {
                errors.append(AgentConfigurationError(nil, at: .file(location), "a setting name must be a plain word"))
                continue
            }
            let name = key.string.hasPrefix("--") ? String(key.string.dropFirst(2)) : key.string
            guard let setting = AgentSetting(rawValue: name == "n" ? "namespace" : name) else {
                let close = names.min { Self.distance($0, name) < Self.distance($1, name) }
                let hint = close.map { Self.distance($0, name) <= 3 ? "did you mean '\($0)'?" : nil } ?? nil
                errors.append(
                    AgentConfigurationError(
                        nil, at: .file(location), "unknown setting '\(key.string)'",
                        hint: hint ?? "the settings are: \(names.joined(separator: ", "))"))
                continue
            }
            if settings.values[setting] != nil {
                errors.append(AgentConfigurationError(setting, at: .file(location), "is set twice"))
                continue
            }
            guard case .scalar(let value) = valueNode else {
                errors.append(AgentConfigurationError(setting, at: .file(location), "must be a single value, not a list or mapping"))
                continue
            }
            if value.style == .plain, ["", "~", "null", "Null", "NULL"].contains(value.string) {
                errors.append(AgentConfigurationError(setting, at: .file(location), "has no value"))
                continue
            }
            settings.values[setting] = Value(text: value.string, origin: .file(location))
        }
        if !errors.isEmpty { throw AgentConfigurationErrors(errors) }
        return settings
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 0
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            guard let context else { return problem }
            return "\(problem) (\(context.text) at line \(context.mark.line))"
        case .duplicatedKeysInMapping(let duplicates, _): return "duplicate keys \(duplicates.joined(separator: ", "))"
        default: return "\(error)"
        }
    }

    /// The edit distance between two short names, for "did you mean".
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
