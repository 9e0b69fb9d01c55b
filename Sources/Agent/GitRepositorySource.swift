import Foundation
public import Logging

/// The ``GitSource`` over the real `git` program.
///
/// The working folder (an `emptyDir` in the agent's pod) holds:
/// - `mirror.git`: a bare repository the branch is fetched into (ref `refs/warrant/fetched`);
/// - `checkouts/<commit>`: one folder per checked-out commit, written from the mirror with a
///   private index (no `HEAD`, no `.git`); the three most recent are kept;
/// - `home`: the empty home folder `git` and `ssh` see.
///
/// Every `git` runs with ``GitCommandLine``'s closed environment, a timeout and its own process
/// group (``ProgramRunner``).
public struct GitRepositorySource: GitSource {
    /// How long each kind of Git command may run.
    public struct Timeouts: Sendable, Hashable {
        /// `git ls-remote` (default 60 s).
        public var poll: Duration
        /// `git fetch` (default 10 min, for a first clone).
        public var fetch: Duration
        /// Local commands: checkout, rev-list, cat-file (default 2 min).
        public var local: Duration
        /// `kubectl kustomize` (default 2 min).
        public var render: Duration

        /// Creates timeouts.
        public init(poll: Duration = .seconds(60), fetch: Duration = .seconds(600), local: Duration = .seconds(120), render: Duration = .seconds(120)) {
            self.poll = poll
            self.fetch = fetch
            self.local = local
            self.render = render
        }
    }

    /// The repository address (it holds no credential).
    public let repository: GitRepositoryURL
    /// The branch followed.
    public let branch: String
    /// The agent's working folder.
    public let workingDirectory: String
    /// The timeouts.
    public let timeouts: Timeouts
    let tools: ToolPaths
    let commandLine: GitCommandLine
    let runner: ProgramRunner
    let logger: Logger

    /// Creates a source; nothing is run until the first call.
    ///
    /// - Parameters:
    ///   - repository: the address (never with credentials).
    ///   - branch: the branch to follow (`main`), checked with ``AgentConfiguration/isValidBranchName(_:)``.
    ///   - credentials: files for HTTPS or SSH.
    ///   - certificateAuthorityFile: a PEM bundle to trust for HTTPS instead of the system's.
    ///   - workingDirectory: a folder only the agent uses; created when missing.
    ///   - tools: where `git`, `ssh` and `kubectl` are.
    ///   - logger: receives command lines at trace level and poll results at debug level.
    public init(
        repository: GitRepositoryURL, branch: String, credentials: GitCredentials = .none, certificateAuthorityFile: String? = nil,
        workingDirectory: String, tools: ToolPaths = .current, timeouts: Timeouts = Timeouts(), logger: Logger
    ) {
        self.repository = repository
        self.branch = branch
        self.workingDirectory = URL(fileURLWithPath: workingDirectory).standardizedFileURL.path
        self.tools = tools
        self.timeouts = timeouts
        self.logger = logger
        self.runner = ProgramRunner(logger: logger)
        self.commandLine = GitCommandLine(
            tools: tools, repository: repository, credentials: credentials, certificateAuthorityFile: certificateAuthorityFile,
            home: self.workingDirectory + "/home")
    }

    /// The source a validated configuration describes.
    public init(configuration: AgentConfiguration, tools: ToolPaths = .current, logger: Logger) {
        self.init(
            repository: configuration.repository, branch: configuration.branch, credentials: configuration.credentials,
            certificateAuthorityFile: configuration.certificateAuthorityFile, workingDirectory: configuration.workingDirectory + "/git",
            tools: tools, logger: logger)
    }

    var mirror: String { workingDirectory + "/mirror.git" }
    var checkouts: String { workingDirectory + "/checkouts" }
    var fetchedRef: String { "refs/warrant/fetched" }
    var branchRef: String { "refs/heads/" + branch }

    // MARK: GitSource

    public func remoteTip() async throws(GitError) -> CommitID {
        try await ensureMirror()
        let output = try await git(
            ["ls-remote", "--exit-code", "--end-of-options", repository.address, branchRef], operation: "ls-remote", timeout: timeouts.poll,
            allowedExitCodes: [0, 2])
        for line in output.outputText.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            if fields.count == 2, fields[1] == branchRef, let tip = CommitID(fields[0]) {
                logger.debug("polled", metadata: ["branch": .string(branch), "tip": .string(tip.hex)])
                return tip
            }
        }
        throw GitError(
            .branchNotFound, operation: "ls-remote", repository: repository.address, "the repository has no branch '\(branch)'",
            hint: "check --branch; the agent tries again at the next poll")
    }

    public func fetch() async throws(GitError) -> CommitID {
        try await ensureMirror()
        _ = try await git(
            [
                "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules", "--end-of-options", repository.address,
                "+\(branchRef):\(fetchedRef)",
            ], operation: "fetch", timeout: timeouts.fetch)
        let output = try await git(["rev-parse", "--verify", "--quiet", "\(fetchedRef)^{commit}"], operation: "fetch", timeout: timeouts.local)
        guard let tip = CommitID(output.outputText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw GitError(.commandFailed, operation: "fetch", repository: repository.address, "the fetched branch does not point to a commit")
        }
        logger.debug("fetched", metadata: ["branch": .string(branch), "tip": .string(tip.hex)])
        return tip
    }

    // MARK: CommitHistory

    public func contains(_ commit: CommitID) async throws(GitError) -> Bool {
        try await ensureMirror()
        let output = try await git(["cat-file", "-e", "\(commit.hex)^{commit}"], operation: "cat-file", timeout: timeouts.local, allowedExitCodes: nil)
        return output.succeeded
    }

    public func isAncestor(_ ancestor: CommitID, of descendant: CommitID) async throws(GitError) -> Bool {
        try await ensureMirror()
        let output = try await git(
            ["merge-base", "--is-ancestor", ancestor.hex, descendant.hex], operation: "merge-base", timeout: timeouts.local, allowedExitCodes: [0, 1])
        return output.succeeded
    }

    public func commits(in range: CommitRange, limit: Int) async throws(GitError) -> [CommitObject] {
        try await ensureMirror()
        var ids = [range.tip]
        if let base = range.base {
            let output = try await git(
                ["rev-list", "--topo-order", "--max-count=\(limit + 1)", range.tip.hex, "^" + base.hex, "--"], operation: "rev-list",
                timeout: timeouts.local, outputLimit: 64 << 20)
            ids = output.outputText.split(separator: "\n").compactMap { CommitID($0) }.reversed()
        }
        guard !ids.isEmpty else { return [] }
        let input = Array(ids.map { $0.hex + "\n" }.joined().utf8)
        let output = try await git(["cat-file", "--batch"], operation: "cat-file", timeout: timeouts.local, input: input, outputLimit: 256 << 20)
        return try parseBatch(output.standardOutput, expected: ids)
    }

    /// Reads `git cat-file --batch` output: `<name> <type> <size>\n<bytes>\n` per object.
    private func parseBatch(_ bytes: [UInt8], expected: [CommitID]) throws(GitError) -> [CommitObject] {
        var objects: [CommitObject] = []
        var index = 0
        for id in expected {
            guard let lineEnd = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let header = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: " ")
            guard header.count == 3, header[1] == "commit", let size = Int(header[2]), lineEnd + 1 + size <= bytes.count else {
                throw GitError(
                    .objectMissing, operation: "cat-file", repository: repository.address, "commit \(id.hex) cannot be read: \(header.joined(separator: " "))")
            }
            let start = lineEnd + 1
            objects.append(CommitObject(id: id, raw: Array(bytes[start..<start + size]), sha256: id.hex.count == 64))
            index = start + size + 1
        }
        guard objects.count == expected.count else {
            throw GitError(
                .commandFailed, operation: "cat-file", repository: repository.address, "git cat-file returned \(objects.count) of \(expected.count) commits")
        }
        return objects
    }

    // MARK: Running git

    /// Runs `git --git-dir=mirror.git -c … arguments`.
    ///
    /// - Parameter allowedExitCodes: exit codes that are not errors; `nil` accepts any.
    func git(
        _ arguments: [String], operation: String, timeout: Duration, input: [UInt8]? = nil, outputLimit: Int = 4 << 20,
        allowedExitCodes: Set<Int32>? = [0], extraEnvironment: [String: String] = [:]
    ) async throws(GitError) -> ProgramOutput {
        guard let program = tools.git else {
            throw GitError(
                .programMissing, operation: operation, repository: repository.address, "git is not installed (not found on PATH)",
                hint: "install git in the agent's image")
        }
        let invocation = ProgramInvocation(
            executable: program, arguments: ["--git-dir=" + mirror] + commandLine.configuration + arguments,
            environment: commandLine.environment.merging(extraEnvironment) { $1 }, workingDirectory: workingDirectory, input: input,
            timeout: timeout, outputLimit: outputLimit)
        let output: ProgramOutput
        do {
            output = try await runner.run(invocation)
        } catch {
            throw GitError.from(error, operation: operation, repository: repository)
        }
        if let allowedExitCodes, !(output.exitCode.map(allowedExitCodes.contains) ?? false) {
            throw GitError.classifying(output, operation: operation, repository: repository, credentials: commandLine.credentials)
        }
        return output
    }

    /// Creates the working folder, the home folder and the checkouts folder (mode 0700).
    func prepare(operation: String) throws(GitError) {
        for folder in [workingDirectory, commandLine.home, checkouts] where !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw GitError(
                    .workingFolder, operation: operation, repository: repository.address, "cannot create \(folder): \(error.localizedDescription)",
                    hint: "give the agent a writable working folder (an emptyDir volume)")
            }
        }
    }

    /// Creates the bare mirror when it is missing.
    func ensureMirror() async throws(GitError) {
        try prepare(operation: "init")
        guard !FileManager.default.fileExists(atPath: mirror + "/HEAD") else { return }
        // `git init` must not be given --git-dir of a folder that does not exist yet as the place to read from.
        guard let program = tools.git else {
            throw GitError(
                .programMissing, operation: "init", repository: repository.address, "git is not installed (not found on PATH)",
                hint: "install git in the agent's image")
        }
        let invocation = ProgramInvocation(
            executable: program, arguments: commandLine.configuration + ["init", "--quiet", "--bare", mirror],
            environment: commandLine.environment, workingDirectory: workingDirectory, timeout: timeouts.local)
        let output: ProgramOutput
        do {
            output = try await runner.run(invocation)
        } catch {
            throw GitError.from(error, operation: "init", repository: repository)
        }
        guard output.succeeded else {
            throw GitError(.workingFolder, operation: "init", repository: repository.address, "cannot create the mirror \(mirror): \(output.errorText)")
        }
    }
}
