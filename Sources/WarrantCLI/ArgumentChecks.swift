import ArgumentParser
import Delivery
import KubeModel

/// Checks of flag values that every command makes before it reads input or sends a request:
/// names and namespaces by Kubernetes' rules (they go into URLs), and flags that only make
/// sense with another one. Each failure names the flag and exits 2, as kubectl treats
/// conflicting flags.
enum ArgumentChecks {
    /// `value` must be a namespace name (a DNS label).
    static func namespace(_ value: String?, flag: String = "-n") throws {
        guard let value, let problem = ObjectNames.namespaceProblem(value) else { return }
        throw ValidationError("\(flag) '\(value)' is not a valid namespace name: it \(problem).")
    }

    /// `value` must be a valid name for `kind` (of group `group`).
    static func name(_ value: String?, flag: String, kind: String, group: String = "") throws {
        guard let value else { return }
        guard let problem = ObjectNames.problem(with: value, rule: ObjectNames.rule(for: GroupKind(group: group, kind: kind))) else { return }
        throw ValidationError("\(flag) '\(value)' is not a valid \(kind) name: it \(problem).")
    }

    /// `flag` was given without `other`, which it needs.
    static func needs(_ given: Bool, _ flag: String, _ other: String) throws {
        guard given else { return }
        throw ValidationError("\(flag) only applies with \(other).")
    }
}

extension MaxPrune {
    /// A transform for `@Option(transform:)`: `N` or `P%` (0-100), a negative value named as such.
    static let option: @Sendable (String) throws -> MaxPrune = { text in
        do {
            return try MaxPrune(parsing: text)
        } catch let error as MaxPruneError {
            throw ValidationError("'\(error.text)' \(error.problem) (write a count such as 5, or a percentage from 0% to 100% such as 20%)")
        }
    }
}
