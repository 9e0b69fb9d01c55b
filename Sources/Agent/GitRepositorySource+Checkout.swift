import Foundation
import Logging

extension GitRepositorySource {
    /// How many checkouts are kept: the new one, the last applied one and one more.
    static let keptCheckouts = 3

    public func checkout(_ commit: CommitID) async throws(GitError) -> Checkout {
        try await ensureMirror()
        let directory = checkouts + "/" + commit.hex
        let marker = directory + ".complete"
        let manager = FileManager.default
        if manager.fileExists(atPath: marker), manager.fileExists(atPath: directory) {
            touch(marker)
            return Checkout(commit: commit, directory: directory)
        }
        // Written into a temporary folder with a private index, then renamed: a checkout folder
        // is complete or absent, whatever happens to the agent meanwhile.
        let temporary = checkouts + "/.partial-" + commit.hex
        let index = temporary + ".index"
        try? manager.removeItem(atPath: temporary)
        try? manager.removeItem(atPath: index)
        try? manager.removeItem(atPath: directory)
        do {
            try manager.createDirectory(atPath: temporary, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw GitError(.workingFolder, operation: "checkout", repository: repository.address, "cannot create \(temporary): \(error.localizedDescription)")
        }
        defer { try? manager.removeItem(atPath: index) }
        do {
            _ = try await git(
                ["--work-tree=" + temporary, "read-tree", "--reset", "-u", "\(commit.hex)^{commit}"], operation: "checkout",
                timeout: timeouts.local, extraEnvironment: ["GIT_INDEX_FILE": index])
        } catch {
            try? manager.removeItem(atPath: temporary)
            if error.code == .repositoryNotFound || error.code == .commandFailed {
                throw GitError(
                    .objectMissing, operation: "checkout", repository: repository.address, "commit \(commit.hex) cannot be checked out: \(error.message)",
                    hint: "fetch the branch first")
            }
            throw error
        }
        do {
            try manager.moveItem(atPath: temporary, toPath: directory)
            _ = manager.createFile(atPath: marker, contents: Data())
        } catch {
            throw GitError(
                .workingFolder, operation: "checkout", repository: repository.address, "cannot move the checkout into place: \(error.localizedDescription)")
        }
        removeOldCheckouts(keeping: commit)
        logger.debug("checked out", metadata: ["commit": .string(commit.hex)])
        return Checkout(commit: commit, directory: directory)
    }

    private func touch(_ path: String) {
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
    }

    /// Deletes all but the most recently used ``keptCheckouts`` checkouts, and leftovers of
    /// interrupted ones.
    private func removeOldCheckouts(keeping current: CommitID) {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: checkouts) else { return }
        var complete: [(commit: String, used: Date)] = []
        for entry in entries {
            if entry.hasPrefix(".partial-"), !entry.contains(current.hex) {
                try? manager.removeItem(atPath: checkouts + "/" + entry)
            } else if entry.hasSuffix(".complete") {
                let used = (try? manager.attributesOfItem(atPath: checkouts + "/" + entry)[.modificationDate] as? Date) ?? .distantPast
                complete.append((String(entry.dropLast(".complete".count)), used))
            }
        }
        let stale = complete.sorted { $0.used > $1.used }.dropFirst(Self.keptCheckouts)
        for entry in stale where entry.commit != current.hex {
            try? manager.removeItem(atPath: checkouts + "/" + entry.commit + ".complete")
            try? manager.removeItem(atPath: checkouts + "/" + entry.commit)
        }
    }
}
