import Foundation

/// Renders a kustomization with `kubectl kustomize`, for `-k DIR`.
public enum Kustomize {
    /// How long `kubectl kustomize` may run by default (remote bases are fetched over the network).
    public static let defaultTimeout: Duration = .seconds(300)

    /// The rendered YAML of the kustomization in `directory`.
    ///
    /// kubectl runs as a ``ChildProcess``: its own process group, a clean signal mask, output
    /// capped at `outputLimit`, and the whole group ended when `timeout` passes. It blocks the
    /// calling thread.
    ///
    /// - Parameter environment: the process environment, to find `kubectl` on `PATH`.
    /// - Throws: ``ManifestError`` with code `render-failed` when kubectl is missing, fails or
    ///   times out, `too-large` when it prints more than `outputLimit` bytes.
    public static func render(
        directory: String, environment: [String: String], timeout: Duration = defaultTimeout,
        outputLimit: Int = ManifestLimits.default.maximumFileSize
    ) throws(ManifestError) -> [UInt8] {
        let location = SourceLocation(file: directory, line: 0)
        guard FileManager.default.fileExists(atPath: directory) else {
            throw ManifestError(.fileNotFound, at: location, "no such folder", hint: "-k takes the folder holding kustomization.yaml")
        }
        guard let kubectl = executable(named: "kubectl", environment: environment) else {
            throw ManifestError(
                .renderFailed, at: location, "-k needs kubectl to render the kustomization, and kubectl is not on PATH",
                hint: "install kubectl, or render it yourself: 'kustomize build \(directory) | warrant … -f -'")
        }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(
                executable: kubectl, arguments: ["kustomize", directory], environment: environment,
                errorOutput: .capture(limit: 64 << 10), outputLimit: outputLimit, timeout: timeout)
        } catch {
            switch error {
            case .launchFailed(let reason):
                throw ManifestError(.renderFailed, at: location, "cannot run \(kubectl): \(reason)")
            case .timedOut:
                throw ManifestError(
                    .renderFailed, at: location, "kubectl kustomize did not finish within \(timeout) and was stopped (with its children)",
                    hint: "a kustomization that fetches remote bases may hang on the network; render it beforehand and pass the result with -f")
            case .outputTooLarge(let limit):
                throw ManifestError(
                    .tooLarge, at: location, "kubectl kustomize printed more than \(limit >> 20) MiB and was stopped",
                    hint: "split the kustomization; Warrant reads at most \(limit >> 20) MiB from one input")
            }
        }
        guard outcome.status == 0 else {
            let message = String(decoding: outcome.standardError, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ManifestError(
                .renderFailed, at: location, "kubectl kustomize failed: \(message)",
                hint: "fix the kustomization; 'kubectl kustomize \(directory)' shows the same error")
        }
        return outcome.standardOutput
    }

    /// The full path of `name` on `PATH`, or `nil`.
    public static func executable(named name: String, environment: [String: String]) -> String? {
        for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
