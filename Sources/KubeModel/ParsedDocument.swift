/// One top-level document of a manifest file, as a reader hands it to the loader.
struct ParsedDocument {
    /// The document's value.
    var value: JSONValue
    /// The 1-based line where the document's content starts.
    var line: Int
    /// The line of each element of the top-level lists: the document itself when it is a list
    /// (key `""`), and every top-level key whose value is a list (`items` of a `List`).
    var listLines: [String: [Int]]

    /// The lines of the elements of a `List` document's `items`.
    var itemLines: [Int] { listLines["items"] ?? [] }
    /// Finds the line of a field by its path of keys and list indexes (`["metadata", "labels", "app"]`).
    /// Valid only while the loader handles this document.
    var locate: ([String]) -> Int?
}

/// A parsed document of an auxiliary file (not necessarily a Kubernetes object), with lines for messages.
public struct LoadedDocument: Sendable {
    /// The document's value.
    public var value: JSONValue
    /// The 1-based line where its content starts.
    public var line: Int
    /// The lines of the elements of top-level lists: key `""` when the document is itself a list,
    /// else the top-level key holding the list.
    public var listLines: [String: [Int]]

    /// The line of element `index` of the list at top-level `key` (`""` for the document itself),
    /// falling back to the document's line.
    public func line(ofElement index: Int, in key: String = "") -> Int {
        guard let lines = listLines[key], index < lines.count else { return line }
        return lines[index]
    }
}
