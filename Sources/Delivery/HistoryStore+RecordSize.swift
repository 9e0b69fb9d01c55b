import KubeModel

extension HistoryStore {
    /// Bytes a record takes besides its list of objects, at most: the identity, the message
    /// (cut at 4,096 characters, escaped), durations and digests, with room to spare.
    public static let recordOverhead = 32 * 1024

    /// The most bytes a deploy's record can take in a history ConfigMap, worked out before the
    /// deploy: every object in `objects` listed as applied (`configured`) with a digest, plus
    /// ``recordOverhead``; compressed (gzip, as stored) when it does not fit ``sizeLimit`` as text.
    ///
    /// The digests of a record are SHA-256 values, as compressible as random hexadecimal; here
    /// each object gets the digest of its reference, which compresses the same, so that the
    /// objects' content need not be hashed twice. Compression stops once the output exceeds
    /// ``sizeLimit``: then the record cannot be stored at all.
    ///
    /// - Returns: the size as text, and the compressed size when the text does not fit (`nil`
    ///   otherwise); both include ``recordOverhead``.
    public func recordSize(applying objects: some Collection<ObjectReference>) -> (text: Int, compressed: Int?) {
        let secret = GroupKind(group: "", kind: "Secret")
        func entry(_ reference: ObjectReference) -> String {
            let digest = reference.groupKind == secret ? nil : CanonicalJSON.sha256Hex(reference.description)
            return CanonicalJSON.text(RecordedObject(reference: reference, action: .configured, digest: digest).json)
        }
        var text = Self.recordOverhead
        for reference in objects { text += entry(reference).utf8.count + 1 }
        guard text > sizeLimit else { return (text, nil) }
        let compressor = Gzip.Compressor(keepsOutput: false)
        for reference in objects {
            compressor.append(entry(reference) + ",")
            if compressor.count + Self.recordOverhead > sizeLimit { return (text, compressor.count + Self.recordOverhead) }
        }
        compressor.finish()
        return (text, compressor.count + Self.recordOverhead)
    }

    /// The hint for a record too large for the history.
    public static let tooLargeHint =
        "split the manifests into smaller deploys, each with its own --applyset (a record lists every object its deploy applied); --record-file keeps a copy of the history, not a replacement for it"
}
