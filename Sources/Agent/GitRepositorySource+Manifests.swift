import Foundation
public import KubeModel
import Logging

extension GitRepositorySource {
    public func manifests(in checkout: Checkout, path: String) async throws(ManifestErrors) -> RenderedManifests {
        let root = URL(fileURLWithPath: checkout.directory).standardizedFileURL.path
        let cleanPath = AgentConfiguration.normalizedRepositoryPath(path) ?? path
        let folder = cleanPath == "." ? root : URL(fileURLWithPath: root + "/" + cleanPath).standardizedFileURL.path
        let shown = "\(cleanPath) (commit \(checkout.commit.short))"
        guard folder == root || folder.hasPrefix(root + "/") else {
            throw ManifestErrors([
                ManifestError(
                    .fileNotFound, at: SourceLocation(file: path, line: 0), "the path leaves the repository",
                    hint: "give --path relative to the repository's root")
            ])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ManifestErrors([
                ManifestError(
                    .fileNotFound, at: SourceLocation(file: shown, line: 0), "the folder is not in the commit",
                    hint: "check --path against the repository; the agent tries again when the branch moves")
            ])
        }
        let guardian = KustomizationGuard(root: root)
        var objects: [KubeObject]
        let kustomized = KustomizationGuard.kustomizationFile(in: folder) != nil
        if kustomized {
            try guardian.check(directory: folder)
            let rendered = try await kustomize(folder, shown: shown)
            objects = try ManifestLoader().load([.bytes(rendered, name: "\(cleanPath) (kustomize, commit \(checkout.commit.short))")])
        } else {
            objects = try ManifestLoader().load([.path(folder)])
            // Name files relative to the repository, as a person reading the record knows them.
            for index in objects.indices {
                if let file = objects[index].source?.file, file.hasPrefix(root + "/") {
                    objects[index].source?.file = String(file.dropFirst(root.count + 1))
                }
            }
        }
        let kinds = try KindTable.builtin.adding(customResourceDefinitionsIn: objects)
        logger.debug(
            "rendered", metadata: ["commit": .string(checkout.commit.hex), "path": .string(cleanPath), "objects": .stringConvertible(objects.count)])
        return RenderedManifests(commit: checkout.commit, path: cleanPath, kustomized: kustomized, objects: objects, kinds: kinds)
    }

    /// `kubectl kustomize folder`, the renderer `-k` uses, with a timeout and bounded output.
    private func kustomize(_ folder: String, shown: String) async throws(ManifestErrors) -> [UInt8] {
        let location = SourceLocation(file: shown, line: 0)
        guard let kubectl = tools.kubectl else {
            throw ManifestErrors([
                ManifestError(
                    .renderFailed, at: location, "the folder is a kustomization, and kubectl is not on PATH to render it",
                    hint: "install kubectl in the agent's image, or commit rendered manifests")
            ])
        }
        let invocation = ProgramInvocation(
            executable: kubectl, arguments: ["kustomize", folder],
            environment: ["PATH": tools.searchPath, "HOME": commandLine.home, "LC_ALL": "C", "KUBECONFIG": "/dev/null"],
            workingDirectory: folder, timeout: timeouts.render, outputLimit: 256 << 20)
        let output: ProgramOutput
        do {
            output = try await runner.run(invocation)
        } catch {
            throw ManifestErrors([ManifestError(.renderFailed, at: location, "kubectl kustomize: \(error)")])
        }
        guard output.succeeded else {
            throw ManifestErrors([
                ManifestError(
                    .renderFailed, at: location, "kubectl kustomize failed: \(output.errorText)",
                    hint: "fix the kustomization; 'kubectl kustomize' on the folder shows the same error")
            ])
        }
        return output.standardOutput
    }
}
