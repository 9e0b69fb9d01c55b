import Foundation

/// Renders a kustomization with `kubectl kustomize`, for `-k DIR`.
public enum Kustomize {
    /// The rendered YAML of the kustomization in `directory`.
    ///
    /// - Parameter environment: the process environment, to find `kubectl` on `PATH`.
    /// - Throws: ``ManifestError`` with code `render-failed` when kubectl is missing or fails.
    public static func render(directory: String, environment: [String: String]) throws(ManifestError) -> [UInt8] {
        let location = SourceLocation(file: directory, line: 0)
        guard FileManager.default.fileExists(atPath: directory) else {
            throw ManifestError(.fileNotFound, at: location, "no such folder", hint: "-k takes the folder holding kustomization.yaml")
        }
        guard let kubectl = executable(named: "kubectl", environment: environment) else {
            throw ManifestError(
                .renderFailed, at: location, "-k needs kubectl to render the kustomization, and kubectl is not on PATH",
                hint: "install kubectl, or render it yourself: 'kustomize build \(directory) | warrant … -f -'")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = ["kustomize", directory]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ManifestError(.renderFailed, at: location, "cannot run \(kubectl): \(error.localizedDescription)")
        }
        // Read both pipes before waiting, so that a large rendering cannot fill a pipe and block.
        let errorData = ReadInBackground(errors.fileHandleForReading)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errorData.wait(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ManifestError(
                .renderFailed, at: location, "kubectl kustomize failed: \(message)",
                hint: "fix the kustomization; 'kubectl kustomize \(directory)' shows the same error")
        }
        return [UInt8](data)
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

/// Drains a file handle on another thread.
private final class ReadInBackground: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
