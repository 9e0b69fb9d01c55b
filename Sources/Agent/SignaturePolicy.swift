/// What a commit must carry to be trusted.
public struct SignaturePolicy: Sendable, Hashable {
    /// The OpenSSH `allowed_signers` file: who may sign, with which key, in which namespaces and
    /// when (`valid-after`, `valid-before`, checked against the commit's committer time, as Git
    /// does). SSH signatures must be made in the namespace `git`.
    public var allowedSignersFile: String
    /// An OpenPGP keyring (armored or binary export) whose keys may sign; `nil` refuses every
    /// OpenPGP-signed commit.
    public var gpgKeyringFile: String?
    /// The most commits one range may hold; a larger range is refused (default 10,000).
    public var maximumRangeSize: Int
    /// How far in the future a committer time may lie (default 10 minutes). A later one is
    /// refused: a key's `valid-after` must not be reachable by dating a commit forward.
    public var maximumClockSkew: Duration

    /// Creates a policy.
    public init(allowedSignersFile: String, gpgKeyringFile: String? = nil, maximumRangeSize: Int = 10_000, maximumClockSkew: Duration = .seconds(600)) {
        self.allowedSignersFile = allowedSignersFile
        self.gpgKeyringFile = gpgKeyringFile
        self.maximumRangeSize = maximumRangeSize
        self.maximumClockSkew = maximumClockSkew
    }

    /// The SSH signature namespace Git signs commits in.
    public static let sshNamespace = "git"
}
