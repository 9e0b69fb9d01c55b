/// A commit object as Git stores it, split into what signature verification needs.
///
/// The signed payload is the object without its signature header, exactly as Git builds it
/// before handing it to `ssh-keygen` or `gpg` (git's `commit.c`, `parse_buffer_signed_by_header`):
/// the `gpgsig` header of the repository's hash algorithm and its continuation lines go to the
/// signature; headers of the other algorithm's signature (`gpgsig-sha256` in a SHA-1 repository)
/// are left out of both; everything else, byte for byte, is the payload.
public struct CommitObject: Sendable, Hashable {
    /// The commit's name.
    public var id: CommitID
    /// Its parents, in order (two or more for a merge).
    public var parents: [CommitID]
    /// Who wrote the change.
    public var author: GitIdentity?
    /// Who made the commit; its time is the one signer validity is checked against.
    public var committer: GitIdentity?
    /// The first line of the message, at most 200 characters.
    public var subject: String
    /// The armored signature, or `nil` for an unsigned commit.
    public var signature: String?
    /// How many signature headers the commit has (more than one is refused).
    public var signatureHeaderCount: Int
    /// The bytes the signature covers.
    public var payload: [UInt8]

    /// Splits raw commit bytes (`git cat-file commit`).
    ///
    /// - Parameter sha256: whether the repository uses SHA-256 object names (its signature header
    ///   is then `gpgsig-sha256`).
    public init(id: CommitID, raw: [UInt8], sha256: Bool = false) {
        self.id = id
        let ownHeader = Array((sha256 ? "gpgsig-sha256" : "gpgsig").utf8)
        let newline = UInt8(ascii: "\n")
        let space = UInt8(ascii: " ")
        var payload: [UInt8] = []
        payload.reserveCapacity(raw.count)
        var signature: [UInt8] = []
        var headers = 0
        var parents: [CommitID] = []
        var author: GitIdentity?
        var committer: GitIdentity?
        var inSignature = false
        var inOtherSignature = false
        var index = 0
        var messageStart = raw.count
        while index < raw.count {
            let end = raw[index...].firstIndex(of: newline).map { $0 + 1 } ?? raw.count
            let line = raw[index..<end]
            if line.first == newline {
                // The blank line ends the headers; the message follows unchanged.
                payload.append(contentsOf: raw[index...])
                messageStart = end
                break
            }
            if inSignature, line.first == space {
                signature.append(contentsOf: line.dropFirst())
            } else if line.starts(with: ownHeader + [space]) {
                signature.append(contentsOf: line.dropFirst(ownHeader.count + 1))
                headers += 1
                inSignature = true
                inOtherSignature = false
            } else if line.starts(with: Array("gpgsig".utf8)) {
                inSignature = false
                inOtherSignature = true
            } else if inOtherSignature, line.first == space {
                // A continuation of the other algorithm's signature: in neither.
            } else {
                inSignature = false
                inOtherSignature = false
                payload.append(contentsOf: line)
                let text = String(decoding: line.last == newline ? line.dropLast() : line, as: UTF8.self)
                if text.hasPrefix("parent "), let parent = CommitID(text.dropFirst(7)) {
                    parents.append(parent)
                } else if text.hasPrefix("author ") {
                    author = GitIdentity(header: String(text.dropFirst(7)))
                } else if text.hasPrefix("committer ") {
                    committer = GitIdentity(header: String(text.dropFirst(10)))
                }
            }
            index = end
        }
        self.parents = parents
        self.author = author
        self.committer = committer
        self.signature = headers == 0 ? nil : String(decoding: signature, as: UTF8.self)
        self.signatureHeaderCount = headers
        self.payload = payload
        let message = messageStart < raw.count ? raw[messageStart...] : []
        let firstLine = message.prefix { $0 != newline }
        let subject = String(decoding: firstLine, as: UTF8.self)
        self.subject = subject.count > 200 ? String(subject.prefix(200)) + "…" : subject
    }

    /// Whether the commit merges two or more parents.
    public var isMerge: Bool { parents.count > 1 }
}
