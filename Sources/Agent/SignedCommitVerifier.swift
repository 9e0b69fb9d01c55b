public import Foundation
public import Logging

/// The ``CommitVerifier`` that checks signatures with the real `ssh-keygen` and `gpg`.
///
/// For each commit of the range, in order:
/// 1. the committer time must not lie in the future (beyond ``SignaturePolicy/maximumClockSkew``);
/// 2. it must carry exactly one signature;
/// 3. an SSH signature is checked as Git 2.39 checks it (`gpg-interface.c`): `ssh-keygen -Y
///    find-principals` finds the principal of the key in the allowed-signers file, then
///    `ssh-keygen -Y verify -n git -I principal` checks the signature over the payload, both
///    with `-Overify-time=` set to the committer time, so that `valid-after` and `valid-before`
///    apply to when the commit was made (Git passes its local time without a zone; the agent
///    passes UTC with `Z`, the same instant);
/// 4. an OpenPGP signature is checked with `gpg --verify` in a private `GNUPGHOME` holding only the
///    keyring's keys (no key servers); good means `GOODSIG` and `VALIDSIG`, and no `BADSIG`,
///    `ERRSIG`, `EXPSIG`, `EXPKEYSIG` or `REVKEYSIG`.
///
/// Before that, a range with a base must end in a tip that descends from it, and hold at most
/// ``SignaturePolicy/maximumRangeSize`` commits.
public struct SignedCommitVerifier: CommitVerifier {
    /// The policy.
    public let policy: SignaturePolicy
    /// A folder for signature files and the temporary `GNUPGHOME` (created when missing, mode 0700).
    public let workingDirectory: String
    let tools: ToolPaths
    let runner: ProgramRunner
    let logger: Logger
    let now: @Sendable () -> Date
    /// How long one `ssh-keygen` or `gpg` may run.
    let timeout: Duration = .seconds(30)

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - policy: the allowed signers, the keyring and the limits.
    ///   - workingDirectory: a folder only the agent uses.
    ///   - tools: where `ssh-keygen` and `gpg` are.
    ///   - logger: receives command lines at trace level and each commit's result at debug level.
    ///   - now: the clock for the future-time check.
    public init(
        policy: SignaturePolicy, workingDirectory: String, tools: ToolPaths = .current, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.policy = policy
        self.workingDirectory = URL(fileURLWithPath: workingDirectory).standardizedFileURL.path
        self.tools = tools
        self.runner = ProgramRunner(logger: logger)
        self.logger = logger
        self.now = now
    }

    /// The verifier a validated configuration describes.
    public init(configuration: AgentConfiguration, tools: ToolPaths = .current, logger: Logger) {
        self.init(policy: configuration.signaturePolicy, workingDirectory: configuration.workingDirectory + "/verify", tools: tools, logger: logger)
    }

    public func verify(_ range: CommitRange, in history: any CommitHistory) async throws(VerificationError) -> VerificationVerdict {
        if range.base == range.tip { return VerificationVerdict(range: range, verified: [], refusals: []) }
        if let base = range.base {
            var descends = false
            do throws(GitError) {
                if try await history.contains(base) {
                    descends = try await history.isAncestor(base, of: range.tip)
                }
            } catch {
                throw VerificationError(error)
            }
            if !descends {
                let tip = try await tipObject(range, history: history)
                let refusal = Refusal(
                    commit: range.tip, author: tip?.author, committer: tip?.committer, subject: tip?.subject ?? "", reason: .notDescendant,
                    detail: "the branch no longer contains the last applied commit \(base.short): it was rewritten (force-pushed) or rolled back")
                logger.debug("refused", metadata: ["range": .string(range.description), "reason": .string(refusal.reason.rawValue)])
                return VerificationVerdict(range: range, verified: [], refusals: [refusal])
            }
        }
        let commits: [CommitObject]
        do {
            commits = try await history.commits(in: range, limit: policy.maximumRangeSize)
        } catch {
            throw VerificationError(error)
        }
        if commits.count > policy.maximumRangeSize {
            let tip = commits.last { $0.id == range.tip }
            let refusal = Refusal(
                commit: range.tip, author: tip?.author, committer: tip?.committer, subject: tip?.subject ?? "", reason: .rangeTooLarge,
                detail: "more than \(policy.maximumRangeSize) new commits")
            return VerificationVerdict(range: range, verified: [], refusals: [refusal])
        }
        try prepareScratch()
        var verified: [VerifiedCommit] = []
        var refusals: [Refusal] = []
        var openPGP: OpenPGPHome?
        defer { openPGP?.remove() }
        for commit in commits {
            switch try await check(commit, openPGP: &openPGP) {
            case .success(let signer):
                guard let author = commit.author, let committer = commit.committer else { continue }  // check refuses these
                verified.append(
                    VerifiedCommit(id: commit.id, author: author, committer: committer, subject: commit.subject, signer: signer, parents: commit.parents))
                logger.debug("verified", metadata: ["commit": .string(commit.id.hex), "signer": .string(signer.description)])
            case .failure(let refusal):
                refusals.append(refusal)
                logger.debug("refused", metadata: ["commit": .string(commit.id.hex), "reason": .string(refusal.reason.rawValue)])
            }
        }
        return VerificationVerdict(range: range, verified: verified, refusals: refusals)
    }

    /// The tip's commit object, to name its author in a range refusal; `nil` when it cannot be read.
    private func tipObject(_ range: CommitRange, history: any CommitHistory) async throws(VerificationError) -> CommitObject? {
        do {
            return try await history.commits(in: CommitRange(base: nil, tip: range.tip), limit: 1).first
        } catch {
            throw VerificationError(error)
        }
    }

    private enum Outcome {
        case success(Signer)
        case failure(Refusal)
    }

    /// Checks one commit.
    private func check(_ commit: CommitObject, openPGP: inout OpenPGPHome?) async throws(VerificationError) -> Outcome {
        guard commit.author != nil, let committer = commit.committer else {
            return .failure(Refusal(commit, .malformedCommit, "the commit has no readable author or committer line"))
        }
        let latest = now().addingTimeInterval(TimeInterval(policy.maximumClockSkew.components.seconds))
        if committer.date > latest {
            return .failure(Refusal(commit, .commitTimeInFuture, "committed at \(Self.iso8601(committer.date)), after the agent's clock allows"))
        }
        guard let signature = commit.signature else { return .failure(Refusal(commit, .unsigned, "")) }
        guard commit.signatureHeaderCount == 1 else {
            return .failure(Refusal(commit, .multipleSignatures, "\(commit.signatureHeaderCount) signature headers"))
        }
        if signature.hasPrefix("-----BEGIN SSH SIGNATURE-----") {
            return try await checkSSH(commit, signature: signature, time: committer.date)
        }
        if signature.hasPrefix("-----BEGIN PGP SIGNATURE-----") {
            guard let keyring = policy.gpgKeyringFile else {
                return .failure(Refusal(commit, .unsupportedSignature, "an OpenPGP signature, and no --gpg-keyring is configured"))
            }
            if openPGP == nil { openPGP = try await OpenPGPHome.create(in: workingDirectory, keyring: keyring, verifier: self) }
            return try await checkOpenPGP(commit, signature: signature, home: openPGP!)
        }
        let kind = signature.hasPrefix("-----BEGIN SIGNED MESSAGE-----") ? "an X.509 (gpgsm) signature" : "a signature of unknown format"
        return .failure(Refusal(commit, .unsupportedSignature, kind))
    }

    // MARK: SSH

    private func checkSSH(_ commit: CommitObject, signature: String, time: Date) async throws(VerificationError) -> Outcome {
        guard let sshKeygen = tools.sshKeygen else {
            throw VerificationError(.program, "ssh-keygen is not installed (not found on PATH)", hint: "install openssh-client in the agent's image")
        }
        let file = try writeScratch(signature, name: commit.id.hex + ".sig")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let verifyTime = "-Overify-time=" + Self.sshTimestamp(time)
        let find = try await run(sshKeygen, ["-Y", "find-principals", "-f", policy.allowedSignersFile, "-s", file, verifyTime])
        let principals = find.outputText.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard find.succeeded, !principals.isEmpty else {
            return .failure(Refusal(commit, Self.sshReason(find, default: .unknownSigner), Self.sshDetail(find, fallback: "no allowed signer has this key")))
        }
        // As Git does: each principal the key is listed under, until one verifies.
        var failure: ProgramOutput?
        for principal in principals {
            let check = try await run(
                sshKeygen, ["-Y", "verify", "-f", policy.allowedSignersFile, "-I", principal, "-n", SignaturePolicy.sshNamespace, "-s", file, verifyTime],
                input: commit.payload)
            let good = "Good \"\(SignaturePolicy.sshNamespace)\" signature for "
            if check.succeeded, let line = check.outputText.split(separator: "\n").first(where: { $0.hasPrefix(good) }),
                let keyRange = line.range(of: " key ", options: .backwards)
            {
                let fingerprint = String(line[keyRange.upperBound...]).trimmingCharacters(in: .whitespaces)
                return .success(Signer(method: .ssh, principal: principal, fingerprint: fingerprint))
            }
            failure = failure ?? check
        }
        let output = failure ?? find
        return .failure(Refusal(commit, Self.sshReason(output, default: .badSignature), Self.sshDetail(output, fallback: "the signature does not verify")))
    }

    /// The reason `ssh-keygen` gave for a failure.
    private static func sshReason(_ output: ProgramOutput, default reason: Refusal.Reason) -> Refusal.Reason {
        let text = output.errorText.lowercased()
        if text.contains("key has expired") || text.contains("not yet valid") { return .keyNotValid }
        if text.contains("no principal matched") { return .unknownSigner }
        return reason
    }

    /// What `ssh-keygen` printed, one line.
    private static func sshDetail(_ output: ProgramOutput, fallback: String) -> String {
        let lines = output.errorText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.isEmpty ? fallback : lines.joined(separator: "; ")
    }

    /// `YYYYMMDDHHMMSSZ` in UTC, the form `ssh-keygen -Overify-time=` and `valid-before` take.
    static func sshTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))\(two(parts.hour))\(two(parts.minute))\(two(parts.second))Z"
    }

    static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
    }

    // MARK: OpenPGP

    private func checkOpenPGP(_ commit: CommitObject, signature: String, home: OpenPGPHome) async throws(VerificationError) -> Outcome {
        let file = try writeScratch(signature, name: commit.id.hex + ".asc")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let output = try await run(home.gpg, home.arguments + ["--status-fd", "1", "--verify", file, "-"], input: commit.payload)
        var good: (keyID: String, userID: String)?
        var fingerprint: String?
        var problem: (Refusal.Reason, String)?
        for line in output.outputText.split(separator: "\n") where line.hasPrefix("[GNUPG:] ") {
            let fields = line.dropFirst(9).split(separator: " ", maxSplits: 2).map(String.init)
            guard let keyword = fields.first else { continue }
            let rest = fields.dropFirst().joined(separator: " ")
            switch keyword {
            case "GOODSIG":
                good = (fields.count > 1 ? fields[1] : "", fields.count > 2 ? fields[2] : "")
            case "VALIDSIG":
                let values = line.dropFirst(9).split(separator: " ").map(String.init)
                // VALIDSIG <fingerprint> … <primary key fingerprint> (the 11th field when present).
                fingerprint = values.count > 10 ? values[10] : values.count > 1 ? values[1] : nil
            case "BADSIG": problem = problem ?? (.badSignature, "BADSIG \(rest)")
            case "EXPKEYSIG": problem = problem ?? (.keyNotValid, "the key has expired (\(rest))")
            case "EXPSIG": problem = problem ?? (.keyNotValid, "the signature has expired (\(rest))")
            case "REVKEYSIG": problem = problem ?? (.keyRevoked, "the key is revoked (\(rest))")
            case "NO_PUBKEY": problem = problem ?? (.unknownSigner, "key \(rest) is not in the keyring")
            case "ERRSIG": problem = problem ?? (.unknownSigner, "the signature cannot be checked (ERRSIG \(rest))")
            default: continue
            }
        }
        if let problem { return .failure(Refusal(commit, problem.0, problem.1)) }
        guard output.succeeded, let good, let fingerprint else {
            return .failure(Refusal(commit, .badSignature, Self.sshDetail(output, fallback: "gpg did not report a good signature")))
        }
        return .success(Signer(method: .openPGP, principal: good.userID, fingerprint: fingerprint))
    }

    // MARK: Programs and files

    func run(_ program: String, _ arguments: [String], input: [UInt8]? = nil) async throws(VerificationError) -> ProgramOutput {
        let invocation = ProgramInvocation(
            executable: program, arguments: arguments,
            environment: ["PATH": tools.searchPath, "HOME": workingDirectory, "LC_ALL": "C", "LANG": "C"], workingDirectory: workingDirectory,
            input: input, timeout: timeout, outputLimit: 1 << 20)
        do {
            return try await runner.run(invocation)
        } catch {
            throw VerificationError(.program, error.description)
        }
    }

    private func prepareScratch() throws(VerificationError) {
        guard !FileManager.default.fileExists(atPath: workingDirectory) else { return }
        do {
            try FileManager.default.createDirectory(atPath: workingDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw VerificationError(.workingFolder, "cannot create \(workingDirectory): \(error.localizedDescription)")
        }
    }

    private func writeScratch(_ text: String, name: String) throws(VerificationError) -> String {
        let path = workingDirectory + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw VerificationError(.workingFolder, "cannot write \(path)")
        }
        return path
    }
}
