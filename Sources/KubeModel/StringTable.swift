/// Shares the storage of repeated strings: a manifest repeats its keys (`app.kubernetes.io/name`,
/// `initialDelaySeconds`) and many values (image names, API groups) thousands of times, and each
/// string longer than 15 bytes is otherwise a heap allocation of its own.
///
/// Strings of up to 15 UTF-8 bytes are stored inline by Swift and passed through. One table per
/// reader and part of a file: it lives only while that part is read.
final class StringTable {
    /// Strings longer than this are shared.
    static let inlineLimit = 15
    private var table: Set<String> = []

    /// The stored copy of `string`, storing it first when it is new.
    func intern(_ string: String) -> String {
        guard string.utf8.count > Self.inlineLimit else { return string }
        if let stored = table.firstIndex(of: string) { return table[stored] }
        table.insert(string)
        return string
    }
}
